"""A guard's shift, accelerated: does a headless station's memory stay flat?

Run: .venv/bin/python bench/bench_soak.py [--minutes 16] [--interval 0.1] [--outage-every 180]

A real server (`shoumen-server serve --demo` in a subprocess, SQLite, so its memory is not
counted here) and, in this process, the station's services as the app runs them: a
CheckService on a LocalCache file and a SyncEngine on its own thread, logged in as the demo
guard. One visitor every `--interval` seconds (default 100 ms: an 8-hour shift at a busy gate,
one visitor every 3 s, is ~9,600 visitors, i.e. 16 minutes at this pace), alternating a
scanned personal code and a typed ID number over the demo persons. Every `--outage-every`
seconds the server is killed for `--outage` seconds (the station goes offline, keeps checking
from its cache and trust list, and pushes the backlog when the server is back).

The baseline is taken after the warm-up fraction of the run and after the first outage has
ended, so that one-time costs (the offline path's first sealing, the reconnect) are in it.
Reported: RSS (from /proc) after warm-up and at the end, and the difference; tracemalloc's
ten largest growths between the same two moments, by source line; RSS ten times over the run
(to tell a leak, which keeps climbing, from a cache filling up to its bound); checks made, how many were
judged online, and that every check reached the server exactly once (the server is asked at
the end).
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gc
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.bench_lookup import UNLIMITED
from shoumen_core.schemas import StatsScope
from shoumen_core.timeutil import local_day, utcnow
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.checks import CheckContext, CheckService, ResultSource
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.services.sync import SyncEngine
from shoumen_server.seed import DEMO_PATHS, HOSPITAL_STAFF

GUARD = HOSPITAL_STAFF[0][0]
ROOT = Path(__file__).resolve().parent.parent


def rss_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _sqlite_library() -> ctypes.CDLL | None:
    """The libsqlite3 that Python's sqlite3 module uses (a shared library on Debian and pyenv
    builds), for its own memory figure; None where it is linked in statically."""
    name = ctypes.util.find_library("sqlite3")
    if name is None:
        return None
    lib = ctypes.CDLL(name)
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return lib


SQLITE = _sqlite_library()


def sqlite_mib() -> float:
    """Memory SQLite holds right now (its page caches, mostly): bounded by cache_size per connection."""
    return SQLITE.sqlite3_memory_used() / 2**20 if SQLITE is not None else float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """`shoumen-server serve --demo` on one SQLite file; kill() and start() at will."""

    def __init__(self, folder: Path, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = dict(os.environ)
        self.env["SHOUMEN_DATABASE_URL"] = f"sqlite:///{folder / 'server.db'}"
        self.env.setdefault("SHOUMEN_KEY_DIR", str(folder / "keys"))
        # A visitor every 100 ms is 20x a gate's pace: lift the lookup limits (issue 13 §1),
        # which this bench does not measure.
        self.env.update(UNLIMITED)
        self.env["PYTHONPATH"] = str(ROOT)
        self.log = (folder / "server.log").open("ab")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "shoumen_server", "serve", "--demo", "--port", str(self.port)],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v1/info", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not start; see server.log")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.proc = None


def demo_inputs() -> list[str]:
    """Every demo person's ID number, as a guard types it."""
    return [path.number for path in DEMO_PATHS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=16.0, help="length of the run (default 16)")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between visitors")
    parser.add_argument("--outage-every", type=float, default=180.0, help="seconds between outages")
    parser.add_argument("--outage", type=float, default=20.0, help="seconds each outage lasts")
    parser.add_argument("--warm-up", type=float, default=0.1, help="fraction of the run before the baseline")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="shoumen-soak-"))
    server = ServerProcess(folder, free_port())
    server.start()
    api = ApiClient(server.url)
    sms = api.auth.request_sms_code(GUARD)
    assert sms.demo_code is not None
    login = api.auth.login(GUARD, sms.demo_code, "soak")
    venue = login_venue(api)
    cache = LocalCache.open(folder / "station.db")
    connectivity = Connectivity()
    service = CheckService(cache, api, connectivity)
    cache.apply_pull(venue[0], api.sync.pull(venue[0], ""), utcnow(), user_id=login.user.id)
    service.set_context(CheckContext(venue[0], venue[1], login.user.id, cache.device_id()))
    engine = SyncEngine(cache, api, connectivity, max_backoff=5.0)
    engine.start(venue[0], login.user.id)

    inputs = demo_inputs()
    start = time.monotonic()
    end = start + args.minutes * 60
    warm_end = start + args.minutes * 60 * args.warm_up
    next_outage = start + args.outage_every
    outage_until: float | None = None
    baseline_rss: float | None = None
    baseline_sqlite = 0.0
    baseline_snap: tracemalloc.Snapshot | None = None
    tracemalloc.start(10)
    made = online = outages = 0
    i = 0
    samples: list[tuple[int, float]] = []  # (checks made, RSS MiB) ten times over the run
    next_sample = start
    try:
        while time.monotonic() < end:
            now = time.monotonic()
            if outage_until is None and now >= next_outage:
                server.kill()
                outages += 1
                outage_until = now + args.outage
            elif outage_until is not None and now >= outage_until:
                server.start()
                outage_until = None
                next_outage = time.monotonic() + args.outage_every
            text = inputs[i % len(inputs)]
            i += 1
            result = service.check_document(text)
            engine.nudge()
            made += 1
            online += result.source is ResultSource.ONLINE
            if baseline_rss is None and now >= warm_end and outages and outage_until is None:
                gc.collect()
                baseline_rss = rss_mib()
                baseline_sqlite = sqlite_mib()
                baseline_snap = tracemalloc.take_snapshot()
                print(f"baseline after {made} checks: RSS {baseline_rss:.1f} MiB", flush=True)
            if now >= next_sample:
                samples.append((made, rss_mib()))
                next_sample = now + args.minutes * 6
            delay = args.interval - (time.monotonic() - now)
            if delay > 0:
                time.sleep(delay)
        if outage_until is not None:
            server.start()
        engine.sync_now()
        deadline = time.monotonic() + 120
        while cache.pending_count() and time.monotonic() < deadline:
            engine.nudge()
            time.sleep(0.5)
        gc.collect()
        final_rss = rss_mib()
        final_sqlite = sqlite_mib()
        final_snap = tracemalloc.take_snapshot()
        assert baseline_rss is not None and baseline_snap is not None
        print(f"checks {made} ({online / max(made, 1):.0%} judged online), outages {outages}")
        print(f"RSS after warm-up {baseline_rss:.1f} MiB, at the end {final_rss:.1f} MiB: "
              f"{final_rss - baseline_rss:+.1f} MiB")  # fmt: skip
        print(f"SQLite's own memory (page caches) after warm-up {baseline_sqlite:.1f} MiB, at the end "
              f"{final_sqlite:.1f} MiB: {final_sqlite - baseline_sqlite:+.1f} MiB")  # fmt: skip
        print("RSS over the run: " + ", ".join(f"{n}: {mib:.1f}" for n, mib in samples))
        traced = sum(stat.size_diff for stat in final_snap.compare_to(baseline_snap, "filename"))
        print(f"tracemalloc: {traced / 2**20:+.2f} MiB of Python allocations over the run")
        for stat in final_snap.compare_to(baseline_snap, "lineno")[:10]:
            print(f"  {stat.size_diff / 1024:+9.1f} KiB  {stat.count_diff:+7d} blocks  {stat.traceback[0]}")
        pending = cache.pending_count()
        on_server = count_on_server(api, venue[0])
        print(f"pending on the station at the end: {pending}; checks the server counts today: {on_server}")
    finally:
        engine.stop()
        cache.close()
        api.close()
        server.kill()
        shutil.rmtree(folder, ignore_errors=True)


def login_venue(api: ApiClient) -> tuple[int, int]:
    """The guard's venue and its first checkpoint."""
    membership = api.auth.me().venues[0]
    return membership.venue_id, membership.checkpoints[0].id


def count_on_server(api: ApiClient, venue_id: int) -> int:
    return api.stats.day(venue_id, local_day(utcnow()), StatsScope.UNIT).counts.checked


if __name__ == "__main__":
    main()
