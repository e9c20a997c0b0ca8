"""设备绑定 (issue 18 §1): the owner's enrolment codes and stations; a station's enrolment,
rotation and self-description. The rules live in shoumen_server.devices."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path, Request

from shoumen_core.devices import (
    DeviceCredential,
    DeviceOut,
    DeviceSelf,
    EnrolmentIn,
    EnrolmentOut,
    EnrolRequest,
)
from shoumen_server import devices
from shoumen_server.audit import audit
from shoumen_server.client_address import client_address
from shoumen_server.deps import Caller, Ctx, CurrentCaller, Db, StationCaller, require_owner
from shoumen_server.ingest import MAX_ID
from shoumen_server.models import Device
from shoumen_server.ratelimit import commit_takes

router = APIRouter(tags=["devices"])
log = logging.getLogger("shoumen.server.devices")

VenueId = Annotated[int, Path(ge=1, le=MAX_ID)]
DeviceId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("/venues/{venue_id}/enrolments", response_model=EnrolmentOut, status_code=201)
def create_enrolment(
    venue_id: VenueId, body: EnrolmentIn, caller: CurrentCaller, ctx: Ctx, db: Db
) -> EnrolmentOut:
    """A code (and its QR) for one checkpoint, valid 10 minutes, once. Owner only."""
    venue = require_owner(db, caller, venue_id)
    out = devices.create_enrolment(ctx, db, venue, caller.user, body.checkpoint_id, body.name)
    audit(
        db,
        at=ctx.clock(),
        actor_user_id=caller.user_id,
        action="device_enrolment",
        venue_id=venue.id,
        detail={"enrolment_id": out.id, "checkpoint_id": out.checkpoint_id},
    )
    return out


@router.get("/venues/{venue_id}/devices", response_model=list[DeviceOut])
def list_devices(venue_id: VenueId, caller: CurrentCaller, db: Db) -> list[DeviceOut]:
    return devices.list_devices(db, require_owner(db, caller, venue_id))


@router.post("/venues/{venue_id}/devices/{device_id}/revoke", response_model=DeviceOut)
def revoke_device(
    venue_id: VenueId, device_id: DeviceId, caller: CurrentCaller, ctx: Ctx, db: Db
) -> DeviceOut:
    venue = require_owner(db, caller, venue_id)
    out = devices.revoke_device(ctx, db, venue, caller.user, device_id)
    audit(
        db,
        at=ctx.clock(),
        actor_user_id=caller.user_id,
        action="device_revoke",
        venue_id=venue.id,
        detail={"device_id": device_id},
    )
    return out


@router.post("/devices/enrol", response_model=DeviceCredential, status_code=201)
def enrol(body: EnrolRequest, request: Request, ctx: Ctx, db: Db) -> DeviceCredential:
    """No login: the code is the proof. Attempts are limited per address and overall; a
    refused attempt still spends its token (committed before the code is looked at)."""
    devices.admit_enrolment(ctx, db, client_address(request, ctx.settings))
    commit_takes(db)
    return devices.redeem_enrolment(ctx, db, body.code, body.app_version)


def _device(caller: Caller) -> Device:
    if caller.device is None:
        raise devices.device_forbidden("只有已绑定的设备可以执行此操作")
    return caller.device


@router.get("/devices/me", response_model=DeviceSelf)
def device_me(caller: StationCaller, db: Db) -> DeviceSelf:
    """Where this station is enrolled (a revoked one hears `device_revoked`)."""
    return devices.device_self(db, _device(caller))


@router.post("/devices/rotate", response_model=DeviceCredential)
def rotate(caller: StationCaller, ctx: Ctx, db: Db) -> DeviceCredential:
    return devices.rotate_credential(ctx, db, _device(caller))
