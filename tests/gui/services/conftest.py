"""Fixtures of the Qt-free services tests: a local cache, an issuer with its trust list and
sealing key, a venue pulled into the cache, and an in-memory keyring."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shoumen_core.codes import (
    SigningKey,
    TrustList,
    b64url_encode,
    generate_sealing_keypair,
    issue_personal_code,
)
from shoumen_core.policy import (
    CodeColour,
    HealthSnapshot,
    NatResult,
    TravelStatus,
    Vaccination,
    VenuePolicy,
)
from shoumen_core.schemas import (
    CheckpointOut,
    DayCounts,
    PullResponse,
    Role,
    StaffState,
    VenueOut,
)
from shoumen_core.trust import sign_trust_list
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.checks import CheckContext, CheckService
from shoumen_gui.services.connectivity import Connectivity
from tests.gui.services.live_server import LiveServer, start_live_server
from tests.gui.services.station import Station, make_station

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in China
VENUE_ID = 7
CHECKPOINT_ID = 70
USER_ID = 5


class FakeClock:
    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class Issuer:
    key: SigningKey
    trust: TrustList
    sealing_private: bytes
    sealing_public: bytes
    root: SigningKey = field(default_factory=SigningKey.generate)  # signs the trust list

    def signed_trust(self, trust: TrustList | None = None, *, root: SigningKey | None = None) -> str:
        """The trust list as a server sends it: signed by the root (shoumen_core.trust)."""
        return sign_trust_list(trust or self.trust, root or self.root).to_json()

    def code(
        self,
        snapshot: HealthSnapshot,
        *,
        issued_at: datetime = NOW - timedelta(hours=1),
        ttl: timedelta = timedelta(hours=24),
        person_ref: str = "ref-0001",
        key: SigningKey | None = None,
    ) -> str:
        return issue_personal_code(
            key=key or self.key,
            person_ref=person_ref,
            masked_name="张*",
            masked_id="330624********1234",
            snapshot=snapshot,
            issued_at=issued_at,
            ttl=ttl,
        )


def green(nat_hours: float = 10, **changes: object) -> HealthSnapshot:
    base = HealthSnapshot(
        code_colour=CodeColour.GREEN,
        vaccination=Vaccination.FULL,
        nat_sampled_at=NOW - timedelta(hours=nat_hours),
        nat_result=NatResult.NEGATIVE,
        travel=TravelStatus.NORMAL,
    )
    return base.model_copy(update=changes)


@pytest.fixture
def issuer() -> Issuer:
    key = SigningKey.generate("k1")
    trust = TrustList(
        keys=(key.trusted_key(NOW - timedelta(days=30), NOW + timedelta(days=300)),),
        issued_at=NOW - timedelta(hours=1),
        valid_until=NOW + timedelta(days=7),
    )
    private, public = generate_sealing_keypair()
    return Issuer(key, trust, private, public)


def venue_out(policy: VenuePolicy | None = None, venue_id: int = VENUE_ID) -> VenueOut:
    return VenueOut(
        id=venue_id,
        name="新昌县测试超市",
        address="南明街道 1 号",
        region_code="330624",
        township="南明街道",
        unit_type="supermarket",
        unit_type_name="超市",
        contact_phone_masked="139****0001",
        active=True,
        created_at=NOW - timedelta(days=10),
        checkpoints=[CheckpointOut(id=CHECKPOINT_ID, name="南门")],
        policy=policy or VenuePolicy(),
    )


def pull_response(
    issuer: Issuer | None,
    *,
    policy: VenuePolicy | None = None,
    epoch: str = "epoch-1",
    cursor: str = "epoch-1:1",
    changed: bool = True,
    unit_counts: list[DayCounts] | None = None,
    personal_counts: list[DayCounts] | None = None,
    server_time: datetime = NOW,
    my_state: StaffState = StaffState.AUTHORISED,
) -> PullResponse:
    return PullResponse(
        epoch=epoch,
        cursor=cursor,
        changed=changed,
        venue=venue_out(policy) if changed else None,
        staff=None,
        my_role=Role.STAFF if changed else None,
        my_state=my_state if changed else None,
        trust_list=issuer.signed_trust() if issuer is not None and changed else None,
        sealing_public_key=b64url_encode(issuer.sealing_public) if issuer is not None and changed else None,
        unit_counts=unit_counts or [],
        personal_counts=personal_counts or [],
        server_time=server_time,
    )


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[LocalCache]:
    local = LocalCache.open(tmp_path / "cache.db")
    yield local
    local.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def offline_service(cache: LocalCache, issuer: Issuer, clock: FakeClock) -> CheckService:
    """A CheckService with the venue pulled into the cache and no backend at all."""
    cache.apply_pull(VENUE_ID, pull_response(issuer), NOW, user_id=USER_ID)
    service = CheckService(cache, None, Connectivity(online=False), clock)
    service.set_context(CheckContext(VENUE_ID, CHECKPOINT_ID, USER_ID, cache.device_id()))
    return service


# ---- a live backend and a station on it (test files that need other settings override these)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path)
    yield server
    server.close()


@pytest.fixture
def station(live: LiveServer, tmp_path: Path) -> Iterator[Station]:
    made = make_station(live, tmp_path)
    yield made
    made.cache.close()
