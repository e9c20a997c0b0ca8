"""Checks through a flaky link (issue 14 §5): the fraction judged online and the time to verdict.

A real backend (uvicorn in a thread, migrated and seeded SQLite), a station wired like the app
(cache, ApiClient with its real time-outs, Connectivity, CheckService, the SyncEngine thread
pushing after every check) talking to it through tests/gui/services/fault_proxy.py, which loses
a given fraction of HTTP requests — half reset at once, half stalled until the client gives up.
A guard types a registry person's ID every --interval seconds.

    PYTHONPATH=. .venv/bin/python bench/bench_flaky_link.py                    # 5/10/20 %
    PYTHONPATH=. .venv/bin/python bench/bench_flaky_link.py --rates 0 --delay 0.075   # 4G latency

Goal: >= 90 % judged online at 10 % losses, p95 time to verdict <= 2 s.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path

from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.checks import CheckService, ResultSource
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.services.sync import SyncEngine
from shoumen_server.seed import DEMO_PATHS
from tests.gui.services.fault_proxy import FaultProxy
from tests.gui.services.live_server import NO_LOOKUP_LIMITS, LiveServer, start_live_server
from tests.gui.services.station import make_station


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(live: LiveServer, folder: Path, rate: float, args: argparse.Namespace) -> None:
    base = make_station(live, folder)  # logs in and pulls directly (set-up is not measured)
    proxy = FaultProxy(
        live.port, fail_rate=rate, stall_share=args.stall_share, delay=args.delay, seed=args.seed
    )
    api = ApiClient(proxy.url, token=base.api.token)
    connectivity = Connectivity()
    service = CheckService(base.cache, api, connectivity)
    service.set_context(base.service.context)  # type: ignore[arg-type]
    engine = SyncEngine(base.cache, api, connectivity)
    service.on_committed.append(engine.nudge)
    engine.start(base.venue_id, base.user_id)
    numbers = [path.number for path in DEMO_PATHS]
    times: list[float] = []
    online_times: list[float] = []
    online = 0
    offline_changes = 0
    was_online = True
    try:
        next_at = time.monotonic()
        for i in range(args.checks):
            started = time.monotonic()
            result = service.check_document(numbers[i % len(numbers)])
            elapsed = time.monotonic() - started
            times.append(elapsed)
            if result.source is ResultSource.ONLINE:
                online += 1
                online_times.append(elapsed)
            if was_online and not connectivity.online:
                offline_changes += 1
            was_online = connectivity.online
            next_at += args.interval
            time.sleep(max(0.0, next_at - time.monotonic()))
    finally:
        engine.stop()
        api.close()
        proxy.close()
        base.cache.close()
    requests = proxy.counts["requests"]
    lost = proxy.counts["reset"] + proxy.counts["stall"]
    print(
        f"{rate * 100:4.0f} %  delay {args.delay * 1000:3.0f} ms  lost {lost:3d}/{requests:4d}"
        f" ({lost / max(1, requests) * 100:4.1f} %)  judged online {online / len(times) * 100:5.1f} %"
        f"  went offline {offline_changes:2d}x  verdict p50 {statistics.median(times) * 1000:5.0f} ms"
        f"  p95 {percentile(times, 0.95) * 1000:5.0f} ms  max {max(times) * 1000:5.0f} ms"
        f"  (online lookups p95 {percentile(online_times or [0.0], 0.95) * 1000:4.0f} ms)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checks", type=int, default=150, help="checks per loss rate")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between visitors (a busy gate)")
    parser.add_argument("--rates", default="0.05,0.10,0.20", help="fractions of requests lost")
    parser.add_argument("--stall-share", type=float, default=0.5, help="share of lost requests that stall")
    parser.add_argument("--delay", type=float, default=0.0, help="one-way latency added per chunk, seconds")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="shoumen-flaky-") as tmp:
        folder = Path(tmp)
        live = start_live_server(folder, settings=NO_LOOKUP_LIMITS)
        try:
            for n, rate in enumerate(float(r) for r in args.rates.split(",")):
                station_folder = folder / f"station-{n}"
                station_folder.mkdir()
                run(live, station_folder, rate, args)
        finally:
            live.close()


if __name__ == "__main__":
    main()
