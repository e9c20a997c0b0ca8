"""Issue 14 §6: a database outage answers 503, and the log does not flood.

The PostgreSQL test stops a real, private PostgreSQL server (its own data folder and port, never
the shared one) under a real uvicorn server, sends a few hundred requests on one keep-alive
connection, and starts PostgreSQL again.
"""

from __future__ import annotations

import http.client
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy import exc as sa_exc

from shoumen_server.app import create_app
from shoumen_server.outage import RETRY_AFTER_SECONDS, OutageLog, is_database_unavailable
from shoumen_server.settings import ServerSettings
from shoumen_server.setup_db import migrate_database
from tests.ports import free_port

REPO = Path(__file__).resolve().parents[2]
PG_SCRIPT = REPO / "scripts" / "pg.sh"
OUTAGE_REQUESTS = 300
BOGUS_TOKEN = "Bearer not-a-real-token"  # /me looks it up in the database: 401 when it is up


@dataclass
class PrivatePostgres:
    folder: Path
    port: int
    url: str = ""

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def start(self) -> None:
        out = subprocess.run(
            [str(PG_SCRIPT), "start", str(self.data), str(self.port)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PG_EXTRA_OPTS": "-c fsync=off"},
            timeout=90,
        )
        self.url = out.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        subprocess.run([str(PG_SCRIPT), "stop", str(self.data)], check=True, capture_output=True, timeout=60)


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    if shutil.which("pg_ctl") is None and not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        pytest.fail("PostgreSQL server binaries are needed for the outage test (apt install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="shoumen-outage-pg."))
    folder.chmod(0o755)  # as root the server runs as `postgres` and must reach its data folder
    pg = PrivatePostgres(folder, free_port())
    try:
        pg.start()
        yield pg
    finally:
        pg.stop()
        shutil.rmtree(folder, ignore_errors=True)


class ThreadServer:
    """uvicorn in a thread on a free port (log_config=None: its records reach pytest's caplog)."""

    def __init__(self, database_url: str, key_dir: Path | None = None) -> None:
        settings = ServerSettings(
            database_url=database_url,
            key_dir=str(key_dir or ""),
            public_base_url="http://127.0.0.1",
            demo_mode=True,
        )
        self.app = create_app(settings)
        self.port = free_port()
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_config=None, access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            self.thread.join(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(20)
        self.app.state.engine.dispose()


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, dict[str, str], bytes]:
    conn.request("GET", path, headers={"Authorization": BOGUS_TOKEN})
    response = conn.getresponse()
    body = response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def _noisy(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [r for r in records if r.levelno >= logging.WARNING or r.exc_info]


@pytest.mark.slow
def test_database_outage_answers_503_keeps_connection_and_logs_few_lines(
    private_pg: PrivatePostgres, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    migrate_database(private_pg.url, key_dir=keys)
    caplog.set_level(logging.INFO)
    with ThreadServer(private_pg.url, keys) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        status, _, _ = _get(conn, "/api/v1/me")
        assert status == 401  # the database answered: unknown token
        assert _get(conn, "/api/v1/ready")[0] == 200
        sock = conn.sock
        caplog.clear()

        private_pg.stop()
        for _ in range(OUTAGE_REQUESTS):
            status, headers, body = _get(conn, "/api/v1/me")
            assert status == 503, body
            assert b'"database_unavailable"' in body
            assert headers["retry-after"] == str(RETRY_AFTER_SECONDS)
            assert headers.get("connection", "").lower() != "close"
        assert conn.sock is sock, "the server dropped the keep-alive connection"
        assert _get(conn, "/api/v1/health")[0] == 200  # liveness does not need the database
        status, headers, _ = _get(conn, "/api/v1/ready")
        assert (status, headers["retry-after"]) == (503, str(RETRY_AFTER_SECONDS))
        assert conn.sock is sock

        private_pg.start()
        status, _, body = _get(conn, "/api/v1/me")
        assert status == 401, body  # recovered on the first request: stale connections replaced
        assert _get(conn, "/api/v1/ready")[0] == 200
        conn.close()

    noisy = _noisy(caplog.records)
    messages = [r.getMessage() for r in noisy]
    assert not [r for r in noisy if r.exc_info], messages  # not one traceback
    assert len(noisy) <= 3, messages  # start, (perhaps) one count, end — not one per request
    assert "database unavailable" in messages[0]
    assert "available again" in messages[-1]


def test_database_unavailable_on_sqlite_answers_503(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """SQLite's "unable to open database file" (its folder is gone) is an outage too."""
    url = f"sqlite:///{tmp_path / 'gone' / 'shoumen.db'}"
    settings = ServerSettings(database_url=url, public_base_url="http://127.0.0.1", demo_mode=True)
    app = create_app(settings)
    caplog.set_level(logging.INFO)
    with TestClient(app) as client:
        for _ in range(50):
            response = client.get("/api/v1/me", headers={"Authorization": BOGUS_TOKEN})
            assert response.status_code == 503
            assert response.json()["error"]["code"] == "database_unavailable"
            assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert client.get("/api/v1/health").status_code == 200
        assert client.get("/api/v1/ready").status_code == 503
    app.state.engine.dispose()
    noisy = _noisy(caplog.records)
    assert len(noisy) == 1 and not noisy[0].exc_info, [r.getMessage() for r in noisy]


def test_query_errors_are_not_mistaken_for_an_outage(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(sa_exc.OperationalError) as caught, engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))
    assert not is_database_unavailable(caught.value)
    engine.dispose()
    gone = create_engine(f"sqlite:///{tmp_path / 'gone' / 'x.db'}")
    with pytest.raises(sa_exc.OperationalError) as caught, gone.connect():
        pass
    assert isinstance(caught.value.orig, sqlite3.OperationalError)
    assert is_database_unavailable(caught.value)


def test_outage_log_reports_start_counts_at_most_every_interval_and_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    outage = OutageLog(report_every=30.0, monotonic=lambda: now[0])
    caplog.set_level(logging.INFO, logger="shoumen.server.outage")
    error = RuntimeError("down")
    outage.recovered()  # no outage: nothing to say
    for _ in range(1100):  # 1100 failures over 66 s
        outage.failed(error)
        now[0] += 0.06
    outage.recovered()
    outage.recovered()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4, lines  # start, two counts (every 30 s), end
    assert lines[0].startswith("database unavailable")
    assert "still unavailable after 30 s" in lines[1]
    assert lines[3].startswith("database available again after 66.0 s (1100 requests")
