"""The visitor self check-in: which venue a token names, the per-phone limits, and the check
record itself (stored through `ingest.store_checks`, so the venue's counts include it)."""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from shoumen_core.codes import BadVenueCode, parse_venue_code
from shoumen_core.identity import DocumentKind
from shoumen_core.phone import InvalidPhone, mask_phone, normalise_phone
from shoumen_core.policy import (
    CodeColour,
    Finding,
    FindingState,
    HealthSnapshot,
    Source,
    VerdictLevel,
    evaluate,
)
from shoumen_core.schemas import CheckMethod
from shoumen_core.timeutil import LOCAL_TZ, local_day
from shoumen_server.errors import ApiError, NotFound, RateLimited
from shoumen_server.health import PersonRecord, person_record
from shoumen_server.ingest import findings_json, store_checks
from shoumen_server.keys import KeyStore
from shoumen_server.models import Check, Checkpoint, Person, Venue
from shoumen_server.views import venue_policy

log = logging.getLogger("shoumen.server.visitor")

INVALID_CODE = "场所码无效或已失效，请向工作人员确认"
RECENT_WINDOW = timedelta(seconds=30)  # one recorded check per phone and venue in this window
MAX_PER_DAY = 100  # recorded checks per phone and venue per day
UNVERIFIED_REASON = "visitor_unverified"
DEVICE_ID = "visitor-page"
TRANSPORTS = ("自驾", "火车/高铁", "飞机", "长途客车", "其他")
ARRIVAL_PAST_LIMIT = timedelta(days=30)
ARRIVAL_FUTURE_SLACK = timedelta(minutes=10)


class VenueInactive(ApiError):
    status = 410
    code = "venue_inactive"
    message = "该场所已停用场所码自助登记，请向工作人员出示健康码或身份证"


@dataclass(frozen=True)
class Gate:
    """The venue (and checkpoint) a venue-code token names."""

    token: str
    venue: Venue
    checkpoint: Checkpoint | None

    @property
    def checkpoint_id(self) -> int | None:
        return None if self.checkpoint is None else self.checkpoint.id


def resolve_gate(db: Session, keys: KeyStore, token: str) -> Gate:
    """The gate of a token; NotFound for a forged, damaged or stale one, VenueInactive for a
    venue that was switched off."""
    try:
        ref = parse_venue_code(token, keys.venue_secret)
    except BadVenueCode:
        raise NotFound(INVALID_CODE, code="bad_venue_code") from None
    venue = db.get(Venue, ref.venue_id)
    if venue is None:
        raise NotFound(INVALID_CODE, code="venue_not_found")
    if not venue.active:
        raise VenueInactive()
    checkpoint: Checkpoint | None = None
    if ref.checkpoint_id is not None:
        checkpoint = db.get(Checkpoint, ref.checkpoint_id)
        if checkpoint is None or checkpoint.venue_id != venue.id or not checkpoint.active:
            raise NotFound(INVALID_CODE, code="checkpoint_not_found")
    return Gate(token=token, venue=venue, checkpoint=checkpoint)


def uuid7(now: datetime) -> uuid.UUID:
    """A time-ordered id (RFC 9562 version 7), like the ones the app gives its checks."""
    millis = int(now.timestamp() * 1000) & ((1 << 48) - 1)
    value = millis << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return uuid.UUID(int=value)


# ---- limits ---------------------------------------------------------------------------------


def _own_checks_today(gate: Gate, phone_hash: str, now: datetime) -> list[ColumnElement[bool]]:
    """The phone's self check-ins at the venue today: reached through the (venue, day, user)
    index with user NULL, so only the venue's self check-ins of the day are looked at."""
    return [
        Check.venue_id == gate.venue.id,
        Check.day == local_day(now),
        Check.user_id.is_(None),
        Check.phone_hash == phone_hash,
    ]


def recent_check(
    db: Session, gate: Gate, phone_hash: str, now: datetime, *, verified_only: bool
) -> uuid.UUID | None:
    """The phone's check at this venue in the last 30 s, if any (a double tap, a reload)."""
    query = (
        select(Check.id)
        .where(*_own_checks_today(gate, phone_hash, now), Check.checked_at > now - RECENT_WINDOW)
        .order_by(Check.checked_at.desc())
        .limit(1)
    )
    if verified_only:
        query = query.where(Check.findings_json.not_like(f'%"{UNVERIFIED_REASON}"%'))
    found: uuid.UUID | None = db.scalar(query)
    return found


def enforce_daily_limit(db: Session, gate: Gate, phone_hash: str, now: datetime) -> None:
    count = db.scalar(select(func.count()).where(*_own_checks_today(gate, phone_hash, now)))
    if (count or 0) >= MAX_PER_DAY:
        raise RateLimited(
            "今日您在本场所的登记次数已达上限，请向工作人员出示健康码或身份证", code="checkin_daily_limit"
        )


# ---- the check ------------------------------------------------------------------------------


def find_person(db: Session, phone_hash: str, person_ref: str | None = None) -> Person | None:
    """The registry person of a verified phone: the one the pass names, else the first person
    registered with the phone (a family may share one)."""
    if person_ref:
        row = db.scalar(
            select(Person).where(Person.person_ref == person_ref, Person.phone_hash == phone_hash)
        )
        if row is not None:
            return row
    return db.scalar(select(Person).where(Person.phone_hash == phone_hash).order_by(Person.id).limit(1))


def missing_code_snapshot() -> HealthSnapshot:
    """A phone the registry does not know has no local health code (未申领)."""
    return HealthSnapshot(code_colour=CodeColour.NONE)


@dataclass(frozen=True)
class Recorded:
    check_id: uuid.UUID
    new: bool  # False: a check of the last 30 s was shown again instead


def _row(
    gate: Gate, check_id: uuid.UUID, now: datetime, level: VerdictLevel, findings: str, phone_hash: str
) -> dict[str, object]:
    return {
        "id": check_id,
        "venue_id": gate.venue.id,
        "checkpoint_id": gate.checkpoint_id,
        "user_id": None,
        "device_id": DEVICE_ID,
        "method": CheckMethod.SELF.value,
        "checked_at": now,
        "level": level.value,
        "findings_json": findings,
        "phone_hash": phone_hash,
        "received_at": now,
    }


def check_in(
    db: Session, gate: Gate, phone_hash: str, now: datetime, person_ref: str | None = None
) -> Recorded:
    """Record a verified visitor's check at the gate under the venue's policy."""
    recent = recent_check(db, gate, phone_hash, now, verified_only=True)
    if recent is not None:
        return Recorded(recent, new=False)
    enforce_daily_limit(db, gate, phone_hash, now)
    person = find_person(db, phone_hash, person_ref)
    record: PersonRecord | None = None if person is None else person_record(person)
    snapshot = missing_code_snapshot() if record is None else record.snapshot
    verdict = evaluate(snapshot, venue_policy(gate.venue), now)
    check_id = uuid7(now)
    row = _row(gate, check_id, now, verdict.level, findings_json(verdict.findings), phone_hash)
    if record is not None:
        row.update(person_ref=record.person_ref, masked_name=record.masked_name, masked_id=record.masked_id)
    store_checks(db, [row])
    log.info(
        "self check-in at venue %d (checkpoint %s): %s",
        gate.venue.id,
        gate.checkpoint_id,
        verdict.level.value,
    )
    return Recorded(check_id, new=True)


def record_unverified(db: Session, gate: Gate, phone: str, phone_hash: str, now: datetime) -> Recorded:
    """ "未收到验证码": a grey attempt, so the guard sees someone is waiting to be checked by hand."""
    recent = recent_check(db, gate, phone_hash, now, verified_only=False)
    if recent is not None:
        return Recorded(recent, new=False)
    enforce_daily_limit(db, gate, phone_hash, now)
    finding = Finding(
        source=Source.HEALTH_CODE,
        state=FindingState.UNKNOWN,
        reason=UNVERIFIED_REASON,
        message=f"访客自助登记未收到验证码（手机 {mask_phone(phone)}），请人工核验",
    )
    check_id = uuid7(now)
    store_checks(
        db, [_row(gate, check_id, now, VerdictLevel.CANNOT_VERIFY, findings_json([finding]), phone_hash)]
    )
    log.info("unverified self check-in attempt at venue %d", gate.venue.id)
    return Recorded(check_id, new=True)


def load_check(db: Session, gate: Gate, check_id: uuid.UUID) -> Check | None:
    row = db.get(Check, check_id)
    if row is None or row.venue_id != gate.venue.id or row.method != CheckMethod.SELF.value:
        return None
    return row


def person_of(db: Session, check: Check) -> Person | None:
    """The registry person the check was made for, if it names one."""
    if not check.person_ref:
        return None
    found: Person | None = db.scalar(select(Person).where(Person.person_ref == check.person_ref))
    return found


def is_unverified(check: Check) -> bool:
    return any(item.get("reason") == UNVERIFIED_REASON for item in json.loads(check.findings_json or "[]"))


def from_outside_province(person: Person | None, venue: Venue) -> bool:
    """Whom the page asks for a self-declaration: no local record or code, a non-mainland
    document, or an ID card issued in another province than the venue's."""
    if person is None or person.code_colour == CodeColour.NONE.value:
        return True
    if person.doc_kind != DocumentKind.RESIDENT_ID.value:
        return True
    return person.masked_id[:2] != venue.region_code[:2]


# ---- 自主申报 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclarationForm:
    origin: str = ""
    arrival: str = ""  # <input type="datetime-local">: 2026-11-20T08:30 (local time)
    transport: str = ""
    phone: str = ""


def checked_declaration(
    keys: KeyStore, form: DeclarationForm, now: datetime
) -> tuple[dict[str, object] | None, dict[str, str]]:
    """The JSON to store with the check, or the field errors (Chinese) to show."""
    errors: dict[str, str] = {}
    origin = form.origin.strip()
    if not 2 <= len(origin) <= 100 or "\x00" in origin:
        errors["origin"] = "请填写出发地（省、市、区县），不超过 100 字"
    arrival: datetime | None = None
    try:
        arrival = datetime.fromisoformat(form.arrival.strip()).replace(tzinfo=LOCAL_TZ)
    except ValueError:
        errors["arrival"] = "请选择抵达时间"
    if arrival is not None and not now - ARRIVAL_PAST_LIMIT <= arrival <= now + ARRIVAL_FUTURE_SLACK:
        errors["arrival"] = "抵达时间应在最近 30 天内，且不晚于现在"
    if form.transport not in TRANSPORTS:
        errors["transport"] = "请选择交通方式"
    phone = ""
    try:
        phone = normalise_phone(form.phone)
    except InvalidPhone as exc:
        errors["phone"] = exc.message
    if errors or arrival is None:
        return None, errors
    return {
        "origin": origin,
        "arrival_at": arrival.astimezone(now.tzinfo).isoformat(),
        "transport": form.transport,
        "contact_phone_masked": mask_phone(phone),
        "contact_phone_enc": keys.encrypt(phone).hex(),
        "declared_at": now.isoformat(),
    }, {}


def save_declaration(db: Session, check: Check, declaration: dict[str, object]) -> None:
    # Only this column changes: the check is already counted, and stays counted once.
    db.execute(
        update(Check)
        .where(Check.id == check.id)
        .values(declaration_json=json.dumps(declaration, ensure_ascii=False, separators=(",", ":")))
    )
