"""Several workers, one truth (issue 15 §3): a real `shoumen-server serve --workers 2` on
PostgreSQL, raced.

- 40 concurrent SMS-code requests (one client, 40 phones; and 40 for one phone) let exactly the
  quota through, whichever worker answers each;
- 40 concurrent lookups of one staff member against a bucket of 7 answer exactly 7;
- meanwhile no worker holds more PostgreSQL connections than its pool allows (pg_stat_activity,
  by the `shoumen/<pid>` application name each worker's engine sets), and both workers served;
- /metrics adds up the figures of both workers;
- SIGTERM (the last test) while a push is held by a table lock: new connections are refused at once, the push
  still gets its 200 when the lock goes, its rows are stored exactly once, and serve exits 0;
- every line the server logs with SHOUMEN_LOG_FORMAT=json is one JSON object, none with a phone.

PostgreSQL only (several processes on one SQLite file prove nothing about PostgreSQL's locking);
in CI a missing PostgreSQL fails these tests (tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from shoumen_server.seed import DEMO_PATHS_BY_KEY, HOSPITAL_STAFF
from tests.ports import free_port
from tests.server.conftest import PgTemplate, _pg_database_url, _pg_execute
from tests.server.keep_alive import IDLE, asked_again_after

# One worker runs the file, in order (pytest-xdist, --dist loadfile): the tests share one server,
# the log test reads what the races before it logged, and the drain test stops the server last.

API = "/api/v1"
RACERS = 40
SMS_CLIENT_QUOTA = 7
LOOKUP_BURST = 7
POOL_SIZE, MAX_OVERFLOW = 2, 1
GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number
PHONE_RE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")
RESIDENT_ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll another process's state (the server's, PostgreSQL's) until `condition` holds."""
    done = threading.Event()
    deadline = datetime.now(UTC).timestamp() + timeout
    while not condition():
        if datetime.now(UTC).timestamp() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        done.wait(0.02)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class ServerLog:
    """Reads the server's combined output as it comes (the pipe never fills) and lets a test
    wait for a line without sleeping."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[str] = []
        self._stream = stream
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self.lines.append("")  # end of output
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self.lines), timeout)

    def close(self) -> None:
        self._thread.join(timeout=10)
        self._stream.close()


@dataclass
class Served:
    process: subprocess.Popen[str]
    base: str
    port: int
    url: str
    log: ServerLog
    # One client for every call (an httpx.Client per call builds an SSL context each time, a
    # CPU cost that slowed the races); room for every racer's own connection.
    http: httpx.Client = field(
        default_factory=lambda: httpx.Client(timeout=30, limits=httpx.Limits(max_connections=2 * RACERS))
    )

    def post(self, path: str, body: dict[str, Any], *, client: str = "198.51.100.1", **headers: str) -> Any:
        # Every test names its own client address (the server trusts loopback as its proxy):
        # per-address SMS quotas of one test do not leak into another.
        return self.http.post(
            f"{self.base}{API}{path}", json=body, headers={"X-Forwarded-For": client, **headers}
        )

    def login(self, phone: str, client: str) -> dict[str, str]:
        r = self.post("/auth/sms-code", {"phone": phone}, client=client)
        assert r.status_code == 200, r.text
        r = self.post(
            "/auth/login", {"phone": phone, "code": r.json()["demo_code"], "device_name": "t"}, client=client
        )
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        r = self.http.get(f"{self.base}/metrics")
        assert r.status_code == 200, r.text
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(r.text)
            for sample in family.samples
        }


def _new_database(pg: PgTemplate, tag: str) -> str:
    name = f"shoumen_w_{tag}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg.name}"')
    return name


def _start(url: str, key_dir: Path, env: dict[str, str]) -> Served:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SHOUMEN_", "PROMETHEUS_"))}
    environment.update(
        PYTHONUTF8="1",
        SHOUMEN_LOG_FORMAT="json",
        SHOUMEN_TRUSTED_PROXIES="127.0.0.1",
        SHOUMEN_DB_POOL_SIZE=str(POOL_SIZE),
        SHOUMEN_DB_MAX_OVERFLOW=str(MAX_OVERFLOW),
        **env,
    )
    command = [
        sys.executable,
        "-m",
        "shoumen_server",
        "serve",
        "--workers",
        "2",
        "--demo",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(
        [*command, "--database-url", url, "--key-dir", str(key_dir), "--graceful-timeout", "20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        env=environment,
    )
    log = ServerLog(process.stdout)
    started = log.wait_for(
        lambda lines: sum("Application startup complete" in line for line in lines) >= 2 or "" in lines, 90
    )
    if not started or process.poll() is not None:
        process.kill()
        pytest.fail("serve --workers 2 did not start:\n" + "\n".join(log.lines[-40:]))
    return Served(process, f"http://127.0.0.1:{port}", port, url, log)


def _stop(served: Served) -> int:
    if served.process.poll() is None:
        served.process.send_signal(signal.SIGTERM)
    code = served.process.wait(timeout=60)
    served.log.close()
    served.http.close()
    return code


@pytest.fixture(scope="module")
def pg(pg_template: PgTemplate) -> PgTemplate:
    return pg_template


@pytest.fixture(scope="module")
def workers(pg: PgTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the module (its start costs seconds): a small pool, a lookup burst of 7,
    an SMS quota of 7 per client. The drain test stops it last."""
    name = _new_database(pg, "race")
    keys = tmp_path_factory.mktemp("workers") / "keys"
    shutil.copytree(pg.key_dir, keys)
    served = _start(
        _pg_database_url(name),
        keys,
        {
            "SHOUMEN_SMS_MAX_PER_CLIENT_HOUR": str(SMS_CLIENT_QUOTA),
            "SHOUMEN_LOOKUP_STAFF_BURST": str(LOOKUP_BURST),
            "SHOUMEN_LOOKUP_STAFF_PER_MINUTE": "0.001",  # no refill during the race
            "SHOUMEN_LOOKUP_VENUE_BURST": "1000",
        },
    )
    yield served
    assert _stop(served) == 0
    # serve made its own PROMETHEUS_MULTIPROC_DIR and removed it when it stopped.
    made = [json.loads(line)["message"] for line in served.log.lines if "metrics of all workers" in line]
    assert len(made) == 1
    assert not Path(made[0].split(" from ")[1].split(" ")[0]).exists()
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at once: each thread waits at a barrier, then sends."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


class PoolWatch:
    """Samples the server's connections per worker process while a race runs."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.peak: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        with psycopg.connect(_libpq(self.url), autocommit=True) as conn:
            while not self._stop.is_set():
                rows = conn.execute(
                    "SELECT application_name, count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name LIKE 'shoumen/%' "
                    "GROUP BY application_name"
                ).fetchall()
                for name, count in rows:
                    self.peak[name] = max(self.peak.get(name, 0), int(count))
                self._stop.wait(0.005)

    def __enter__(self) -> PoolWatch:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def _delta(before: dict[Any, float], after: dict[Any, float], name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_sms_quota_holds_across_two_workers(workers: Served) -> None:
    before = workers.metrics()
    phones = [f"1350000{n:04d}" for n in range(RACERS)]
    answers = _race(
        [lambda p=p: workers.post("/auth/sms-code", {"phone": p}, client="198.51.100.20") for p in phones]
    )
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(200) == SMS_CLIENT_QUOTA, statuses
    assert {r.json()["error"]["code"] for r in answers if r.status_code != 200} == {"sms_client_limit"}

    # One phone, 40 requests from 40 addresses: one code a minute, whoever asks.
    one = _race(
        [
            lambda n=n: workers.post(
                "/auth/sms-code", {"phone": "13500009999"}, client=f"198.51.100.{100 + n}"
            )
            for n in range(RACERS)
        ]
    )
    assert sorted(r.status_code for r in one).count(200) == 1
    assert {r.json()["error"]["code"] for r in one if r.status_code != 200} == {"sms_too_frequent"}

    after = workers.metrics()
    sent = _delta(before, after, "shoumen_sms_sends_total", provider="dev", purpose="login", outcome="sent")
    assert sent == SMS_CLIENT_QUOTA + 1  # both workers' sends, added up
    route = "/api/v1/auth/sms-code"
    assert (
        _delta(before, after, "shoumen_rate_limited_total", route=route) == 2 * RACERS - SMS_CLIENT_QUOTA - 1
    )


def test_lookup_bucket_holds_across_two_workers_within_the_pool(workers: Served) -> None:
    staff = workers.login(HOSPITAL_STAFF[0][0], client="198.51.100.30")
    me = workers.http.get(f"{workers.base}{API}/me", headers=staff).json()
    venue_id = me["venues"][0]["venue_id"]
    before = workers.metrics()
    with PoolWatch(workers.url) as watch:
        answers = _race(
            [
                lambda: workers.post(f"/venues/{venue_id}/lookup", {"document": {"number": GREEN}}, **staff)
                for _ in range(RACERS)
            ]
        )
    statuses = [r.status_code for r in answers]
    assert statuses.count(200) == LOOKUP_BURST, sorted(statuses)
    assert {r.json()["error"]["code"] for r in answers if r.status_code != 200} == {"lookup_rate_limited"}

    after = workers.metrics()
    assert _delta(before, after, "shoumen_lookups_total", outcome="answered") == LOOKUP_BURST
    assert _delta(before, after, "shoumen_lookups_total", outcome="rate_limited") == RACERS - LOOKUP_BURST
    served = _delta(
        before,
        after,
        "shoumen_http_request_duration_seconds_count",
        method="POST",
        route="/api/v1/venues/{venue_id}/lookup",
    )
    assert served == RACERS
    # Connections: both workers served, none past its pool (size + overflow).
    print("peak connections per worker:", watch.peak)
    assert len(watch.peak) == 2, watch.peak
    assert max(watch.peak.values()) <= POOL_SIZE + MAX_OVERFLOW, watch.peak


def test_json_log_lines_carry_no_phone_or_id_number(workers: Served) -> None:
    lines = [line for line in workers.log.lines if line]
    assert len(lines) > 2 * RACERS  # the access lines of the races at least
    for line in lines:
        entry = json.loads(line)  # one object per line, nothing else
        assert {"time", "level", "logger", "message"} <= entry.keys(), line
        assert not PHONE_RE.search(line) and not RESIDENT_ID_RE.search(line), line
        assert GREEN not in line, line


def _push_body(venue_id: int, ids: list[str]) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    checks = [
        {
            "id": check_id,
            "venue_id": venue_id,
            "checkpoint_id": None,
            "method": "scan",
            "checked_at": now,
            "level": "pass",
            "findings": [{"source": "health_code", "state": "ok", "reason": "green", "message": "绿码"}],
            "person_ref": f"P{uuid.uuid4().hex[:12]}",
            "masked_name": "张*",
            "masked_id": "330624********1234",
        }
        for check_id in ids
    ]
    return {"device_id": "drain-test", "checks": checks, "anomalies": []}


def _refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True


def test_an_idle_connection_stays_open_past_gunicorns_default(workers: Served) -> None:
    # The keep-alive of gunicorn's workers is KEEP_ALIVE_SECONDS, not its own 5 s default
    # (test_keep_alive.py says why; the single-process serve is checked there).
    assert asked_again_after(workers.port, IDLE) == ("HTTP/1.1 200 OK", "HTTP/1.1 200 OK")


def test_sigterm_drains_an_inflight_push(workers: Served) -> None:
    """Last in this file: it stops the module's server (the fixture then only checks exit 0)."""
    served, url = workers, workers.url
    staff = served.login(HOSPITAL_STAFF[1][0], client="198.51.100.40")
    me = served.http.get(f"{served.base}{API}/me", headers=staff).json()
    venue_id = me["venues"][0]["venue_id"]
    ids = [str(uuid.uuid4()) for _ in range(3)]
    result: dict[str, Any] = {}
    with psycopg.connect(_libpq(url)) as holder:
        # Inserts into checks wait behind this lock; reads do not.
        holder.execute("LOCK TABLE checks IN SHARE MODE")
        pusher = threading.Thread(
            target=lambda: result.update(r=served.post("/sync/push", _push_body(venue_id, ids), **staff))
        )
        pusher.start()
        with psycopg.connect(_libpq(url), autocommit=True) as watch:

            def push_waits() -> bool:
                row = watch.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND application_name LIKE 'shoumen/%'"
                ).fetchone()
                return bool(row and row[0] >= 1)

            _wait_until(push_waits, 30, "the push to wait on the lock")
        served.process.send_signal(signal.SIGTERM)
        _wait_until(lambda: _refused(served.port), 10, "new connections to be refused")
        assert served.process.poll() is None  # still draining: the push is in flight
        assert "r" not in result
        holder.rollback()  # releases the lock
    pusher.join(timeout=30)
    response = result["r"]
    assert response.status_code == 200, response.text
    assert sorted(response.json()["accepted"]) == sorted(ids)
    assert served.process.wait(timeout=30) == 0
    with psycopg.connect(_libpq(url)) as conn:
        rows = conn.execute("SELECT id::text FROM checks WHERE id::text = ANY(%s)", (ids,)).fetchall()
    assert sorted(row[0] for row in rows) == sorted(ids)  # each exactly once
