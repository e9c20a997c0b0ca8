"""Capacity, measured (issue 15 §6): an open-loop morning rush against N server workers on PostgreSQL.

    .venv/bin/python bench/bench_capacity.py                  # 1, 2 and 4 workers, ~12 min
    .venv/bin/python bench/bench_capacity.py --quick          # short steps, ~4 min
    .venv/bin/python bench/bench_capacity.py --workers 2 --rates 100,200,300
    SHOUMEN_BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:55434/postgres ...   # your own server

Without SHOUMEN_BENCH_PG_URL the bench starts its own PostgreSQL with default settings (fsync
on; scripts/pg.sh, a free port, a temporary folder) and stops it at the end. Every worker count
gets a fresh database, seeded through the server's own modules (capacity_setup.seed): 50
approved venues of one region with two gates and one logged-in guard each, 1,000 synthetic
persons in the registry (beside the demo's), a personal code signed for each. The lookup limits are lifted (capacity_setup.UNLIMITED:
50 venues at a few hundred lookups a second is 20x a real gate's pace); their statements still
run on every lookup, so their cost is measured. The server runs as a county runs it:
`shoumen-server serve --workers N` outside demo mode (capacity_setup.start_server) — for N >= 2
gunicorn's master and N uvicorn workers with multiprocess metrics, the access log on.

Open loop, not closed: requests are sent at a fixed offered rate (Poisson arrivals, seeded),
whether or not earlier ones have been answered, and each latency is measured from the request's
INTENDED send time. A closed-loop client (N users each waiting for its answer, as locust's
users and bench_lookup.py's threads do) slows down when the server does, and so sends fewer
requests exactly when queues grow: coordinated omission hides the queueing a real crowd at the
gates would meet. Our own asyncio generator over raw HTTP/1.1 keep-alive connections rather than
locust: locust is not in the venv, its users are closed-loop by design (its constant-throughput
wait times still wait for the answer), and its per-request CPU (gevent + requests, ~1 ms) would
take a large share of the 2 cores the server runs on. This generator costs ~0.1-0.2 ms of CPU
per request, reported for every step, since it shares the cores with the server.

The mix, as a morning rush: every lookup is one visitor at one of the 100 gates (70 % scan a
personal code, 30 % are elderly visitors whose ID number is typed: DESIGN §2); every gate pushes
the checks it made in the last second once a second (`sync/push`: the station pushes within a
second after a check), so at 100 lookups/s there are ~100 pushes/s of one record, at 300/s ~100
pushes/s of three; and one statistics request per 20 lookups (owners and guards glancing at the
venue's count, 1 in 10 of them a supervisor's region view).

For each worker count: the lookup rate is stepped up (default 50, 100, 150, 200, 300, 400, 500,
650, 800/s, 20 s each) until a step's lookup p99 passes 100 ms or any request fails; reported per
step: lookups p50/p99/max, errors, pushes p99, stats p99, server CPU (utime+stime of the server's
processes from /proc, before/after) per lookup, PostgreSQL's CPU per lookup (only when the
bench started PostgreSQL), and the generator's own CPU. Then the push ingest: 4 devices pushing
500-record batches back to back (a reconnect backlog), records/s. Each figure comes with the
load average seen: the machine may be shared.

Goals: p99 <= 30 ms at 100 lookups/s; >= 300 lookups/s at p99 <= 100 ms; >= 10,000 pushed
records/s; <= 2 ms server CPU per lookup.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from capacity_setup import (
    REGION,
    Gate,
    Seeded,
    cpu_times,
    cpu_used,
    free_port,
    fresh_database,
    postgres_server,
    postmaster_pids,
    process_tree,
    seed,
    start_server,
    stop_server,
)

P99_LIMIT_MS = 100.0
SCAN_SHARE = 0.7
STATS_EVERY = 20  # lookups per statistics request
REGION_STATS_EVERY = 10  # statistics requests per region view
TIMEOUT = 10.0  # seconds: a request not answered by then is an error
MAX_ERRORS = 50  # in one step: the step has failed, stop offering
MAX_IN_FLIGHT = 2000


# ---- a small HTTP/1.1 client ----------------------------------------------------------------


class HttpError(Exception):
    pass


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def request(self, method: str, path: str, token: str, body: bytes | None) -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode("ascii") + b"\r\n" + (body or b""))
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            answer = b"".join(chunks)
        else:
            answer = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection") == "close":
            raise HttpError("server closed the connection")
        return status, answer

    def close(self) -> None:
        self.writer.close()


class Pool:
    """Keep-alive connections, opened on demand up to `limit` (a request waiting for one is
    still timed from its intended send time)."""

    def __init__(self, port: int, limit: int) -> None:
        self.port = port
        self.limit = limit
        self.idle: list[Connection] = []
        self.open = 0
        self.freed = asyncio.Condition()

    async def _get(self) -> tuple[Connection, bool]:
        """A connection, and whether it was idle in the pool (the server may have closed it)."""
        async with self.freed:
            while not self.idle and self.open >= self.limit:
                await self.freed.wait()
            if self.idle:
                return self.idle.pop(), True
            self.open += 1
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except BaseException:
            await self._lost()
            raise
        return Connection(reader, writer), False

    async def _lost(self) -> None:
        async with self.freed:
            self.open -= 1
            self.freed.notify()

    async def request(self, method: str, path: str, token: str, body: bytes | None) -> tuple[int, bytes]:
        while True:
            conn, reused = await self._get()
            try:
                answer = await conn.request(method, path, token, body)
                break
            except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError) as exc:
                conn.close()
                await self._lost()
                if reused and not getattr(exc, "partial", b""):
                    continue  # a keep-alive connection the server had closed: nothing was answered
                raise
            except BaseException:
                conn.close()
                await self._lost()
                raise
        async with self.freed:
            self.idle.append(conn)
            self.freed.notify()
        return answer

    def close(self) -> None:
        for conn in self.idle:
            conn.close()


# ---- the morning rush -----------------------------------------------------------------------


@dataclass
class Samples:
    latencies: list[float] = field(default_factory=list)  # ms from the intended send time
    errors: int = 0
    first_error: str = ""
    records: int = 0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Step:
    rate: float
    seconds: float
    lookups: Samples
    pushes: Samples
    stats: Samples
    server_cpu: float
    db_cpu: float | None
    generator_cpu: float
    load: str

    @property
    def ok(self) -> bool:
        return (
            self.lookups.errors + self.pushes.errors + self.stats.errors == 0
            and self.lookups.percentile(0.99) <= P99_LIMIT_MS
        )


def uuid7(moment: datetime) -> str:
    millis = int(moment.timestamp() * 1000) & ((1 << 48) - 1)
    rand = int.from_bytes(os.urandom(10), "big")
    value = millis << 80 | 0x7 << 76 | (rand >> 62 & 0xFFF) << 64 | 0b10 << 62 | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def check_record(gate: Gate, scanned: bool) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "id": uuid7(now),
        "venue_id": gate.venue_id,
        "checkpoint_id": gate.checkpoint_id,
        "method": "scan" if scanned else "document",
        "checked_at": now.isoformat(),
        "level": "pass",
        "findings": [{"source": "health_code", "state": "ok", "reason": "green", "message": "绿码"}],
        "masked_name": "张*",
        "masked_id": "330624********1234",
        "device_id": f"gate-{gate.checkpoint_id}",
    }


def stats_request(seeded: Seeded, n: int, gate: Gate, today: str) -> tuple[str, str]:
    """The mix's n-th statistics poll (path, token): `gate`'s venue's day, every
    REGION_STATS_EVERY-th the supervisor's region view instead."""
    if n % REGION_STATS_EVERY == 0:
        return f"/api/v1/regions/{REGION}/stats?date={today}", seeded.supervisor_token
    return f"/api/v1/venues/{gate.venue_id}/stats?date={today}", gate.token


class Rush:
    """One open-loop run of the mix at an offered lookup rate."""

    def __init__(self, pool: Pool, seeded: Seeded, seed_value: int) -> None:
        self.pool = pool
        self.seeded = seeded
        self.rng = random.Random(seed_value)
        self.scans = [body for body in seeded.lookups if "personal_code" in body]
        self.documents = [body for body in seeded.lookups if "document" in body]
        self.pending: dict[int, list[dict[str, Any]]] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.today = datetime.now(UTC).date().isoformat()

    async def _timed(self, intended: float, samples: Samples, send: Callable[[], Any]) -> None:
        try:
            status, answer = await asyncio.wait_for(send(), TIMEOUT)
            if status >= 300:
                raise HttpError(f"{status} {answer[:200]!r}")
        except (TimeoutError, OSError, HttpError, asyncio.IncompleteReadError) as exc:
            samples.errors += 1
            samples.first_error = samples.first_error or f"{type(exc).__name__}: {exc}"[:300]
            return
        samples.latencies.append((time.perf_counter() - intended) * 1000)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _lookup(self, i: int, intended: float, samples: Samples, *, pushed: bool = True) -> None:
        gate = self.seeded.gates[i % len(self.seeded.gates)]
        scanned = self.rng.random() < SCAN_SHARE
        body = dict(self.rng.choice(self.scans if scanned else self.documents))
        body["checkpoint_id"] = gate.checkpoint_id
        payload = json.dumps(body).encode()
        path = f"/api/v1/venues/{gate.venue_id}/lookup"
        if pushed:  # the gate pushes this check within a second (in the mix)
            self.pending.setdefault(i % len(self.seeded.gates), []).append(check_record(gate, scanned))
        self._spawn(
            self._timed(intended, samples, lambda: self.pool.request("POST", path, gate.token, payload))
        )

    def _push(self, g: int, intended: float, samples: Samples) -> None:
        records = self.pending.pop(g, [])
        if not records:
            return
        gate = self.seeded.gates[g]
        samples.records += len(records)
        payload = json.dumps({"device_id": f"gate-{gate.checkpoint_id}", "checks": records}).encode()
        self._spawn(
            self._timed(
                intended, samples, lambda: self.pool.request("POST", "/api/v1/sync/push", gate.token, payload)
            )
        )

    def _stats(self, n: int, intended: float, samples: Samples) -> None:
        gate = self.seeded.gates[self.rng.randrange(len(self.seeded.gates))]
        path, token = stats_request(self.seeded, n, gate, self.today)
        self._spawn(self._timed(intended, samples, lambda: self.pool.request("GET", path, token, None)))

    async def run(self, rate: float, seconds: float, *, mix: bool = True) -> tuple[Samples, Samples, Samples]:
        """Offer `rate` lookups/s (Poisson) for `seconds`, with the pushes and stats of the mix."""
        lookups, pushes, stats = Samples(), Samples(), Samples()
        events: list[tuple[float, str, int]] = []
        t = 0.0
        i = 0
        while True:
            t += self.rng.expovariate(rate)
            if t >= seconds:
                break
            events.append((t, "lookup", i))
            if mix and i % STATS_EVERY == STATS_EVERY - 1:
                events.append((t, "stats", i // STATS_EVERY))
            i += 1
        if mix:
            gates = len(self.seeded.gates)
            for g in range(gates):  # each gate pushes once a second, the gates spread over it
                tick = (g + 0.5) / gates
                while tick < seconds + 1:
                    events.append((tick, "push", g))
                    tick += 1.0
        events.sort()
        start = time.perf_counter() + 0.05
        for offset, kind, n in events:
            if lookups.errors + pushes.errors + stats.errors > MAX_ERRORS or len(self.tasks) > MAX_IN_FLIGHT:
                # The step has failed already: stop offering rather than bury the server (and
                # the next step) under requests nobody waits for any more.
                lookups.errors += 1
                lookups.first_error = (
                    lookups.first_error or "step abandoned: too many errors or requests in flight"
                )
                break
            intended = start + offset
            delay = intended - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if kind == "lookup":
                self._lookup(n, intended, lookups, pushed=mix)
            elif kind == "push":
                self._push(n, intended, pushes)
            else:
                self._stats(n, intended, stats)
        while self.tasks:
            await asyncio.wait(set(self.tasks))
        return lookups, pushes, stats


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def generator_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measured_step(
    rush: Rush, server_pid: int, db_data: Path | None, rate: float, seconds: float, *, mix: bool = True
) -> Step:
    server_pids = process_tree(server_pid)
    server0, db0, gen0 = cpu_times(server_pids), cpu_times(postmaster_pids(db_data)), generator_cpu()
    lookups, pushes, stats = await rush.run(rate, seconds, mix=mix)
    server = cpu_used(server0, cpu_times(process_tree(server_pid)))
    db = cpu_used(db0, cpu_times(postmaster_pids(db_data))) if db_data is not None else None
    return Step(rate, seconds, lookups, pushes, stats, server, db, generator_cpu() - gen0, load_average())


async def push_ingest(
    port: int, seeded: Seeded, devices: int, seconds: float, batch: int
) -> tuple[int, float]:
    """`devices` stations each pushing `batch`-record batches back to back (a backlog after an
    outage): records stored per second (a throughput, so closed loop is right here)."""
    pool = Pool(port, devices)
    stored = 0
    failures: list[str] = []
    stop_at = time.perf_counter() + seconds

    async def device(d: int) -> None:
        nonlocal stored
        gate = seeded.gates[d % len(seeded.gates)]
        while time.perf_counter() < stop_at:
            records = [check_record(gate, True) for _ in range(batch)]
            body = json.dumps({"device_id": f"backlog-{d}", "checks": records}).encode()
            status, answer = await pool.request("POST", "/api/v1/sync/push", gate.token, body)
            if status != 200:
                failures.append(f"{status} {answer[:200]!r}")
                return
            stored += len(json.loads(answer)["accepted"])

    started = time.perf_counter()
    await asyncio.gather(*(device(d) for d in range(devices)))
    elapsed = time.perf_counter() - started
    pool.close()
    if failures:
        print(f"    push ingest failed: {failures[0]}")
    return stored, elapsed


# ---- report ---------------------------------------------------------------------------------


def print_step(step: Step, label: str = "") -> None:
    n = max(1, len(step.lookups.latencies))
    db = "" if step.db_cpu is None else f" db {step.db_cpu * 1000 / n:5.2f}"
    errors = step.lookups.errors + step.pushes.errors + step.stats.errors
    print(
        f"  {label or f'{step.rate:5.0f}/s':>8} lookups p50 {step.lookups.percentile(0.5):6.1f}"
        f" p99 {step.lookups.percentile(0.99):7.1f} max {max(step.lookups.latencies or [0]):7.1f} ms"
        f" | push p99 {step.pushes.percentile(0.99):6.1f} ({step.pushes.records / step.seconds:4.0f} rec/s)"
        f" stats p99 {step.stats.percentile(0.99):6.1f}"
        f" | err {errors:3d} | CPU ms/lookup: server {step.server_cpu * 1000 / n:5.2f}{db}"
        f" generator {step.generator_cpu * 1000 / n:4.2f} ({100 * step.generator_cpu / step.seconds:3.0f} % of a core)"
        f" | load {step.load}"
        f"{'' if step.ok else '  <- over'}",
        flush=True,
    )
    for samples in (step.lookups, step.pushes, step.stats):
        if samples.first_error:
            print(f"           first error: {samples.first_error}")


@dataclass
class Result:
    workers: int
    best: float | None
    p99_at_100: float | None
    cpu_per_lookup: float | None
    cpu_per_lookup_mix: float | None
    db_cpu_per_lookup: float | None
    push_records_per_s: float
    load: str


async def bench_workers(
    workers: int,
    admin_url: str,
    db_data: Path | None,
    rates: list[float],
    seconds: float,
    push_seconds: float,
) -> Result:
    with fresh_database(admin_url) as url, tempfile.TemporaryDirectory() as tmp:
        seeded = seed(url, Path(tmp) / "keys", venues=50, persons=1000)
        port = free_port()
        server = start_server(url, seeded.key_dir, port, workers, Path(tmp) / "server.log")
        try:
            print(
                f"\n{workers} worker(s): {len(process_tree(server.pid))} server processes,"
                f" {len(seeded.gates)} gates, {len(seeded.lookups)} distinct lookups",
                flush=True,
            )
            pool = Pool(port, 256)
            rush = Rush(pool, seeded, seed_value=workers)
            await rush.run(50, min(5.0, seconds))  # warm-up: connections, caches, plans
            # CPU per lookup: lookups alone at 100/s (the mix adds pushes and stats).
            alone = await measured_step(rush, server.pid, db_data, 100, seconds, mix=False)
            print_step(alone, "100/s alone")
            steps: list[Step] = []
            for rate in rates:
                step = await measured_step(rush, server.pid, db_data, rate, seconds)
                print_step(step)
                steps.append(step)
                if not step.ok:
                    break
            pool.close()
            if any(not s.ok for s in [alone, *steps]) and (Path(tmp) / "server.log").exists():
                tail = (Path(tmp) / "server.log").read_text(errors="replace").splitlines()[-15:]
                print("  server log (last lines):\n    " + "\n    ".join(tail), flush=True)
            stored, elapsed = await push_ingest(port, seeded, 4, push_seconds, 500)
            print(
                f"  push ingest: 4 devices x 500-record batches: {stored / elapsed:,.0f} records/s",
                flush=True,
            )
        finally:
            stop_server(server)
    passed = [s for s in steps if s.ok]
    at_100 = next((s for s in steps if s.rate == 100), None)
    n_alone = max(1, len(alone.lookups.latencies))
    return Result(
        workers=workers,
        best=max((s.rate for s in passed), default=None),
        p99_at_100=None if at_100 is None else at_100.lookups.percentile(0.99),
        cpu_per_lookup=alone.server_cpu * 1000 / n_alone,
        cpu_per_lookup_mix=None
        if at_100 is None
        else at_100.server_cpu * 1000 / max(1, len(at_100.lookups.latencies)),
        db_cpu_per_lookup=None if alone.db_cpu is None else alone.db_cpu * 1000 / n_alone,
        push_records_per_s=stored / elapsed,
        load=alone.load,
    )


def print_summary(results: list[Result]) -> None:
    print(
        "\nsummary (goals: >= 300 lookups/s at p99 <= 100 ms; p99 <= 30 ms at 100/s;"
        " >= 10,000 pushed records/s; <= 2 ms server CPU per lookup)"
    )
    print(
        "  workers | best lookups/s (p99<=100ms, no errors) | p99 at 100/s | server CPU/lookup alone (mix)"
        " | PostgreSQL CPU/lookup | push records/s | load"
    )
    for r in results:
        best = "below the first step" if r.best is None else f"{r.best:.0f}"
        p99 = "-" if r.p99_at_100 is None else f"{r.p99_at_100:.1f} ms"
        mix = "-" if r.cpu_per_lookup_mix is None else f"{r.cpu_per_lookup_mix:.2f}"
        db = "-" if r.db_cpu_per_lookup is None else f"{r.db_cpu_per_lookup:.2f} ms"
        print(
            f"  {r.workers:7d} | {best:>38} | {p99:>12} | {r.cpu_per_lookup:.2f} ms ({mix})"
            f"{'':>9} | {db:>21} | {r.push_records_per_s:14,.0f} | {r.load}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated (default 1,2,4)")
    parser.add_argument(
        "--rates", default="50,100,150,200,300,400,500,650,800", help="offered lookups/s steps"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each step")
    parser.add_argument("--quick", action="store_true", help="6 s steps, 5 s push ingest")
    args = parser.parse_args()
    # Stopped with a signal, still stop the server and PostgreSQL and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    seconds = 6.0 if args.quick else args.seconds
    push_seconds = 5.0 if args.quick else 15.0
    rates = [float(r) for r in args.rates.split(",")]
    workers = [int(w) for w in args.workers.split(",")]
    print(
        f"capacity: open-loop morning rush, {os.cpu_count()} cores, load {load_average()}, steps of {seconds:.0f} s"
    )
    results = []
    with postgres_server(os.environ.get("SHOUMEN_BENCH_PG_URL")) as (admin_url, db_data):
        where = "its own PostgreSQL (default settings)" if db_data else admin_url
        print(f"PostgreSQL: {where}")
        for n in workers:
            results.append(asyncio.run(bench_workers(n, admin_url, db_data, rates, seconds, push_seconds)))
    print_summary(results)


if __name__ == "__main__":
    main()
