"""Issue 13 §1: lookups are rate limited per staff member, venue and region (database token
buckets, shoumen_server.ratelimit), on SQLite and PostgreSQL, under racing workers too."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shoumen_core.identity import make_resident_id
from shoumen_server.app import create_app
from shoumen_server.db import make_engine, make_session_factory
from shoumen_server.lookup_watch import region_shards
from shoumen_server.models import AuditEntry, LookupWatch, RateBucket
from shoumen_server.ratelimit import Bucket, commit_takes, take
from shoumen_server.settings import ServerSettings
from shoumen_server.sms import DevSmsGateway
from tests.server.conftest import FakeClock, Server, key_provider
from tests.server.journeys import API, add_staff, error_code, register_venue

T0 = 1_800_000_000.0
UNKNOWN_ID = "330624198503121020"


@pytest.fixture
def sessions(database_url: str) -> Iterator[Any]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _take(sessions: Any, buckets: list[Bucket], now: float) -> bool:
    with sessions() as db:
        denied = take(db, buckets, now)
        commit_takes(db)
        return denied is None


def test_bucket_admits_its_burst_then_refills_with_the_clock(sessions: Any) -> None:
    bucket = Bucket("test:a", capacity=3, per_second=0.5)
    assert [_take(sessions, [bucket], T0) for _ in range(4)] == [True, True, True, False]
    with sessions() as db:
        denied = take(db, [bucket], T0)
        assert denied is not None and denied.bucket == bucket and denied.retry_after == pytest.approx(2.0)
    assert not _take(sessions, [bucket], T0 + 1.9)
    assert _take(sessions, [bucket], T0 + 2.0)  # one token every 2 s
    assert not _take(sessions, [bucket], T0 + 2.0)
    # A long pause refills up to the capacity only.
    assert [_take(sessions, [bucket], T0 + 3600) for _ in range(4)] == [True, True, True, False]


def test_a_clock_running_backwards_refills_nothing(sessions: Any) -> None:
    bucket = Bucket("test:b", capacity=1, per_second=1.0)
    assert _take(sessions, [bucket], T0)
    assert not _take(sessions, [bucket], T0 - 100)  # another worker's clock, behind
    assert _take(sessions, [bucket], T0 + 1)


def test_several_buckets_are_all_or_nothing(sessions: Any) -> None:
    wide = Bucket("test:wide", capacity=10, per_second=0)
    narrow = Bucket("test:narrow", capacity=1, per_second=0)
    assert _take(sessions, [wide, narrow], T0)
    assert not _take(sessions, [wide, narrow], T0)
    with sessions() as db:
        tokens = {key: n for key, n in db.execute(select(RateBucket.key, RateBucket.tokens))}
    assert tokens == {"test:wide": 9.0, "test:narrow": 0.0}  # the refused take gave its token back


def test_a_smaller_setting_applies_at_once(sessions: Any) -> None:
    assert _take(sessions, [Bucket("test:c", capacity=10, per_second=0)], T0)
    assert _take(sessions, [Bucket("test:c", capacity=1, per_second=0)], T0)  # clamped to 1, took it
    assert not _take(sessions, [Bucket("test:c", capacity=1, per_second=0)], T0)


def test_racing_workers_never_over_admit(sessions: Any) -> None:
    """Eight threads, each with its own connection, take from one bucket of 20 (and one shared
    second bucket) at once: exactly 20 takes succeed, on PostgreSQL as on SQLite."""
    buckets = [
        Bucket("race:staff", capacity=20, per_second=0),
        Bucket("race:region", capacity=1000, per_second=0),
    ]
    _take(sessions, buckets, T0)  # the rows exist: the race is on the UPDATE, not the INSERT
    start = threading.Barrier(8)
    admitted: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            admitted.append(sum(_take(sessions, buckets, T0) for _ in range(10)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(admitted) == 19
    with sessions() as db:
        tokens = {key: n for key, n in db.execute(select(RateBucket.key, RateBucket.tokens))}
    assert tokens == {"race:staff": 0.0, "race:region": 980.0}


def test_racing_first_takes_create_one_row(sessions: Any) -> None:
    bucket = Bucket("race:new", capacity=5, per_second=0)
    start = threading.Barrier(6)
    results: list[bool] = []

    def worker() -> None:
        start.wait()
        results.append(_take(sessions, [bucket], T0))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True, True, True, True, True]


# ---- through the API ------------------------------------------------------------------------


def limited_server(database_url: str, **limits: Any) -> Iterator[Server]:
    clock = FakeClock()
    sms = DevSmsGateway()
    settings = replace(
        ServerSettings(
            database_url=database_url,
            key_dir=str(key_provider(database_url).directory),
            public_base_url="https://shoumen.test",
        ),
        **limits,
    )
    app = create_app(settings, sms=sms, clock=clock)
    try:
        with TestClient(app) as client:
            yield Server(client=client, clock=clock, sms=sms, settings=settings)
    finally:  # also when the generator is closed early (GeneratorExit at the yield)
        app.state.engine.dispose()


@pytest.fixture
def tiny(database_url: str) -> Iterator[Server]:
    """Staff 3 (one a minute), venue 5 per checkpoint (two a minute), region 8."""
    yield from limited_server(
        database_url,
        lookup_staff_burst=3,
        lookup_staff_per_minute=1,
        lookup_venue_burst=5,
        lookup_venue_per_minute=2,
        lookup_region_burst=8,
        lookup_region_per_minute=60,
    )


def _lookup(server: Server, venue_id: int, headers: dict[str, str], number: str = UNKNOWN_ID) -> Any:
    return server.client.post(
        f"{API}/venues/{venue_id}/lookup", json={"document": {"number": number}}, headers=headers
    )


def test_lookups_per_staff_member_are_rate_limited(tiny: Server) -> None:
    venue_id, owner = register_venue(tiny)
    answers = [_lookup(tiny, venue_id, owner) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    refused = answers[-1].json()["error"]
    assert refused["code"] == "lookup_rate_limited"
    assert "人工核验" in refused["message"]
    assert refused["detail"] == {"scope": "staff", "retry_after": 60.0}
    assert UNKNOWN_ID not in answers[-1].text
    tiny.clock.advance(seconds=60)
    assert _lookup(tiny, venue_id, owner).status_code == 200
    assert error_code(_lookup(tiny, venue_id, owner)) == "lookup_rate_limited"


def test_lookups_per_venue_are_rate_limited_and_scale_with_checkpoints(tiny: Server) -> None:
    venue_id, owner = register_venue(tiny)
    staff = [add_staff(tiny, venue_id, owner, f"1390000001{i}", f"员工{i}") for i in range(3)]
    codes = [error_code(_lookup(tiny, venue_id, h)) for h in staff for _ in range(2)]
    # The venue's one checkpoint gives 5, whoever asks; the sixth is refused for the venue.
    assert codes == [None] * 5 + ["lookup_rate_limited"]
    r = _lookup(tiny, venue_id, owner)
    assert r.json()["error"]["detail"]["scope"] == "venue"
    r = tiny.client.post(f"{API}/venues/{venue_id}/checkpoints", json={"name": "北门"}, headers=owner)
    assert r.status_code == 201, r.text
    tiny.clock.advance(seconds=3600)  # every bucket full again; the venue's now holds 10
    codes = [error_code(_lookup(tiny, venue_id, h)) for h in (*staff, owner) for _ in range(2)]
    assert codes == [None] * 8  # more than one checkpoint's 5 (the region's 8 is the ceiling here)


def test_lookups_per_region_are_rate_limited(tiny: Server) -> None:
    venues = [register_venue(tiny, f"1390000002{i}", name=f"场所{i}") for i in range(3)]
    codes = [error_code(_lookup(tiny, v, h)) for v, h in venues for _ in range(3)]
    assert codes == [None] * 8 + ["lookup_rate_limited"]
    # The region's token is taken last: the refused lookup left no audit row, and gave back
    # the staff and venue tokens it had taken.
    ctx = tiny.client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as db:
        assert (
            db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "lookup")) == 8
        )
        tokens = {key: n for key, n in db.execute(select(RateBucket.key, RateBucket.tokens))}
        last_venue = db.scalars(select(LookupWatch).where(LookupWatch.venue_id == venues[2][0])).one()
    assert tokens[f"lookup:venue:{venues[2][0]}"] == 3.0 and tokens["lookup:region:330624"] == 0.0
    assert (last_venue.lookups, last_venue.limited) == (2, 1)
    other_id, other = register_venue(tiny, "13900000030", name="外县场所", region_code="330683")
    assert _lookup(tiny, other_id, other).status_code == 200  # another region has its own


@pytest.fixture
def split_region(database_url: str) -> Iterator[Server]:
    """The region's bucket in two rows of 5; each venue's own limit is 5 too (one checkpoint)."""
    yield from limited_server(
        database_url,
        lookup_staff_burst=100,
        lookup_venue_burst=5,
        lookup_venue_per_minute=2,
        lookup_venue_max_checkpoints=1,
        lookup_region_burst=10,
        lookup_region_per_minute=60,
    )


def test_the_regions_bucket_is_split_by_venue_without_raising_the_regions_limit(split_region: Server) -> None:
    # One row for the whole region serialised every lookup of it on that row's lock
    # (lookup_watch.region_shards). Here it is split into two rows of 5: each venue's own limit
    # is 5 too, so a row never refuses a venue its own bucket would admit, and the rows' sum is
    # the region's 10.
    assert region_shards(split_region.settings) == 2
    venues = [register_venue(split_region, f"1390000004{i}", name=f"场所{i}") for i in range(4)]
    admitted: dict[int, int] = {}
    scopes: list[str] = []
    for venue_id, headers in venues:
        for _ in range(5):
            r = _lookup(split_region, venue_id, headers)
            if r.status_code == 200:
                admitted[venue_id % 2] = admitted.get(venue_id % 2, 0) + 1
            else:
                scopes.append(r.json()["error"]["detail"]["scope"])
    assert admitted == {0: 5, 1: 5}  # each row its 5, whichever venues took them
    assert scopes == ["region"] * 10
    ctx = split_region.client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as db:
        keys = set(db.scalars(select(RateBucket.key).where(RateBucket.key.like("lookup:region:%"))))
    assert keys == {"lookup:region:330624:0", "lookup:region:330624:1"}


def test_the_region_is_split_into_rows_no_smaller_than_a_venues_largest_limit() -> None:
    defaults = ServerSettings(database_url="sqlite://", key_dir="/nonexistent")
    assert region_shards(defaults) == 15  # 3,000 burst / (20 x 10 checkpoints) = 15 rows of 200
    assert region_shards(replace(defaults, lookup_region_per_minute=1_000)) == 3  # 1,000 / 300
    assert region_shards(replace(defaults, lookup_region_burst=150)) == 1  # less than one venue's
    assert region_shards(replace(defaults, lookup_region_burst=10**9, lookup_region_per_minute=10**9)) == 16


def test_refused_lookups_are_counted_for_the_supervisor(tiny: Server) -> None:
    venue_id, owner = register_venue(tiny)
    for _ in range(5):
        _lookup(tiny, venue_id, owner)
    ctx = tiny.client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as db:
        watch = db.scalars(select(LookupWatch)).one()
    assert (watch.lookups, watch.documents, watch.unknown, watch.limited) == (3, 3, 3, 2)


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOUMEN_LOOKUP_STAFF_BURST", "7")
    monkeypatch.setenv("SHOUMEN_LOOKUP_REGION_PER_MINUTE", "12.5")
    monkeypatch.setenv("SHOUMEN_WATCH_UNKNOWN_SHARE", "0.25")
    settings = ServerSettings.from_env()
    assert settings.lookup_staff_burst == 7
    assert settings.lookup_region_per_minute == 12.5
    assert settings.watch_unknown_share == 0.25
    assert ServerSettings.from_env(lookup_staff_burst=9).lookup_staff_burst == 9


def test_default_limits_let_a_real_gate_through(database_url: str) -> None:
    """A gate at its real pace — a burst of 20 (a bus), then one person every 3 s — is never
    refused by the defaults."""
    server = next(gen := limited_server(database_url))
    try:
        venue_id, owner = register_venue(server)
        server.clock.advance(seconds=3600)
        numbers = [make_resident_id("330624", date(1960, 1, 1), i) for i in range(20)]
        assert all(_lookup(server, venue_id, owner, n).status_code == 200 for n in numbers)
        for i in range(100):
            server.clock.advance(seconds=3)
            assert _lookup(server, venue_id, owner, numbers[i % 20]).status_code == 200, i
    finally:
        gen.close()


def test_refused_input_gives_its_token_back(tiny: Server) -> None:
    """A 422 (a typo in the number) answers nothing about anyone: it costs no token."""
    venue_id, owner = register_venue(tiny)
    typo = UNKNOWN_ID[:-1] + ("1" if UNKNOWN_ID[-1] != "1" else "2")
    assert [error_code(_lookup(tiny, venue_id, owner, typo)) for _ in range(3)] == ["bad_checksum"] * 3
    codes = [error_code(_lookup(tiny, venue_id, owner)) for _ in range(4)]
    assert codes == [None, None, None, "lookup_rate_limited"]
