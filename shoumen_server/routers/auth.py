"""SMS-code login, tokens, logout and /me."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shoumen_core.phone import InvalidPhone, mask_phone, normalise_phone
from shoumen_core.schemas import (
    CheckpointOut,
    LoginRequest,
    LoginResponse,
    MembershipOut,
    MeResponse,
    Role,
    SmsCodeRequest,
    SmsCodeResponse,
    StaffState,
    UserOut,
    VenueStatus,
)
from shoumen_server.client_address import client_address
from shoumen_server.deps import Ctx, CurrentCaller, Db, ServerContext
from shoumen_server.errors import BadInput, NotAuthenticated
from shoumen_server.keys import token_hash
from shoumen_server.models import AuthToken, Checkpoint, Membership, User, Venue
from shoumen_server.sms_codes import issue_sms_code, verify_sms_code

router = APIRouter(tags=["auth"])
log = logging.getLogger("shoumen.server.auth")


def checked_phone(text: str) -> str:
    try:
        return normalise_phone(text)
    except InvalidPhone as exc:
        raise BadInput(exc.message, code=exc.code) from exc


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        name=user.name,
        phone_masked=mask_phone(user.phone),
        is_supervisor=user.is_supervisor,
        region_code=user.region_code,
        region_name=user.region_name,
    )


def new_token(
    ctx: ServerContext, db: Session, user: User, device_name: str, session_started_at: datetime | None = None
) -> LoginResponse:
    """A token for a login at `session_started_at` (now for a fresh login): it never outlives
    the session's absolute lifetime (settings.session_max_days), however often it is refreshed."""
    now = ctx.clock()
    started = session_started_at or now
    token = secrets.token_urlsafe(32)
    expires = min(
        now + timedelta(hours=ctx.settings.token_ttl_hours),
        started + timedelta(days=ctx.settings.session_max_days),
    )
    db.add(
        AuthToken(
            user_id=user.id,
            token_hash=token_hash(token),
            device_name=device_name,
            created_at=now,
            expires_at=expires,
            session_started_at=started,
        )
    )
    user.last_login_at = now
    db.flush()
    return LoginResponse(token=token, expires_at=expires, user=user_out(user))


@router.post("/auth/sms-code", response_model=SmsCodeResponse)
def request_sms_code(body: SmsCodeRequest, request: Request, ctx: Ctx, db: Db) -> SmsCodeResponse:
    return issue_sms_code(ctx, db, checked_phone(body.phone), client=client_address(request, ctx.settings))


@router.post("/auth/login", response_model=LoginResponse)
def login(body: LoginRequest, ctx: Ctx, db: Db) -> LoginResponse:
    phone = checked_phone(body.phone)
    verify_sms_code(ctx, db, phone, body.code)
    return new_token(ctx, db, user_for_phone(ctx, db, phone), body.device_name)


def user_for_phone(ctx: ServerContext, db: Session, phone: str) -> User:
    """The phone's user, made on its first login (anyone may log in; a new user registers a
    venue next and becomes its owner). Two first logins at once (a double tap) both get the
    one user: the loser of the unique-phone race reads the winner's row instead of failing."""
    user = db.scalar(select(User).where(User.phone == phone))
    if user is not None:
        return user
    try:
        with db.begin_nested():
            user = User(phone=phone, name="", is_supervisor=False, created_at=ctx.clock())
            db.add(user)
    except IntegrityError:
        user = db.scalar(select(User).where(User.phone == phone))
        if user is None:
            raise
    return user


@router.post("/auth/refresh", response_model=LoginResponse)
def refresh(caller: CurrentCaller, ctx: Ctx, db: Db) -> LoginResponse:
    """A fresh token for a live session; the old one stops working. The session keeps its
    start: past its absolute lifetime a refresh is refused and the person logs in again."""
    token = db.merge(caller.token)
    now = ctx.clock()
    started = token.session_started_at or token.created_at
    if now >= started + timedelta(days=ctx.settings.session_max_days):
        raise NotAuthenticated("登录已超过最长有效期，请重新登录", code="session_expired")
    token.revoked_at = now
    return new_token(ctx, db, db.merge(caller.user), token.device_name, session_started_at=started)


@router.post("/auth/logout", status_code=204)
def logout(caller: CurrentCaller, ctx: Ctx, db: Db) -> None:
    token = db.merge(caller.token)
    if token.revoked_at is not None:
        raise NotAuthenticated()
    token.revoked_at = ctx.clock()


def memberships_of(db: Session, user_id: int) -> list[MembershipOut]:
    rows = db.execute(
        select(Membership, Venue)
        .join(Venue, Venue.id == Membership.venue_id)
        .where(Membership.user_id == user_id, Venue.active.is_(True))
        .order_by(Venue.id)
    ).all()
    out: list[MembershipOut] = []
    for member, venue in rows:
        checkpoints = db.scalars(
            select(Checkpoint)
            .where(Checkpoint.venue_id == venue.id, Checkpoint.active.is_(True))
            .order_by(Checkpoint.id)
        ).all()
        out.append(
            MembershipOut(
                venue_id=venue.id,
                venue_name=venue.name,
                role=Role(member.role),
                state=StaffState(member.state),
                checkpoints=[CheckpointOut(id=c.id, name=c.name, active=c.active) for c in checkpoints],
                venue_status=VenueStatus(venue.status),
                venue_status_reason=venue.status_reason,
            )
        )
    return out


@router.get("/me", response_model=MeResponse)
def me(caller: CurrentCaller, ctx: Ctx, db: Db) -> MeResponse:
    return MeResponse(
        user=user_out(caller.user), venues=memberships_of(db, caller.user.id), server_time=ctx.clock()
    )
