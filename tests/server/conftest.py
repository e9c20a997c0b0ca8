"""Server test fixtures: every test runs once on SQLite and once on PostgreSQL.

A migrated template database is made once per session per backend; each test gets a copy
(a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), so tests are isolated
and migrations still run for real. The template's key directory is copied along with it (the
secrets are not in the database): on SQLite to the default place beside the file, on
PostgreSQL to tmp_path/keys, named by the `key_dir` fixture.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shoumen_server.app import create_app
from shoumen_server.keys import FileKeyProvider, default_key_dir, provider_for
from shoumen_server.settings import ServerSettings
from shoumen_server.setup_db import migrate_database
from shoumen_server.sms import DevSmsGateway
from tests.conftest import postgres_url

_counter = itertools.count()


CLOCK_START = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in China
# The template's keys are made well before the clock's start, so codes issued at the test
# clock's time fall inside the signing key's validity.
KEYS_CREATED_AT = CLOCK_START - timedelta(days=30)


class FakeClock:
    """A clock the test moves by hand; starts at a fixed moment so days are predictable."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or CLOCK_START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def _pg_admin_url() -> str:
    return postgres_url()


def _pg_database_url(name: str) -> str:
    return make_url(_pg_admin_url()).set(database=name).render_as_string(hide_password=False)


def _pg_execute(sql: str) -> None:
    engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate_database(f"sqlite:///{path}", now=KEYS_CREATED_AT)
    return path


@dataclass(frozen=True)
class PgTemplate:
    name: str
    key_dir: Path


@pytest.fixture(scope="session")
def pg_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgTemplate]:
    name = f"shoumen_tpl_{os.getpid()}"
    keys = tmp_path_factory.mktemp("pg-template") / "keys"
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}"')
    _pg_execute(f'CREATE DATABASE "{name}"')
    migrate_database(_pg_database_url(name), now=KEYS_CREATED_AT, key_dir=keys)
    yield PgTemplate(name, keys)
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_KEY_DIRS: dict[str, Path] = {}


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "shoumen.db"
        shutil.copyfile(template, path)
        keys = default_key_dir(f"sqlite:///{path}")
        assert keys is not None
        shutil.copytree(default_key_dir(f"sqlite:///{template}") or "", keys)  # keeps 0700/0600
        url = f"sqlite:///{path}"
    else:
        pg: PgTemplate = request.getfixturevalue("pg_template")
        name = f"shoumen_t_{os.getpid()}_{next(_counter)}"
        _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg.name}"')
        keys = tmp_path / "keys"
        shutil.copytree(pg.key_dir, keys)
        url = _pg_database_url(name)
    _KEY_DIRS[url] = keys
    yield url
    del _KEY_DIRS[url]
    if request.param == "postgres":
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_sqlite_template(template: Path, path: Path) -> str:
    """A copy of the SQLite template at `path`, with its key directory beside it; the URL."""
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    shutil.copytree(default_key_dir(f"sqlite:///{template}") or "", default_key_dir(url) or "")
    return url


def key_provider(url: str) -> FileKeyProvider:
    """The key directory of a test database, whichever fixture made it."""
    return FileKeyProvider(_KEY_DIRS[url]) if url in _KEY_DIRS else provider_for(url)


@pytest.fixture
def key_dir(database_url: str) -> Path:
    """The key directory of this test's database (a copy of the template's)."""
    return _KEY_DIRS[database_url]


@dataclass
class Server:
    """A test app, its clock, SMS gateway and HTTP client, with journey helpers."""

    client: TestClient
    clock: FakeClock
    sms: DevSmsGateway
    settings: ServerSettings
    tokens: dict[str, str] = field(default_factory=dict)

    def login(self, phone: str, device_name: str = "test") -> dict[str, str]:
        """Log in by SMS code and return the Authorization header."""
        r = self.client.post("/api/v1/auth/sms-code", json={"phone": phone})
        assert r.status_code == 200, r.text
        code = self.sms.latest_code(phone)
        assert code is not None
        r = self.client.post(
            "/api/v1/auth/login", json={"phone": phone, "code": code, "device_name": device_name}
        )
        assert r.status_code == 200, r.text
        # Later logins of the same phone in one test must not hit the 60 s SMS limit.
        self.clock.advance(seconds=61)
        token = r.json()["token"]
        self.tokens[phone] = token
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def server(database_url: str, key_dir: Path) -> Iterator[Server]:
    clock = FakeClock()
    sms = DevSmsGateway()
    settings = ServerSettings(
        database_url=database_url,
        public_base_url="https://shoumen.test",
        demo_mode=False,
        key_dir=str(key_dir),
    )
    app = create_app(settings, sms=sms, clock=clock)
    with TestClient(app) as client:
        yield Server(client=client, clock=clock, sms=sms, settings=settings)
    app.state.engine.dispose()
