"""Throughput of `POST /api/v1/sync/push` over loopback HTTP: records stored per second.

Run: .venv/bin/python bench/bench_push_ingest.py [--records 10000] [--batch 500]
Starts a real uvicorn server (a subprocess) on a free port over a fresh migrated SQLite file
and, when SHOUMEN_BENCH_PG_URL is set (e.g. postgresql+psycopg://postgres@127.0.0.1:55433/postgres),
over a fresh PostgreSQL database created on that server. One venue with three gates, one guard;
batches are pushed one after another, as one busy device would, after one warm-up batch.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from shoumen_core.timeutil import utcnow
from shoumen_server.db import make_engine, make_session_factory, session_scope
from shoumen_server.keys import token_hash
from shoumen_server.models import AuthToken, Check, CheckCount, Checkpoint, Membership, User, Venue
from shoumen_server.setup_db import migrate_database

LEVELS = ["pass"] * 17 + ["review", "deny", "cannot_verify"]
FINDINGS = [
    {"source": "health_code", "state": "ok", "reason": "green", "message": "绿码"},
    {"source": "vaccination", "state": "ok", "reason": "full", "message": "已完成全程接种"},
    {"source": "nat", "state": "ok", "reason": "nat_negative", "message": "核酸阴性（20 小时内）"},
    {"source": "travel", "state": "ok", "reason": "travel_normal", "message": "行程卡正常"},
    {"source": "temperature", "state": "ok", "reason": "temperature_ok", "message": "体温正常"},
]


# ---- databases ------------------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="shoumen-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate_database(url)
        yield url


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh database on the server of `admin_url`, dropped afterwards."""
    name = f"shoumen_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        # PostgreSQL has no default key directory; the uvicorn child and bench_stats read it
        # from the environment.
        keys = Path(tempfile.mkdtemp(prefix="shoumen-bench-keys-")) / "keys"
        os.environ["SHOUMEN_KEY_DIR"] = str(keys)
        migrate_database(url, key_dir=keys)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def backends() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = [("sqlite", sqlite_database)]
    pg = os.environ.get("SHOUMEN_BENCH_PG_URL")
    if pg:
        found.append(("postgresql", lambda: postgres_database(pg)))
    return found


def set_up_venue(
    url: str, staff: int = 1, checkpoints: int = 3
) -> tuple[int, list[int], list[int], list[str]]:
    """A venue, its gates and authorised guards with live tokens: (venue, gates, users, tokens)."""
    engine = make_engine(url)
    now = utcnow()
    try:
        with session_scope(make_session_factory(engine)) as session:
            venue = Venue(
                name="基准测试农贸市场",
                address="新昌县人民中路 1 号",
                region_code="330624",
                unit_type="farmers_market",
                contact_phone="13900000001",
                created_at=now,
                updated_at=now,
            )
            session.add(venue)
            session.flush()
            gates = [
                Checkpoint(venue_id=venue.id, name=f"门{i + 1}", created_at=now) for i in range(checkpoints)
            ]
            users = [User(phone=f"139{i:08d}", name=f"保安{i}", created_at=now) for i in range(staff)]
            session.add_all([*gates, *users])
            session.flush()
            tokens = []
            for i, user in enumerate(users):
                session.add(
                    Membership(
                        venue_id=venue.id,
                        user_id=user.id,
                        role="owner" if i == 0 else "staff",
                        state="authorised",
                        created_at=now,
                        updated_at=now,
                    )
                )
                token = secrets.token_urlsafe(32)
                tokens.append(token)
                session.add(
                    AuthToken(
                        user_id=user.id,
                        token_hash=token_hash(token),
                        created_at=now,
                        expires_at=now + timedelta(days=1),
                    )
                )
            return venue.id, [g.id for g in gates], [u.id for u in users], tokens
    finally:
        engine.dispose()


# ---- server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def uvicorn_server(url: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "SHOUMEN_DATABASE_URL": url}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "shoumen_server.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/info", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def uuid7(moment: datetime) -> uuid.UUID:
    """A UUIDv7 (time-ordered), as devices make them for their records."""
    millis = int(moment.timestamp() * 1000) & ((1 << 48) - 1)
    rand = int.from_bytes(os.urandom(10), "big")
    value = millis << 80 | 0x7 << 76 | (rand >> 62 & 0xFFF) << 64 | 0b10 << 62 | (rand & ((1 << 62) - 1))
    return uuid.UUID(int=value)


def records(venue_id: int, gates: list[int], n: int, start: datetime) -> list[dict[str, Any]]:
    """Checks as a device sends them, spread over the hours before `start`."""
    out = []
    for i in range(n):
        level = LEVELS[i % len(LEVELS)]
        checked_at = start - timedelta(seconds=3 * (n - i))
        out.append(
            {
                "id": str(uuid7(checked_at)),
                "venue_id": venue_id,
                "checkpoint_id": gates[i % len(gates)],
                "method": "scan",
                "checked_at": checked_at.isoformat(),
                "level": level,
                "findings": FINDINGS,
                "person_ref": f"P{i % 7919:010d}",
                "masked_name": "张*",
                "masked_id": "330624********1234",
                "temperature": 36.5,
                "device_id": "bench-tablet",
            }
        )
    return out


def run(url: str, total: int, batch: int) -> tuple[float, int]:
    venue_id, gates, _, tokens = set_up_venue(url)
    now = datetime.now(UTC)
    all_records = records(venue_id, gates, total + batch, now)
    warm_up, measured = all_records[:batch], all_records[batch:]
    with (
        uvicorn_server(url) as base,
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens[0]}"}, timeout=60) as client,
    ):
        r = client.post("/sync/push", json={"device_id": "bench", "checks": warm_up})
        r.raise_for_status()
        started = time.perf_counter()
        for i in range(0, len(measured), batch):
            r = client.post("/sync/push", json={"device_id": "bench", "checks": measured[i : i + batch]})
            r.raise_for_status()
            assert not r.json()["rejected"], r.text[:300]
        elapsed = time.perf_counter() - started
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(Check))
            counted = conn.scalar(select(func.sum(CheckCount.n)))
    finally:
        engine.dispose()
    assert stored == counted == total + batch, (stored, counted)
    return elapsed, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    parser_name = "httptools" if importlib.util.find_spec("httptools") else "h11"
    print(
        f"push {args.records} checks in batches of {args.batch} over loopback HTTP"
        f" (uvicorn, 1 process, {parser_name})"
    )
    for name, database in backends():
        with database() as url:
            elapsed, n = run(url, args.records, args.batch)
        print(
            f"  {name:<11} {n / elapsed:8.0f} records/s  ({elapsed * 1000 / (n / args.batch):.0f} ms per batch)"
        )


if __name__ == "__main__":
    main()
