"""The checks that did not pass on a day — a venue's (optionally one staff member's) or a
region's — newest first, at most MAX_ABNORMAL, each with the id of one anomaly registration
made for it (if any). Reads `checks` (through the partial index ix_checks_venue_day_abnormal)
and `anomalies`, on whatever session it is given: the stats routes give it the read replica's.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from shoumen_core.policy import Finding, FindingState, VerdictLevel
from shoumen_core.schemas import MAX_FINDINGS
from shoumen_server.models import Anomaly, Check, Venue

MAX_ABNORMAL = 500


@dataclass(frozen=True)
class AbnormalCheck:
    check_id: uuid.UUID
    checked_at: datetime
    checkpoint_id: int | None
    masked_name: str
    masked_id: str
    level: VerdictLevel
    reasons: list[str]
    anomaly_id: uuid.UUID | None  # one registration made for the check, if any
    findings: list[Finding] | None  # `reasons` as codes with args (None: the row has none)


@dataclass(frozen=True)
class RegionAbnormalCheck(AbnormalCheck):
    venue_id: int
    venue_name: str


def _listed(findings_json: str) -> list[dict[str, Any]]:
    """The stored findings that were not OK and have words (bad JSON: none)."""
    try:
        findings: Any = json.loads(findings_json or "[]")
    except ValueError:
        return []
    if not isinstance(findings, list):
        return []
    return [
        f
        for f in findings
        if isinstance(f, dict) and f.get("state") != FindingState.OK.value and f.get("message")
    ]


def finding_reasons(findings_json: str) -> list[str]:
    """The words of the findings that were not OK (stored findings JSON; bad JSON: none)."""
    return [str(f["message"]) for f in _listed(findings_json)]


def _as_findings(listed: list[dict[str, Any]]) -> list[Finding] | None:
    """The listed findings, one for one, as codes with their args (a row stored before args
    were kept has none: the app shows its words then). None when a stored finding is not one
    (the app shows the words)."""
    if len(listed) > MAX_FINDINGS:  # never pushed (the push's bound): the words only
        return None
    try:
        return [Finding.model_validate(f) for f in listed]
    except ValidationError:
        return None


def _abnormal_query() -> Select[*tuple[Any, ...]]:
    """Non-PASS checks with the id of one anomaly registered for each (if any)."""
    anomaly_id = (
        select(Anomaly.id).where(Anomaly.check_id == Check.id).order_by(Anomaly.id).limit(1).scalar_subquery()
    )
    return (
        select(
            Check.id,
            Check.checked_at,
            Check.checkpoint_id,
            Check.masked_name,
            Check.masked_id,
            Check.level,
            Check.findings_json,
            anomaly_id.label("anomaly_id"),
        )
        # A literal, not a parameter: the partial index ix_checks_venue_day_abnormal matches it.
        .where(Check.level != literal_column(f"'{VerdictLevel.PASS.value}'"))
        .order_by(Check.checked_at.desc(), Check.id.desc())
        .limit(MAX_ABNORMAL)
    )


def _fields(row: Any) -> dict[str, Any]:
    anomaly_id: uuid.UUID | None = row.anomaly_id
    if anomaly_id is not None and not isinstance(anomaly_id, uuid.UUID):
        anomaly_id = uuid.UUID(str(anomaly_id))  # the scalar subquery comes back untyped on SQLite
    listed = _listed(row.findings_json)
    return {
        "check_id": row.id,
        "checked_at": row.checked_at,
        "checkpoint_id": row.checkpoint_id,
        "masked_name": row.masked_name,
        "masked_id": row.masked_id,
        "level": VerdictLevel(row.level),
        "reasons": [str(f["message"]) for f in listed],
        "findings": _as_findings(listed),
        "anomaly_id": anomaly_id,
    }


def venue_abnormal(
    db: Session, venue_id: int, day: date, *, user_id: int | None = None
) -> list[AbnormalCheck]:
    """The venue's abnormal checks of `day`; with `user_id`, only that staff member's."""
    query = _abnormal_query().where(Check.venue_id == venue_id, Check.day == day)
    if user_id is not None:
        query = query.where(Check.user_id == user_id)
    return [AbnormalCheck(**_fields(row)) for row in db.execute(query)]


def region_abnormal(db: Session, region_code: str, day: date) -> list[RegionAbnormalCheck]:
    """The abnormal checks of `day` at the region's active venues."""
    query = (
        _abnormal_query()
        .add_columns(Venue.id.label("venue_id"), Venue.name.label("venue_name"))
        .join(Venue, Venue.id == Check.venue_id)
        .where(Venue.region_code == region_code, Venue.active.is_(True), Check.day == day)
    )
    return [
        RegionAbnormalCheck(**_fields(row), venue_id=row.venue_id, venue_name=row.venue_name)
        for row in db.execute(query)
    ]
