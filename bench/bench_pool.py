"""PostgreSQL connections per worker under load (issue 15 §3): `serve --workers N` with the
default pool (SHOUMEN_DB_POOL_SIZE 5 + SHOUMEN_DB_MAX_OVERFLOW 10 per worker), C closed-loop
clients doing ID lookups for T seconds; pg_stat_activity sampled every 10 ms by each worker's
application_name (`shoumen/<pid>`).

    SHOUMEN_BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:55432/postgres \\
        python bench/bench_pool.py --workers 2 --clients 32 --seconds 5

Prints, per worker, the peak and mean connections held (open in the pool) and the peak of those
busy in a statement or transaction, with the lookups answered per second. A figure, not a
pass/fail test (tests/server/test_workers.py asserts the pool bound).
"""

from __future__ import annotations

import argparse
import os
import signal
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
import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shoumen_server.seed import DEMO_PATHS_BY_KEY, HOSPITAL_STAFF  # noqa: E402

GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number


def _admin(url: str, sql: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    admin = os.environ.get("SHOUMEN_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:55432/postgres")
    name = f"shoumen_bench_pool_{uuid.uuid4().hex[:8]}"
    _admin(admin, f'CREATE DATABASE "{name}"')
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    keys = Path(tempfile.mkdtemp()) / "keys"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOUMEN_")}
    env.update(
        PYTHONPATH=str(ROOT),
        SHOUMEN_LOOKUP_STAFF_BURST="1000000",
        SHOUMEN_LOOKUP_STAFF_PER_MINUTE="1000000",
        SHOUMEN_LOOKUP_VENUE_BURST="1000000",
        SHOUMEN_LOOKUP_VENUE_PER_MINUTE="1000000",
        SHOUMEN_LOOKUP_REGION_BURST="1000000",
        SHOUMEN_LOOKUP_REGION_PER_MINUTE="1000000",
    )
    command = [sys.executable, "-m", "shoumen_server", "serve", "--demo", "--workers", str(args.workers)]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--database-url", url, "--key-dir", str(keys)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        client = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=args.clients + 4))
        deadline = time.monotonic() + 120
        while True:
            try:
                if client.get(f"{base}/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not start")
            time.sleep(0.2)
        phone = HOSPITAL_STAFF[0][0]
        code = client.post(f"{base}/auth/sms-code", json={"phone": phone}).json()["demo_code"]
        token = client.post(f"{base}/auth/login", json={"phone": phone, "code": code}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        venue_id = client.get(f"{base}/me", headers=headers).json()["venues"][0]["venue_id"]
        samples: dict[str, list[int]] = {}
        busy_peak: dict[str, int] = {}
        stop = threading.Event()
        answered = [0] * args.clients

        def sample() -> None:
            with psycopg.connect(libpq, autocommit=True) as conn:
                while not stop.is_set():
                    rows = conn.execute(
                        "SELECT application_name, count(*), count(*) FILTER (WHERE state <> 'idle') "
                        "FROM pg_stat_activity WHERE datname = current_database() "
                        "AND application_name LIKE 'shoumen/%' GROUP BY 1"
                    ).fetchall()
                    for app, held, busy in rows:
                        samples.setdefault(app, []).append(int(held))
                        busy_peak[app] = max(busy_peak.get(app, 0), int(busy))
                    stop.wait(0.01)

        def load(index: int) -> None:
            body = {"document": {"number": GREEN}}
            while not stop.is_set():
                if (
                    client.post(f"{base}/venues/{venue_id}/lookup", json=body, headers=headers).status_code
                    == 200
                ):
                    answered[index] += 1

        threads = [threading.Thread(target=sample)] + [
            threading.Thread(target=load, args=(i,)) for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        print(
            f"{args.workers} workers, {args.clients} clients, {args.seconds:.0f} s: "
            f"{sum(answered) / args.seconds:.0f} lookups/s"
        )
        for app in sorted(samples):
            held = samples[app]
            print(
                f"  {app}: connections held peak {max(held)}, mean {statistics.mean(held):.1f}; "
                f"busy peak {busy_peak.get(app, 0)}"
            )
        print(f"  all workers: peak {sum(max(v) for v in samples.values())} (bound {args.workers} x 15)")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
