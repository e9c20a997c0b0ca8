"""Anomaly registrations (核查登记): validating an AnomalyIn and applying it, with
optimistic concurrency. The one code path of `POST /sync/push` and the anomaly endpoints; and
reading them back (one, or a venue's day). Owns the `anomalies` table."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shoumen_core.anomalies import anomaly_problems
from shoumen_core.codes import SealError, b64url_decode, unseal
from shoumen_core.identity import (
    MASK_POLICIES,
    DocumentKind,
    InvalidDocument,
    mask_document,
    mask_name,
    parse_document,
)
from shoumen_core.phone import InvalidPhone, mask_phone, normalise_phone
from shoumen_core.schemas import AnomalyIn
from shoumen_core.timeutil import as_utc, local_day
from shoumen_server.errors import BadInput, Conflict, NotFound
from shoumen_server.ingest import checkpoint_venues
from shoumen_server.keys import KeyStore
from shoumen_server.models import Anomaly, Check, Venue
from shoumen_server.pushed_rows import (
    BAD_CHECKPOINT,
    BAD_SEALED,
    BAD_TEXT,
    Problem,
    bad_text,
    opened_document,
    sealed_problem,
    server_masked_id,
    temperature_problem,
    time_problem,
)
from shoumen_server.views import venue_policy

WRONG_CHECK = Problem("bad_check", "关联的核验记录不属于该场所")


@dataclass
class _AnomalyValues:
    """A validated AnomalyIn: the columns to store, and the plaintexts behind encrypted ones."""

    columns: dict[str, Any]
    document: str | None
    name: str | None
    phone: str | None


def _refuse(problem: Problem) -> BadInput:
    return BadInput(problem.message, code=problem.code)


def _checked_document(
    body: AnomalyIn, venue: Venue, now: datetime, keys: KeyStore
) -> tuple[dict[str, Any], str | None]:
    kind: DocumentKind | None = None
    if body.document_kind:
        try:
            kind = DocumentKind(body.document_kind)
        except ValueError:
            raise BadInput("证件类型无效", code="bad_document") from None
    if body.document_number:
        try:
            document = parse_document(body.document_number, kind, today=local_day(now))
        except InvalidDocument as exc:
            raise BadInput(exc.message, code="bad_document") from exc
        policy = MASK_POLICIES.get(venue_policy(venue).masking.value, MASK_POLICIES["standard"])
        columns: dict[str, Any] = {
            "document_kind": document.kind.value,
            "masked_id": mask_document(document.number, policy),
            "sealed_document": None,
        }
        return columns, document.number
    columns = {}
    sealed: bytes | None = None
    if body.sealed_document:
        if sealed_problem(body.sealed_document) is not None:
            raise _refuse(BAD_SEALED)
        try:
            columns["sealed_document"] = sealed = b64url_decode(body.sealed_document)
        except ValueError:
            raise _refuse(BAD_SEALED) from None
    if kind is not None:
        columns["document_kind"] = kind.value
    if bad_text(body.masked_id, 40):
        raise BadInput("证件号码（脱敏）过长", code="bad_document")
    # The server masks the number itself (from the sealed document when it can open it): a
    # device's "masked" form is never stored as sent.
    opened = opened_document(keys.sealing_private, sealed)
    if body.masked_id or opened:
        policy = MASK_POLICIES.get(venue_policy(venue).masking.value, MASK_POLICIES["standard"])
        columns["masked_id"] = server_masked_id(body.masked_id, opened, policy)
    return columns, None


def _unsealed_text(keys: KeyStore, sealed: str, limit: int) -> str:
    """A name or phone a device sealed to this backend; BadInput when it does not open."""
    try:
        text = unseal(b64url_decode(sealed), keys.sealing_private).decode("utf-8").strip()
    except (SealError, ValueError):  # ValueError: bad base64 or UTF-8
        raise BadInput("姓名或电话密文无效", code="bad_sealed_text") from None
    if bad_text(text, limit):
        raise BadInput(BAD_TEXT.message, code="bad_record")
    return text


def _unsealed_contact(keys: KeyStore, body: AnomalyIn) -> AnomalyIn:
    """The body with a sealed name and phone opened (a device keeps them only sealed)."""
    changes: dict[str, str] = {}
    if body.sealed_name:
        changes["name"] = _unsealed_text(keys, body.sealed_name, 50)
    if body.sealed_phone:
        changes["phone"] = _unsealed_text(keys, body.sealed_phone, 32)
    return body.model_copy(update=changes) if changes else body


# Arrival and report times may lie before the registration, not without bound.
OTHER_TIMES_BACK = timedelta(days=366)


def _time_problem(body: AnomalyIn, now: datetime, oldest: datetime | None) -> Problem | None:
    problem = time_problem(body.created_at, now, oldest)
    for moment in (body.arrival_at, body.reported_at):
        if problem is None and moment is not None:
            problem = time_problem(moment, now, now - OTHER_TIMES_BACK)
    return problem


def _checked_anomaly(
    body: AnomalyIn, venue: Venue, db: Session, keys: KeyStore, now: datetime, oldest: datetime | None
) -> _AnomalyValues:
    texts = (body.name, body.phone, body.origin, body.transport, body.reported_to, body.notes, body.masked_id)
    if any("\x00" in text for text in texts) or bad_text(body.document_number, 40):
        raise _refuse(BAD_TEXT)
    snapshot_temperature = body.snapshot.temperature if body.snapshot else None
    problem = (
        temperature_problem(body.temperature)
        or temperature_problem(snapshot_temperature)
        or _time_problem(body, now, oldest)
    )
    if problem is not None:
        raise _refuse(problem)
    if (
        body.checkpoint_id is not None
        and checkpoint_venues(db, [body.checkpoint_id]).get(body.checkpoint_id) != venue.id
    ):
        raise _refuse(BAD_CHECKPOINT)
    if body.check_id is not None:
        # A registration belongs to a check of its own venue; a check not (yet) on the server
        # is allowed: the station may push the registration in an earlier batch than its check.
        check_venue = db.scalar(select(Check.venue_id).where(Check.id == body.check_id))
        if check_venue is not None and check_venue != venue.id:
            raise _refuse(WRONG_CHECK)
    columns, document = _checked_document(body, venue, now, keys)
    phone: str | None = None
    if body.phone:
        try:
            phone = normalise_phone(body.phone)
        except InvalidPhone as exc:
            raise BadInput(exc.message, code=exc.code) from exc
        columns["phone_masked"] = mask_phone(phone)
    name = body.name or None
    if name:
        columns["masked_name"] = mask_name(name)
    columns.update(
        checkpoint_id=body.checkpoint_id,
        check_id=body.check_id,
        temperature=body.temperature,
        snapshot_json=body.snapshot.model_dump_json() if body.snapshot else None,
        origin=body.origin,
        no_phone_reason=body.no_phone_reason,
        arrival_at=as_utc(body.arrival_at) if body.arrival_at else None,
        transport=body.transport,
        anomaly_type=body.anomaly_type.value,
        action=body.action.value,
        reported_to=body.reported_to,
        reported_at=as_utc(body.reported_at) if body.reported_at else None,
        notes=body.notes,
    )
    return _AnomalyValues(columns=columns, document=document, name=name, phone=phone)


def _check_type_rules(body: AnomalyIn, values: _AnomalyValues, stored: Anomaly | None) -> None:
    """The per-type rules the station's form applies too (shoumen_core.anomalies): FAQ 6 needs
    a name, a description and a phone or why there is none. On an edit, a name or phone the
    registration already holds counts (a device sends them only when retyped)."""
    kept_name = stored is not None and stored.name_enc is not None
    kept_phone = stored is not None and stored.phone_enc is not None
    problems = anomaly_problems(
        body.anomaly_type,
        body.action,
        has_name=bool(values.name) or kept_name,
        has_phone=bool(values.phone) or kept_phone,
        no_phone_reason=body.no_phone_reason,
        notes=body.notes,
    )
    if problems:
        raise BadInput(problems[0].message, code=problems[0].code)


def _same_content(keys: KeyStore, row: Anomaly, values: _AnomalyValues) -> bool:
    """True when storing `values` would change nothing: a resend of what is stored."""
    if any(getattr(row, column) != value for column, value in values.columns.items()):
        return False
    encrypted = (
        (values.document, row.doc_enc),
        (values.name, row.name_enc),
        (values.phone, row.phone_enc),
    )
    return all(
        plain is None or (blob is not None and keys.decrypt(blob) == plain) for plain, blob in encrypted
    )


def _set_values(keys: KeyStore, row: Anomaly, values: _AnomalyValues) -> None:
    for column, value in values.columns.items():
        setattr(row, column, value)
    if values.document is not None:
        row.doc_enc = keys.encrypt(values.document)
    if values.name is not None:
        row.name_enc = keys.encrypt(values.name)
    if values.phone is not None:
        row.phone_enc = keys.encrypt(values.phone)


def apply_anomaly(
    db: Session,
    keys: KeyStore,
    body: AnomalyIn,
    user_id: int,
    now: datetime,
    *,
    oldest: datetime | None = None,
) -> Anomaly:
    """Create (base_version 0) or edit (base_version N) an anomaly registration.

    The caller has checked that `user_id` may register anomalies at `body.venue_id`. Raises
    BadInput for invalid fields, NotFound for an edit of an unknown registration and Conflict
    ("version_conflict", detail server_version) when the stored version is not the base of the
    edit. A resend of exactly what is stored is accepted and changes nothing. On an edit, an
    empty name or phone and an absent document keep the stored ones.
    """
    venue = db.get(Venue, body.venue_id)
    if venue is None:
        raise NotFound("场所不存在", code="venue_not_found")
    values = _checked_anomaly(_unsealed_contact(keys, body), venue, db, keys, now, oldest)
    row = db.get(Anomaly, body.id, with_for_update=True)  # edits of one registration queue up
    _check_type_rules(body, values, row if row is not None and row.venue_id == body.venue_id else None)
    if row is None or row.venue_id != body.venue_id:
        if body.base_version != 0 or row is not None:
            raise NotFound("登记不存在或已被删除", code="anomaly_not_found")
        created_at = as_utc(body.created_at)
        row = Anomaly(
            id=body.id,
            venue_id=body.venue_id,
            user_id=user_id,
            day=local_day(created_at),
            created_at=created_at,
            updated_at=now,
            version=1,
        )
        _set_values(keys, row, values)
        db.add(row)
        db.flush()
        return row
    if _same_content(keys, row, values):
        return row
    if body.base_version != row.version:
        raise Conflict(
            "登记已被他人修改（服务器版本 {version}）",
            code="version_conflict",
            params={"version": row.version},
            detail={"server_version": row.version},
        )
    _set_values(keys, row, values)
    row.version += 1
    row.updated_at = now
    db.flush()
    return row


MAX_DAY_LIST = 1000


def venue_anomaly(db: Session, venue_id: int, anomaly_id: uuid.UUID) -> Anomaly:
    """The venue's registration `anomaly_id`; NotFound anomaly_not_found if the venue has none."""
    row = db.get(Anomaly, anomaly_id)
    if row is None or row.venue_id != venue_id:
        raise NotFound("登记不存在或已被删除", code="anomaly_not_found")
    return row


def day_anomalies(db: Session, venue_id: int, day: date) -> list[Anomaly]:
    """The venue's registrations of one local day, newest first (at most MAX_DAY_LIST)."""
    rows = db.scalars(
        select(Anomaly)
        .where(Anomaly.venue_id == venue_id, Anomaly.day == day)
        .order_by(Anomaly.created_at.desc(), Anomaly.id)
        .limit(MAX_DAY_LIST)
    )
    return list(rows)
