"""A real backend on 127.0.0.1 for GUI-side tests: uvicorn in a thread, a migrated SQLite file,
the demo seed, demo mode (the SMS answer carries the code).

    server = start_live_server(tmp_path)
    api = server.login("13900000002")          # a logged-in ApiClient (the hospital's guard)
    ...
    server.stop()
    again = start_live_server(tmp_path, port=server.port, database_url=server.database_url)

The first call migrates and seeds a template database once per process; every server gets a
copy, so each test starts from the same state and migrations still run for real.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select

from shoumen_core.identity import parse_document
from shoumen_core.timeutil import utcnow
from shoumen_gui.services.api import ApiClient
from shoumen_server.app import create_app
from shoumen_server.deps import ServerContext
from shoumen_server.health import RegistryHealthSource, issue_code_for
from shoumen_server.keys import default_key_dir
from shoumen_server.models import Check, Checkpoint
from shoumen_server.seed import DEMO_PATHS_BY_KEY, HOSPITAL_OWNER, HOSPITAL_STAFF, seed_demo
from shoumen_server.settings import ServerSettings
from shoumen_server.setup_db import migrate_database

GUARD_PHONE = HOSPITAL_STAFF[0][0]  # 李保安, authorised staff of the hospital
OWNER_PHONE = HOSPITAL_OWNER[0]
SEED_PERSONS = 12
_START_TIMEOUT = 15.0

# For tests and benches of something else than the lookup limits that look visitors up faster
# than a gate does (one every ~3 s): buckets no run can empty.
NO_LOOKUP_LIMITS: dict[str, Any] = {
    "lookup_staff_burst": 10**9,
    "lookup_venue_burst": 10**9,
    "lookup_region_burst": 10**9,
}

_template_lock = threading.Lock()
_template: tuple[Path, tuple[int, ...]] | None = None


def _settings(database_url: str, template: Path, **overrides: Any) -> ServerSettings:
    return ServerSettings(
        database_url=database_url,
        # Every copy of the template shares the template's keys (the secrets are not in the file).
        key_dir=str(default_key_dir(f"sqlite:///{template}")),
        public_base_url="http://127.0.0.1",
        demo_mode=True,
        sms_min_interval_seconds=0,
        sms_max_per_day=1000,
        sms_max_per_client_hour=100_000,  # every test logs in from 127.0.0.1
        **overrides,
    )


def _make_template() -> tuple[Path, tuple[int, ...]]:
    """Migrate and seed once per process; tests copy the file."""
    global _template
    with _template_lock:
        if _template is None:
            folder = Path(tempfile.mkdtemp(prefix="shoumen-live-"))
            atexit.register(shutil.rmtree, folder, True)
            path = folder / "template.db"
            url = f"sqlite:///{path}"
            migrate_database(url)
            app = create_app(_settings(url, path))
            try:
                ctx: ServerContext = app.state.ctx
                result = seed_demo(ctx.sessions, ctx.keys, utcnow(), persons=SEED_PERSONS)
            finally:
                app.state.engine.dispose()
            _template = (path, result.venue_ids)
        return _template


@dataclass
class LiveServer:
    url: str
    port: int
    app: FastAPI
    database_url: str
    venue_ids: tuple[int, ...]  # (hospital, shop) of the demo seed
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _clients: list[ApiClient] = field(default_factory=list, repr=False)

    @property
    def ctx(self) -> ServerContext:
        ctx: ServerContext = self.app.state.ctx
        return ctx

    @property
    def hospital_id(self) -> int:
        return self.venue_ids[0]

    def stop(self) -> None:
        """Stop serving and release the port (idempotent). Clients made by api()/login() stay
        usable: they see the server as unreachable, as a station would."""
        self._server.should_exit = True
        self._thread.join(_START_TIMEOUT)
        self.app.state.engine.dispose()

    def close(self) -> None:
        """stop(), and close the clients made by api()/login() (for fixture teardown)."""
        self.stop()
        for client in self._clients:
            client.close()
        self._clients.clear()

    # ---- helpers for tests ---------------------------------------------------------------

    def api(self, **kwargs: Any) -> ApiClient:
        client = ApiClient(self.url, **kwargs)
        self._clients.append(client)
        return client

    def login(self, phone: str = GUARD_PHONE, **kwargs: Any) -> ApiClient:
        """An ApiClient logged in through the SMS code that demo mode reveals."""
        client = self.api(**kwargs)
        sms = client.auth.request_sms_code(phone)
        assert sms.demo_code is not None
        client.auth.login(phone, sms.demo_code, "pytest")
        return client

    def code_for(self, path_key: str, now: datetime | None = None) -> str:
        """A personal code (signed by this server) of the documented person of a demo path."""
        path = DEMO_PATHS_BY_KEY[path_key]
        document = parse_document(path.number, path.kind)
        with self.ctx.sessions() as session:
            record = RegistryHealthSource(session, self.ctx.keys).find_by_document(
                document.kind, document.number
            )
        assert record is not None, path_key
        return issue_code_for(self.ctx, record, now or utcnow())

    def checkpoint_ids(self, venue_id: int) -> list[int]:
        with self.ctx.sessions() as session:
            rows = session.scalars(select(Checkpoint.id).where(Checkpoint.venue_id == venue_id))
            return sorted(rows)

    def count_checks(self, *where: Any) -> int:
        with self.ctx.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(Check).where(*where)) or 0)

    def check_ids(self) -> list[str]:
        with self.ctx.sessions() as session:
            return [str(value) for value in session.scalars(select(Check.id))]


def start_live_server(
    tmp_path: Path,
    *,
    port: int = 0,
    database_url: str | None = None,
    clock: Callable[[], datetime] = utcnow,
    settings: dict[str, Any] | None = None,
) -> LiveServer:
    """Serve a copy of the seeded template (or `database_url`, e.g. a stopped server's) on
    127.0.0.1:`port` (0 = a free port); `settings`: ServerSettings fields to change."""
    template, venue_ids = _make_template()
    if database_url is None:
        path = tmp_path / f"server-{time.monotonic_ns()}.db"
        shutil.copyfile(template, path)
        database_url = f"sqlite:///{path}"
    app = create_app(_settings(database_url, template, **(settings or {})), clock=clock)
    # uvicorn binds the port itself: handing it a pre-bound socket (`sockets=`) costs ~40 ms
    # per keep-alive request here (Nagle meets delayed ACK on the accepted sockets).
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name="live-server")
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the live server did not start")
        time.sleep(0.005)
    bound_port = int(server.servers[0].sockets[0].getsockname()[1])
    return LiveServer(
        url=f"http://127.0.0.1:{bound_port}",
        port=bound_port,
        app=app,
        database_url=database_url,
        venue_ids=venue_ids,
        _server=server,
        _thread=thread,
    )
