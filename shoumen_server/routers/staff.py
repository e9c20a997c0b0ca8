"""Staff (子管理员) of a venue: the owner adds, authorises, revokes and deletes them.

Revocation and deletion need no push to devices: `deps.require_checker` reads the membership
on every request, so the member's next request is refused.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session

from shoumen_core.schemas import StaffIn, StaffOut, StaffState
from shoumen_server import venue_admin
from shoumen_server.audit import audit
from shoumen_server.deps import Ctx, CurrentCaller, Db, ServerContext, require_owner

router = APIRouter(tags=["staff"])
log = logging.getLogger("shoumen.server.staff")

VenueId = Annotated[int, Path(ge=1, le=venue_admin.MAX_ID)]
UserId = Annotated[int, Path(ge=1, le=venue_admin.MAX_ID)]


def _audit(db: Session, ctx: ServerContext, actor_id: int, action: str, venue_id: int, user_id: int) -> None:
    audit(
        db,
        at=ctx.clock(),
        actor_user_id=actor_id,
        action=action,
        venue_id=venue_id,
        detail={"user_id": user_id},
    )


@router.get("/venues/{venue_id}/staff", response_model=list[StaffOut])
def list_staff(venue_id: VenueId, caller: CurrentCaller, db: Db) -> list[StaffOut]:
    venue = require_owner(db, caller, venue_id)
    return venue_admin.list_staff(db, venue.id)


@router.post("/venues/{venue_id}/staff", response_model=StaffOut, status_code=201)
def add_staff(venue_id: VenueId, body: StaffIn, caller: CurrentCaller, ctx: Ctx, db: Db) -> StaffOut:
    venue = require_owner(db, caller, venue_id)
    out = venue_admin.add_staff(db, ctx, venue, body, added_by=caller.user)
    _audit(db, ctx, caller.user_id, "staff_add", venue.id, out.user_id)
    log.info("venue %s: user %s added as staff", venue.id, out.user_id)
    return out


def _set_state(
    venue_id: int, user_id: int, state: StaffState, caller: CurrentCaller, ctx: ServerContext, db: Session
) -> StaffOut:
    venue = require_owner(db, caller, venue_id)
    out = venue_admin.set_staff_state(db, ctx, venue, user_id, state)
    action = "staff_authorise" if state == StaffState.AUTHORISED else "staff_revoke"
    _audit(db, ctx, caller.user_id, action, venue.id, user_id)
    return out


@router.post("/venues/{venue_id}/staff/{user_id}/authorise", response_model=StaffOut)
def authorise_staff(venue_id: VenueId, user_id: UserId, caller: CurrentCaller, ctx: Ctx, db: Db) -> StaffOut:
    return _set_state(venue_id, user_id, StaffState.AUTHORISED, caller, ctx, db)


@router.post("/venues/{venue_id}/staff/{user_id}/revoke", response_model=StaffOut)
def revoke_staff(venue_id: VenueId, user_id: UserId, caller: CurrentCaller, ctx: Ctx, db: Db) -> StaffOut:
    return _set_state(venue_id, user_id, StaffState.REVOKED, caller, ctx, db)


@router.delete("/venues/{venue_id}/staff/{user_id}", status_code=204)
def delete_staff(venue_id: VenueId, user_id: UserId, caller: CurrentCaller, ctx: Ctx, db: Db) -> None:
    venue = require_owner(db, caller, venue_id)
    venue_admin.remove_staff(db, ctx, venue, user_id)
    _audit(db, ctx, caller.user_id, "staff_delete", venue.id, user_id)
    log.info("venue %s: staff user %s deleted", venue.id, user_id)
