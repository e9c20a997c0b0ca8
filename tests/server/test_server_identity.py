"""Issue 14 §4: /info names the server by a server_id made once with its database.

It stays the same across requests and restarts and when the epoch (the data generation)
changes; a database of its own has another one. Devices key their cache on it.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, update

from shoumen_server.app import create_app
from shoumen_server.models import ServerMeta
from shoumen_server.settings import ServerSettings
from shoumen_server.setup_db import migrate_database
from tests.server.conftest import Server, key_provider


def info_of(database_url: str) -> dict[str, object]:
    settings = ServerSettings(
        database_url=database_url,
        key_dir=str(key_provider(database_url).directory),
        public_base_url="https://shoumen.test",
    )
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            r = client.get("/api/v1/info")
            assert r.status_code == 200, r.text
            body: dict[str, object] = r.json()
            return body
    finally:
        app.state.engine.dispose()


def test_info_reports_a_stable_server_id_that_is_not_the_epoch(server: Server, database_url: str) -> None:
    first = server.client.get("/api/v1/info").json()
    assert re.fullmatch(r"[0-9a-f]{32}", first["server_id"])
    assert first["server_id"] != first["epoch"]
    assert server.client.get("/api/v1/info").json()["server_id"] == first["server_id"]
    # A restart (a new app on the same database) and a new epoch keep the identity.
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(update(ServerMeta).where(ServerMeta.key == "epoch").values(value=uuid.uuid4().hex))
    finally:
        engine.dispose()
    restarted = info_of(database_url)
    assert restarted["epoch"] != first["epoch"]
    assert restarted["server_id"] == first["server_id"]


def test_another_database_is_another_server(server: Server, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    migrate_database(other)
    assert info_of(other)["server_id"] != server.client.get("/api/v1/info").json()["server_id"]
