"""Liveness and readiness (issue 15 §3): /health says the process answers, /ready that the
database answers AND its schema is at this code's migration head — a worker of a newer
release must take no traffic before `shoumen-server migrate` ran (its queries would fail)."""

from __future__ import annotations

from sqlalchemy import text

from shoumen_server.migrate import head_revision
from tests.server.conftest import Server
from tests.server.journeys import API, error_code


def _set_revision(server: Server, revision: str) -> None:
    engine = server.client.app.state.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_ready_is_503_schema_not_migrated_while_the_schema_is_behind(server: Server) -> None:
    assert server.client.get(f"{API}/ready").status_code == 200
    _set_revision(server, "0001")  # the first migration
    try:
        r = server.client.get(f"{API}/ready")
        assert r.status_code == 503 and error_code(r) == "schema_not_migrated"
        assert "migrate" in r.json()["error"]["message"] and r.headers["Retry-After"]
        assert server.client.get(f"{API}/health").status_code == 200  # alive: do not restart it
    finally:
        _set_revision(server, head_revision())
    assert server.client.get(f"{API}/ready").status_code == 200
