"""The audit log: every lookup, export and full-detail view is written here."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from shoumen_server.models import AuditEntry

AUDIT = cast(Table, AuditEntry.__table__)
# A plain INSERT ... RETURNING id: every lookup writes one row, and the ORM's unit of work
# (an object, its state, a flush) cost more CPU than the statement itself.
_INSERT = insert(AUDIT).returning(AUDIT.c.id)


def audit_values(
    *,
    at: datetime,
    actor_user_id: int | None,
    action: str,
    venue_id: int | None = None,
    region_code: str | None = None,
    person_ref: str | None = None,
    device_name: str = "",
    detail: dict[str, object] | None = None,
) -> dict[str, Any]:
    """One audit row's columns (for `audit`, or a statement that writes the row among others:
    lookup_watch.finish_lookup)."""
    return {
        "at": at,
        "actor_user_id": actor_user_id,
        "action": action,
        "venue_id": venue_id,
        "region_code": region_code,
        "person_ref": person_ref,
        "device_name": device_name[:100],
        "detail": json.dumps(detail or {}, ensure_ascii=False, default=str),
    }


def audit(
    db: Session,
    *,
    at: datetime,
    actor_user_id: int | None,
    action: str,
    venue_id: int | None = None,
    region_code: str | None = None,
    person_ref: str | None = None,
    device_name: str = "",
    detail: dict[str, object] | None = None,
) -> int:
    """Write one audit row in the caller's transaction; its id."""
    values = audit_values(
        at=at,
        actor_user_id=actor_user_id,
        action=action,
        venue_id=venue_id,
        region_code=region_code,
        person_ref=person_ref,
        device_name=device_name,
        detail=detail,
    )
    return write_audit(db, values)


def write_audit(db: Session, values: dict[str, Any]) -> int:
    """Write the row `audit_values` made; its id."""
    row_id: int = db.execute(_INSERT, values).scalar_one()
    return row_id
