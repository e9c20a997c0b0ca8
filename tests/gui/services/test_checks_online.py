"""CheckService against a real backend on 127.0.0.1: online answers, fallbacks, refusals."""

from __future__ import annotations

import socket
import time
from datetime import date

import pytest

from shoumen_core.codes import SigningKey
from shoumen_core.identity import make_resident_id
from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import CheckMethod, StaffState
from shoumen_core.timeutil import utcnow
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.checks import CheckService, ResultSource
from shoumen_gui.services.errors import InputRejected, PermissionDenied
from shoumen_server.models import Membership, Venue
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.services.conftest import Issuer, green
from tests.gui.services.live_server import LiveServer
from tests.gui.services.station import Station, spy


@pytest.mark.parametrize(
    ("path", "level"),
    [("green_fresh", VerdictLevel.PASS), ("nat_49h", VerdictLevel.REVIEW), ("red", VerdictLevel.DENY)],
)
def test_personal_code_online(live: LiveServer, station: Station, path: str, level: VerdictLevel) -> None:
    result = station.service.check_text(live.code_for(path))
    assert result.source is ResultSource.ONLINE
    assert result.level is level
    assert result.masked_name.endswith("*")
    stored = station.cache.check(result.record_id)
    assert stored is not None and stored.record.offline is False and stored.record.person_ref
    assert station.connectivity.online


def test_document_online_uses_the_backend(live: LiveServer, station: Station) -> None:
    path = DEMO_PATHS_BY_KEY["no_nat"]
    result = station.service.check_text(path.number)
    assert result.source is ResultSource.ONLINE
    assert result.method is CheckMethod.DOCUMENT
    assert result.level is VerdictLevel.REVIEW
    assert "nat_none" in {f.reason for f in result.findings}
    stored = station.cache.check(result.record_id)
    assert stored is not None and stored.record.sealed_document is None  # online: nothing to seal


def test_unknown_person_online_is_grey(station: Station) -> None:
    stranger = make_resident_id("330624", date(1990, 1, 1), 999)
    result = station.service.check_document(stranger)
    assert result.level is VerdictLevel.CANNOT_VERIFY
    assert result.source is ResultSource.ONLINE
    assert result.masked_id.startswith("330624") and "*" in result.masked_id


def test_the_backend_refusing_a_code_is_input_rejected(station: Station, issuer: Issuer) -> None:
    foreign = issuer.code(green(), issued_at=utcnow(), key=SigningKey.generate("zz"))
    with pytest.raises(InputRejected) as caught:
        station.service.check_text(foreign)
    assert caught.value.code == "unknown_key"


def test_offline_falls_back_to_the_signed_snapshot(
    live: LiveServer, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = live.code_for("green_fresh")
    live.stop()
    result = station.service.check_text(code)  # the lookup and its retry both lost
    assert result.source is ResultSource.OFFLINE_SNAPSHOT
    assert result.level is VerdictLevel.PASS
    assert station.connectivity.online  # two lost requests do not make the station offline
    assert station.service.check_text(code).source is ResultSource.OFFLINE_SNAPSHOT
    assert not station.connectivity.online  # the third in a row does
    # Now that connectivity says offline, the next check does not even try the network.
    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(station.api.checks, "lookup", spy(calls, station.api.checks.lookup))
    document = station.service.check_text(DEMO_PATHS_BY_KEY["green_fresh"].number)
    assert calls == []
    assert document.level is VerdictLevel.CANNOT_VERIFY
    assert document.source is ResultSource.OFFLINE_UNVERIFIED


def test_lookup_timeout_goes_offline_in_time(live: LiveServer, station: Station) -> None:
    code = live.code_for("green_fresh")
    silent = socket.socket()  # accepts connections (backlog) but never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        slow = ApiClient(f"http://127.0.0.1:{silent.getsockname()[1]}", token="x")
        service = CheckService(station.cache, slow, station.connectivity, lookup_timeout=0.3)
        service.set_context(station.service.context)  # type: ignore[arg-type]
        started = time.monotonic()
        result = service.check_text(code)
        elapsed = time.monotonic() - started
        slow.close()
    finally:
        silent.close()
    assert result.source is ResultSource.OFFLINE_SNAPSHOT
    assert result.level is VerdictLevel.PASS
    assert 0.55 <= elapsed < 2.0  # two attempts of 0.3 s (the retry fits the 2 s budget)
    assert station.connectivity.failures_in_a_row == 2


def test_revoked_guard_cannot_check_online(live: LiveServer, station: Station) -> None:
    with live.ctx.sessions() as session, session.begin():
        member = session.query(Membership).filter_by(user_id=station.user_id).one()
        member.state = StaffState.REVOKED.value
    with pytest.raises(PermissionDenied) as caught:
        station.service.check_text(live.code_for("green_fresh"))
    assert caught.value.code == "staff_revoked"


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_a_venue_not_yet_approved_is_grey_never_a_pass(
    live: LiveServer, station: Station, status: str
) -> None:
    """Issue 13 §1: the server refuses lookups at a venue the township has not approved; the
    station shows grey with the server's words — for a typed ID and for a scanned code alike
    (not the code's signed snapshot, which would pass) — and keeps the check."""
    with live.ctx.sessions() as session, session.begin():
        venue = session.get(Venue, station.venue_id)
        assert venue is not None
        venue.status, venue.status_reason = status, "营业执照与场所名称不符"
    green_id = DEMO_PATHS_BY_KEY["green_fresh"].number
    for result in (
        station.service.check_document(green_id),
        station.service.check_text(live.code_for("green_fresh")),
    ):
        assert result.level is VerdictLevel.CANNOT_VERIFY and result.needs_manual_decision
        assert result.source is ResultSource.REFUSED
        [finding] = result.findings
        assert finding.reason == f"venue_{status}"
        assert finding.message.startswith("场所尚待所在乡镇街道审核" if status == "pending" else "场所未通过")
        stored = station.cache.check(result.record_id)
        assert stored is not None and stored.record.offline is False and stored.record.person_ref is None
    assert station.connectivity.online  # the server answered: not an outage
