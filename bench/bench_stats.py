"""How long a venue's day statistics take when the venue had a million checks that day.

Run: .venv/bin/python bench/bench_stats.py [--checks 1000000] [--repeats 50]
Fills one venue-day (10 guards, 4 gates, ~200,000 distinct visitors) through the ingest code
(`shoumen_server.ingest.store_checks`, batches of 5,000), then times the functions behind
`GET /venues/{id}/stats` (median of --repeats calls) and the same endpoint over HTTP
(in-process TestClient). SQLite always; PostgreSQL too when SHOUMEN_BENCH_PG_URL is set.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from shoumen_core.timeutil import LOCAL_TZ
from shoumen_server import counts
from shoumen_server.app import create_app
from shoumen_server.db import make_engine, make_session_factory, session_scope
from shoumen_server.ingest import store_checks
from shoumen_server.settings import ServerSettings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_push_ingest import FINDINGS, LEVELS, backends, set_up_venue, uuid7

DAY = date(2026, 11, 20)
BATCH = 5_000


def fill(url: str, venue_id: int, gates: list[int], users: list[int], checks: int) -> float:
    """Store `checks` checks of DAY through the ingest code; returns rows per second."""
    findings = json.dumps(FINDINGS, ensure_ascii=False)
    rng = random.Random(1)
    start = datetime(DAY.year, DAY.month, DAY.day, 6, tzinfo=LOCAL_TZ).astimezone(UTC)
    step = timedelta(hours=16) / checks
    engine = make_engine(url)
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    begun = time.perf_counter()
    try:
        for first in range(0, checks, BATCH):
            rows: list[dict[str, Any]] = []
            for i in range(first, min(first + BATCH, checks)):
                checked_at = start + step * i
                rows.append(
                    {
                        "id": uuid7(checked_at),
                        "venue_id": venue_id,
                        "checkpoint_id": gates[i % len(gates)],
                        "user_id": users[i % len(users)],
                        "method": "scan",
                        "checked_at": checked_at,
                        "level": LEVELS[rng.randrange(len(LEVELS))],
                        "findings_json": findings,
                        "person_ref": f"P{rng.randrange(200_000):09d}",
                        "masked_name": "张*",
                        "masked_id": "330624********1234",
                        "received_at": now,
                    }
                )
            with session_scope(factory) as session:
                store_checks(session, rows)
            done = min(first + BATCH, checks)
            if done % 100_000 == 0:
                rate = done / (time.perf_counter() - begun)
                print(f"    {done:>9,} stored ({rate:,.0f}/s)", flush=True)
    finally:
        engine.dispose()
    return checks / (time.perf_counter() - begun)


def median_ms(call: Callable[[], object], repeats: int) -> float:
    call()  # warm caches and the connection pool
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(url: str, checks: int, repeats: int) -> None:
    venue_id, gates, users, tokens = set_up_venue(url, staff=10, checkpoints=4)
    rate = fill(url, venue_id, gates, users, checks)
    print(f"    filled at {rate:,.0f} checks/s")
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            unit = counts.day_counts(session, venue_id, DAY)
            assert unit.checked == checks, unit
            cases: dict[str, Callable[[], object]] = {
                "unit": lambda: counts.day_counts(session, venue_id, DAY),
                "unit, one gate": lambda: counts.day_counts(session, venue_id, DAY, checkpoint_id=gates[0]),
                "personal": lambda: counts.day_counts(session, venue_id, DAY, user_id=users[1]),
                "personal, one gate": lambda: counts.day_counts(
                    session, venue_id, DAY, user_id=users[1], checkpoint_id=gates[1]
                ),
                "today+yesterday (pull)": lambda: counts.days_counts(
                    session, venue_id, [DAY, DAY - timedelta(days=1)]
                ),
            }
            print(f"    day: {unit.checked:,} checks, {unit.persons:,} persons, {unit.abnormal:,} abnormal")
            for name, call in cases.items():
                print(f"    {name:<24} {median_ms(call, repeats):8.2f} ms")
    finally:
        engine.dispose()
    app = create_app(ServerSettings(database_url=url, key_dir=os.environ.get("SHOUMEN_KEY_DIR", "")))
    headers = {"Authorization": f"Bearer {tokens[0]}"}
    with TestClient(app) as client:
        path = f"/api/v1/venues/{venue_id}/stats?date={DAY.isoformat()}"
        assert client.get(path, headers=headers).status_code == 200
        print(
            f"    {'GET /stats over HTTP':<24} {median_ms(lambda: client.get(path, headers=headers), repeats):8.2f} ms"
        )
        path = f"/api/v1/venues/{venue_id}/abnormal?date={DAY.isoformat()}"
        assert client.get(path, headers=headers).status_code == 200
        print(
            f"    {'GET /abnormal (500 rows)':<24} {median_ms(lambda: client.get(path, headers=headers), 5):8.2f} ms"
        )
    app.state.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    for name, database in backends():
        print(f"{name}: one venue-day of {args.checks:,} checks")
        with database() as url:
            measure(url, args.checks, args.repeats)


if __name__ == "__main__":
    main()
