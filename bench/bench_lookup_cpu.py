"""Server CPU per lookup, in-process: where a lookup's time goes, without HTTP or a load generator.

    SHOUMEN_BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:55432/postgres \\
        .venv/bin/python bench/bench_lookup_cpu.py [--lookups 3000] [--profile]

A fresh PostgreSQL database seeded as bench_capacity.py seeds it (capacity_setup.seed), the
real app (create_app, lookup limits lifted: their statements still run), and lookups — half
by personal code, half by document number, over 50 venues — sent one after another straight
into the ASGI app (a scope, a body, the answer collected: no client library in the figures).
Reported per lookup: this process's CPU (user + system time of every thread, so the thread
hops are in it; PostgreSQL's CPU is not), wall time, and the SQL statements executed.

`--pushes N` then pushes N batches of `--batch` check records (as bench_capacity.py's push
ingest builds them, spread over the gates) the same way: CPU per record, and the records/s
one core could store at that CPU (PostgreSQL's share not included).

`--profile` also runs the lookups under cProfile with the thread hops run inline (cProfile
follows one thread; the hops' own cost is the difference between the first two lines) and
prints the functions with the most cumulative and own time.

To compare two trees side by side, run the same file with PYTHONPATH pointing at each tree.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio.to_thread
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_capacity import check_record, stats_request
from capacity_setup import UNLIMITED, Seeded, fresh_database, postgres_server, seed

from shoumen_server.app import create_app
from shoumen_server.settings import ServerSettings

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


async def call(app: App, path: str, token: str, body: bytes) -> tuple[int, bytes]:
    """One request straight into the ASGI app: a POST of `body`, or a GET when it is empty
    (`path` may carry a query string then)."""
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST" if body else "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # a disconnect never comes
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def requests(seeded: Seeded, n: int) -> list[tuple[str, str, bytes]]:
    out = []
    for i in range(n):
        gate = seeded.gates[i % len(seeded.gates)]
        body = {**seeded.lookups[i % len(seeded.lookups)], "checkpoint_id": gate.checkpoint_id}
        out.append((f"/api/v1/venues/{gate.venue_id}/lookup", gate.token, json.dumps(body).encode()))
    return out


def pushes(seeded: Seeded, n: int, batch: int) -> list[tuple[str, str, bytes]]:
    out = []
    for i in range(n):
        gate = seeded.gates[i % len(seeded.gates)]
        records = [check_record(gate, j % 3 != 0) for j in range(batch)]
        body = json.dumps({"device_id": f"bench-{i % len(seeded.gates)}", "checks": records}).encode()
        out.append(("/api/v1/sync/push", gate.token, body))
    return out


def stats_requests(seeded: Seeded, n: int) -> list[tuple[str, str, bytes]]:
    """The mix's statistics polls (bench_capacity.stats_request), over the gates in turn."""
    today = datetime.now(UTC).date().isoformat()  # as bench_capacity asks
    polls = (stats_request(seeded, i, seeded.gates[i % len(seeded.gates)], today) for i in range(n))
    return [(path, token, b"") for path, token in polls]


async def run(app: App, work: list[tuple[str, str, bytes]]) -> None:
    for path, token, body in work:
        status, answer = await call(app, path, token, body)
        if status != 200:
            raise SystemExit(f"{path} answered {status}: {answer[:300]!r}")
        if path.endswith("/push") and json.loads(answer)["rejected"]:
            raise SystemExit(f"push rejected records: {answer[:300]!r}")


async def inline_run_sync(func: Callable[..., Any], *args: Any, **_kwargs: Any) -> Any:
    return func(*args)


def measure(
    app: App, work: list[tuple[str, str, bytes]], statements: list[int]
) -> tuple[float, float, float]:
    """(CPU ms, wall ms, statements) per lookup."""
    statements[0] = 0
    times0, wall0 = os.times(), time.perf_counter()
    asyncio.run(run(app, work))
    times, wall = os.times(), time.perf_counter() - wall0
    user, system = times.user - times0.user, times.system - times0.system
    n = len(work)
    SPLIT[:] = [user * 1000 / n, system * 1000 / n]
    return (user + system) * 1000 / n, wall * 1000 / n, statements[0] / n


# The last measure()'s CPU split into user and system time (ms per request): the system share
# is the kernel's work for the round trips and thread hops, which cProfile does not see.
SPLIT = [0.0, 0.0]


PACKAGES = (
    "shoumen_server",
    "shoumen_core",
    "sqlalchemy",
    "psycopg",
    "fastapi",
    "starlette",
    "pydantic",
    "anyio",
    "cryptography",
    "asyncio",
    "json",
)


def print_by_package(stats: pstats.Stats, lookups: int) -> None:
    """Own time (tottime) per library: where a lookup's CPU goes, roughly (profiled, so every
    call is dearer than it is unprofiled; the shares are what count)."""
    own: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        package = next((p for p in PACKAGES if f"/{p}/" in filename), None)
        if package is None:
            package = "builtins (C)" if filename == "~" else "other Python"
            if filename == "~" and ("psycopg" in name or "pq" in name):
                package = "psycopg"
        own[package] = own.get(package, 0.0) + tottime
    total = sum(own.values())
    print(f"  own CPU time by package, profiled ({total * 1000 / lookups:.1f} ms/request under cProfile):")
    for package, seconds in sorted(own.items(), key=lambda item: -item[1]):
        print(f"    {package:<16} {100 * seconds / total:5.1f} %")


def profile_run(
    app: App, make_work: Callable[[], list[tuple[str, str, bytes]]], statements: list[int], top: int
) -> None:
    """The requests `make_work` builds, run once with the thread hops inline and once more
    (freshly built: a push resent takes another path) under cProfile."""
    real = anyio.to_thread.run_sync
    anyio.to_thread.run_sync = inline_run_sync  # type: ignore[assignment]
    try:
        cpu, wall, _ = measure(app, make_work(), statements)
        print(f"  CPU {cpu:.2f} ms/request  wall {wall:.2f} ms/request  with the thread hops inline")
        work = make_work()
        profile = cProfile.Profile(time.process_time)  # CPU, not time spent waiting for PostgreSQL
        profile.enable()
        asyncio.run(run(app, work))
        profile.disable()
    finally:
        anyio.to_thread.run_sync = real  # type: ignore[assignment]
    stats = pstats.Stats(profile)
    print_by_package(stats, len(work))
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(top)
        print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lookups", type=int, default=3000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--pushes", type=int, default=0, help="push batches to measure after the lookups")
    parser.add_argument("--batch", type=int, default=500, help="records per push batch")
    parser.add_argument("--stats", type=int, default=0, help="statistics polls to measure last (the mix's)")
    args = parser.parse_args()
    os.environ.update(UNLIMITED)
    with (
        postgres_server(os.environ.get("SHOUMEN_BENCH_PG_URL")) as (admin, _data),
        fresh_database(admin) as url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        seeded = seed(url, Path(tmp) / "keys", venues=50, persons=1000)
        settings = ServerSettings.from_env(database_url=url, key_dir=str(seeded.key_dir))
        app = create_app(settings)
        statements = [0]

        def count(*_args: object) -> None:
            statements[0] += 1

        event.listen(app.state.engine, "before_cursor_execute", count)
        if args.lookups:
            work = requests(seeded, args.lookups)
            measure(app, requests(seeded, 300), statements)  # warm-up: pool, caches, plans
            cpu, wall, stmts = measure(app, work, statements)
            print(f"lookup in-process, {args.lookups} lookups one after another, PostgreSQL")
            print(
                f"  CPU {cpu:.2f} ms/lookup (user {SPLIT[0]:.2f}, system {SPLIT[1]:.2f})"
                f"  wall {wall:.2f} ms/lookup  {stmts:.1f} SQL statements/lookup"
            )
            if args.profile:
                profile_run(app, lambda: work, statements, args.top)
        if args.pushes:
            batches = pushes(seeded, args.pushes, args.batch)
            measure(app, pushes(seeded, 2, args.batch), statements)  # warm-up
            cpu, wall, stmts = measure(app, batches, statements)
            per_record = cpu / args.batch
            print(f"push in-process, {args.pushes} batches of {args.batch} records one after another")
            print(
                f"  CPU {per_record * 1000:.1f} µs/record ({1000 / per_record:,.0f} records/s per core)"
                f"  wall {wall / args.batch * 1000:.1f} µs/record  {stmts:.1f} SQL statements/batch"
            )
            if args.profile:
                profile_run(app, lambda: pushes(seeded, args.pushes, args.batch), statements, args.top)
        if args.stats:
            polls = stats_requests(seeded, args.stats)
            measure(app, stats_requests(seeded, 20), statements)  # warm-up
            cpu, wall, stmts = measure(app, polls, statements)
            print(f"statistics in-process, {args.stats} polls (every tenth a region's), after the above")
            print(f"  CPU {cpu:.2f} ms/poll  wall {wall:.2f} ms/poll  {stmts:.1f} SQL statements/poll")
            if args.profile:
                profile_run(app, lambda: stats_requests(seeded, args.stats), statements, args.top)
        app.state.engine.dispose()


if __name__ == "__main__":
    main()
