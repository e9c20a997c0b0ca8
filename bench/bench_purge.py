"""Purge on PostgreSQL: dropping day partitions (migration 0004_pgscale) against deleting rows
(the plain table, as before), side by side.

Run: SHOUMEN_BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:55440/postgres \\
     .venv/bin/python bench/bench_purge.py [--days 28] [--per-day 100000]
Two fresh databases on that server: one migrated to the head (checks partitioned by day), one
stopped before 0004_pgscale (the plain table). Each gets --days expired days of --per-day checks
plus one kept day (yesterday), made with INSERT … SELECT generate_series (50 venues, 5 % non-PASS
rows, so the partial abnormal index has work too). Then `retention.purge` runs on each — the
code `shoumen-server purge` runs — and the times are printed with their ratio. The plain table
is then VACUUMed (the dead rows a DELETE leaves must be vacuumed before the space is reused; a
dropped partition leaves none), and that time is printed too. Last, the price of the (id, day)
key: the id lookup a push of 500 new checks makes (`ingest_checks`), on both tables.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from shoumen_core.timeutil import local_day, utcnow
from shoumen_server import migrate
from shoumen_server.db import make_engine, make_session_factory
from shoumen_server.ingest import CHECKS
from shoumen_server.partitions import create_partition, ensure_check_partitions, is_partitioned
from shoumen_server.retention import purge
from shoumen_server.settings import ServerSettings
from shoumen_server.setup_db import migrate_database

RETENTION = 28
VENUES = 50

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
            migrate_database(url)
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
            if is_partitioned(session):
                ensure_check_partitions(session, today)  # as serve does at start
                for day in expired:  # made ahead in their time by the daily purge
                    create_partition(session, day)
            session.commit()
            for day in [*expired, today - timedelta(days=1)]:
                start = f"{day.isoformat()} 00:00:00+08"
                session.execute(text(FILL), {"venues": VENUES, "start": start, "per_day": per_day})
                session.commit()
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


def time_id_lookup(url: str, repeats: int = 20) -> float:
    """Median ms of the id lookup of a push of 500 new checks."""
    engine = make_engine(url)
    times: list[float] = []
    try:
        with make_session_factory(engine)() as session:
            for _ in range(repeats):
                ids = [uuid.uuid4() for _ in range(500)]
                begun = time.perf_counter()
                session.execute(select(CHECKS.c.id, CHECKS.c.venue_id).where(CHECKS.c.id.in_(ids))).all()
                times.append((time.perf_counter() - begun) * 1000)
            session.rollback()
    finally:
        engine.dispose()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=28, help="expired days to purge")
    parser.add_argument("--per-day", type=int, default=100_000, help="checks per day")
    args = parser.parse_args()
    admin_url = os.environ.get("SHOUMEN_BENCH_PG_URL")
    if not admin_url:
        sys.exit("set SHOUMEN_BENCH_PG_URL to a PostgreSQL server (a database is made and dropped)")
    total = args.days * args.per_day
    print(f"purge of {args.days} days × {args.per_day:,} checks = {total:,} rows (plus one kept day)")
    results: dict[str, tuple[float, int]] = {}
    lookups: dict[str, float] = {}
    vacuum = 0.0
    for label, revision in (("partitioned (drop)", "head"), ("plain (DELETE)", "0004_diskfull")):
        with database(admin_url, revision) as url:
            seconds, rows = fill(url, args.days, args.per_day)
            print(f"  {label:20s} built {rows:,} rows in {seconds:.1f} s")
            lookups[label] = time_id_lookup(url)
            results[label] = time_purge(url)
            if label.startswith("plain"):
                vacuum = time_vacuum(url)
    drop_s, drop_rows = results["partitioned (drop)"]
    delete_s, delete_rows = results["plain (DELETE)"]
    assert drop_rows == delete_rows == total, (drop_rows, delete_rows, total)
    print(f"  purge by dropping partitions: {drop_s:8.2f} s  ({drop_rows:,} checks)")
    print(f"  purge by DELETE:              {delete_s:8.2f} s  ({delete_rows:,} checks)")
    print(f"  ratio DELETE / drop:          {delete_s / drop_s:8.0f} ×")
    print(f"  VACUUM after the DELETE:      {vacuum:8.2f} s  (a drop leaves nothing to vacuum)")
    for label, ms in lookups.items():
        print(f"  id lookup of a 500-check push, {label}: {ms:.2f} ms (median)")


if __name__ == "__main__":
    main()
