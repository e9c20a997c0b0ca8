"""查看完整信息: the full name, document number and phone behind one abnormal check or anomaly
registration, for the venue's owner or the supervisor of its region — on an explicit request,
and every time audited ("view_full"). Everything else in the API shows masked forms only.

A check's person is read from the health registry (by its opaque person_ref) or, for a
document typed offline, unsealed with the server's sealing key; a registration's fields are
decrypted from its own encrypted columns. Where a check has a registration, the registration
fills in what the check lacks (e.g. the phone).
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from shoumen_core.codes import SealError, unseal
from shoumen_server.audit import audit
from shoumen_server.deps import (
    Caller,
    Ctx,
    CurrentCaller,
    Db,
    get_venue,
    require_approved_venue,
    require_owner,
    supervises,
)
from shoumen_server.errors import BadInput, NotFound
from shoumen_server.ingest import MAX_ID
from shoumen_server.keys import KeyStore
from shoumen_server.models import Anomaly, Check, Person, Venue

router = APIRouter(tags=["details"])
log = logging.getLogger("shoumen.server.details")

VenueId = Annotated[int, Path(ge=1, le=MAX_ID)]


class FullDetailsIn(BaseModel):
    """Exactly one of the two: the abnormal check, or the anomaly registration."""

    model_config = ConfigDict(extra="forbid")

    check_id: uuid.UUID | None = None
    anomaly_id: uuid.UUID | None = None


class FullDetailsOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    venue_id: int
    check_id: uuid.UUID | None
    anomaly_id: uuid.UUID | None
    name: str
    document_kind: str | None
    document_number: str
    phone: str
    source: Literal["registry", "registration", "sealed"]
    audit_id: int


class _Found:
    """What the stored rows reveal, filled from the most trusted source first."""

    def __init__(self) -> None:
        self.name = ""
        self.document_kind: str | None = None
        self.document_number = ""
        self.phone = ""
        self.source: Literal["registry", "registration", "sealed"] | None = None
        self.person_ref: str | None = None

    def take(self, source: Literal["registry", "registration", "sealed"], **values: str | None) -> None:
        for field, value in values.items():
            if value and not getattr(self, field):
                setattr(self, field, value)
        if self.source is None and any(values.values()):
            self.source = source


def _plain(keys: KeyStore, blob: bytes | None) -> str:
    return keys.decrypt(blob) if blob else ""


def _unsealed(keys: KeyStore, sealed: bytes | None) -> str:
    if not sealed:
        return ""
    try:
        return unseal(sealed, keys.sealing_private).decode("utf-8")
    except (SealError, ValueError):
        log.warning("a sealed document could not be opened")
        return ""


def _from_registration(keys: KeyStore, row: Anomaly, found: _Found) -> None:
    found.take(
        "registration",
        name=_plain(keys, row.name_enc),
        document_number=_plain(keys, row.doc_enc),
        phone=_plain(keys, row.phone_enc),
        document_kind=row.document_kind,
    )
    found.take("sealed", document_number=_unsealed(keys, row.sealed_document))


def _from_check(db: Session, keys: KeyStore, row: Check, found: _Found) -> None:
    if row.person_ref:
        found.person_ref = row.person_ref
        person = db.scalar(select(Person).where(Person.person_ref == row.person_ref))
        if person is not None:
            found.take(
                "registry",
                name=_plain(keys, person.name_enc),
                document_number=_plain(keys, person.doc_enc),
                phone=_plain(keys, person.phone_enc),
                document_kind=person.doc_kind,
            )
    found.take("sealed", document_number=_unsealed(keys, row.sealed_document))
    registration = db.scalar(select(Anomaly).where(Anomaly.check_id == row.id).order_by(Anomaly.id).limit(1))
    if registration is not None:
        _from_registration(keys, registration, found)


def _require_viewer(db: Session, caller: Caller, venue_id: int) -> tuple[Venue, str]:
    """The supervisor of the venue's region, or the venue's owner (staff may not) once a
    supervisor approved the venue: a pending venue could otherwise read back the identities
    behind document numbers its guards typed."""
    venue = get_venue(db, venue_id)
    if supervises(caller.user, venue):
        return venue, "supervisor"
    return require_approved_venue(require_owner(db, caller, venue_id)), "owner"


@router.post("/venues/{venue_id}/full-details", response_model=FullDetailsOut)
def full_details(
    venue_id: VenueId, body: FullDetailsIn, caller: CurrentCaller, ctx: Ctx, db: Db
) -> FullDetailsOut:
    """The unmasked identity behind one abnormal check or registration of the venue; audited."""
    venue, role = _require_viewer(db, caller, venue_id)
    if (body.check_id is None) == (body.anomaly_id is None):
        raise BadInput("请指定一条核验记录或一条核查登记（二选一）", code="bad_details_request")
    found = _Found()
    if body.check_id is not None:
        check = db.get(Check, body.check_id)
        if check is None or check.venue_id != venue.id:
            raise NotFound("核验记录不存在或已被清理", code="check_not_found")
        _from_check(db, ctx.keys, check, found)
    else:
        registration = db.get(Anomaly, body.anomaly_id)
        if registration is None or registration.venue_id != venue.id:
            raise NotFound("登记不存在或已被删除", code="anomaly_not_found")
        _from_registration(ctx.keys, registration, found)
    if found.source is None:
        raise NotFound("该记录没有可查看的完整信息", code="no_full_details")
    audit_id = audit(
        db,
        at=ctx.clock(),
        actor_user_id=caller.user.id,
        action="view_full",
        venue_id=venue.id,
        region_code=venue.region_code,
        person_ref=found.person_ref,
        device_name=caller.token.device_name,
        detail={
            "role": role,
            "check_id": None if body.check_id is None else str(body.check_id),
            "anomaly_id": None if body.anomaly_id is None else str(body.anomaly_id),
        },
    )
    db.flush()
    log.info("full details viewed by user %s (%s) at venue %s", caller.user.id, role, venue.id)
    return FullDetailsOut(
        venue_id=venue.id,
        check_id=body.check_id,
        anomaly_id=body.anomaly_id,
        name=found.name,
        document_kind=found.document_kind,
        document_number=found.document_number,
        phone=found.phone,
        source=found.source,
        audit_id=audit_id,
    )
