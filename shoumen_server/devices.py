"""Enrolled stations (设备绑定, issue 18 §1): enrolment codes, device credentials, rotation,
revocation, and turning a device credential into the request's principal.

A device acts for its venue and one checkpoint only: it may look up visitors there, push the
checks of that checkpoint, pull its venue and the trust list (the gate is opened by the station
itself and recorded in the checks it pushes). Every other route refuses it (deps.current_caller
answers 403 `device_forbidden`). Its checks are attributed to the owner who enrolled it (the
checks table knows people, not devices); the audit log names the device.

Guessing: a code is 8 characters of a 31-letter alphabet (39 bits), lives 10 minutes and works
once. Redemption attempts are limited per client address and over all addresses together
(database token buckets, shoumen_server.ratelimit), so a guesser gets a few hundred tries an
hour at most against the handful of codes alive at any moment.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from shoumen_core.devices import (
    ENROLMENT_MINUTES,
    MAX_APP_VERSION,
    DeviceCredential,
    DeviceOut,
    DeviceSelf,
    EnrolmentOut,
    display_code,
    new_enrolment_code,
    normalise_enrolment_code,
    qr_payload,
)
from shoumen_core.schemas import PushRequest, Rejected
from shoumen_server.errors import BadInput, NotAuthenticated, PermissionDenied, RateLimited
from shoumen_server.keys import KeyStore, token_hash
from shoumen_server.models import AuthToken, Checkpoint, Device, Enrolment, User, Venue
from shoumen_server.ratelimit import Bucket, take

if TYPE_CHECKING:
    from shoumen_server.deps import ServerContext

log = logging.getLogger("shoumen.server.devices")

# A rotated-out credential still works this long (or until the new one is first used): the
# station may not have stored the new one yet when the answer was lost on the way.
PREVIOUS_GRACE = timedelta(minutes=10)
# last_seen, version and pending are written at most this often per device: not a write per check.
SEEN_EVERY = timedelta(seconds=60)
# Codes alive at once per venue: enough for setting up a row of kiosks, not a code printer.
MAX_LIVE_ENROLMENTS = 10
MAX_DEVICES_PER_VENUE = 200
# Redemption attempts (bucket capacity, refill per second): per client address 10 then one a
# minute; all addresses together 120 then one every 3 s (an enrolment is a rare event).
ENROL_PER_CLIENT = (10.0, 1 / 60)
ENROL_GLOBAL = (120.0, 1 / 3)
MAX_PENDING_REPORTED = 10_000_000

DEVICE_REVOKED_MESSAGE = "此设备已被解除绑定，请联系场所负责人重新绑定"
DEVICE_FORBIDDEN_MESSAGE = "设备凭据只能用于核验、同步和开闸，其他操作请工作人员登录"
DEVICE_SCOPE_MESSAGE = "此设备只能在绑定的场所和检查点使用"
ENROL_CODE_INVALID_MESSAGE = "绑定码无效、已使用或已过期，请向场所负责人索取新的绑定码"


def device_revoked() -> NotAuthenticated:
    return NotAuthenticated(DEVICE_REVOKED_MESSAGE, code="device_revoked")


def device_forbidden(message: str = DEVICE_FORBIDDEN_MESSAGE) -> PermissionDenied:
    return PermissionDenied(message, code="device_forbidden")


def code_hash(keys: KeyStore, code: str) -> str:
    """Keyed: 39 bits fall to a dictionary in seconds, so a plain hash in a dump would give
    away every live code; without the key directory it gives nothing."""
    return keys.keyed_hash("enrolment", code)


# ---- the principal --------------------------------------------------------------------------


@dataclass(frozen=True)
class DevicePrincipal:
    device: Device
    owner: User  # who enrolled it: its checks are attributed to them
    token: AuthToken  # transient (never added to a session): carries the device's name for audits


_DEVICE = (
    select(Device, User)
    .join(User, User.id == Device.created_by_user_id)
    .where(
        or_(
            Device.credential_hash == bindparam("credential"), Device.previous_hash == bindparam("credential")
        )
    )
)


def authenticate_device(
    ctx: ServerContext, db: Session, token: str, *, app_version: str | None, pending: str | None
) -> DevicePrincipal:
    """The device a credential names, or 401: unknown (`device_unknown`), revoked
    (`device_revoked`, said in words the station shows), or a rotated-out one past its grace."""
    hashed = token_hash(token)
    found = db.execute(_DEVICE, {"credential": hashed}).first()
    if found is None:
        raise NotAuthenticated("设备凭据无效，请重新绑定设备", code="device_unknown")
    device, owner = found
    now = ctx.clock()
    if device.revoked_at is not None:
        raise device_revoked()
    if device.credential_hash != hashed:  # the previous credential
        if device.previous_until is None or device.previous_until <= now:
            raise NotAuthenticated("设备凭据已更换，请重新绑定设备", code="device_unknown")
    elif device.previous_hash is not None:
        # The new credential is in use: the station has it, the old one is done.
        device.previous_hash, device.previous_until = None, None
    _note_seen(device, now, app_version, pending)
    transient = AuthToken(
        user_id=owner.id,
        token_hash="",
        device_name=f"设备#{device.id} {device.name}"[:100],
        created_at=device.created_at,
        expires_at=now,
    )
    return DevicePrincipal(device=device, owner=owner, token=transient)


def _note_seen(device: Device, now: datetime, app_version: str | None, pending: str | None) -> None:
    if device.last_seen_at is not None and now - device.last_seen_at < SEEN_EVERY:
        return
    device.last_seen_at = now
    if app_version:
        device.app_version = app_version.strip()[:MAX_APP_VERSION]
    if pending is not None and pending.strip().isdigit():
        device.pending_checks = min(int(pending.strip()), MAX_PENDING_REPORTED)


def device_scope(device: Device | None, body: PushRequest) -> tuple[PushRequest, list[Rejected]]:
    """What a station may push: the checks of its own checkpoint and the registrations of its
    venue (a person logged in on top registers anomalies through it); the rest is refused row
    by row (`device_forbidden`), like any other refused row."""
    if device is None:
        return body, []
    refused: list[Rejected] = []
    checks = []
    for record in body.checks:
        if record.venue_id == device.venue_id and record.checkpoint_id == device.checkpoint_id:
            checks.append(record)
        else:
            refused.append(Rejected(id=record.id, code="device_forbidden", message=DEVICE_SCOPE_MESSAGE))
    anomalies = []
    for item in body.anomalies:
        if item.venue_id == device.venue_id:
            anomalies.append(item)
        else:
            refused.append(Rejected(id=item.id, code="device_forbidden", message=DEVICE_SCOPE_MESSAGE))
    if not refused:
        return body, []
    return body.model_copy(update={"checks": checks, "anomalies": anomalies}), refused


# ---- owner: enrolments, devices, revocation ---------------------------------------------------


def _own_checkpoint(db: Session, venue: Venue, checkpoint_id: int) -> Checkpoint:
    checkpoint = db.get(Checkpoint, checkpoint_id)
    if checkpoint is None or checkpoint.venue_id != venue.id or not checkpoint.active:
        raise BadInput("检查点不属于该场所", code="bad_checkpoint")
    return checkpoint


def create_enrolment(
    ctx: ServerContext, db: Session, venue: Venue, owner: User, checkpoint_id: int, name: str
) -> EnrolmentOut:
    checkpoint = _own_checkpoint(db, venue, checkpoint_id)
    now = ctx.clock()
    live = db.scalars(
        select(Enrolment.id).where(
            Enrolment.venue_id == venue.id, Enrolment.used_at.is_(None), Enrolment.expires_at > now
        )
    ).all()
    if len(live) >= MAX_LIVE_ENROLMENTS:
        raise RateLimited("未使用的绑定码过多，请先使用或等待其过期（10 分钟）", code="too_many_enrolments")
    code = new_enrolment_code()
    expires = now + timedelta(minutes=ENROLMENT_MINUTES)
    row = Enrolment(
        venue_id=venue.id,
        checkpoint_id=checkpoint.id,
        name=name,
        code_hash=code_hash(ctx.keys, code),
        created_by_user_id=owner.id,
        created_at=now,
        expires_at=expires,
    )
    db.add(row)
    db.flush()
    return EnrolmentOut(
        id=row.id,
        venue_id=venue.id,
        checkpoint_id=checkpoint.id,
        name=name,
        code=display_code(code),
        qr_payload=qr_payload(code),
        expires_at=expires,
    )


def list_devices(db: Session, venue: Venue) -> list[DeviceOut]:
    rows = db.execute(
        select(Device, Checkpoint.name)
        .join(Checkpoint, Checkpoint.id == Device.checkpoint_id)
        .where(Device.venue_id == venue.id)
        .order_by(Device.revoked_at.is_not(None), Device.id)
        .limit(MAX_DEVICES_PER_VENUE)
    ).all()
    return [_device_out(device, checkpoint_name) for device, checkpoint_name in rows]


def _device_out(device: Device, checkpoint_name: str) -> DeviceOut:
    return DeviceOut(
        id=device.id,
        name=device.name,
        checkpoint_id=device.checkpoint_id,
        checkpoint_name=checkpoint_name,
        created_at=device.created_at,
        last_seen_at=device.last_seen_at,
        app_version=device.app_version,
        pending_checks=device.pending_checks,
        revoked_at=device.revoked_at,
    )


def revoke_device(ctx: ServerContext, db: Session, venue: Venue, owner: User, device_id: int) -> DeviceOut:
    """The station stops at its next request: every request reads the device row."""
    device = db.get(Device, device_id)
    if device is None or device.venue_id != venue.id:
        raise BadInput("设备不存在", code="device_not_found", status=404)
    if device.revoked_at is None:
        device.revoked_at = ctx.clock()
        device.revoked_by_user_id = owner.id
        device.previous_hash, device.previous_until = None, None
        log.info("device %d of venue %d revoked", device.id, venue.id)
    checkpoint = db.get(Checkpoint, device.checkpoint_id)
    return _device_out(device, checkpoint.name if checkpoint else "")


# ---- the station: enrol, rotate, who am I ----------------------------------------------------


def admit_enrolment(ctx: ServerContext, db: Session, client: str) -> None:
    """One attempt from `client` (an address); 429 `enrol_rate_limited` when either the
    address's or everyone's bucket is empty. Committed at once (by the caller), so a refused
    code still costs its token."""
    now = ctx.clock().timestamp()
    buckets = [
        Bucket(f"enrol:c:{ctx.keys.sms_hash('enrol-client', client)[:40]}", *ENROL_PER_CLIENT),
        Bucket("enrol:all", *ENROL_GLOBAL),
    ]
    denied = take(db, buckets, now)
    if denied is not None:
        raise RateLimited(
            "绑定尝试过于频繁，请稍后再试",
            code="enrol_rate_limited",
            detail={"retry_after": round(min(denied.retry_after, 3600.0))},
        )


def redeem_enrolment(ctx: ServerContext, db: Session, text: str, app_version: str) -> DeviceCredential:
    """The device credential for a live, unused code; the code is used up in the same
    transaction (two stations racing for one code: the loser's UPDATE finds it used)."""
    code = normalise_enrolment_code(text)
    if code is None:
        raise BadInput(ENROL_CODE_INVALID_MESSAGE, code="enrol_code_invalid")
    now = ctx.clock()
    hashed = code_hash(ctx.keys, code)
    enrolment = db.scalar(select(Enrolment).where(Enrolment.code_hash == hashed))
    if enrolment is None:
        raise BadInput(ENROL_CODE_INVALID_MESSAGE, code="enrol_code_invalid")
    claimed = db.execute(
        update(Enrolment)
        .where(Enrolment.id == enrolment.id, Enrolment.used_at.is_(None), Enrolment.expires_at > now)
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise BadInput(ENROL_CODE_INVALID_MESSAGE, code="enrol_code_invalid")
    venue = db.get(Venue, enrolment.venue_id)
    checkpoint = db.get(Checkpoint, enrolment.checkpoint_id)
    if venue is None or checkpoint is None or not venue.active or not checkpoint.active:
        raise BadInput(ENROL_CODE_INVALID_MESSAGE, code="enrol_code_invalid")
    token = new_device_token()
    device = Device(
        venue_id=venue.id,
        checkpoint_id=checkpoint.id,
        name=enrolment.name,
        credential_hash=token_hash(token),
        created_by_user_id=enrolment.created_by_user_id,
        created_at=now,
        rotated_at=now,
        last_seen_at=now,
        app_version=app_version[:MAX_APP_VERSION],
        pending_checks=0,
    )
    db.add(device)
    db.flush()
    db.execute(update(Enrolment).where(Enrolment.id == enrolment.id).values(device_id=device.id))
    log.info("device %d enrolled at venue %d checkpoint %d", device.id, venue.id, checkpoint.id)
    return DeviceCredential(token=token, **device_self(db, device).model_dump())


def new_device_token() -> str:
    return "smd_" + secrets.token_urlsafe(32)


def rotate_credential(ctx: ServerContext, db: Session, device: Device) -> DeviceCredential:
    """A new credential; the one this request came with keeps working until the new one is
    first used or PREVIOUS_GRACE has passed."""
    now = ctx.clock()
    token = new_device_token()
    device.previous_hash, device.previous_until = device.credential_hash, now + PREVIOUS_GRACE
    device.credential_hash = token_hash(token)
    device.rotated_at = now
    return DeviceCredential(token=token, **device_self(db, device).model_dump())


def device_self(db: Session, device: Device) -> DeviceSelf:
    venue = db.get(Venue, device.venue_id)
    checkpoint = db.get(Checkpoint, device.checkpoint_id)
    return DeviceSelf(
        device_id=device.id,
        name=device.name,
        venue_id=device.venue_id,
        venue_name=venue.name if venue else "",
        checkpoint_id=device.checkpoint_id,
        checkpoint_name=checkpoint.name if checkpoint else "",
        rotated_at=device.rotated_at,
    )
