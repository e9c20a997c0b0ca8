"""How long one `shoumen_core.policy.evaluate` call takes (the hot path of every gate check).

Run: .venv/bin/python bench/bench_evaluate.py [--calls N] [--repeats N]
Prints the median µs per call, over repeated runs, for a few typical visitors.
"""

from __future__ import annotations

import argparse
import statistics
import timeit
from datetime import UTC, datetime, timedelta, timezone

from shoumen_core.policy import (
    CodeColour,
    HealthSnapshot,
    NatResult,
    TravelStatus,
    Vaccination,
    VaccinationRequirement,
    VenuePolicy,
    evaluate,
)

NOW = datetime(2022, 3, 1, 12, 0, tzinfo=UTC)

CASES: dict[str, tuple[HealthSnapshot, VenuePolicy]] = {
    "green, all ok (PASS)": (
        HealthSnapshot(
            code_colour=CodeColour.GREEN,
            vaccination=Vaccination.BOOSTER,
            nat_sampled_at=NOW - timedelta(hours=20),
            nat_result=NatResult.NEGATIVE,
            travel=TravelStatus.NORMAL,
            temperature=36.5,
        ),
        VenuePolicy(vaccination_required=VaccinationRequirement.FULL),
    ),
    "other province, old NAT (REVIEW)": (
        HealthSnapshot(
            code_colour=CodeColour.NONE,
            vaccination=Vaccination.PARTIAL,
            nat_sampled_at=datetime(2022, 2, 27, 8, 0, tzinfo=timezone(timedelta(hours=8))),
            nat_result=NatResult.NEGATIVE,
            travel=TravelStatus.UNVERIFIED,
        ),
        VenuePolicy(vaccination_required=VaccinationRequirement.FULL),
    ),
    "red code, fever (DENY)": (
        HealthSnapshot(code_colour=CodeColour.RED, temperature=38.2),
        VenuePolicy(),
    ),
    "unknown code, no data (CANNOT_VERIFY)": (HealthSnapshot(), VenuePolicy()),
}


def microseconds_per_call(snapshot: HealthSnapshot, policy: VenuePolicy, calls: int, repeats: int) -> float:
    timer = timeit.Timer(lambda: evaluate(snapshot, policy, NOW))
    runs = timer.repeat(repeat=repeats, number=calls)
    return statistics.median(runs) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000, help="calls per run")
    parser.add_argument("--repeats", type=int, default=7, help="runs; the median is reported")
    args = parser.parse_args()

    print(f"evaluate(): median of {args.repeats} runs x {args.calls} calls")
    for name, (snapshot, policy) in CASES.items():
        level = evaluate(snapshot, policy, NOW).level.value
        micros = microseconds_per_call(snapshot, policy, args.calls, args.repeats)
        print(f"  {name:<40} {level:<14} {micros:7.2f} µs/call")


if __name__ == "__main__":
    main()
