"""The embedded backend: the real server, in a thread, on 127.0.0.1 (DESIGN §6).

The app still talks HTTP to it, so there is one code path whether the backend is here or
remote. The server's SQLite file lives in the data folder; the first run creates it at the
schema's head and seeds the demo data, later runs migrate it. start() and stop() block: call them
off the GUI thread (tasks.py).

The port is chosen by the OS (we bind port 0 ourselves and hand the socket to uvicorn), and
kept: stop() then start() brings the backend back on the same URL, so a client that was
talking to it finds it again (the offline/online test does exactly that).

The app itself runs it in a process of its own (EmbeddedProcess, issue 18 §3): importing
FastAPI, SQLAlchemy and pydantic and migrating costs more than the whole GUI, and a thread
would hold the GIL the GUI's imports need. The process is started first thing in main(), so
the server comes up on the second core while the GUI loads on the first. The app binds the
process's listening socket itself, so a kept session's workbench and the login page need not
wait for it (ui/flow.py); a first start with --demo-login shows "正在启动本机演示服务…" until it
answers. A station on a remote server never starts it (nor imports the server).
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Protocol

log = logging.getLogger("shoumen.gui.embedded")

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 30.0
SERVE_FLAG = "--embedded-backend"  # `shoumen --embedded-backend DB`: the backend process (app.main)
SOCKET_FD_FLAG = "--socket-fd"  # the listening socket the backend process inherits from the app
# POSIX passes a socket to a child by its descriptor (pass_fds); elsewhere the child binds its
# own and the app learns its port from the announcement.
INHERIT_SOCKET = os.name == "posix"
STOP_TIMEOUT = 10.0
_RELAYED = "shoumen-log "  # a log record of the backend process on its stderr: "<prefix><json>"

# The demo accounts as the backend process announced them (demo_accounts() then needs no server
# import in the GUI process).
_announced_accounts: list[tuple[str, str, str, str]] | None = None


class LocalBackend(Protocol):
    """What the session flow and the app need of a backend on this machine."""

    @property
    def db_path(self) -> Path: ...

    @property
    def url(self) -> str: ...

    def listen(self) -> str | None:
        """The URL requests can go to before the backend serves (they wait in its listening
        socket's backlog, issue 18 §3), or None: start() gives it."""
        ...

    def start(self, timeout: float = STARTUP_TIMEOUT) -> str: ...

    def close(self) -> None: ...


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
        # A first start's empty file is created at the head without Alembic (the same schema).
        migrate_database(self.database_url, key_dir=self.key_dir, create_empty=True)
        if self.seed:
            self.first_run = _seed_demo(self.database_url, self.key_dir)
        log.info(
            "embedded database ready in %.2f s (first run: %s)", time.perf_counter() - began, self.first_run
        )

    def listen(self) -> str | None:
        """In a thread (tests): its URL comes from start()."""
        return None

    def start(self, timeout: float = STARTUP_TIMEOUT, sock: socket.socket | None = None) -> str:
        """Prepare the database (once), start serving, and return the base URL. `sock`: a
        listening socket to serve on (the app's, inherited by the backend process)."""
        with self._lock:
            if self.running:
                return self.url
            if self._app is None:
                self.prepare_database()
            if sock is None:
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
    if _announced_accounts is not None:
        return list(_announced_accounts)
    from shoumen_server import seed

    hospital, shop = seed.HOSPITAL_NAME, seed.SHOP_NAME
    accounts = [(phone, name, hospital, "guard") for phone, name in seed.HOSPITAL_STAFF]
    accounts.append((seed.HOSPITAL_OWNER[0], seed.HOSPITAL_OWNER[1], hospital, "admin"))
    accounts.append((seed.SHOP_OWNER[0], seed.SHOP_OWNER[1], shop, "admin"))
    phone, name, _region, region_name = seed.SUPERVISOR
    accounts.append((phone, name, region_name, "supervisor"))
    return accounts


def _listening_socket(port: int) -> socket.socket:
    """For the backend process: its last port again (a client that knew the URL finds it), or
    any free one when that is taken now."""
    try:
        return _bind(port, blocking=True)
    except EmbeddedBackendError:
        if not port:
            raise
        log.info("port %d is taken now; the backend process gets another", port)
        return _bind(0, blocking=True)


def _bind(port: int, *, blocking: bool = False) -> socket.socket:
    """A listening socket on HOST:port (0: the OS chooses). blocking=True for one handed to the
    backend process (a descriptor shares its flags; the child sets what it serves with)."""
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
    sock.setblocking(blocking)
    return sock


def _create_app(database_url: str, key_dir: Path, public_url: str, options: dict[str, Any]) -> Any:
    from shoumen_server.app import create_app
    from shoumen_server.settings import ServerSettings

    # server_options may name another public_base_url (a test of a server whose codes point
    # at a public https address); by default the codes point at this loopback backend.
    fields: dict[str, Any] = {"public_base_url": public_url, **options}
    settings = ServerSettings(database_url=database_url, key_dir=str(key_dir), demo_mode=True, **fields)
    return create_app(settings, later_routers=True)  # the rest at their first request


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


# --- the backend in a process of its own (the app's start-up) ----------------------------------


def backend_command(db_path: Path, *, hold: bool = False, socket_fd: int | None = None) -> list[str]:
    """The command of the backend process: the bundle's own executable with an argument (a
    PyInstaller bundle has no `python -m`), else this interpreter on the package.
    socket_fd: the listening socket it inherits and serves on."""
    arguments = [SERVE_FLAG, str(db_path), *(["--hold"] if hold else [])]
    if socket_fd is not None:
        arguments += [SOCKET_FD_FLAG, str(socket_fd)]
    if getattr(sys, "frozen", False):
        return [sys.executable, *arguments]
    return [sys.executable, "-m", "shoumen_gui", *arguments]


class EmbeddedProcess:
    """The embedded backend in a child process; spawn() returns at once, start() waits for it.

    spawn() binds the listening socket here and the child inherits it, so the URL is known at
    once: a request sent before the child serves waits in the socket's backlog rather than being
    refused (the app opens a kept session's workbench meanwhile, issue 18 §3); if the child dies,
    the socket closes with it and those requests fail as any unreachable server's do.
    The child announces itself with one JSON line on its stdout ({"url", "first_run",
    "demo_accounts"} or {"error"}); its log records come over its stderr and are logged here
    (one log file). It stops when its stdin closes: close(), or this process dying.
    hold=True (tests): the child waits for release() before it serves and announces itself.
    """

    def __init__(self, db_path: Path, *, hold: bool = False) -> None:
        self._db_path = db_path
        self.hold = hold
        self.port = 0
        self.first_run = False
        self._process: subprocess.Popen[str] | None = None
        self._announced: queue.Queue[str] = queue.Queue()
        self._relay: threading.Thread | None = None
        self._lock = threading.RLock()  # spawn() from the GUI thread and start() from a worker
        self._ready = False
        self._listening = False  # the child serves on a socket bound here: self.port is known

    @property
    def db_path(self) -> Path:
        return self._db_path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def ready(self) -> bool:
        """Announced and still running."""
        return self._ready and self._process is not None and self._process.poll() is None

    def listen(self) -> str | None:
        """Spawned (if not yet) and its socket listening, not serving yet: the URL. None: ask
        start() (it serves already, or the child binds its own socket and announces the port)."""
        self.spawn()
        return self.url if self._listening and not self.ready else None

    def spawn(self) -> None:
        """Start the child (no wait): main() calls this before it imports the GUI."""
        with self._lock:
            self._spawn()

    def _spawn(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        self._ready = False
        self._announced = queue.Queue()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        sock = _listening_socket(self.port) if INHERIT_SOCKET else None
        try:
            fd = None if sock is None else sock.fileno()
            self._process = subprocess.Popen(
                backend_command(self._db_path, hold=self.hold, socket_fd=fd),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=env,
                pass_fds=() if fd is None else (fd,),
            )
            if sock is not None:
                self.port = sock.getsockname()[1]
                self._listening = True
        finally:
            if sock is not None:  # the child holds it now: it closes when the child ends
                sock.close()
        process = self._process
        assert process.stdout is not None and process.stderr is not None
        announced = self._announced
        threading.Thread(
            target=_read_announcement, args=(process.stdout, announced), name="embedded-announce", daemon=True
        ).start()
        self._relay = threading.Thread(
            target=_relay_logs, args=(process.stderr,), name="embedded-log", daemon=True
        )
        self._relay.start()
        log.info("embedded backend process started (pid %d)", process.pid)

    def release(self) -> None:
        """hold=True: let the child serve and announce itself."""
        process = self._process
        if process is not None and process.stdin is not None:
            process.stdin.write("go\n")
            process.stdin.flush()

    def start(self, timeout: float = STARTUP_TIMEOUT) -> str:
        """Blocks (a worker thread, never the GUI's) until the backend answers; returns its URL."""
        with self._lock:
            if self.ready:
                return self.url
            self.spawn()
            try:
                line = self._announced.get(timeout=timeout)
            except queue.Empty:
                raise EmbeddedBackendError(
                    f"the embedded backend did not start within {timeout:.0f} s"
                ) from None
            answer: dict[str, Any]
            try:
                answer = (
                    json.loads(line) if line else {"error": "the embedded backend stopped while starting"}
                )
            except ValueError:
                answer = {"error": "the embedded backend answered nonsense"}
            if "error" in answer:
                self._reap()
                raise EmbeddedBackendError(str(answer["error"]))
            global _announced_accounts
            _announced_accounts = [
                (str(phone), str(name), str(place), str(role))
                for phone, name, place, role in answer["demo_accounts"]
            ]
            self.port, self.first_run = int(answer["port"]), bool(answer["first_run"])
            self._ready = True
            log.info(
                "embedded backend up on %s (first run: %s; its start cost %.2f s of CPU)",
                self.url,
                self.first_run,
                float(answer.get("cpu_seconds", 0.0)),
            )
            return self.url

    def close(self) -> None:
        """Stop the child: its stdin closes, it stops serving and exits; killed if it hangs."""
        with self._lock:
            self._reap()

    def _reap(self) -> None:
        process, self._process = self._process, None
        self._ready = self._listening = False
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):  # it is gone already
                process.stdin.close()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            log.warning("embedded backend did not stop within %.0f s; killed", STOP_TIMEOUT)
            process.kill()
            process.wait()
        if self._relay is not None:
            self._relay.join(STOP_TIMEOUT)  # its last lines into the log before logging stops
        if process.stdout is not None:
            process.stdout.close()
        log.info("embedded backend stopped (exit %s)", process.returncode)


def _read_announcement(stream: IO[str], into: queue.Queue[str]) -> None:
    try:
        line = stream.readline()
    except (OSError, ValueError):
        line = ""
    into.put(line.strip())


def _relay_logs(stream: IO[str]) -> None:
    """The child's log records, logged here; any other line (a crash's traceback) as an error."""
    relayed = logging.getLogger("shoumen.gui.embedded.process")
    try:
        for line in stream:
            line = line.rstrip("\n")
            if line.startswith(_RELAYED):
                try:
                    record = json.loads(line[len(_RELAYED) :])
                    logging.getLogger(record["name"]).log(int(record["level"]), "%s", record["message"])
                    continue
                except (ValueError, KeyError, TypeError):
                    pass
            if line:
                relayed.error("%s", line)
    except (OSError, ValueError):  # closed under us at exit
        pass
    finally:
        stream.close()


class _RelayHandler(logging.Handler):
    """In the child: each record as one JSON line on stderr, for the app's log (PII already
    filtered here; the app's handlers filter again)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
            line = json.dumps({"name": record.name, "level": record.levelno, "message": message})
            sys.stderr.write(_RELAYED + line + "\n")
            sys.stderr.flush()
        except Exception:  # never let a log line kill the backend
            self.handleError(record)


def serve_main(argv: Sequence[str]) -> int:
    """`shoumen --embedded-backend DB [--hold]`: the backend process. Imports no Qt, nor the
    GUI's modules (__main__ routes here before importing shoumen_gui.app)."""
    # No garbage collection while starting: the imports (FastAPI, SQLAlchemy, pydantic: ~190k
    # tracked objects, almost none garbage) made the collector run ~300 times, ~0.25 s of a ~1.6 s
    # start. After the announcement everything made so far is frozen (never scanned again:
    # later collections stay short while serving) and collection resumes; the ~3k garbage
    # objects of the start (~1 MB) stay with the frozen ones rather than a ~0.2 s full
    # collection while the app's first requests arrive.
    gc.disable()
    from shoumen_gui.import_trims import defer_model_builds, skip_unused_imports
    from shoumen_gui.logging_setup import PiiFilter

    skip_unused_imports()  # as app.main() does, without importing app
    defer_model_builds()
    args = list(argv)
    db_path = Path(args[args.index(SERVE_FLAG) + 1])
    handler = _RelayHandler()
    handler.addFilter(PiiFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for noisy in (
        "uvicorn.access",
        "httpx",
        "httpcore",
        "alembic.runtime.migration",
        "alembic.runtime.plugins",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    backend = EmbeddedBackend(db_path)
    sock = None
    if SOCKET_FD_FLAG in args:  # the app's listening socket: requests may be waiting on it already
        sock = socket.socket(fileno=int(args[args.index(SOCKET_FD_FLAG) + 1]))
        sock.setblocking(False)
        backend.port = sock.getsockname()[1]
    if "--hold" in args:  # tests: not serving yet, until released (requests wait in the backlog)
        sys.stdin.readline()
    try:
        backend.start(sock=sock)
        answer: dict[str, Any] = {
            "port": backend.port,
            "first_run": backend.first_run,
            "demo_accounts": demo_accounts(),
            "cpu_seconds": round(time.process_time(), 3),  # the start-up's own cost (bench, log)
        }
    except Exception as exc:  # the app shows it: 本机演示服务无法启动
        log.exception("embedded backend failed to start")
        answer = {"error": str(exc) or type(exc).__name__}
    print(json.dumps(answer), flush=True)
    gc.freeze()
    gc.enable()
    if "error" in answer:
        return 1
    sys.stdin.read()  # until the app closes our stdin (or dies)
    backend.close()
    return 0
