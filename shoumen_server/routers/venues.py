"""Venues: register (also on an owner's behalf), edit, checkpoints, policy and the venue code."""

from __future__ import annotations

import io
import logging
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from shoumen_core.codes import venue_code_url
from shoumen_core.policy import VenuePolicy
from shoumen_core.schemas import (
    CheckpointIn,
    CheckpointOut,
    PendingVenueOut,
    VenueCodeOut,
    VenueIn,
    VenueOnBehalfIn,
    VenueOut,
    VenueRejectIn,
    VenueStatus,
    VenueUpdate,
)
from shoumen_server import venue_admin
from shoumen_server.audit import audit
from shoumen_server.deps import (
    Caller,
    Ctx,
    CurrentCaller,
    Db,
    require_owner,
    require_supervisor,
    require_unit_stats_reader,
)
from shoumen_server.deps import (
    get_venue as find_venue,
)
from shoumen_server.errors import BadInput, PermissionDenied
from shoumen_server.models import Checkpoint, Venue
from shoumen_server.views import venue_checkpoints, venue_out, venue_policy

router = APIRouter(tags=["venues"])
log = logging.getLogger("shoumen.server.venues")

MAX_ID = venue_admin.MAX_ID
VenueId = Annotated[int, Path(ge=1, le=MAX_ID)]
CheckpointId = Annotated[int, Path(ge=1, le=MAX_ID)]
MAX_QR_SCALE = 40


def require_venue_reader(db: Session, caller: Caller, venue_id: int) -> Venue:
    """Owner, authorised staff, or the supervisor of the venue's region."""
    venue, _member = require_unit_stats_reader(db, caller, venue_id)
    return venue


@router.post("/venues", response_model=VenueOut, status_code=201)
def register_venue(body: VenueIn, caller: CurrentCaller, ctx: Ctx, db: Db) -> VenueOut:
    if caller.is_supervisor:
        raise PermissionDenied(
            "乡镇街道工作人员请使用“代为注册”为场所负责人注册场所", code="supervisor_use_on_behalf"
        )
    owner = caller.user
    venue = venue_admin.create_venue(db, ctx, owner, body)
    log.info("venue %s registered by user %s", venue.id, owner.id)
    return venue_out(db, venue)


@router.post("/venues/on-behalf", response_model=VenueOut, status_code=201)
def register_venue_on_behalf(body: VenueOnBehalfIn, caller: CurrentCaller, ctx: Ctx, db: Db) -> VenueOut:
    """A township supervisor registers a venue for an owner who cannot; the owner takes it over
    by logging in with the phone number given here."""
    supervisor = require_supervisor(caller)
    region = venue_admin.checked_region(body.region_code)
    require_supervisor(caller, region)
    owner_phone = venue_admin.checked_phone(body.owner_phone)
    owner = venue_admin.find_or_create_user(db, ctx, owner_phone, body.owner_name)
    # The supervisor vouches for a venue they register themselves: it starts approved.
    venue = venue_admin.create_venue(db, ctx, owner, body, created_by=supervisor, approved_by=supervisor)
    audit(
        db,
        at=ctx.clock(),
        actor_user_id=supervisor.id,
        action="venue_on_behalf",
        venue_id=venue.id,
        region_code=venue.region_code,
        detail={"owner_user_id": owner.id},
    )
    log.info("venue %s registered on behalf by supervisor %s", venue.id, supervisor.id)
    return venue_out(db, venue)


@router.get("/venues/{venue_id}", response_model=VenueOut)
def get_venue(venue_id: VenueId, caller: CurrentCaller, db: Db) -> VenueOut:
    return venue_out(db, require_venue_reader(db, caller, venue_id))


@router.patch("/venues/{venue_id}", response_model=VenueOut)
def update_venue(venue_id: VenueId, body: VenueUpdate, caller: CurrentCaller, ctx: Ctx, db: Db) -> VenueOut:
    venue = require_owner(db, caller, venue_id)
    return venue_out(db, venue_admin.update_venue(db, ctx, venue, body))


# ---- approval (区域监管 → 待审核场所) -------------------------------------------------------


@router.get("/regions/{region_code}/pending-venues", response_model=list[PendingVenueOut])
def list_pending_venues(
    region_code: Annotated[str, Path(max_length=20)], caller: CurrentCaller, db: Db
) -> list[PendingVenueOut]:
    """The region's venues waiting for a decision, oldest first (its supervisors only)."""
    require_supervisor(caller)
    if len(region_code) != 6 or not region_code.isascii() or not region_code.isdigit():
        raise BadInput("行政区划代码无效（应为 6 位数字）", code="bad_region")
    require_supervisor(caller, region_code)
    return venue_admin.pending_venues(db, region_code)


def _decide(
    db: Session, ctx: Ctx, caller: Caller, venue_id: int, status: VenueStatus, reason: str = ""
) -> VenueOut:
    """Only a supervisor of the venue's region decides; every decision is audited."""
    require_supervisor(caller)
    venue = find_venue(db, venue_id)
    supervisor = require_supervisor(caller, venue.region_code)
    previous = venue.status
    venue = venue_admin.decide_venue(db, ctx, venue, status, by=supervisor, reason=reason)
    audit(
        db,
        at=ctx.clock(),
        actor_user_id=supervisor.id,
        action=f"venue_{status.value}",
        venue_id=venue.id,
        region_code=venue.region_code,
        device_name=caller.device_name,
        detail={"previous": previous, "reason": reason},
    )
    log.info("venue %s %s by supervisor %s", venue.id, status.value, supervisor.id)
    return venue_out(db, venue)


@router.post("/venues/{venue_id}/approve", response_model=VenueOut)
def approve_venue(venue_id: VenueId, caller: CurrentCaller, ctx: Ctx, db: Db) -> VenueOut:
    return _decide(db, ctx, caller, venue_id, VenueStatus.APPROVED)


@router.post("/venues/{venue_id}/reject", response_model=VenueOut)
def reject_venue(venue_id: VenueId, body: VenueRejectIn, caller: CurrentCaller, ctx: Ctx, db: Db) -> VenueOut:
    return _decide(db, ctx, caller, venue_id, VenueStatus.REJECTED, body.reason)


# ---- checkpoints ----------------------------------------------------------------------------


def _checkpoint_out(row: Checkpoint) -> CheckpointOut:
    return CheckpointOut(id=row.id, name=row.name, active=row.active)


@router.get("/venues/{venue_id}/checkpoints", response_model=list[CheckpointOut])
def list_checkpoints(venue_id: VenueId, caller: CurrentCaller, db: Db) -> list[CheckpointOut]:
    venue = require_venue_reader(db, caller, venue_id)
    return venue_checkpoints(db, venue.id)


@router.post("/venues/{venue_id}/checkpoints", response_model=CheckpointOut, status_code=201)
def add_checkpoint(
    venue_id: VenueId, body: CheckpointIn, caller: CurrentCaller, ctx: Ctx, db: Db
) -> CheckpointOut:
    venue = require_owner(db, caller, venue_id)
    return _checkpoint_out(venue_admin.add_checkpoint(db, ctx, venue, body))


@router.patch("/venues/{venue_id}/checkpoints/{checkpoint_id}", response_model=CheckpointOut)
def rename_checkpoint(
    venue_id: VenueId,
    checkpoint_id: CheckpointId,
    body: CheckpointIn,
    caller: CurrentCaller,
    ctx: Ctx,
    db: Db,
) -> CheckpointOut:
    venue = require_owner(db, caller, venue_id)
    return _checkpoint_out(venue_admin.rename_checkpoint(db, ctx, venue, checkpoint_id, body))


@router.delete("/venues/{venue_id}/checkpoints/{checkpoint_id}", status_code=204)
def remove_checkpoint(
    venue_id: VenueId, checkpoint_id: CheckpointId, caller: CurrentCaller, ctx: Ctx, db: Db
) -> None:
    venue = require_owner(db, caller, venue_id)
    venue_admin.remove_checkpoint(db, ctx, venue, checkpoint_id)


# ---- policy ---------------------------------------------------------------------------------


@router.get("/venues/{venue_id}/policy", response_model=VenuePolicy)
def get_policy(venue_id: VenueId, caller: CurrentCaller, db: Db) -> VenuePolicy:
    return venue_policy(require_venue_reader(db, caller, venue_id))


@router.put("/venues/{venue_id}/policy", response_model=VenuePolicy)
def put_policy(venue_id: VenueId, body: VenuePolicy, caller: CurrentCaller, ctx: Ctx, db: Db) -> VenuePolicy:
    venue = require_owner(db, caller, venue_id)
    return venue_admin.set_policy(db, ctx, venue, body)


# ---- venue code -----------------------------------------------------------------------------


def _venue_code(db: Session, ctx: Ctx, caller: Caller, venue_id: int, checkpoint_id: int | None) -> str:
    """Owner and authorised staff ("code only"), and the region's supervisor, who prints
    posters for owners."""
    venue = require_venue_reader(db, caller, venue_id)
    if checkpoint_id is not None:
        venue_admin.active_checkpoint(db, venue.id, checkpoint_id)
    return venue_code_url(ctx.settings.public_base_url, venue.id, checkpoint_id, ctx.keys.venue_secret)


CheckpointQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get("/venues/{venue_id}/code", response_model=VenueCodeOut)
def get_venue_code(
    venue_id: VenueId, caller: CurrentCaller, ctx: Ctx, db: Db, checkpoint_id: CheckpointQuery = None
) -> VenueCodeOut:
    url = _venue_code(db, ctx, caller, venue_id, checkpoint_id)
    return VenueCodeOut(venue_id=venue_id, checkpoint_id=checkpoint_id, url=url)


def qr_png(text: str, scale: int) -> bytes:
    # qrcode (and Pillow, which it imports) when a code is first drawn, not at the server's
    # start: ~40 ms of the embedded backend's, which the app waits for (issue 18 §3).
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=scale, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


@router.get(
    "/venues/{venue_id}/code.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "the venue code as a QR image"}},
)
def get_venue_code_png(
    venue_id: VenueId,
    caller: CurrentCaller,
    ctx: Ctx,
    db: Db,
    checkpoint_id: CheckpointQuery = None,
    scale: Annotated[int, Query(ge=1, le=MAX_QR_SCALE)] = 10,
) -> Response:
    url = _venue_code(db, ctx, caller, venue_id, checkpoint_id)
    return Response(content=qr_png(url, scale), media_type="image/png", headers={"Cache-Control": "private"})
