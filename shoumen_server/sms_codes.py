"""SMS codes: issuing under quotas and checking them (issue 13 §4).

Every quota is counted per purpose — "login" (the staff app) and "visitor" (the public
venue-code page) — so the public page can never use up the codes a guard, owner or supervisor
needs to log in. Per purpose there is a limit per phone (one a minute, N a day), per client
address (N an hour) and for everyone together (N an hour). All counting is in the database,
so several workers share the limits.

Codes are stored as HMACs under the server's sms_mac key: six digits are 10^6 guesses, which a
bare sha256 of a dumped row gives up at once.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.orm import Session

from shoumen_core.schemas import SmsCodeResponse
from shoumen_core.timeutil import local_day, local_day_bounds
from shoumen_server.deps import ServerContext
from shoumen_server.errors import BadInput, RateLimited
from shoumen_server.keys import KeyStore
from shoumen_server.models import SmsCode
from shoumen_server.settings import ServerSettings

PURPOSES = ("login", "visitor")
_LOCK_KEYS = {"login": 0x5348_4D53_0001, "visitor": 0x5348_4D53_0002}  # "SHMS" + purpose
HOUR = timedelta(hours=1)


class SmsClientLimit(RateLimited):
    code = "sms_client_limit"
    message = "当前网络获取验证码过于频繁，请一小时后再试"


class SmsGlobalLimit(RateLimited):
    code = "sms_global_limit"
    message = "验证码发送繁忙，请稍后再试"


def code_hash(keys: KeyStore, purpose: str, phone: str, code: str) -> str:
    return keys.sms_hash("code", f"{purpose}|{phone}|{code}")


def _count(db: Session, *where: ColumnElement[bool]) -> int:
    return db.scalar(select(func.count()).select_from(SmsCode).where(*where)) or 0


def global_hourly_limit(settings: ServerSettings, purpose: str) -> int:
    return settings.sms_max_per_hour_login if purpose == "login" else settings.sms_max_per_hour_visitor


def enforce_quotas(
    db: Session, settings: ServerSettings, phone: str, purpose: str, client_hash: str | None, now: datetime
) -> None:
    """Raise the first quota this request would exceed, phone limits first (their messages
    are the most useful to the person asking)."""
    same_purpose = SmsCode.purpose == purpose
    latest = db.scalar(
        select(SmsCode.created_at)
        .where(SmsCode.phone == phone, same_purpose)
        .order_by(SmsCode.created_at.desc())
        .limit(1)
    )
    if latest is not None and now - latest < timedelta(seconds=settings.sms_min_interval_seconds):
        wait = settings.sms_min_interval_seconds - int((now - latest).total_seconds())
        raise RateLimited(
            "验证码发送过于频繁，请 {seconds} 秒后再试",
            code="sms_too_frequent",
            params={"seconds": max(wait, 1)},
        )
    start, end = local_day_bounds(local_day(now))
    today = _count(
        db, SmsCode.phone == phone, same_purpose, SmsCode.created_at >= start, SmsCode.created_at < end
    )
    if today >= settings.sms_max_per_day:
        raise RateLimited("今日验证码发送次数已达上限，请明天再试", code="sms_daily_limit")
    last_hour = SmsCode.created_at > now - HOUR
    if client_hash is not None and (
        _count(db, SmsCode.client_hash == client_hash, same_purpose, last_hour)
        >= settings.sms_max_per_client_hour
    ):
        raise SmsClientLimit()
    if _count(db, same_purpose, last_hour) >= global_hourly_limit(settings, purpose):
        raise SmsGlobalLimit()


def _serialise(db: Session, purpose: str) -> None:
    """Count-then-insert from several workers at once could overshoot a limit by the number of
    workers; on PostgreSQL one transaction-scoped lock per purpose makes the counts exact (SMS
    requests are a few per second at most). On SQLite a count gone stale cannot commit
    (one writer; a stale read transaction cannot become a writer)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEYS[purpose]})


def issue_sms_code(
    ctx: ServerContext, db: Session, phone: str, purpose: str = "login", client: str = ""
) -> SmsCodeResponse:
    """A new code for the phone, under the purpose's quotas; the code lives 5 minutes.
    `client` is the requester's address (client_address.client_address); it is stored only
    as a keyed hash."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown SMS purpose {purpose!r}")
    settings = ctx.settings
    keys = ctx.keys
    now = ctx.clock()
    client_hash = keys.sms_hash(f"client|{purpose}", client) if client else None
    _serialise(db, purpose)
    enforce_quotas(db, settings, phone, purpose, client_hash, now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    db.add(
        SmsCode(
            phone=phone,
            purpose=purpose,
            code_hash=code_hash(keys, purpose, phone, code),
            client_hash=client_hash,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.sms_code_ttl_seconds),
            attempts=0,
            consumed=False,
        )
    )
    db.flush()
    ctx.sms.send_code(phone, code, purpose)  # SmsSendError rolls the code row back
    return SmsCodeResponse(
        sent=True,
        expires_in=settings.sms_code_ttl_seconds,
        demo_code=code if settings.demo_mode else None,
    )


def verify_sms_code(ctx: ServerContext, db: Session, phone: str, code: str, purpose: str = "login") -> None:
    """The latest live code of the phone for this purpose must match; five wrong tries kill it.
    A code sent for the visitor page never logs anyone in to the staff app, and the other way
    round (the purpose is in the row's filter and in the HMAC)."""
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
    if not hmac.compare_digest(row.code_hash, code_hash(ctx.keys, purpose, phone, code.strip())):
        row.attempts += 1
        left = ctx.settings.sms_max_attempts - row.attempts
        # Commit the attempt now: the request fails, and the failure must still count.
        db.commit()
        if left <= 0:
            raise BadInput("验证码错误次数过多，请重新获取", code="sms_code_locked")
        raise BadInput("验证码错误，还可尝试 {left} 次", code="sms_code_wrong", params={"left": left})
    row.consumed = True
