"""Purge on PostgreSQL: dropping day partitions (migration 0009_pgscale) against deleting rows
(the plain table, as before), side by side; and what the partitions cost a push.

Run: SHOUMEN_BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:55440/postgres \\
     .venv/bin/python bench/bench_purge.py [--days 28] [--per-day 100000]
Two fresh databases on that server: one migrated to the head (checks partitioned by day), one
stopped before 0009_pgscale (the plain table). Each gets --days expired days of --per-day checks
plus one kept day (yesterday), made with INSERT … SELECT generate_series (50 venues, 5 % non-PASS
rows, so the partial abnormal index has work too). Then `retention.purge` runs on each — the
code `shoumen-server purge` runs — and the times are printed with their ratio. The plain table
is then VACUUMed (the dead rows a DELETE leaves must be vacuumed before the space is reused; a
dropped partition leaves none), and that time is printed too.

Before the purge, on the filled tables, the price of the (id, day) key for a push: the id lookup
of 500 new ids straight in checks (what ingest did before check_ids: every partition probed) and
in check_ids (what it does now), and `ingest_checks` itself, the code behind POST /sync/push,
timed over --pushes batches of 500 realistic records, alternating between the two databases so
both see the same machine load; printed as the median ms per batch and records/s.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_push_ingest import records, set_up_venue
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from shoumen_core.schemas import CheckRecordIn
from shoumen_core.timeutil import local_day, utcnow
from shoumen_server import migrate
from shoumen_server.db import make_engine, make_session_factory
from shoumen_server.ingest import CHECKS, ingest_checks
from shoumen_server.partitions import CHECK_IDS, create_partition, ensure_check_partitions, is_partitioned
from shoumen_server.retention import purge
from shoumen_server.settings import ServerSettings
from shoumen_server.setup_db import migrate_database

RETENTION = 28
VENUES = 50
PLAIN_REVISION = "0008_ingest_bounds"  # the revision before the partitions
BATCH = 500

FILL = """
INSERT INTO checks (id, venue_id, checkpoint_id, user_id, device_id, method, checked_at, day, hour,
                    level, findings_json, person_ref, masked_name, masked_id, offline,
                    received_at, gate_opened, gate_reason)
SELECT gen_random_uuid(), 1 + g % :venues, NULL, 1 + g % 10, 'bench', 'scan', ts,
       (ts AT TIME ZONE 'Asia/Shanghai')::date,
       extract(hour FROM ts AT TIME ZONE 'Asia/Shanghai')::smallint,
       CASE WHEN g % 20 = 0 THEN 'review' ELSE 'pass' END,
       '[]', 'P' || g, '张*', '330624********1234', false, ts, false, ''
FROM (SELECT g, CAST(:start AS timestamptz) + g * (interval '1 day' / :per_day) AS ts
      FROM generate_series(0, :per_day - 1) AS g) AS s
"""

VENUE_ROWS = """
INSERT INTO venues (id, name, address, region_code, township, unit_type, contact_phone, active,
                    policy_json, config_version, created_at, updated_at)
SELECT v, '场所' || v, '新昌县', '330624', '', 'farmers_market', '13900000001', true, '{}', 1, now(), now()
FROM generate_series(1, :venues) AS v
"""


@contextmanager
def database(admin_url: str, revision: str) -> Iterator[str]:
    name = f"shoumen_purge_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        if revision == "head":
            migrate_database(url, key_dir=Path(tempfile.mkdtemp(prefix="shoumen-bench-keys-")) / "keys")
        else:
            migrate.upgrade(url, revision)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fill(url: str, days: int, per_day: int) -> tuple[float, int]:
    """`days` expired days and one kept day of `per_day` checks; (seconds, rows)."""
    today = local_day(utcnow())
    first_kept = today - timedelta(days=RETENTION)
    expired = [first_kept - timedelta(days=n) for n in range(days, 0, -1)]
    engine = make_engine(url)
    begun = time.perf_counter()
    try:
        with make_session_factory(engine)() as session:
            session.execute(text(VENUE_ROWS), {"venues": VENUES})
            # The rows above chose their ids: the venue the pushes go to takes the next one.
            session.execute(text("SELECT setval(pg_get_serial_sequence('venues', 'id'), :n)"), {"n": VENUES})
            if is_partitioned(session):
                ensure_check_partitions(session, today)  # as serve does at start
                for day in expired:  # made ahead in their time by the daily purge
                    create_partition(session, day)
            session.commit()
            for day in [*expired, today - timedelta(days=1)]:
                start = f"{day.isoformat()} 00:00:00+08"
                session.execute(text(FILL), {"venues": VENUES, "start": start, "per_day": per_day})
                session.commit()
            if is_partitioned(session):  # what the migration fills from a table with rows
                session.execute(text("INSERT INTO check_ids SELECT id, day FROM checks"))
            session.execute(text("ANALYZE"))
            session.commit()
            rows = int(session.execute(text("SELECT count(*) FROM checks")).scalar() or 0)
    finally:
        engine.dispose()
    return time.perf_counter() - begun, rows


def time_purge(url: str) -> tuple[float, int]:
    settings = ServerSettings(database_url=url, check_retention_days=RETENTION)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            begun = time.perf_counter()
            report = purge(session, utcnow(), settings)
            return time.perf_counter() - begun, report.checks
    finally:
        engine.dispose()


def time_vacuum(url: str) -> float:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            begun = time.perf_counter()
            conn.execute(text("VACUUM checks"))
            return time.perf_counter() - begun
    finally:
        engine.dispose()


def time_id_lookup(url: str, table: str, repeats: int = 20) -> float:
    """Median ms of the id lookup of a push of 500 new checks, in checks or in check_ids."""
    column = CHECKS.c.id if table == "checks" else CHECK_IDS.c.id
    engine = make_engine(url)
    times: list[float] = []
    try:
        with make_session_factory(engine)() as session:
            for _ in range(repeats):
                ids = [uuid.uuid4() for _ in range(BATCH)]
                begun = time.perf_counter()
                session.execute(select(column).where(column.in_(ids))).all()
                times.append((time.perf_counter() - begun) * 1000)
            session.rollback()
    finally:
        engine.dispose()
    return statistics.median(times)


def time_pushes(urls: dict[str, str], pushes: int) -> dict[str, list[float]]:
    """Seconds per `ingest_checks` of a batch of 500 new records, committed, per database; the
    databases take turns, batch by batch."""
    engines = {label: make_engine(url) for label, url in urls.items()}
    times: dict[str, list[float]] = {label: [] for label in urls}
    try:
        plan = {}
        for label, url in urls.items():
            venue_id, gates, users, _tokens = set_up_venue(url)
            now = datetime.now(UTC)
            batches = [
                [
                    CheckRecordIn.model_validate(r)
                    for r in records(venue_id, gates, BATCH, now - timedelta(hours=i))
                ]
                for i in range(pushes + 1)
            ]
            plan[label] = (users[0], batches)
        for i in range(pushes + 1):  # the first batch warms up
            for label, (user_id, batches) in plan.items():
                with make_session_factory(engines[label])() as session:
                    begun = time.perf_counter()
                    accepted, rejected = ingest_checks(session, batches[i], user_id, utcnow())
                    session.commit()
                    if i:
                        times[label].append(time.perf_counter() - begun)
                assert len(accepted) == BATCH and not rejected, rejected[:3]
    finally:
        for engine in engines.values():
            engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=28, help="expired days to purge")
    parser.add_argument("--per-day", type=int, default=100_000, help="checks per day")
    parser.add_argument("--pushes", type=int, default=40, help="timed pushes of 500 per database")
    args = parser.parse_args()
    admin_url = os.environ.get("SHOUMEN_BENCH_PG_URL")
    if not admin_url:
        sys.exit("set SHOUMEN_BENCH_PG_URL to a PostgreSQL server (a database is made and dropped)")
    total = args.days * args.per_day
    print(f"purge of {args.days} days × {args.per_day:,} checks = {total:,} rows (plus one kept day)")
    drop, delete = "partitioned (drop)", "plain (DELETE)"
    with ExitStack() as stack:
        urls = {
            drop: stack.enter_context(database(admin_url, "head")),
            delete: stack.enter_context(database(admin_url, PLAIN_REVISION)),
        }
        for label, url in urls.items():
            seconds, rows = fill(url, args.days, args.per_day)
            print(f"  {label:20s} built {rows:,} rows in {seconds:.1f} s")
        lookups = {
            "plain table, in checks": time_id_lookup(urls[delete], "checks"),
            "partitioned, in checks (before check_ids)": time_id_lookup(urls[drop], "checks"),
            "partitioned, in check_ids (now)": time_id_lookup(urls[drop], "check_ids"),
        }
        pushes = time_pushes(urls, args.pushes)
        results = {label: time_purge(url) for label, url in urls.items()}
        vacuum = time_vacuum(urls[delete])
    drop_s, drop_rows = results[drop]
    delete_s, delete_rows = results[delete]
    assert drop_rows == delete_rows == total, (drop_rows, delete_rows, total)
    print(f"  purge by dropping partitions: {drop_s:8.2f} s  ({drop_rows:,} checks)")
    print(f"  purge by DELETE:              {delete_s:8.2f} s  ({delete_rows:,} checks)")
    print(f"  ratio DELETE / drop:          {delete_s / drop_s:8.1f} ×")
    print(f"  VACUUM after the DELETE:      {vacuum:8.2f} s  (a drop leaves nothing to vacuum)")
    for label, ms in lookups.items():
        print(f"  id lookup of a 500-check push, {label}: {ms:.2f} ms (median)")
    medians = {label: statistics.median(times) for label, times in pushes.items()}
    for label, median in medians.items():
        print(
            f"  ingest_checks of 500 records, {label.split()[0]:11s}: {median * 1000:6.1f} ms median"
            f"  = {BATCH / median:7.0f} records/s  ({len(pushes[label])} pushes)"
        )
    print(f"  partitioned / plain push time: {medians[drop] / medians[delete]:.2f}")


if __name__ == "__main__":
    main()
