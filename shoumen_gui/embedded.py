"""The embedded backend: the real server, in a thread, on 127.0.0.1 (DESIGN §6).

The app still talks HTTP to it, so there is one code path whether the backend is here or
remote. The server's SQLite file lives in the data folder; the first run migrates it and seeds
the demo data. start() and stop() block: call them off the GUI thread (tasks.py).

The port is chosen by the OS (we bind port 0 ourselves and hand the socket to uvicorn), and
kept: stop() then start() brings the backend back on the same URL, so a client that was
talking to it finds it again (the offline/online test does exactly that).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("shoumen.gui.embedded")

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 30.0


class EmbeddedBackendError(RuntimeError):
    """The embedded backend could not start (port, database, migration)."""


class EmbeddedBackend:
    def __init__(
        self, db_path: Path, *, port: int = 0, seed: bool = True, server_options: dict[str, Any] | None = None
    ) -> None:
        self.db_path = db_path
        self.port = port
        self.seed = seed
        self.server_options = server_options or {}  # extra ServerSettings fields (tests)
        self._server: Any = None  # uvicorn.Server, imported lazily (it is slow to import)
        self._thread: threading.Thread | None = None
        self._app: Any = None
        self._lock = threading.Lock()
        self.first_run = False

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    @property
    def key_dir(self) -> Path:
        """The server's key secrets: a 0700 folder beside the database in the user data folder
        (never inside the database, so a copy of the file alone signs and decrypts nothing)."""
        return self.db_path.with_name(f"{self.db_path.stem}-keys")

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and bool(self._server.started)

    def prepare_database(self) -> None:
        """Migrate (every start: an app update may bring new migrations) and seed the demo data.

        The seed is idempotent (the server remembers it); on later starts the demo persons' NAT
        times are moved back relative to now, so the verdicts in docs/DEMO.md stay true.
        """
        from shoumen_server.setup_db import migrate_database

        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        migrate_database(self.database_url, key_dir=self.key_dir)
        if self.seed:
            self.first_run = _seed_demo(self.database_url, self.key_dir)
        log.info(
            "embedded database ready in %.2f s (first run: %s)", time.perf_counter() - began, self.first_run
        )

    def start(self, timeout: float = STARTUP_TIMEOUT) -> str:
        """Prepare the database (once), start serving, and return the base URL."""
        with self._lock:
            if self.running:
                return self.url
            if self._app is None:
                self.prepare_database()
            sock = _bind(self.port)
            self.port = sock.getsockname()[1]
            self._start_server(sock, timeout)
            log.info("embedded backend listening on %s", self.url)
            return self.url

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            server, thread = self._server, self._thread
            if server is None or thread is None:
                return
            server.should_exit = True
            thread.join(timeout)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout)
            self._thread = None
            log.info("embedded backend stopped")

    def close(self) -> None:
        """Stop serving and release the database engine."""
        self.stop()
        if self._app is not None:
            self._app.state.engine.dispose()
            self._app = None

    def _start_server(self, sock: socket.socket, timeout: float) -> None:
        import uvicorn

        if self._app is None:
            self._app = _create_app(self.database_url, self.key_dir, self.url, self.server_options)
        config = uvicorn.Config(
            self._app,
            log_config=None,  # keep our logging set-up (and its PII filter)
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="embedded-backend", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + timeout
        # uvicorn offers no "started" event; this wait is on a worker thread, never the GUI's.
        while not server.started:
            if not thread.is_alive():
                sock.close()
                self._thread = None
                raise EmbeddedBackendError("the embedded backend stopped while starting")
            if time.monotonic() > deadline:
                server.should_exit = True
                raise EmbeddedBackendError(f"the embedded backend did not start within {timeout:.0f} s")
            time.sleep(0.01)


def demo_accounts() -> list[tuple[str, str, str, str]]:
    """(phone, name, place, role) of the demo accounts, for the login page's hint: those that
    check visitors and the township supervisor (issue 16 §10: 区域监管 is part of the demo too).
    role is "guard", "admin" or "supervisor": the login page says it in the app's language."""
    from shoumen_server import seed

    hospital, shop = seed.HOSPITAL_NAME, seed.SHOP_NAME
    accounts = [(phone, name, hospital, "guard") for phone, name in seed.HOSPITAL_STAFF]
    accounts.append((seed.HOSPITAL_OWNER[0], seed.HOSPITAL_OWNER[1], hospital, "admin"))
    accounts.append((seed.SHOP_OWNER[0], seed.SHOP_OWNER[1], shop, "admin"))
    phone, name, _region, region_name = seed.SUPERVISOR
    accounts.append((phone, name, region_name, "supervisor"))
    return accounts


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this; without it Nagle meets delayed ACK and every keep-alive
    # request costs ~40 ms (uvicorn sets it only on sockets it binds itself).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise EmbeddedBackendError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from exc
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _create_app(database_url: str, key_dir: Path, public_url: str, options: dict[str, Any]) -> Any:
    from shoumen_server.app import create_app
    from shoumen_server.settings import ServerSettings

    # server_options may name another public_base_url (a test of a server whose codes point
    # at a public https address); by default the codes point at this loopback backend.
    fields: dict[str, Any] = {"public_base_url": public_url, **options}
    settings = ServerSettings(database_url=database_url, key_dir=str(key_dir), demo_mode=True, **fields)
    return create_app(settings)


def _seed_demo(database_url: str, key_dir: Path) -> bool:
    """Seed on the first run, refresh the demo times later; True when this run seeded."""
    from shoumen_core.timeutil import utcnow
    from shoumen_server import seed
    from shoumen_server.db import make_engine, make_session_factory
    from shoumen_server.keys import FileKeyProvider, KeyStore

    engine = make_engine(database_url)
    try:
        sessions = make_session_factory(engine)
        with sessions() as session:
            keys = KeyStore.load(session, FileKeyProvider(key_dir))
        now = utcnow()
        result = seed.seed_demo(sessions, keys, now)
        if not result.created:
            seed.refresh_demo_times(sessions, keys, now)
        return result.created
    finally:
        engine.dispose()
