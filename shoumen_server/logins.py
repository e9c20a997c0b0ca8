"""Staff logins: the user behind a phone, login tokens (issue, refresh, revoke) and the venues
a user belongs to (/me). Owns the `users` rows a login makes and the `auth_tokens` table;
`deps.current_caller` reads the tokens back on every request.

Takes a session and the values it needs (never the request), raises `shoumen_server.errors`
exceptions with stable codes, and never commits: the request's session scope does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shoumen_server.errors import NotAuthenticated
from shoumen_server.keys import token_hash
from shoumen_server.models import AuthToken, Checkpoint, Membership, User, Venue
from shoumen_server.settings import ServerSettings


@dataclass(frozen=True)
class IssuedToken:
    token: str  # the bearer token: handed out once, only its hash is stored
    expires_at: datetime
    user: User


@dataclass(frozen=True)
class MemberVenue:
    """One venue of the user's, with their membership and the venue's active checkpoints."""

    member: Membership
    venue: Venue
    checkpoints: list[Checkpoint]


def user_for_phone(db: Session, phone: str, now: datetime) -> User:
    """The phone's user, made on its first login (anyone may log in; a new user registers a
    venue next and becomes its owner). Two first logins at once (a double tap) both get the
    one user: the loser of the unique-phone race reads the winner's row instead of failing."""
    user = db.scalar(select(User).where(User.phone == phone))
    if user is not None:
        return user
    try:
        with db.begin_nested():
            user = User(phone=phone, name="", is_supervisor=False, created_at=now)
            db.add(user)
    except IntegrityError:
        user = db.scalar(select(User).where(User.phone == phone))
        if user is None:
            raise
    return user


def issue_token(
    db: Session,
    settings: ServerSettings,
    user: User,
    device_name: str,
    now: datetime,
    session_started_at: datetime | None = None,
) -> IssuedToken:
    """A token for a login at `session_started_at` (now for a fresh login): it never outlives
    the session's absolute lifetime (settings.session_max_days), however often it is refreshed."""
    started = session_started_at or now
    token = secrets.token_urlsafe(32)
    expires = min(
        now + timedelta(hours=settings.token_ttl_hours),
        started + timedelta(days=settings.session_max_days),
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
    return IssuedToken(token=token, expires_at=expires, user=user)


def refresh_token(
    db: Session, settings: ServerSettings, token: AuthToken, user: User, now: datetime
) -> IssuedToken:
    """A fresh token for a live session; the old one stops working. The session keeps its
    start: past its absolute lifetime a refresh is refused and the person logs in again."""
    token = db.merge(token)
    started = token.session_started_at or token.created_at
    if now >= started + timedelta(days=settings.session_max_days):
        raise NotAuthenticated("登录已超过最长有效期，请重新登录", code="session_expired")
    token.revoked_at = now
    return issue_token(db, settings, db.merge(user), token.device_name, now, session_started_at=started)


def revoke_token(db: Session, token: AuthToken, now: datetime) -> None:
    """Logout: the token stops working at once."""
    token = db.merge(token)
    if token.revoked_at is not None:
        raise NotAuthenticated()
    token.revoked_at = now


def member_venues(db: Session, user_id: int) -> list[MemberVenue]:
    """The user's active venues in id order, each with its active checkpoints."""
    rows = db.execute(
        select(Membership, Venue)
        .join(Venue, Venue.id == Membership.venue_id)
        .where(Membership.user_id == user_id, Venue.active.is_(True))
        .order_by(Venue.id)
    ).all()
    out: list[MemberVenue] = []
    for member, venue in rows:
        checkpoints = db.scalars(
            select(Checkpoint)
            .where(Checkpoint.venue_id == venue.id, Checkpoint.active.is_(True))
            .order_by(Checkpoint.id)
        ).all()
        out.append(MemberVenue(member=member, venue=venue, checkpoints=list(checkpoints)))
    return out
