"""Issue 13 §1: a lookup's person_ref is the venue's own (shoumen_server.venue_refs), so answers
cannot be joined across venues; the server stores the registry reference whichever form a
device pushes, so distinct-person counts and 查看完整信息 keep working."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from shoumen_server.deps import ServerContext
from shoumen_server.health import issue_code_for
from shoumen_server.models import Check
from shoumen_server.seed import DEMO_PATHS_BY_KEY, seed_demo
from shoumen_server.venue_refs import registry_ref, stored_ref, venue_ref
from tests.server.conftest import Server
from tests.server.fixtures_sync import TODAY, check, local, push_ok
from tests.server.journeys import API, make_supervisor

OWNER, SHOP_OWNER = "13900000001", "13900000004"


class Venues:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
        self.hospital, self.shop = seed_demo(self.ctx.sessions, self.ctx.keys, server.clock()).venue_ids
        self.owner = server.login(OWNER)
        self.shop_owner = server.login(SHOP_OWNER)

    def lookup(self, venue_id: int, headers: dict[str, str], **body: Any) -> dict[str, Any]:
        r = self.server.client.post(f"{API}/venues/{venue_id}/lookup", json=body, headers=headers)
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        return answer

    def stored_refs(self) -> list[str | None]:
        with self.ctx.sessions() as session:
            return list(session.scalars(select(Check.person_ref).order_by(Check.checked_at)))


@pytest.fixture
def venues(server: Server) -> Venues:
    return Venues(server)


def test_person_ref_is_not_stable_across_venues(venues: Venues) -> None:
    number = DEMO_PATHS_BY_KEY["green_fresh"].number
    at_hospital = venues.lookup(venues.hospital, venues.owner, document={"number": number})["person"]
    again = venues.lookup(venues.hospital, venues.owner, document={"number": number})["person"]
    at_shop = venues.lookup(venues.shop, venues.shop_owner, document={"number": number})["person"]
    assert at_hospital["person_ref"] == again["person_ref"]  # one venue: one person, one reference
    assert at_hospital["person_ref"] != at_shop["person_ref"]
    assert at_hospital["masked_name"] == at_shop["masked_name"]
    # By personal code too: the same venue reference as by document.
    code = issue_code_for(venues.ctx, _record(venues, "green_fresh"), venues.server.clock())
    by_code = venues.lookup(venues.hospital, venues.owner, personal_code=code)["person"]
    assert by_code["person_ref"] == at_hospital["person_ref"]
    registry = _record(venues, "green_fresh").person_ref
    assert registry not in {at_hospital["person_ref"], at_shop["person_ref"]}


def _record(venues: Venues, key: str) -> Any:
    from shoumen_server.health import RegistryHealthSource

    path = DEMO_PATHS_BY_KEY[key]
    with venues.ctx.sessions() as session:
        return RegistryHealthSource(session, venues.ctx.keys).find_by_document(path.kind, path.number)


def test_a_venue_ref_opens_only_at_its_venue(venues: Venues) -> None:
    keys = venues.ctx.keys
    ref = venue_ref(keys, 7, "0123456789abcdef")
    assert len(ref) == 32
    assert registry_ref(keys, 7, ref) == "0123456789abcdef"
    assert registry_ref(keys, 8, ref) is None
    assert registry_ref(keys, 7, ref[:-1] + ("A" if ref[-1] != "A" else "B")) is None
    foreign = venue_ref(keys, 7, "p_0000000001")  # a code of another issuer: a keyed hash
    assert foreign.startswith("~") and len(foreign) == 32 and foreign != venue_ref(keys, 8, "p_0000000001")
    assert stored_ref(keys, 7, foreign) == foreign == stored_ref(keys, 7, "p_0000000001")
    assert stored_ref(keys, 7, None) is None and stored_ref(keys, 7, "") == ""


def test_pushed_checks_count_one_person_whichever_ref(venues: Venues) -> None:
    """An online check carries the venue's reference, an offline-verified personal code the
    registry's: stored alike, they count as one person (the 人数 figure)."""
    online = venues.lookup(
        venues.hospital, venues.owner, document={"number": DEMO_PATHS_BY_KEY["green_fresh"].number}
    )["person"]["person_ref"]
    registry = _record(venues, "green_fresh").person_ref
    shop_ref = venues.lookup(
        venues.shop, venues.shop_owner, document={"number": DEMO_PATHS_BY_KEY["green_fresh"].number}
    )["person"]["person_ref"]
    push_ok(
        venues.server,
        venues.owner,
        [
            check(venues.hospital, person_ref=online, at=local(TODAY, 9, 1)),
            check(venues.hospital, person_ref=registry, offline=True, at=local(TODAY, 9, 2)),
            # Another venue's reference does not open here.
            check(venues.hospital, person_ref=shop_ref, at=local(TODAY, 9, 3)),
        ],
    )
    stored = venues.stored_refs()
    assert stored[:2] == [registry, registry]
    assert stored[2] not in {registry, shop_ref, online}
    r = venues.server.client.get(
        f"{API}/venues/{venues.hospital}/stats",
        params={"date": TODAY.isoformat(), "scope": "unit"},
        headers=venues.owner,
    )
    assert r.status_code == 200, r.text
    assert r.json()["counts"]["persons"] == 2  # the person, and the unresolvable reference


def test_full_details_find_the_person_of_an_online_check(venues: Venues) -> None:
    path = DEMO_PATHS_BY_KEY["red"]
    online = venues.lookup(venues.hospital, venues.owner, document={"number": path.number})["person"]
    body = check(venues.hospital, level="deny", person_ref=online["person_ref"])
    push_ok(venues.server, venues.owner, [body])
    region = _hospital_region(venues)
    supervisor = make_supervisor(venues.server, "13700000009", region)
    r = venues.server.client.post(
        f"{API}/venues/{venues.hospital}/full-details", json={"check_id": body["id"]}, headers=supervisor
    )
    assert r.status_code == 200, r.text
    assert (r.json()["source"], r.json()["document_number"]) == ("registry", path.number)


def _hospital_region(venues: Venues) -> str:
    from shoumen_server.models import Venue

    with venues.ctx.sessions() as session:
        venue = session.get(Venue, venues.hospital)
        assert venue is not None
        return venue.region_code
