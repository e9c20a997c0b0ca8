"""Per-day figures from the local cache with 1,000,000 of this device's checks in one day.

Inserts the checks in one transaction (executemany; the triggers keep the aggregate tables),
then times LocalCache.day_counts for the unit, personal and checkpoint views, plus the status
bar's pending_count and the abnormal drill-down. Target: day_counts <= 5 ms.

Run: .venv/bin/python bench/bench_local_stats.py [--rows 1000000] [--calls 2000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shoumen_core.policy import Finding, FindingState, Source, VerdictLevel
from shoumen_core.schemas import CheckMethod, CheckRecordIn, StatsScope
from shoumen_core.timeutil import local_day
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.ids import uuid7

VENUE = 1
DAY_START = datetime(2026, 11, 20, 0, 0, tzinfo=UTC) - timedelta(hours=8)  # 00:00 China time
LEVELS = (
    [VerdictLevel.PASS] * 85
    + [VerdictLevel.REVIEW] * 10
    + [VerdictLevel.DENY] * 4
    + [VerdictLevel.CANNOT_VERIFY]
)
FINDINGS = {
    level: [Finding(source=Source.HEALTH_CODE, state=FindingState.OK, reason="code_green", message="绿码")]
    for level in VerdictLevel
}


def rows(n: int, rng: random.Random) -> Iterator[tuple[CheckRecordIn, int]]:
    step = 86_400 / n
    for i in range(n):
        level = rng.choice(LEVELS)
        record = CheckRecordIn.model_construct(
            id=uuid7(),
            venue_id=VENUE,
            checkpoint_id=rng.choice((1, 2, 3)),
            method=CheckMethod.SCAN,
            checked_at=DAY_START + timedelta(seconds=i * step),
            level=level,
            findings=FINDINGS[level],
            person_ref=f"p{rng.randrange(400_000)}",
            masked_name="张*",
            masked_id="330624********1234",
            sealed_document=None,
            temperature=None,
            manual_decision=None,
            offline=True,
            device_id="bench",
        )
        yield record, rng.choice((1, 2, 3, 4))


def timed(func: Callable[[], object], calls: int) -> tuple[float, float]:
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cache = LocalCache.open(Path(folder) / "bench.db")
        start = time.perf_counter()
        inserted = cache.add_checks_bulk(rows(args.rows, random.Random(1)))
        elapsed = time.perf_counter() - start
        size = sum(f.stat().st_size for f in Path(folder).iterdir()) / 1e6
        print(f"inserted {inserted:,} checks in one transaction: {elapsed:.1f} s "
              f"({inserted / elapsed:,.0f}/s, triggers included), cache files {size:.0f} MB")  # fmt: skip
        day = local_day(DAY_START + timedelta(hours=12))
        counts = cache.day_counts(VENUE, day, StatsScope.UNIT, 1)
        assert counts.checked == inserted, counts
        print(
            f"day_counts(unit) = checked {counts.checked:,}, passed {counts.passed:,}, persons {counts.persons:,}"
        )
        views: list[tuple[str, Callable[[], object]]] = [
            ("day_counts unit", lambda: cache.day_counts(VENUE, day, StatsScope.UNIT, 1)),
            ("day_counts personal", lambda: cache.day_counts(VENUE, day, StatsScope.PERSONAL, 2)),
            ("day_counts unit, one checkpoint", lambda: cache.day_counts(VENUE, day, StatsScope.UNIT, 1, 2)),
            ("pending_count", cache.pending_count),
            ("abnormal_local (newest 500)", lambda: cache.abnormal_local(VENUE, day)),
        ]
        for name, func in views:
            p50, p95 = timed(func, args.calls if "abnormal" not in name else max(20, args.calls // 50))
            print(f"{name:<34} p50 {p50:8.3f} ms   p95 {p95:8.3f} ms")
        cache.close()


if __name__ == "__main__":
    main()
