"""Helpers for the sync, anomaly, stats, export and retention tests: record bodies as a device
sends them, pushing, and direct reads of the database (venues and staff come from journeys.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shoumen_core.codes import b64url_encode, seal
from shoumen_core.timeutil import LOCAL_TZ
from shoumen_server.deps import ServerContext
from shoumen_server.models import Checkpoint
from tests.server.conftest import Server
from tests.server.journeys import API

TODAY = date(2026, 11, 20)  # the FakeClock's local day

FINDINGS: dict[str, list[dict[str, str]]] = {
    "pass": [{"source": "health_code", "state": "ok", "reason": "green", "message": "绿码"}],
    "review": [
        {"source": "health_code", "state": "ok", "reason": "green", "message": "绿码"},
        {"source": "nat", "state": "review", "reason": "nat_too_old", "message": "核酸检测已超过 48 小时"},
    ],
    "deny": [{"source": "health_code", "state": "fail", "reason": "red", "message": "红码，请报告社区"}],
    "cannot_verify": [
        {"source": "health_code", "state": "unknown", "reason": "offline", "message": "离线，无法核验"}
    ],
}


def ctx_of(server: Server) -> ServerContext:
    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    return ctx


@contextmanager
def db(server: Server) -> Iterator[Session]:
    """A session on the test server's database, committed at the end."""
    with ctx_of(server).sessions() as session, session.begin():
        yield session


def count_rows(server: Server, model: Any, *where: Any) -> int:
    with db(server) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A UTC moment at a local (China) day and hour."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)


def check(
    venue_id: int,
    *,
    level: str = "pass",
    at: datetime | None = None,
    checkpoint_id: int | None = None,
    person_ref: str | None = None,
    masked_name: str = "张*",
    masked_id: str = "330624********1234",
    method: str = "scan",
    **extra: Any,
) -> dict[str, Any]:
    """A check record as a device pushes it (a fresh id unless given)."""
    body: dict[str, Any] = {
        "id": str(extra.pop("id", uuid.uuid4())),
        "venue_id": venue_id,
        "checkpoint_id": checkpoint_id,
        "method": method,
        "checked_at": (at or local(TODAY, 9)).isoformat(),
        "level": level,
        "findings": FINDINGS.get(level, []),
        "person_ref": person_ref if person_ref is not None else f"P{uuid.uuid4().hex[:12]}",
        "masked_name": masked_name,
        "masked_id": masked_id,
    }
    body.update(extra)
    return body


def sealed_for(server: Server, number: str) -> str:
    """A document number sealed to the server's key, as an offline device does."""
    return b64url_encode(seal(number.encode(), ctx_of(server).keys.sealing_public))


def anomaly(venue_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "venue_id": venue_id,
        "document_number": "11010519491231002X",
        "name": "张三",
        "phone": "13812345678",
        "temperature": 37.9,
        "origin": "上海市",
        "transport": "自驾",
        "anomaly_type": "fever",
        "action": "isolation_point",
        "notes": "体温偏高",
        "created_at": local(TODAY, 9, 30).isoformat(),
        "base_version": 0,
    }
    body.update(overrides)
    return body


def push(
    server: Server,
    headers: dict[str, str],
    checks: list[dict[str, Any]] | None = None,
    anomalies: list[dict[str, Any]] | None = None,
    device_id: str = "tablet-1",
) -> Any:
    """POST /sync/push; the HTTP response."""
    return server.client.post(
        f"{API}/sync/push",
        json={"device_id": device_id, "checks": checks or [], "anomalies": anomalies or []},
        headers=headers,
    )


def push_ok(server: Server, headers: dict[str, str], checks: list[dict[str, Any]]) -> None:
    """Push checks that must all be accepted."""
    r = push(server, headers, checks)
    assert r.status_code == 200, r.text
    assert r.json()["rejected"] == [], r.text
    assert len(r.json()["accepted"]) == len({c["id"] for c in checks})


def checkpoint_ids(server: Server, venue_id: int) -> list[int]:
    with db(server) as session:
        return list(
            session.scalars(
                select(Checkpoint.id).where(Checkpoint.venue_id == venue_id).order_by(Checkpoint.id)
            )
        )


def add_checkpoint(server: Server, venue_id: int, owner: dict[str, str], name: str) -> int:
    r = server.client.post(f"{API}/venues/{venue_id}/checkpoints", json={"name": name}, headers=owner)
    assert r.status_code == 201, r.text
    checkpoint_id: int = r.json()["id"]
    return checkpoint_id


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)
