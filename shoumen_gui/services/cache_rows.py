"""Rows of the local cache <-> API models, and the SQL that stores a pull page.

Module-level functions over a connection the caller holds (inside its transaction).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from pydantic import TypeAdapter

from shoumen_core.codes import TrustList, b64url_decode
from shoumen_core.policy import Finding, VenuePolicy, VerdictLevel
from shoumen_core.schemas import (
    AnomalyIn,
    CheckMethod,
    CheckRecordIn,
    DayCounts,
    ManualDecision,
    PullResponse,
    Role,
    StaffBrief,
    StaffState,
    StatsScope,
    VenueOut,
)
from shoumen_core.timeutil import as_utc, local_day, local_hour
from shoumen_gui.services.trust import stored_trust_list

FINDINGS: Final = TypeAdapter(list[Finding])
STAFF: Final = TypeAdapter(list[StaffBrief])


@dataclass(frozen=True)
class CachedVenue:
    venue: VenueOut
    policy: VenuePolicy
    trust_list: TrustList | None
    sealing_public_key: bytes | None
    my_role: Role | None
    my_state: StaffState | None
    cursor: str
    last_pull_at: datetime | None
    epoch: str = ""
    staff: tuple[StaffBrief, ...] = ()


@dataclass(frozen=True)
class RejectedRow:
    """A check the server refused; kept on the device and shown with the reason."""

    id: uuid.UUID
    venue_id: int
    checked_at: datetime
    level: VerdictLevel
    masked_name: str
    masked_id: str
    code: str
    message: str


@dataclass(frozen=True)
class LocalCheck:
    record: CheckRecordIn
    user_id: int
    state: str  # pending | synced | rejected
    server_known: bool  # the last applied pull's counts include it
    reject_code: str | None
    reject_message: str | None


@dataclass(frozen=True)
class LocalAnomaly:
    anomaly: AnomalyIn
    state: str  # pending | synced | rejected | conflict
    version: int  # the server's version after the last accepted push (0: never accepted)
    code: str | None
    message: str | None


def iso(moment: datetime) -> str:
    return as_utc(moment).isoformat()


def parse_dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def findings_json(findings: Iterable[Finding]) -> str:
    return json.dumps([f.model_dump(mode="json") for f in findings], ensure_ascii=False)


def check_params(record: CheckRecordIn, user_id: int, checked_at: datetime) -> tuple[Any, ...]:
    return (
        str(record.id),
        record.venue_id,
        record.checkpoint_id,
        user_id,
        record.method.value,
        checked_at.isoformat(),
        local_day(checked_at).isoformat(),
        local_hour(checked_at),
        record.level.value,
        findings_json(record.findings),
        record.person_ref,
        record.masked_name,
        record.masked_id,
        record.sealed_document,
        record.temperature,
        None if record.manual_decision is None else record.manual_decision.value,
        int(record.offline),
        record.device_id,
        int(record.gate_opened),
        record.gate_reason,
    )


def record_from_row(row: Sequence[Any]) -> CheckRecordIn:
    return CheckRecordIn(
        id=uuid.UUID(row[0]),
        venue_id=row[1],
        checkpoint_id=row[2],
        method=CheckMethod(row[3]),
        checked_at=datetime.fromisoformat(row[4]),
        level=VerdictLevel(row[5]),
        findings=FINDINGS.validate_json(row[6]),
        person_ref=row[7],
        masked_name=row[8],
        masked_id=row[9],
        sealed_document=row[10],
        temperature=row[11],
        manual_decision=None if row[12] is None else ManualDecision(row[12]),
        offline=bool(row[13]),
        device_id=row[14],
        gate_opened=bool(row[15]),
        gate_reason=row[16],
    )


def requeue_for_new_epoch(conn: sqlite3.Connection, venue_id: int) -> None:
    conn.execute(
        "UPDATE checks SET state = 'pending', server_known = 0, synced_at = NULL"
        " WHERE venue_id = ? AND (state = 'synced' OR (state = 'pending' AND server_known = 1))",
        (venue_id,),
    )
    conn.execute(
        "UPDATE anomalies SET state = CASE WHEN state = 'synced' THEN 'pending' ELSE state END, version = 0"
        " WHERE venue_id = ?",
        (venue_id,),
    )
    conn.execute("DELETE FROM server_counts WHERE venue_id = ?", (venue_id,))


def store_config(conn: sqlite3.Connection, venue_id: int, pull: PullResponse) -> None:
    if pull.changed:
        if pull.venue is not None:
            conn.execute(
                "UPDATE venues SET venue_json = ? WHERE venue_id = ?",
                (pull.venue.model_dump_json(), venue_id),
            )
        if pull.staff is not None:
            conn.execute(
                "UPDATE venues SET staff_json = ? WHERE venue_id = ?",
                (STAFF.dump_json(pull.staff).decode(), venue_id),
            )
        if pull.my_role is not None or pull.my_state is not None:
            conn.execute(
                "UPDATE venues SET my_role = ?, my_state = ? WHERE venue_id = ?",
                (
                    None if pull.my_role is None else pull.my_role.value,
                    None if pull.my_state is None else pull.my_state.value,
                    venue_id,
                ),
            )
    # The trust list is not stored here: services.trust.store_verified checks it first.
    if pull.sealing_public_key is not None:
        if len(b64url_decode(pull.sealing_public_key)) != 32:
            raise ValueError("sealing key must be 32 bytes")
        conn.execute(
            "UPDATE venues SET sealing_public_key = ? WHERE venue_id = ?", (pull.sealing_public_key, venue_id)
        )


def store_counts(
    conn: sqlite3.Connection, venue_id: int, scope: StatsScope, user_key: int, counts: DayCounts, as_of: str
) -> None:
    conn.execute(
        "INSERT INTO server_counts(venue_id, day, scope, user_key, checkpoint_key, counts_json, as_of)"
        " VALUES (?,?,?,?,0,?,?) ON CONFLICT DO UPDATE SET counts_json = excluded.counts_json,"
        " as_of = excluded.as_of",
        (venue_id, counts.day.isoformat(), scope.value, user_key, counts.model_dump_json(), as_of),
    )


def cached_venue(row: Sequence[Any]) -> CachedVenue:
    venue_json, staff_json, role, state, trust_json, sealing, epoch, cursor, last_pull = row
    venue = VenueOut.model_validate_json(venue_json)
    return CachedVenue(
        venue=venue,
        policy=venue.policy,
        trust_list=stored_trust_list(trust_json),
        sealing_public_key=None if sealing is None else b64url_decode(sealing),
        my_role=None if role is None else Role(role),
        my_state=None if state is None else StaffState(state),
        cursor=cursor,
        last_pull_at=parse_dt(last_pull),
        epoch=epoch,
        staff=() if staff_json is None else tuple(STAFF.validate_json(staff_json)),
    )


def add_local(base: DayCounts, local: Iterable[tuple[int, str, int]], local_persons: int) -> DayCounts:
    by_hour = list(base.by_hour) if len(base.by_hour) == 24 else [0] * 24
    checked, passed, review, abnormal = base.checked, base.passed, base.review, base.abnormal
    local_checked = 0
    for hour, level, n in local:
        if not n:
            continue
        local_checked += n
        by_hour[hour] += n
        if level == VerdictLevel.PASS.value:
            passed += n
        elif level == VerdictLevel.REVIEW.value:
            review += n
        else:
            abnormal += n
    return DayCounts(
        day=base.day,
        checked=checked + local_checked,
        passed=passed,
        review=review,
        abnormal=abnormal,
        persons=base.persons + min(local_persons, local_checked),
        by_hour=by_hour,
    )
