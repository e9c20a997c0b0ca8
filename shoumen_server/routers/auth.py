"""SMS-code login, tokens, logout and /me."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from fastapi import APIRouter
from sqlalchemy import func, select
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
)
from shoumen_core.timeutil import local_day, local_day_bounds
from shoumen_server.deps import Ctx, CurrentCaller, Db, ServerContext
from shoumen_server.errors import BadInput, NotAuthenticated, RateLimited
from shoumen_server.keys import token_hash
from shoumen_server.models import AuthToken, Checkpoint, Membership, SmsCode, User, Venue

router = APIRouter(tags=["auth"])
log = logging.getLogger("shoumen.server.auth")


def checked_phone(text: str) -> str:
    try:
        return normalise_phone(text)
    except InvalidPhone as exc:
        raise BadInput(exc.message, code=exc.code) from exc


def _code_hash(phone: str, code: str) -> str:
    return hashlib.sha256(f"{phone}|{code}".encode()).hexdigest()


def issue_sms_code(ctx: ServerContext, db: Session, phone: str, purpose: str = "login") -> SmsCodeResponse:
    """Rate limited: one per minute and ten per day per phone; the code lives 5 minutes."""
    settings = ctx.settings
    now = ctx.clock()
    latest = db.scalar(
        select(SmsCode.created_at).where(SmsCode.phone == phone).order_by(SmsCode.created_at.desc()).limit(1)
    )
    if latest is not None and now - latest < timedelta(seconds=settings.sms_min_interval_seconds):
        wait = settings.sms_min_interval_seconds - int((now - latest).total_seconds())
        raise RateLimited(f"验证码发送过于频繁，请 {max(wait, 1)} 秒后再试", code="sms_too_frequent")
    start, end = local_day_bounds(local_day(now))
    today = db.scalar(
        select(func.count()).where(
            SmsCode.phone == phone, SmsCode.created_at >= start, SmsCode.created_at < end
        )
    )
    if (today or 0) >= settings.sms_max_per_day:
        raise RateLimited("今日验证码发送次数已达上限，请明天再试", code="sms_daily_limit")
    code = f"{secrets.randbelow(1_000_000):06d}"
    db.add(
        SmsCode(
            phone=phone,
            purpose=purpose,
            code_hash=_code_hash(phone, code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.sms_code_ttl_seconds),
            attempts=0,
            consumed=False,
        )
    )
    db.flush()
    ctx.sms.send_code(phone, code)
    return SmsCodeResponse(
        sent=True,
        expires_in=settings.sms_code_ttl_seconds,
        demo_code=code if settings.demo_mode else None,
    )


def verify_sms_code(ctx: ServerContext, db: Session, phone: str, code: str, purpose: str = "login") -> None:
    """The latest live code of the phone for this purpose must match; five wrong tries kill it.
    A code sent for the visitor page never logs anyone in to the staff app, and the other way
    round."""
    now = ctx.clock()
    row = db.scalar(
        select(SmsCode)
        .where(SmsCode.phone == phone, SmsCode.purpose == purpose, SmsCode.consumed.is_(False))
        .order_by(SmsCode.created_at.desc())
        .limit(1)
    )
    if row is None or row.expires_at <= now:
        raise BadInput("验证码已过期，请重新获取", code="sms_code_expired")
    if row.attempts >= ctx.settings.sms_max_attempts:
        raise BadInput("验证码错误次数过多，请重新获取", code="sms_code_locked")
    if not hmac.compare_digest(row.code_hash, _code_hash(phone, code.strip())):
        row.attempts += 1
        left = ctx.settings.sms_max_attempts - row.attempts
        # Commit the attempt now: the request fails, and the failure must still count.
        db.commit()
        if left <= 0:
            raise BadInput("验证码错误次数过多，请重新获取", code="sms_code_locked")
        raise BadInput(f"验证码错误，还可尝试 {left} 次", code="sms_code_wrong")
    row.consumed = True


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
def request_sms_code(body: SmsCodeRequest, ctx: Ctx, db: Db) -> SmsCodeResponse:
    return issue_sms_code(ctx, db, checked_phone(body.phone))


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
            )
        )
    return out


@router.get("/me", response_model=MeResponse)
def me(caller: CurrentCaller, ctx: Ctx, db: Db) -> MeResponse:
    return MeResponse(
        user=user_out(caller.user), venues=memberships_of(db, caller.user.id), server_time=ctx.clock()
    )
