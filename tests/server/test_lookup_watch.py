"""Issue 13 §1: a venue whose lookups look like enumeration (many unknown numbers, numbers in
sequence, lookups refused by the limits) is listed for its region's supervisor, with its
figures; a normal gate day is not. Tested with a scripted scrape through the real API."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from sqlalchemy import select

from shoumen_core.identity import DocumentKind, make_resident_id
from shoumen_server.deps import ServerContext
from shoumen_server.lookup_watch import sequence_parts
from shoumen_server.models import LookupWatch
from shoumen_server.seed import DEMO_PATHS, seed_demo
from tests.server.conftest import Server
from tests.server.journeys import API, OTHER_REGION, REGION, error_code, make_supervisor, register_venue

SCRAPE_BIRTH = date(1990, 1, 1)


def _lookup(server: Server, venue_id: int, headers: dict[str, str], number: str) -> Any:
    return server.client.post(
        f"{API}/venues/{venue_id}/lookup", json={"document": {"number": number}}, headers=headers
    )


def _alerts(server: Server, headers: dict[str, str], region: str = REGION, **params: str) -> Any:
    return server.client.get(f"{API}/regions/{region}/lookup-alerts", params=params, headers=headers)


def test_scripted_scrape_flags_the_venue(server: Server) -> None:
    """Anyone registers a venue and walks the sequence digits of one region and birth date,
    patiently (one lookup every 2 s, under the limits)."""
    venue_id, owner = register_venue(server, name="某某小卖部")
    supervisor = make_supervisor(server, "13700000001", REGION)
    assert _alerts(server, supervisor).json()["items"] == []
    for seq in range(40):
        server.clock.advance(seconds=2)
        r = _lookup(server, venue_id, owner, make_resident_id(REGION, SCRAPE_BIRTH, seq))
        assert r.status_code == 200, (seq, r.text)
    r = _alerts(server, supervisor)
    assert r.status_code == 200, r.text
    [alert] = r.json()["items"]
    assert alert["venue_id"] == venue_id and alert["venue_name"] == "某某小卖部"
    assert alert["reasons"] == ["unknown_numbers", "sequential_numbers"]
    figures = {k: alert[k] for k in ("lookups", "documents", "unknown", "sequential", "limited")}
    assert figures == {"lookups": 40, "documents": 40, "unknown": 40, "sequential": 39, "limited": 0}
    # No number is kept: only a keyed hash of the part before the sequence, and the sequence.
    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        watch = session.scalars(select(LookupWatch)).one()
    assert watch.last_seq == 39 and watch.last_prefix is not None
    assert REGION not in watch.last_prefix and "19900101" not in watch.last_prefix
    # Another region's supervisor neither sees it nor may ask.
    outsider = make_supervisor(server, "13700000002", OTHER_REGION, region_name="嵊州市")
    assert error_code(_alerts(server, outsider)) == "outside_region"
    assert error_code(_alerts(server, owner)) == "supervisor_only"


def test_a_hasty_scrape_is_refused_and_flagged(server: Server) -> None:
    """The issue's ~150 lookups a second from one client: the staff bucket's 20 go through, the
    rest are 429 lookup_rate_limited, and the refusals flag the venue."""
    venue_id, owner = register_venue(server)
    supervisor = make_supervisor(server, "13700000001", REGION)
    codes = [
        error_code(_lookup(server, venue_id, owner, make_resident_id(REGION, SCRAPE_BIRTH, s)))
        for s in range(60)
    ]
    assert codes == [None] * 20 + ["lookup_rate_limited"] * 40
    [alert] = _alerts(server, supervisor).json()["items"]
    assert alert["reasons"] == ["sequential_numbers", "rate_limited"]
    assert (alert["documents"], alert["sequential"], alert["limited"]) == (20, 19, 40)
    # The next day starts clean.
    server.clock.advance(days=1)
    supervisor = server.login("13700000001")  # yesterday's session has expired
    assert _alerts(server, supervisor).json()["items"] == []
    assert len(_alerts(server, supervisor, date="2026-11-20").json()["items"]) == 1


def test_a_normal_gate_day_is_not_flagged(server: Server) -> None:
    """A hospital gate: the registry's people in no order, a few numbers it does not know
    (visitors from elsewhere), scans in between, one person every few seconds for a morning."""
    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    hospital, _shop = seed_demo(ctx.sessions, ctx.keys, server.clock()).venue_ids
    owner = server.login("13900000001")
    supervisor = make_supervisor(server, "13700000001", REGION)
    rng = random.Random(7)
    known = [path.number for path in DEMO_PATHS]
    strangers = [make_resident_id("110105", date(1980 + i, 3, 4), 100 + i) for i in range(8)]
    for i in range(200):
        server.clock.advance(seconds=rng.uniform(2.5, 20))
        number = strangers[i // 25] if i % 25 == 0 else rng.choice(known)
        assert _lookup(server, hospital, owner, number).status_code == 200, i
    r = _alerts(server, supervisor)
    assert r.status_code == 200 and r.json()["items"] == []
    with ctx.sessions() as session:
        watch = session.scalars(select(LookupWatch)).one()
    assert (watch.lookups, watch.documents, watch.unknown) == (200, 200, 8)
    assert watch.sequential == 0  # the same person twice is no sequence, nor is the next person


def test_sequence_parts() -> None:
    assert sequence_parts(DocumentKind.RESIDENT_ID, "330624199001010127") == ("33062419900101", 12)
    assert sequence_parts(DocumentKind.PASSPORT, "E12345678") == ("E12345", 678)
    assert sequence_parts(DocumentKind.PASSPORT, "E1234567X") is None
