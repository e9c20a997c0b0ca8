"""Lookup latency over loopback HTTP: 8 concurrent clients for 30 s against `shoumen-server serve`.

Starts the real server (uvicorn, one process) on a fresh migrated and demo-seeded database,
logs in as the demo owner, then 8 client threads look visitors up — half by personal code,
half by document number — for the given time. Prints p50/p95/p99 latency and throughput.

    .venv/bin/python bench/bench_lookup.py                      # SQLite
    SHOUMEN_BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:55433/postgres \
        .venv/bin/python bench/bench_lookup.py --backend postgres

Target (issue 3): p99 <= 30 ms at 8 concurrent clients.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shoumen_core.timeutil import utcnow
from shoumen_server.db import make_engine, make_session_factory
from shoumen_server.health import RegistryHealthSource, issue_code_for
from shoumen_server.keys import FileKeyProvider, KeyStore
from shoumen_server.seed import demo_people

OWNER = "13900000001"
UNLIMITED = {
    f"SHOUMEN_LOOKUP_{scope}_{what}": "1000000000"
    for scope in ("STAFF", "VENUE", "REGION")
    for what in ("BURST", "PER_MINUTE")
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database(backend: str, workdir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    admin = os.environ.get("SHOUMEN_BENCH_PG_URL")
    if not admin:
        sys.exit("set SHOUMEN_BENCH_PG_URL to a PostgreSQL server URL for --backend postgres")
    name = f"shoumen_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def start_server(url: str, port: int, workdir: Path) -> subprocess.Popen[bytes]:
    log = (workdir / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shoumen_server",
            "serve",
            "--database-url",
            url,
            "--key-dir",
            str(workdir / "keys"),
            "--port",
            str(port),
            "--demo",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        # One owner makes every lookup here: the lookup limits (whose UPDATEs are still measured)
        # are lifted so that the bench measures latency, not 429s.
        env={**os.environ, **UNLIMITED},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/info", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    sys.exit(f"server did not start; see {workdir / 'server.log'}")


def login(base: str) -> tuple[dict[str, str], int, int]:
    code = httpx.post(f"{base}/api/v1/auth/sms-code", json={"phone": OWNER}).json()["demo_code"]
    token = httpx.post(f"{base}/api/v1/auth/login", json={"phone": OWNER, "code": code}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    venue = httpx.get(f"{base}/api/v1/me", headers=headers).json()["venues"][0]
    return headers, venue["venue_id"], venue["checkpoints"][0]["id"]


def request_bodies(url: str, key_dir: Path, checkpoint_id: int) -> list[dict[str, object]]:
    now = utcnow()
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    bodies: list[dict[str, object]] = []
    with sessions() as session:
        keys = KeyStore.load(session, FileKeyProvider(key_dir))
        source = RegistryHealthSource(session, keys)
        for person in demo_people(now)[:200]:
            number = person.data.document.number
            kind = person.data.document.kind
            bodies.append({"document": {"kind": str(kind), "number": number}, "checkpoint_id": checkpoint_id})
            record = source.find_by_document(kind, number)
            if record is not None:
                code = issue_code_for(keys, record, now)
                bodies.append({"personal_code": code, "checkpoint_id": checkpoint_id})
    engine.dispose()
    return bodies


def run(
    base: str,
    headers: dict[str, str],
    venue_id: int,
    bodies: list[dict[str, object]],
    clients: int,
    seconds: float,
) -> None:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(offset: int) -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            i = offset
            while time.monotonic() < stop_at:
                body = bodies[i % len(bodies)]
                i += clients
                t0 = time.perf_counter()
                r = client.post(f"/api/v1/venues/{venue_id}/lookup", json=body)
                mine.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    bad += 1
                    if bad == 1:
                        print(f"  first error: {r.status_code} {r.text[:200]}", flush=True)
        with lock:
            latencies.extend(mine)
            errors += bad

    # Warm-up: connections, caches, first-query planning.
    with httpx.Client(base_url=base, headers=headers) as client:
        for body in bodies[:50]:
            client.post(f"/api/v1/venues/{venue_id}/lookup", json=body)
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    print(
        f"  requests: {len(latencies)} in {elapsed:.1f} s = {len(latencies) / elapsed:.0f}/s, non-200: {errors}"
    )
    print(f"  latency ms: p50 {q[49]:.1f}  p95 {q[94]:.1f}  p99 {q[98]:.1f}  max {latencies[-1]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = database(args.backend, workdir)
        port = free_port()
        proc = start_server(url, port, workdir)
        try:
            base = f"http://127.0.0.1:{port}"
            headers, venue_id, checkpoint_id = login(base)
            bodies = request_bodies(url, workdir / "keys", checkpoint_id)
            print(
                f"lookup, {args.backend}, {args.clients} clients, {args.seconds:.0f} s, {len(bodies)} distinct requests"
            )
            run(base, headers, venue_id, bodies, args.clients, args.seconds)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
