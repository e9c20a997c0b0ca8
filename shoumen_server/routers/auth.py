"""SMS-code login, tokens, logout and /me."""

from __future__ import annotations

import logging
from datetime import datetime

from fastapi import APIRouter, Request
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
from shoumen_server import logins
from shoumen_server.client_address import client_address
from shoumen_server.deps import Ctx, CurrentCaller, Db, ServerContext
from shoumen_server.errors import BadInput
from shoumen_server.models import User
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


def login_response(issued: logins.IssuedToken) -> LoginResponse:
    return LoginResponse(token=issued.token, expires_at=issued.expires_at, user=user_out(issued.user))


def new_token(
    ctx: ServerContext, db: Session, user: User, device_name: str, session_started_at: datetime | None = None
) -> LoginResponse:
    """A login answer with a fresh token (`logins.issue_token`); also what tools and tests log
    a user in with."""
    issued = logins.issue_token(
        db, ctx.settings, user, device_name, ctx.clock(), session_started_at=session_started_at
    )
    return login_response(issued)


@router.post("/auth/sms-code", response_model=SmsCodeResponse)
def request_sms_code(body: SmsCodeRequest, request: Request, ctx: Ctx, db: Db) -> SmsCodeResponse:
    return issue_sms_code(ctx, db, checked_phone(body.phone), client=client_address(request, ctx.settings))


@router.post("/auth/login", response_model=LoginResponse)
def login(body: LoginRequest, ctx: Ctx, db: Db) -> LoginResponse:
    phone = checked_phone(body.phone)
    verify_sms_code(ctx, db, phone, body.code)
    return new_token(ctx, db, logins.user_for_phone(db, phone, ctx.clock()), body.device_name)


@router.post("/auth/refresh", response_model=LoginResponse)
def refresh(caller: CurrentCaller, ctx: Ctx, db: Db) -> LoginResponse:
    """A fresh token for a live session; the old one stops working (not past the session's
    absolute lifetime: 401 session_expired, the person logs in again)."""
    return login_response(logins.refresh_token(db, ctx.settings, caller.token, caller.user, ctx.clock()))


@router.post("/auth/logout", status_code=204)
def logout(caller: CurrentCaller, ctx: Ctx, db: Db) -> None:
    logins.revoke_token(db, caller.token, ctx.clock())


def membership_out(found: logins.MemberVenue) -> MembershipOut:
    venue = found.venue
    return MembershipOut(
        venue_id=venue.id,
        venue_name=venue.name,
        role=Role(found.member.role),
        state=StaffState(found.member.state),
        checkpoints=[CheckpointOut(id=c.id, name=c.name, active=c.active) for c in found.checkpoints],
        venue_status=VenueStatus(venue.status),
        venue_status_reason=venue.status_reason,
    )


@router.get("/me", response_model=MeResponse)
def me(caller: CurrentCaller, ctx: Ctx, db: Db) -> MeResponse:
    venues = [membership_out(found) for found in logins.member_venues(db, caller.user_id)]
    return MeResponse(user=user_out(caller.user), venues=venues, server_time=ctx.clock())
