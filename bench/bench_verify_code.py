"""Microseconds per call of the code primitives on the check hot path.

Run: .venv/bin/python bench/bench_verify_code.py [--batches N] [--batch-size N]
Prints the median (and the best) batch time per call; the target for verify is < 100 µs.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from shoumen_core.codes import (
    SigningKey,
    TrustList,
    generate_sealing_keypair,
    issue_personal_code,
    parse_venue_code,
    seal,
    venue_code_url,
    verify_personal_code,
)
from shoumen_core.policy import CodeColour, HealthSnapshot, NatResult, TravelStatus, Vaccination


def per_call_us(func: Callable[[], object], batches: int, batch_size: int) -> tuple[float, float]:
    func()  # warm caches
    times = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(batch_size):
            func()
        times.append((time.perf_counter() - start) / batch_size * 1e6)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()

    now = datetime(2022, 5, 1, 8, 0, tzinfo=UTC)
    keys = [SigningKey.generate() for _ in range(3)]
    trust = TrustList(
        keys=tuple(k.trusted_key(now - timedelta(days=30), now + timedelta(days=365)) for k in keys),
        issued_at=now,
        valid_until=now + timedelta(days=7),
    )
    snapshot = HealthSnapshot(
        code_colour=CodeColour.GREEN,
        vaccination=Vaccination.BOOSTER,
        nat_sampled_at=now - timedelta(hours=20),
        nat_result=NatResult.NEGATIVE,
        travel=TravelStatus.NORMAL,
    )

    def issue() -> str:
        return issue_personal_code(
            key=keys[1],
            person_ref="01HZXK3Q9V7J5T2M8N4P6R0S1A",
            masked_name="欧阳*明",
            masked_id="330624********1234",
            snapshot=snapshot,
            issued_at=now,
        )

    code = issue()
    secret = b"s" * 32
    url = venue_code_url("https://shoumen.example.cn", 123456, 7, secret)
    _, public = generate_sealing_keypair()

    signed, _, signature = code.rpartition(".")
    raw_signature = base64.urlsafe_b64decode(signature + "==")
    public_key = keys[1].private_key.public_key()

    cases: list[tuple[str, Callable[[], object]]] = [
        # The raw Ed25519 check is the floor; the gap to the next line is our own overhead.
        ("Ed25519 verify alone", lambda: public_key.verify(raw_signature, signed.encode())),
        ("verify_personal_code", lambda: verify_personal_code(code, trust, now)),
        ("issue_personal_code", issue),
        ("seal (18-byte ID number)", lambda: seal(b"330624199001011234", public)),
        ("parse_venue_code (full URL)", lambda: parse_venue_code(url, secret)),
    ]
    print(f"code length {len(code)} chars; {args.batches} batches x {args.batch_size} calls")
    for name, func in cases:
        median, best = per_call_us(func, args.batches, args.batch_size)
        print(f"{name:<30} median {median:8.1f} µs/call   best {best:8.1f} µs/call")


if __name__ == "__main__":
    main()
