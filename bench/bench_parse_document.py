"""Per-call time of parse_document and mask_document (the GUI validates on every keystroke).

Run: .venv/bin/python bench/bench_parse_document.py [--calls 100000] [--runs 5]
Prints the median over `runs` of the mean time per call in each run. Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from shoumen_core.identity import (
    MASK_POLICIES,
    InvalidDocument,
    id_check_digit,
    make_resident_id,
    mask_document,
    parse_document,
)

TODAY = date(2024, 6, 1)
REGIONS = ("110105", "330624", "440305", "510107", "650102")


def valid_ids(rng: random.Random, count: int) -> list[str]:
    start = date(1900, 1, 1)
    span = (date(2020, 12, 31) - start).days
    return [
        make_resident_id(
            rng.choice(REGIONS), start + timedelta(days=rng.randrange(span)), rng.randrange(1000)
        )
        for _ in range(count)
    ]


def legacy_ids(rng: random.Random, count: int) -> list[str]:
    start = date(1900, 1, 1)
    return [
        f"{rng.choice(REGIONS)}{start + timedelta(days=rng.randrange(36500)):%y%m%d}{rng.randrange(1000):03d}"
        for _ in range(count)
    ]


def invalid_ids(rng: random.Random, count: int) -> list[str]:
    """A mix the guard's typing produces: too short, wrong check digit, impossible date."""
    out: list[str] = []
    for number in valid_ids(rng, count):
        match rng.randrange(3):
            case 0:
                out.append(number[: rng.randrange(1, 18)])
            case 1:
                right = id_check_digit(number[:17])
                out.append(number[:17] + ("0" if right != "0" else "1"))
            case _:
                first17 = number[:10] + "0231" + number[14:17]
                out.append(first17 + id_check_digit(first17))
    return out


def time_per_call(func: Callable[[str], object], inputs: Sequence[str], calls: int, runs: int) -> float:
    """Median over runs of the mean per-call time, in microseconds."""
    per_run: list[float] = []
    n = len(inputs)
    for _ in range(runs):
        start = time.perf_counter_ns()
        for i in range(calls):
            func(inputs[i % n])
        per_run.append((time.perf_counter_ns() - start) / calls / 1000)
    return statistics.median(per_run)


def parse_or_error(text: str) -> object:
    try:
        return parse_document(text, today=TODAY)
    except InvalidDocument as error:
        return error


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    rng = random.Random(20240601)
    valid, legacy, invalid = valid_ids(rng, 1000), legacy_ids(rng, 1000), invalid_ids(rng, 1000)
    strict = MASK_POLICIES["strict"]

    cases: list[tuple[str, Callable[[str], object], Sequence[str]]] = [
        ("parse_document valid 18-digit", lambda s: parse_document(s, today=TODAY), valid),
        ("parse_document valid 18-digit, today=None", parse_document, valid),
        ("parse_document valid 15-digit", lambda s: parse_document(s, today=TODAY), legacy),
        ("parse_document invalid (raises)", parse_or_error, invalid),
        ("mask_document standard", mask_document, valid),
        ("mask_document strict", lambda s: mask_document(s, strict), valid),
    ]
    print(f"{args.calls} calls per run, median of {args.runs} runs")
    for label, func, inputs in cases:
        print(f"  {label:<45} {time_per_call(func, inputs, args.calls, args.runs):7.2f} µs/call")


if __name__ == "__main__":
    main()
