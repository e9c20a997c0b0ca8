"""查看完整信息: the full name, document number and phone behind one abnormal check or anomaly
registration, for the venue's owner or the supervisor of its region — on an explicit request,
and every time audited ("view_full"). Everything else in the API shows masked forms only.

Who may see it is decided here; what the rows reveal is `shoumen_server.full_details`.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

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
from shoumen_server.errors import BadInput
from shoumen_server.full_details import full_details as full_details_of
from shoumen_server.ingest import MAX_ID
from shoumen_server.models import Venue

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


def _require_viewer(db: Session, caller: Caller, venue_id: int) -> tuple[Venue, str]:
    """The supervisor of the venue's region, or the venue's owner (staff may not) once a
    supervisor approved the venue: a pending venue could otherwise read back the identities
    behind document numbers its guards typed."""
    venue = get_venue(db, venue_id)
    if supervises(caller, venue):
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
    found = full_details_of(db, ctx.keys, venue.id, check_id=body.check_id, anomaly_id=body.anomaly_id)
    audit_id = audit(
        db,
        at=ctx.clock(),
        actor_user_id=caller.user_id,
        action="view_full",
        venue_id=venue.id,
        region_code=venue.region_code,
        person_ref=found.person_ref,
        device_name=caller.device_name,
        detail={
            "role": role,
            "check_id": None if body.check_id is None else str(body.check_id),
            "anomaly_id": None if body.anomaly_id is None else str(body.anomaly_id),
        },
    )
    log.info("full details viewed by user %s (%s) at venue %s", caller.user_id, role, venue.id)
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
