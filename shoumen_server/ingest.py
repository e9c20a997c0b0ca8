"""Storing the check records devices push, with their pre-aggregated counts; also
the checks of the visitor self check-in page (`store_checks`). Anomaly registrations are in
`anomaly_store`, bulk SQL in `bulk`.

A batch of 500 checks is a handful of statements: one query for the ids already stored, one
for its venues (the caller's memberships, the masking policies and the batch's checkpoints of
those venues: `venue_facts`), then one multi-row INSERT per table, with the counts aggregated in
Python first. Everything runs in the caller's transaction.

Count conventions (the tables of `shoumen_server.models`):
- `check_counts.checkpoint_key`: the checkpoint id, 0 when none.
- `check_counts.user_key`: the staff user id, 0 for a visitor's self check-in.
- `day_persons.user_key` / `day_person_counts.user_key`: -1 the whole venue, a staff user id,
  or -1 - checkpoint_id for one checkpoint (so "persons" can be read per checkpoint too).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, bindparam, null, select, update
from sqlalchemy.orm import Session

from shoumen_core.codes import b64url_decode
from shoumen_core.identity import DEFAULT_MASK_POLICY, MASK_POLICIES, MaskPolicy
from shoumen_core.policy import Finding, FindingState
from shoumen_core.schemas import (
    MAX_MASKED_ID,
    MAX_MASKED_NAME,
    MAX_PERSON_REF,
    CheckRecordIn,
    Rejected,
    StaffState,
)
from shoumen_core.timeutil import LOCAL_TZ, as_utc
from shoumen_server.bulk import dialect_insert, greatest, insert_new
from shoumen_server.models import (
    Check,
    CheckCount,
    Checkpoint,
    DayPerson,
    DayPersonCount,
    Membership,
    Venue,
)
from shoumen_server.partitions import CHECK_IDS, check_conflict_key, uses_check_ids
from shoumen_server.pushed_rows import (
    BAD_CHECKPOINT,
    BAD_SEALED,
    BAD_TEXT,
    BATCH_CONFLICT,
    CONFLICT,
    NO_VENUE,
    NOT_STAFF,
    REVOKED,
    Problem,
    bad_text,
    findings_problem,
    mask_policy,
    opened_document,
    sealed_problem,
    server_masked_id,
    server_masked_name,
    temperature_problem,
    time_problem,
)

CHECKS: Table = Check.__table__  # type: ignore[assignment]
CHECK_COUNTS: Table = CheckCount.__table__  # type: ignore[assignment]
DAY_PERSONS: Table = DayPerson.__table__  # type: ignore[assignment]
DAY_PERSON_COUNTS: Table = DayPersonCount.__table__  # type: ignore[assignment]
VENUES: Table = Venue.__table__  # type: ignore[assignment]
MEMBERSHIPS: Table = Membership.__table__  # type: ignore[assignment]
CHECKPOINTS: Table = Checkpoint.__table__  # type: ignore[assignment]

STRICTEST_MASK_POLICY = MASK_POLICIES["strict"]

VENUE_KEY = -1
VISITOR_KEY = 0
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL

# Every column of a check row, with the value a caller may leave out.
CHECK_DEFAULTS: dict[str, Any] = {
    "checkpoint_id": None,
    "user_id": None,
    "device_id": "",
    "findings_json": "[]",
    "person_ref": None,
    "masked_name": "",
    "masked_id": "",
    "sealed_document": None,
    "temperature": None,
    "manual_decision": None,
    "offline": False,
    "phone_hash": None,
    "declaration_json": None,
    "gate_opened": False,
    "gate_reason": "",
}


def _valid_id(value: int | None) -> bool:
    return value is None or 1 <= value <= MAX_ID


# ---- permission gate ------------------------------------------------------------------------


def venue_gate(db: Session, user_id: int | None, venue_ids: Iterable[int]) -> dict[int, Problem | None]:
    """For each venue: None when `user_id` may check there, else why not (one query).

    `user_id` None is a visitor's self check-in: only the venue has to exist.
    """
    return venue_facts(db, user_id, venue_ids).gate


@dataclass(frozen=True)
class VenueFacts:
    gate: dict[int, Problem | None]  # venue id -> None, or why `user_id` may not check there
    policies: dict[int, str | None]  # venue id -> its stored policy JSON (venues found)
    checkpoints: dict[int, int]  # checkpoint id -> venue id, for the asked ids of these venues


def venue_facts(
    db: Session, user_id: int | None, venue_ids: Iterable[int], checkpoint_ids: Iterable[int | None] = ()
) -> VenueFacts:
    """`venue_gate`'s answer, each venue's stored policy (its masking level) and which of
    `checkpoint_ids` are these venues' gates, from one query: a push needs all three (issue 15
    §6: two statements less on every push). A checkpoint of a venue not asked is left out, as a
    missing one is: either way it is not the record's venue's. The policies stay unparsed: the
    anomalies' gate (`venue_gate`) does not need them."""
    venue_ids = set(venue_ids)
    wanted = {v for v in venue_ids if _valid_id(v)}
    asked_checkpoints = {c for c in checkpoint_ids if c is not None and _valid_id(c)}
    facts = VenueFacts({v: NO_VENUE for v in venue_ids}, {}, {})
    if not wanted:
        return facts
    query = _venue_facts_query(user_id is not None, bool(asked_checkpoints))
    params = {"venue_ids": sorted(wanted), "user_id": user_id, "checkpoint_ids": sorted(asked_checkpoints)}
    for venue_id, policy_json, state, checkpoint_id in db.execute(query, params):
        facts.policies[venue_id] = policy_json  # one row per checkpoint found: the same
        if checkpoint_id is not None:
            facts.checkpoints[checkpoint_id] = venue_id
        if user_id is None or state == StaffState.AUTHORISED:
            facts.gate[venue_id] = None
        else:
            facts.gate[venue_id] = NOT_STAFF if state is None else REVOKED
    return facts


@lru_cache(maxsize=4)
def _venue_facts_query(with_user: bool, with_checkpoints: bool) -> Any:
    """venue_facts' query, built once per shape (the ids are expanding parameters): building
    it again on every push was ~15 % of a one-record push's CPU (issue 15 §6). Core columns of
    the tables, not the entities: no ORM step."""
    query = select(
        VENUES.c.id,
        VENUES.c.policy_json,
        MEMBERSHIPS.c.state if with_user else null(),
        CHECKPOINTS.c.id if with_checkpoints else null(),
    )
    if with_user:
        query = query.outerjoin(
            MEMBERSHIPS,
            (MEMBERSHIPS.c.venue_id == VENUES.c.id) & (MEMBERSHIPS.c.user_id == bindparam("user_id")),
        )
    if with_checkpoints:
        query = query.outerjoin(
            CHECKPOINTS,
            (CHECKPOINTS.c.venue_id == VENUES.c.id)
            & CHECKPOINTS.c.id.in_(bindparam("checkpoint_ids", expanding=True)),
        )
    return query.where(VENUES.c.id.in_(bindparam("venue_ids", expanding=True)))


def checkpoint_venues(db: Session, checkpoint_ids: Iterable[int | None]) -> dict[int, int]:
    """checkpoint id -> its venue id, for the ids that exist."""
    wanted = {c for c in checkpoint_ids if c is not None and _valid_id(c)}
    if not wanted:
        return {}
    rows = db.execute(select(Checkpoint.id, Checkpoint.venue_id).where(Checkpoint.id.in_(wanted)))
    return {cp: venue for cp, venue in rows}


# ---- checks ---------------------------------------------------------------------------------


def person_key(row: dict[str, Any]) -> str:
    """Who a check was about, for the distinct-persons count: the registry reference, the
    self check-in phone hash, the masked name and ID, or (anonymous) the check itself."""
    if row.get("person_ref"):
        return f"r:{row['person_ref']}"
    if row.get("phone_hash"):
        return f"p:{row['phone_hash'][:60]}"
    masked_id = row.get("masked_id") or ""
    masked_name = row.get("masked_name") or ""
    if masked_id or masked_name:
        digest = hashlib.sha256(f"{masked_id}|{masked_name}".encode()).hexdigest()
        return f"m:{digest[:40]}"
    return f"c:{row['id'].hex}"


@dataclass(frozen=True)
class PushLimits:
    """What the server allows a pushed check: the oldest moment (the retention: an older check
    would be counted, then deleted by the next purge) and the key that opens sealed documents
    (to mask the document number itself rather than trust the device's masked form)."""

    oldest: datetime | None = None
    sealing_private: bytes | None = None


def _record_problem(
    record: CheckRecordIn, checkpoints: dict[int, int], now: datetime, limits: PushLimits
) -> tuple[Problem | None, bytes | None]:
    if record.checkpoint_id is not None and checkpoints.get(record.checkpoint_id) != record.venue_id:
        return BAD_CHECKPOINT, None
    problem = (
        time_problem(record.checked_at, now, limits.oldest)
        or temperature_problem(record.temperature)
        or findings_problem(record.findings)
        or sealed_problem(record.sealed_document)
    )
    if problem is not None:
        return problem, None
    return _content_problem(record)


def _content_problem(record: CheckRecordIn) -> tuple[Problem | None, bytes | None]:
    """Text bounds and the sealed document: the checks a resend of a stored row gets too."""
    if (
        bad_text(record.person_ref, MAX_PERSON_REF)
        or bad_text(record.masked_name, MAX_MASKED_NAME)
        or bad_text(record.masked_id, MAX_MASKED_ID)
        or bad_text(record.device_id, 64)
        or bad_text(record.gate_reason, 200)
    ):
        return BAD_TEXT, None
    sealed: bytes | None = None
    if record.sealed_document is not None:
        if sealed_problem(record.sealed_document) is not None:
            return BAD_SEALED, None
        try:
            sealed = b64url_decode(record.sealed_document)
        except ValueError:
            return BAD_SEALED, None
    return None, sealed


_StoredFinding = tuple[str, str, str, str, tuple[tuple[str, str], ...]]


def findings_json(findings: Sequence[Finding]) -> str:
    """The stored JSON of a verdict's findings (most visitors get the same ones: cached).

    A finding that is not OK keeps its args (bounded by Finding: 8 names of 16, values of 32),
    so the abnormal lists can answer codes with values (issue 17 §5). OK findings leave them
    out: a passing check (most rows) stores no more than before, and nothing lists its values.
    """
    return _findings_json(
        tuple(
            (
                f.source,
                f.state,
                f.reason,
                f.message,
                () if f.state is FindingState.OK else tuple(f.args.items()),
            )
            for f in findings
        )
    )


@lru_cache(maxsize=4096)
def _findings_json(findings: tuple[_StoredFinding, ...]) -> str:
    items: list[dict[str, Any]] = []
    for source, state, reason, message, args in findings:
        item: dict[str, Any] = {"source": source, "state": state, "reason": reason, "message": message}
        if args:
            item["args"] = dict(args)
        items.append(item)
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"))


def check_row(
    record: CheckRecordIn,
    user_id: int | None,
    now: datetime,
    sealed: bytes | None,
    device_id: str = "",
    *,
    mask: MaskPolicy = DEFAULT_MASK_POLICY,
    sealing_private: bytes | None = None,
) -> dict[str, Any]:
    """The `checks` row of a validated record. The masked name and ID are the server's own
    masking (from the sealed document when it can open it), never the device's word."""
    checked_at = as_utc(record.checked_at)
    local = checked_at.astimezone(LOCAL_TZ)
    return {
        "id": record.id,
        "venue_id": record.venue_id,
        "checkpoint_id": record.checkpoint_id,
        "user_id": user_id,
        "device_id": record.device_id or device_id,
        "method": record.method.value,
        "checked_at": checked_at,
        "day": local.date(),
        "hour": local.hour,
        "level": record.level.value,
        "findings_json": findings_json(record.findings),
        "person_ref": record.person_ref,
        "masked_name": server_masked_name(record.masked_name),
        "masked_id": server_masked_id(record.masked_id, opened_document(sealing_private, sealed), mask),
        "sealed_document": sealed,
        "temperature": record.temperature,
        "manual_decision": record.manual_decision.value if record.manual_decision else None,
        "offline": record.offline,
        "phone_hash": None,
        "declaration_json": None,
        "received_at": now,
        "gate_opened": record.gate_opened,
        "gate_reason": record.gate_reason,
    }


# The columns of a stored check that are facts of the check: a resend must carry the same.
# The guard's decision and the gate opening are later edits (`_apply_edits`).
FACT_COLUMNS = (
    "venue_id",
    "checkpoint_id",
    "method",
    "checked_at",
    "level",
    "findings_json",
    "person_ref",
    "masked_name",
    "masked_id",
    "temperature",
    "offline",
)


def ingest_checks(
    db: Session,
    records: Sequence[CheckRecordIn],
    user_id: int | None,
    now: datetime,
    *,
    device_id: str = "",
    limits: PushLimits | None = None,
) -> tuple[list[uuid.UUID], list[Rejected]]:
    """Store the records `user_id` may push; say which ids are accepted and why others are not.

    An id already stored is accepted again without being counted twice, whatever the caller's
    rights are now, when its facts are the stored ones: the device only missed the first
    answer, or sends a later edit of its own row (the guard's decision, a gate opening), which
    is applied (`_apply_edits`). A resend with other facts (another verdict, venue, time...) is
    refused as `check_conflict` and changes nothing; so is an id sent twice with different
    content in one batch (which one is true is unknowable).
    """
    limits = limits or PushLimits()
    unique: dict[uuid.UUID, CheckRecordIn] = {}
    conflicting: set[uuid.UUID] = set()
    for record in records:
        first = unique.setdefault(record.id, record)
        if first is not record and first != record:
            conflicting.add(record.id)
    if not unique:
        return [], []
    rejected = [BATCH_CONFLICT.rejected(record_id) for record_id in conflicting]
    for record_id in conflicting:
        del unique[record_id]
    stored = _stored_checks(db, list(unique))
    # Every venue of the batch: the masks for resends and new rows, the gate for the new ones.
    facts = venue_facts(
        db, user_id, {r.venue_id for r in unique.values()}, {r.checkpoint_id for r in unique.values()}
    )
    masks = {venue_id: mask_policy(policy_json) for venue_id, policy_json in facts.policies.items()}
    accepted: list[uuid.UUID] = []
    same: list[Any] = []
    for row in stored:
        record = unique[row.id]
        if _same_facts(row, record, now, masks, limits):
            accepted.append(row.id)
            same.append(row)
        else:
            rejected.append(CONFLICT.rejected(row.id))
    _apply_edits(db, unique, same, user_id)
    existing = {row.id for row in stored}
    todo = [record for record_id, record in unique.items() if record_id not in existing]
    rows: list[dict[str, Any]] = []
    for record in todo:
        problem = facts.gate[record.venue_id]
        sealed: bytes | None = None
        if problem is None:
            problem, sealed = _record_problem(record, facts.checkpoints, now, limits)
        if problem is not None:
            rejected.append(problem.rejected(record.id))
            continue
        rows.append(
            check_row(
                record,
                user_id,
                now,
                sealed,
                device_id,
                mask=masks.get(record.venue_id, DEFAULT_MASK_POLICY),
                sealing_private=limits.sealing_private,
            )
        )
    store_checks(db, rows)
    accepted.extend(row["id"] for row in rows)
    return accepted, rejected


def _stored_checks(db: Session, ids: list[uuid.UUID]) -> Sequence[Any]:
    """The stored checks among `ids`: id, user_id, the decision and gate columns, day, then
    the fact columns. Where checks is partitioned, the ids are looked up in check_ids first
    (one probe each, not one per partition) and only the found ones read, from their days'
    partitions: a push of new ids reads no partition at all."""
    if not uses_check_ids(db):
        return db.execute(_stored_by_id(), {"ids": ids}).all()
    known = db.execute(_check_id_days(), {"ids": ids}).all()
    if not known:
        return []
    days = sorted({row.day for row in known})
    found = [row.id for row in known]
    return db.execute(_stored_by_id_and_day(), {"ids": found, "days": days}).all()


def _stored_columns() -> tuple[Any, ...]:
    return (
        CHECKS.c.id,
        CHECKS.c.user_id,
        CHECKS.c.manual_decision,
        CHECKS.c.gate_opened,
        CHECKS.c.gate_reason,
        CHECKS.c.day,
        *(CHECKS.c[name] for name in FACT_COLUMNS),
    )


# _stored_checks' three queries, built once (expanding parameters for the ids and days).
@lru_cache(maxsize=1)
def _stored_by_id() -> Any:
    return select(*_stored_columns()).where(CHECKS.c.id.in_(bindparam("ids", expanding=True)))


@lru_cache(maxsize=1)
def _check_id_days() -> Any:
    return select(CHECK_IDS.c.id, CHECK_IDS.c.day).where(CHECK_IDS.c.id.in_(bindparam("ids", expanding=True)))


@lru_cache(maxsize=1)
def _stored_by_id_and_day() -> Any:
    return select(*_stored_columns()).where(
        CHECKS.c.id.in_(bindparam("ids", expanding=True)), CHECKS.c.day.in_(bindparam("days", expanding=True))
    )


def _same_facts(
    stored: Any, record: CheckRecordIn, now: datetime, masks: dict[int, MaskPolicy], limits: PushLimits
) -> bool:
    """True when a resent record says what the stored check says (as the server stores it)."""
    problem, sealed = _content_problem(record)
    if problem is not None or findings_problem(record.findings) or record.checked_at.tzinfo is None:
        return False
    if temperature_problem(record.temperature) is not None:
        return False
    row = check_row(
        record,
        stored.user_id,
        now,
        sealed,
        mask=masks.get(record.venue_id, DEFAULT_MASK_POLICY),
        sealing_private=limits.sealing_private,
    )
    for name in FACT_COLUMNS:
        mine, theirs = row[name], getattr(stored, name)
        if name == "findings_json":
            # Without args: a row stored before they were kept has none, and the args say
            # nothing the messages do not.
            mine, theirs = _without_args(mine), _without_args(theirs or "[]")
        elif name in ("masked_name", "masked_id"):
            # Compared at the strictest masking: the venue's policy may have changed since the
            # first push, and a row stored before re-masking existed holds the device's form.
            mine, theirs = _strictly_masked(name, mine), _strictly_masked(name, theirs or "")
        if mine != theirs:
            return False
    return True


def _without_args(stored: str) -> Any:
    findings = json.loads(stored)
    if isinstance(findings, list):
        for item in findings:
            if isinstance(item, dict):
                item.pop("args", None)
    return findings


def _strictly_masked(column: str, value: str) -> str:
    if column == "masked_name":
        return server_masked_name(value)
    return server_masked_id(value, None, STRICTEST_MASK_POLICY)


def _apply_edits(
    db: Session, records: dict[uuid.UUID, CheckRecordIn], stored: Sequence[Any], user_id: int | None
) -> None:
    """A resent row of the caller's own may carry what happened after the first push: the
    guard's manual decision (never erased by a resend without one) and the gate opening (the
    device's latest word). Other columns are facts of the check: a resend that differs there
    is a conflict (`ingest_checks`) and never reaches here."""
    if user_id is None:
        return
    edits: list[dict[str, Any]] = []
    for row in stored:
        check_id, owner, decision, gate_opened, gate_reason, day = row[:6]
        record = records[check_id]
        if owner != user_id or bad_text(record.gate_reason, 200):
            continue
        new_decision = record.manual_decision.value if record.manual_decision else decision
        if (new_decision, record.gate_opened, record.gate_reason) != (decision, gate_opened, gate_reason):
            edits.append(
                {
                    "key": check_id,
                    "key_day": day,
                    "manual_decision": new_decision,
                    "gate_opened": record.gate_opened,
                    "gate_reason": record.gate_reason,
                }
            )
    if edits:
        stmt = (
            update(CHECKS)
            # The day too: where partitioned, only that day's partition is searched.
            .where(CHECKS.c.id == bindparam("key"), CHECKS.c.day == bindparam("key_day"))
            .values(
                manual_decision=bindparam("manual_decision"),
                gate_opened=bindparam("gate_opened"),
                gate_reason=bindparam("gate_reason"),
            )
        )
        db.execute(stmt, edits)


def store_checks(db: Session, rows: list[dict[str, Any]]) -> list[uuid.UUID]:
    """Insert check rows (validated by the caller) and count the new ones; returns their ids.

    Each row needs id, venue_id, method, checked_at, level and received_at; day and hour are
    derived from checked_at when absent; the other columns default (CHECK_DEFAULTS). An id that
    is already stored is skipped and not counted, so concurrent resends are harmless.
    """
    if not rows:
        return []
    full: list[dict[str, Any]] = []
    ids: set[uuid.UUID] = set()
    for row in rows:
        if row["id"] in ids:  # an id twice in one call: the first row only
            continue
        ids.add(row["id"])
        item = {**CHECK_DEFAULTS, **row}
        checked_at = item["checked_at"]
        if checked_at.tzinfo is not UTC:
            item["checked_at"] = checked_at = as_utc(checked_at)
        if "day" not in item or "hour" not in item:
            local = checked_at.astimezone(LOCAL_TZ)
            item.setdefault("day", local.date())
            item.setdefault("hour", local.hour)
        full.append(item)
    full.sort(key=itemgetter("id"))  # a fixed lock order: concurrent batches cannot deadlock
    if uses_check_ids(db):
        # Claim the ids first: a row whose id is claimed already (another day's check, or a
        # concurrent push of the same id) is not stored again.
        id_rows = [(row["id"], row["day"]) for row in full]
        claimed = {row[0] for row in insert_new(db, CHECK_IDS, ["id", "day"], id_rows, ["id"], ["id"])}
        full = [row for row in full if row["id"] in claimed]
        if not full:
            return []
    names = list(full[0])
    values = list(map(itemgetter(*names), full))
    conflict = check_conflict_key(db)  # the primary key: (id, day) where partitioned
    inserted = {row[0] for row in insert_new(db, CHECKS, names, values, conflict, ["id"])}
    new_rows = [row for row in full if row["id"] in inserted]
    count_checks(db, new_rows)
    return [row["id"] for row in new_rows]


def count_checks(db: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add newly stored check rows to check_counts, day_persons and day_person_counts."""
    if not rows:
        return
    counts: dict[tuple[Any, ...], list[Any]] = {}
    persons: set[tuple[int, Any, int, str]] = set()
    for row in rows:
        venue_id, day = row["venue_id"], row["day"]
        checkpoint_id, user_id = row["checkpoint_id"], row["user_id"]
        key = (venue_id, day, row["hour"], checkpoint_id or 0, user_id or VISITOR_KEY, row["level"])
        slot = counts.get(key)
        if slot is None:
            counts[key] = [1, row["checked_at"]]
        else:
            slot[0] += 1
            slot[1] = max(slot[1], row["checked_at"])
        who = person_key(row)
        persons.add((venue_id, day, VENUE_KEY, who))
        if user_id is not None:
            persons.add((venue_id, day, user_id, who))
        if checkpoint_id is not None:
            persons.add((venue_id, day, -1 - checkpoint_id, who))
    _upsert_check_counts(db, counts)
    _add_persons(db, persons)


def _upsert_check_counts(db: Session, counts: dict[tuple[Any, ...], list[Any]]) -> None:
    params = [
        {
            "venue_id": k[0],
            "day": k[1],
            "hour": k[2],
            "checkpoint_key": k[3],
            "user_key": k[4],
            "level": k[5],
            "n": v[0],
            "last_at": v[1],
        }
        for k, v in sorted(counts.items())
    ]
    db.execute(_check_counts_upsert(db.get_bind().dialect.name), params)


@lru_cache(maxsize=4)
def _check_counts_upsert(dialect: str) -> Any:
    """The check_counts upsert, built once per dialect (building it on every push was ~15 % of a
    one-record push's CPU, as the lookup's watch upsert once was of a lookup's)."""
    table = CHECK_COUNTS
    ins = dialect_insert(dialect, table)
    return ins.on_conflict_do_update(
        index_elements=["venue_id", "day", "hour", "checkpoint_key", "user_key", "level"],
        set_={
            "n": table.c.n + ins.excluded.n,
            "last_at": greatest(dialect, table.c.last_at, ins.excluded.last_at),
        },
    )


def _add_persons(db: Session, persons: set[tuple[int, Any, int, str]]) -> None:
    names = ["venue_id", "day", "user_key", "person_key"]
    added = insert_new(db, DAY_PERSONS, names, sorted(persons), names, ["venue_id", "day", "user_key"])
    new = Counter(added)
    if not new:
        return
    db.execute(
        _day_person_counts_upsert(db.get_bind().dialect.name),
        [{"venue_id": k[0], "day": k[1], "user_key": k[2], "n": n} for k, n in sorted(new.items())],
    )


@lru_cache(maxsize=4)
def _day_person_counts_upsert(dialect: str) -> Any:
    """The day_person_counts upsert, built once per dialect."""
    table = DAY_PERSON_COUNTS
    ins = dialect_insert(dialect, table)
    return ins.on_conflict_do_update(
        index_elements=["venue_id", "day", "user_key"], set_={"n": table.c.n + ins.excluded.n}
    )
