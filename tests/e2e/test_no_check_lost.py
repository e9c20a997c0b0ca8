"""No check is ever lost or counted twice: real `shoumen-server serve` processes, real HTTP, the
station's SQLite outbox on disk, PostgreSQL for the backend where it matters.

1. A station goes offline for 50 checks (the server process is stopped), the server comes back
   on the same port and database: every check arrives exactly once.
2. The station process is killed (SIGKILL) in the middle of a push, before the request reached
   the server or after the server committed but before the answer arrived; a new process on the
   same outbox file resends: every check is stored and counted exactly once.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from shoumen_core.identity import DocumentKind, make_resident_id
from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import StatsScope
from shoumen_core.timeutil import local_day, utcnow
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.checks import CheckContext, CheckResult, CheckService, ResultSource
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.services.sync import SyncEngine
from shoumen_server.health import RegistryHealthSource, issue_code_for
from shoumen_server.keys import FileKeyProvider, KeyStore
from shoumen_server.models import Check
from shoumen_server.seed import DEMO_PATHS, HOSPITAL_NAME, HOSPITAL_STAFF, DemoPath
from tests.conftest import postgres_url
from tests.ports import free_port

pytestmark = pytest.mark.slow

GUARD_PHONE = HOSPITAL_STAFF[0][0]  # 13900000002 李保安 (docs/DEMO.md)
START_TIMEOUT = 45.0
SYNC_TIMEOUT = 30.0
PUSH_LINE = b"POST /api/v1/sync/push "
_MANUAL = (VerdictLevel.REVIEW, VerdictLevel.CANNOT_VERIFY)  # the guard decides


# ---- the server as a process ------------------------------------------------------------------


@dataclass
class ServerProcess:
    """`python -m shoumen_server serve --demo` on 127.0.0.1:port; start() waits until it answers."""

    database_url: str
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def key_dir(self) -> Path:
        """The server's key directory (PostgreSQL has no default one), beside its log."""
        return self.log.with_name("server-keys")

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None
        command = [sys.executable, "-m", "shoumen_server", "serve", "--demo"]
        command += [
            "--database-url",
            self.database_url,
            "--port",
            str(self.port),
            "--key-dir",
            str(self.key_dir),
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUTF8": "1"}
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited ({self.process.returncode}):\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/api/v1/info", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within {START_TIMEOUT:.0f} s:\n{self.tail()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM, as an operator stops it; SIGKILL if it does not go within 20 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[ServerProcess]]:
    """Server processes a test starts; all stopped at the end, whatever happened."""
    started: list[ServerProcess] = []
    try:
        yield started
    finally:
        for server in started:
            server.stop()


def start_server(servers: list[ServerProcess], database_url: str, port: int, log: Path) -> ServerProcess:
    server = ServerProcess(database_url, port, log)
    servers.append(server)
    server.start()
    return server


# ---- PostgreSQL -------------------------------------------------------------------------------


def _pg_execute(sql: str) -> None:
    engine = create_engine(postgres_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (the server migrates and seeds it); dropped after."""
    name = f"shoumen_e2e_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = make_url(postgres_url()).set(database=name).render_as_string(hide_password=False)
    _pg_execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---- the server's database, read directly -----------------------------------------------------


def server_check_ids(database_url: str) -> list[uuid.UUID]:
    """Every row of the server's `checks` table (a list: duplicates would show)."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            ids = list(session.scalars(select(Check.id)))
            total = session.scalar(select(func.count()).select_from(Check))
            distinct = session.scalar(select(func.count(func.distinct(Check.id))))
    finally:
        engine.dispose()
    assert total == distinct == len(ids)
    return [value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)) for value in ids]


def issue_codes(database_url: str, paths: list[DemoPath], key_dir: Path) -> list[str]:
    """Personal codes of demo persons, signed with the server database's key (as issue-code)."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            keys = KeyStore.load(session, FileKeyProvider(key_dir))
            source = RegistryHealthSource(session, keys)
            codes = []
            for path in paths:
                record = source.find_by_document(path.kind, path.number)
                assert record is not None, path.key
                codes.append(issue_code_for(keys, record, utcnow()))
    finally:
        engine.dispose()
    return codes


# ---- the station --------------------------------------------------------------------------------


def log_in(url: str) -> ApiClient:
    """The demo guard, logged in with the code a demo-mode server hands back."""
    api = ApiClient(url)
    sms = api.auth.request_sms_code(GUARD_PHONE)
    assert sms.demo_code is not None
    api.auth.login(GUARD_PHONE, sms.demo_code, "e2e")
    return api


@dataclass
class Station:
    cache: LocalCache
    api: ApiClient
    connectivity: Connectivity
    service: CheckService
    engine: SyncEngine
    venue_id: int
    user_id: int
    results: list[CheckResult] = field(default_factory=list)

    def check_document(self, number: str, kind: DocumentKind | None = None) -> CheckResult:
        result = self.service.check_document(number, kind)
        self.results.append(result)
        return result

    def check_text(self, text_: str) -> CheckResult:
        result = self.service.check_text(text_)
        self.results.append(result)
        return result

    def sync_until_drained(self) -> None:
        """Sync rounds (as the outbox thread runs them) until nothing is pending."""
        deadline = time.monotonic() + SYNC_TIMEOUT
        status = self.engine.sync_now(self.venue_id, self.user_id)
        while status.pending or not status.online:
            assert time.monotonic() < deadline, status
            time.sleep(0.05)
            status = self.engine.sync_now()
        assert status.rejected == 0, status

    def close(self) -> None:
        self.cache.close()


def open_station(cache_path: Path, api: ApiClient) -> Station:
    """A station wired like the app: the guard's hospital, its first checkpoint, one pull."""
    me = api.auth.me()
    venue = next(v for v in me.venues if v.venue_name == HOSPITAL_NAME)
    cache = LocalCache.open(cache_path)
    connectivity = Connectivity()
    service = CheckService(cache, api, connectivity)
    service.set_context(CheckContext(venue.venue_id, venue.checkpoints[0].id, me.user.id, cache.device_id()))
    engine = SyncEngine(cache, api, connectivity)
    # A pull only (the configuration, trust list and sealing key): the outbox is left alone.
    cache.apply_pull(
        venue.venue_id,
        api.sync.pull(venue.venue_id, cache.cursor(venue.venue_id)),
        utcnow(),
        user_id=me.user.id,
    )
    assert cache.venue_config(venue.venue_id) is not None
    return Station(cache, api, connectivity, service, engine, venue.venue_id, me.user.id)


def unknown_ids(n: int) -> list[str]:
    """Valid resident IDs that are not in the registry."""
    return [make_resident_id("330624", date(1960, 1, 1) + timedelta(days=97 * i), 500 + i) for i in range(n)]


def check_offline_documents(station: Station, paths: list[DemoPath], unknown: list[str]) -> None:
    for path in paths:
        result = station.check_document(path.number, path.kind)
        assert (result.source, result.level) == (ResultSource.OFFLINE_UNVERIFIED, VerdictLevel.CANNOT_VERIFY)
    for number in unknown:
        result = station.check_document(number)
        assert (result.source, result.level) == (ResultSource.OFFLINE_UNVERIFIED, VerdictLevel.CANNOT_VERIFY)


def check_offline_codes(station: Station, paths: list[DemoPath], codes: list[str]) -> None:
    """Signed codes are verified on the device: the real verdict, from the snapshot."""
    for path, code in zip(paths, codes, strict=True):
        result = station.check_text(code)
        assert (result.source, result.level) == (ResultSource.OFFLINE_SNAPSHOT, path.expected), path.key


def assert_counted_once(station: Station, database_url: str) -> None:
    """The server holds exactly the device's checks, once each, and counts each once."""
    device_ids = [result.record_id for result in station.results]
    assert len(set(device_ids)) == len(device_ids)
    server_ids = server_check_ids(database_url)
    assert len(server_ids) == len(device_ids)
    assert set(server_ids) == set(device_ids)
    conn = sqlite3.connect(station.cache.path)
    try:
        local_rows = conn.execute("SELECT count(*), count(DISTINCT id) FROM checks").fetchone()
    finally:
        conn.close()
    assert tuple(local_rows) == (len(device_ids), len(device_ids))  # the device made nothing else
    by_day: dict[date, Counter[VerdictLevel]] = {}
    for result in station.results:
        by_day.setdefault(local_day(result.checked_at), Counter())[result.level] += 1
    for day, levels in by_day.items():
        for scope in (StatsScope.UNIT, StatsScope.PERSONAL):
            counts = station.api.stats.day(station.venue_id, day, scope).counts
            expected = (
                levels.total(),
                levels[VerdictLevel.PASS],
                levels[VerdictLevel.REVIEW],
                levels[VerdictLevel.DENY] + levels[VerdictLevel.CANNOT_VERIFY],
            )
            assert (counts.checked, counts.passed, counts.review, counts.abnormal) == expected, scope
            assert sum(counts.by_hour) == levels.total()
        local = station.cache.day_counts(station.venue_id, day, StatsScope.UNIT, station.user_id)
        assert local.checked == levels.total()  # the pulled counts, nothing on top


# ---- 1. fifty offline checks, PostgreSQL --------------------------------------------------------


@pytest.mark.postgres
def test_fifty_offline_checks_arrive_exactly_once_on_postgres(
    pg_database: str, servers: list[ServerProcess], tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    server = start_server(servers, pg_database, port, log)
    api = log_in(server.url)
    station = open_station(tmp_path / "station.db", api)
    try:
        # Online: the server judges.
        for path in DEMO_PATHS[:3]:
            result = station.check_document(path.number, path.kind)
            assert (result.source, result.level) == (ResultSource.ONLINE, path.expected), path.key
        station.sync_until_drained()
        assert len(server_check_ids(pg_database)) == 3

        # Personal codes issued while the server is up; then it stops.
        code_paths = [DEMO_PATHS[i % len(DEMO_PATHS)] for i in range(24)]
        codes = issue_codes(pg_database, code_paths, server.key_dir)
        server.stop()

        # 50 checks offline, each with a verdict at once, each committed to the outbox.
        offline_from = len(station.results)
        check_offline_documents(station, list(DEMO_PATHS), unknown_ids(10))
        check_offline_codes(station, code_paths, codes)
        offline = station.results[offline_from:]
        assert len(offline) == 50
        assert all(r.headline and r.needs_manual_decision == (r.level in _MANUAL) for r in offline)
        status = station.engine.sync_now()
        assert (status.online, status.pending) == (False, 50)
        assert station.cache.pending_count() == 50

        # The same server, same port, same database.
        server = start_server(servers, pg_database, port, log)
        assert server.tail().count("demo data seeded") == 1  # the restart seeded nothing again
        station.sync_until_drained()
        assert_counted_once(station, pg_database)
        station.engine.sync_now()  # another round sends nothing twice
        assert len(server_check_ids(pg_database)) == 53
    finally:
        station.close()
        api.close()


# ---- 2. the station killed in the middle of a push ----------------------------------------------


class PushHoldingProxy:
    """127.0.0.1:port -> the server, byte for byte, except for the `hold_at`-th
    `POST /api/v1/sync/push`: "request" holds that request (the server never sees it), "answer"
    forwards it and holds the server's answer (the server has committed; the device never hears).
    `holding` is set once something is held; nothing held is ever delivered."""

    def __init__(self, target_port: int, hold: str, hold_at: int) -> None:
        assert hold in ("request", "answer")
        self.target_port, self.hold, self.hold_at = target_port, hold, hold_at
        self.pushes = 0
        self.holding = threading.Event()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True, name="proxy-accept").start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def key_dir(self) -> Path:
        """The server's key directory (PostgreSQL has no default one), beside its log."""
        return self.log.with_name("server-keys")

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._sockets += [client, upstream]
            held = threading.Event()  # this connection's next answer is to be held
            threading.Thread(target=self._requests, args=(client, upstream, held), daemon=True).start()
            threading.Thread(target=self._answers, args=(upstream, client, held), daemon=True).start()

    def _requests(self, client: socket.socket, upstream: socket.socket, held: threading.Event) -> None:
        tail = b""
        while data := _recv(client):
            window = tail + data
            tail = window[-(len(PUSH_LINE) - 1) :]
            hits = window.count(PUSH_LINE)
            if hits:
                with self._lock:
                    self.pushes += hits
                    hold_now = self.pushes >= self.hold_at and not self.holding.is_set()
                if hold_now and self.hold == "request":
                    self.holding.set()
                    self._closed.wait()
                    return
                if hold_now:
                    held.set()  # before forwarding: the answer cannot overtake the flag
            try:
                upstream.sendall(data)
            except OSError:
                return

    def _answers(self, upstream: socket.socket, client: socket.socket, held: threading.Event) -> None:
        while data := _recv(upstream):
            if held.is_set():
                self.holding.set()
                self._closed.wait()
                return
            try:
                client.sendall(data)
            except OSError:
                return


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


CHILD_PUSH = """
import os, sys
from pathlib import Path
import shoumen_gui.services.sync as sync
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.connectivity import Connectivity

sync.PUSH_BATCH = int(os.environ["SHOUMEN_E2E_BATCH"])
cache = LocalCache.open(Path(sys.argv[1]))
api = ApiClient(sys.argv[2], token=os.environ["SHOUMEN_E2E_TOKEN"], timeout=120)
engine = sync.SyncEngine(cache, api, Connectivity())
print("pushing", cache.pending_count(), flush=True)
status = engine.sync_now(int(sys.argv[3]), int(sys.argv[4]))
print("pushed", status.pending, status.online, flush=True)
"""

N_KILLED = 30
CHILD_BATCH = 10  # the child pushes 3 batches of 10, so "the first batch" is a real batch


@pytest.mark.parametrize(
    ("hold", "hold_at", "on_server_at_kill"),
    [
        pytest.param("request", 1, 0, id="killed-before-the-server-saw-the-push"),
        pytest.param("answer", 1, CHILD_BATCH, id="first-batch-committed-answer-lost"),
        pytest.param("answer", 2, 2 * CHILD_BATCH, id="second-batch-committed-answer-lost"),
    ],
)
def test_app_killed_mid_push_loses_nothing(
    hold: str, hold_at: int, on_server_at_kill: int, servers: list[ServerProcess], tmp_path: Path
) -> None:
    db_url = f"sqlite:///{tmp_path / 'server.db'}"
    server = start_server(servers, db_url, free_port(), tmp_path / "server.log")
    cache_path = tmp_path / "station.db"
    api = log_in(server.url)
    proxy = PushHoldingProxy(server.port, hold, hold_at)
    child: subprocess.Popen[bytes] | None = None
    station = open_station(cache_path, api)
    try:
        # 30 checks committed before any push: 10 judged online, 20 offline.
        online_paths = list(DEMO_PATHS[:8])
        for path in online_paths:
            result = station.check_document(path.number, path.kind)
            assert (result.source, result.level) == (ResultSource.ONLINE, path.expected), path.key
        for number in unknown_ids(2):
            result = station.check_document(number)
            assert (result.source, result.level) == (ResultSource.ONLINE, VerdictLevel.CANNOT_VERIFY)
        code_paths = list(DEMO_PATHS[3:13])
        codes = issue_codes(db_url, code_paths, server.key_dir)
        station.connectivity.mark_offline()
        check_offline_codes(station, code_paths, codes)
        check_offline_documents(station, list(DEMO_PATHS[8:16]), unknown_ids(4)[2:])
        assert len(station.results) == N_KILLED == station.cache.pending_count()
        results, venue_id, user_id = station.results, station.venue_id, station.user_id
        station.close()
        assert server_check_ids(db_url) == []

        # Another process pushes the outbox through the proxy and is killed mid-push.
        script = tmp_path / "push.py"
        script.write_text(CHILD_PUSH, encoding="utf-8")
        env = {
            **os.environ,
            "SHOUMEN_E2E_TOKEN": api.token or "",
            "SHOUMEN_E2E_BATCH": str(CHILD_BATCH),
        }
        with (tmp_path / "child.log").open("wb") as out:
            child = subprocess.Popen(
                [sys.executable, str(script), str(cache_path), proxy.url, str(venue_id), str(user_id)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        assert proxy.holding.wait(START_TIMEOUT), (tmp_path / "child.log").read_text(errors="replace")
        assert child.poll() is None  # still waiting for its push
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
        assert proxy.pushes == hold_at
        # What the server committed before the kill (its answer is sent after the commit).
        assert len(server_check_ids(db_url)) == on_server_at_kill
        child_log = (tmp_path / "child.log").read_text(encoding="utf-8", errors="replace")
        assert f"pushing {N_KILLED}" in child_log and "pushed" not in child_log

        # The app starts again on the same outbox file and pushes, straight to the server.
        acknowledged = (hold_at - 1) * CHILD_BATCH  # the batches whose answer the child applied
        station = open_station(cache_path, api)
        station.results = results
        assert station.cache.pending_count() == N_KILLED - acknowledged
        station.sync_until_drained()
        assert station.cache.pending_count() == 0 and station.cache.rejected_count() == 0
        assert_counted_once(station, db_url)
        station.engine.sync_now()  # and once more: nothing is sent or counted twice
        assert_counted_once(station, db_url)
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait(10)
        proxy.close()
        station.close()
        api.close()
