"""Text-to-verdict latency of CheckService: the guard's wait from scan to coloured panel.

Offline: check_text with a valid personal code (verify, evaluate, commit) and check_document
with a valid ID number (validate, seal, commit), against a temp local cache (WAL, synchronous
FULL). Online: check_text and check_document against a live backend over loopback (uvicorn in
a thread, the demo seed). Every check is committed durably before it returns.

Run: .venv/bin/python bench/bench_check_pipeline.py [--n 1000] [--online-n 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shoumen_core.codes import (
    SigningKey,
    TrustList,
    b64url_encode,
    generate_sealing_keypair,
    issue_personal_code,
)
from shoumen_core.identity import make_resident_id
from shoumen_core.policy import CodeColour, HealthSnapshot, NatResult, TravelStatus, Vaccination
from shoumen_core.schemas import CheckpointOut, LookupRequest, PullResponse, Role, StaffState, VenueOut
from shoumen_core.timeutil import utcnow
from shoumen_core.trust import sign_trust_list
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.checks import CheckContext, CheckService, ResultSource
from shoumen_gui.services.connectivity import Connectivity
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.services.live_server import NO_LOOKUP_LIMITS, start_live_server


def percentiles(func: Callable[[], object], n: int) -> tuple[float, float, float]:
    for _ in range(min(20, n)):
        func()  # warm up
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], samples[-1]


def report(name: str, figures: tuple[float, float, float]) -> None:
    p50, p95, worst = figures
    print(f"{name:<48} p50 {p50:7.3f} ms   p95 {p95:7.3f} ms   max {worst:7.3f} ms")


def offline(folder: Path, n: int) -> None:
    now = datetime.now(UTC)
    key = SigningKey.generate("bench")
    trust = TrustList(
        keys=(key.trusted_key(now - timedelta(days=1), now + timedelta(days=30)),),
        issued_at=now,
        valid_until=now + timedelta(days=7),
    )
    _, sealing_public = generate_sealing_keypair()
    venue = VenueOut(
        id=1, name="基准场所", address="地址", region_code="330624", township="", unit_type="supermarket",
        unit_type_name="超市", contact_phone_masked="139****0000", active=True, created_at=now,
        checkpoints=[CheckpointOut(id=1, name="南门")], policy={},  # type: ignore[arg-type]
    )  # fmt: skip
    cache = LocalCache.open(folder / "offline.db")
    pull = PullResponse(
        epoch="e", cursor="e:1", changed=True, venue=venue, my_role=Role.STAFF, my_state=StaffState.AUTHORISED,
        trust_list=sign_trust_list(trust, SigningKey.generate()).to_json(), sealing_public_key=b64url_encode(sealing_public), server_time=now,
    )  # fmt: skip
    cache.apply_pull(1, pull, now, user_id=1)
    service = CheckService(cache, None, Connectivity(online=False))
    service.set_context(CheckContext(1, 1, 1, cache.device_id()))
    snapshot = HealthSnapshot(
        code_colour=CodeColour.GREEN, vaccination=Vaccination.FULL, nat_sampled_at=now - timedelta(hours=10),
        nat_result=NatResult.NEGATIVE, travel=TravelStatus.NORMAL,
    )  # fmt: skip
    code = issue_personal_code(
        key=key, person_ref="r1", masked_name="张*", masked_id="330624********1234", snapshot=snapshot,
        issued_at=now - timedelta(minutes=1),
    )  # fmt: skip
    number = make_resident_id("330624", date(1985, 3, 12), 101)
    assert service.check_text(code).source is ResultSource.OFFLINE_SNAPSHOT
    report("offline check_text(personal code)", percentiles(lambda: service.check_text(code), n))
    report(
        "offline check_document(ID number, sealed)", percentiles(lambda: service.check_document(number), n)
    )
    cache.close()


def online(folder: Path, n: int) -> None:
    server = start_live_server(folder, settings=NO_LOOKUP_LIMITS)
    try:
        api = server.login()
        user_id = api.auth.me().user.id
        cache = LocalCache.open(folder / "online.db")
        cache.apply_pull(server.hospital_id, api.sync.pull(server.hospital_id, ""), utcnow(), user_id=user_id)
        service = CheckService(cache, api, Connectivity())
        service.set_context(
            CheckContext(server.hospital_id, server.checkpoint_ids(server.hospital_id)[0], user_id, "b")
        )
        code = server.code_for("green_fresh")
        number = DEMO_PATHS_BY_KEY["green_fresh"].number
        assert service.check_text(code).source is ResultSource.ONLINE
        report("online check_text(personal code), loopback", percentiles(lambda: service.check_text(code), n))
        report(
            "online check_document(ID number), loopback",
            percentiles(lambda: service.check_document(number), n),
        )
        request = LookupRequest(personal_code=code)
        report(
            "  of which the lookup call alone",
            percentiles(lambda: api.checks.lookup(server.hospital_id, request), n),
        )
        cache.close()
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--online-n", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        offline(Path(folder), args.n)
        online(Path(folder), args.online_n)


if __name__ == "__main__":
    main()
