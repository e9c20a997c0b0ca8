"""Request dependencies: the database session, the caller, and the role checks of DESIGN §5."""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Protocol, TypeVar, cast

from fastapi import Depends, Header, Request
from sqlalchemy import Integer, Table, bindparam, select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.orm import Session, sessionmaker

from shoumen_core.devices import APP_VERSION_HEADER, PENDING_HEADER
from shoumen_core.schemas import Role, StaffState, VenueStatus
from shoumen_server import direct
from shoumen_server.db import session_scope
from shoumen_server.devices import (
    DEVICE_SCOPE_MESSAGE,
    DevicePrincipal,
    authenticate_device,
    device_forbidden,
)
from shoumen_server.errors import NotAuthenticated, NotFound, PermissionDenied, ReplicaLost
from shoumen_server.identity import server_id
from shoumen_server.keys import KeyStore, provider_for, session_url, token_hash
from shoumen_server.lookup_watch import (
    LOOKUP_VENUE_COLUMNS,
    MEMBERS,
    VENUES,
    VenueFound,
    lookup_venue_from_row,
)
from shoumen_server.models import AuthToken, Device, Membership, User, Venue
from shoumen_server.outage import is_database_unavailable
from shoumen_server.replica import ReadSessions
from shoumen_server.settings import ServerSettings
from shoumen_server.sms import SmsGateway
from shoumen_server.trust_root import trust_list_version

# How long a worker uses its loaded keys before it asks the database whether they changed.
# `rotate-signing-key` and `rotate-trust-root` run in another process and bump the trust list's
# version; every worker of `serve --workers N` picks the new keys up within this time, instead
# of serving the new version number with the old keys (and failing codes the new key signed)
# until it happens to be restarted.
KEY_RECHECK_SECONDS = 30.0


@dataclass
class ServerContext:
    """Everything a request needs besides its own session; one per app (stateless otherwise)."""

    settings: ServerSettings
    sessions: sessionmaker[Session]
    sms: SmsGateway
    clock: Callable[[], datetime]
    monotonic: Callable[[], float] = time.monotonic
    # Sessions for reads that may lag: the replica when configured and up (shoumen_server.replica).
    reads: ReadSessions | None = None
    _keys: KeyStore | None = None
    _keys_version: int | None = None
    _keys_checked: float = 0.0
    _server_id: str | None = None

    def __post_init__(self) -> None:
        # Keys handed in by the caller (a tool, a test) are the ones to use: never re-read.
        self._keys_fixed = self._keys is not None
        self._rechecking = threading.Lock()

    @property
    def keys(self) -> KeyStore:
        now = self.monotonic()
        if self._keys is not None and (self._keys_fixed or now - self._keys_checked < KEY_RECHECK_SECONDS):
            return self._keys
        # One thread re-reads; the others serve the keys they have meanwhile. A re-read takes a
        # connection besides its request's own: when every request of a busy worker re-read at
        # once, each held a connection and waited for another — a pool time-out (503s) every
        # 30 s under load (bench_capacity.py at 2 and 4 workers).
        if self._keys is not None:
            if not self._rechecking.acquire(blocking=False):
                return self._keys
        else:
            self._rechecking.acquire()
        try:
            return self._reread_keys(now)
        finally:
            self._rechecking.release()

    def _reread_keys(self, now: float) -> KeyStore:
        if self._keys is not None and now - self._keys_checked < KEY_RECHECK_SECONDS:
            return self._keys  # loaded by another thread while this one waited
        try:
            with self.sessions() as session:
                version = trust_list_version(session)
                if self._keys is None or version != self._keys_version:
                    # The database the sessions really use (a test may differ from the settings').
                    provider = provider_for(session_url(session), self.settings.key_dir)
                    self._keys, self._keys_version = KeyStore.load(session, provider), version
        except SQLAlchemyError:
            if self._keys is None:
                raise
            # The database is away: the keys loaded last are still the best answer (the trust
            # list and the sealing key are served without it).
        self._keys_checked = now
        return self._keys

    @property
    def server_id(self) -> str:
        """This server's identity (server_meta, made by migration 0004); it never changes."""
        if self._server_id is None:
            with self.sessions() as session:
                self._server_id = server_id(session)
        return self._server_id

    def reload_keys(self) -> None:
        self._keys, self._keys_fixed = None, False

    def read_session(self) -> Session:
        """A session for a read that may lag (statistics, abnormal lists, region views, exports)."""
        return self.reads() if self.reads is not None else self.sessions()


async def context(request: Request) -> ServerContext:
    # async: FastAPI runs a sync dependency in the thread pool, a hop per request for a read
    # of one attribute.
    ctx: ServerContext = request.app.state.ctx
    return ctx


Ctx = Annotated[ServerContext, Depends(context)]


# FastAPI runs a sync dependency's exit (the session's commit and close, which gives its
# connection back to the pool) as its own hop to the thread pool (anyio: 40 threads). With
# more requests in flight than connections, every thread could be a request waiting for a
# connection while the sessions holding them all waited for a thread to close in: nothing
# moved until the pool's 30 s timeout (503s for everyone; bench_capacity.py found it at 25
# lookups/s). So a request takes one of as many slots as the pool has connections (fewer than
# the threads) before it gets a session: the waiting happens here, on the event loop, holding
# neither a thread nor a connection, and the holders always find a thread to finish in.
#
# As many slots as the pool KEEPS connections (its size), not as it may open: SQLAlchemy's
# pool closes an overflow connection as soon as it is handed back, so requests in flight
# beyond the pool's size opened and closed a PostgreSQL connection each (a backend forked, its
# catalog caches and psycopg's prepared statements built again, then thrown away). Under the
# morning-rush mix at 300 lookups/s on 2 workers that was ~55 new connections a second, and
# the CPU they took (uncounted: their backends had exited) tipped the server over — p99 ~1-2 s
# (bench_capacity.py). With the slots at the pool's size no request ever needs an overflow
# connection; the overflow is left for a request that holds two sessions at once.
THREADS = 40  # anyio's default thread limiter
SPARE_THREADS = 8  # for work without a session (and the exits in flight)


def _pool_capacity(sessions: sessionmaker[Session]) -> int:
    pool = sessions.kw["bind"].pool
    size = pool.size() if hasattr(pool, "size") else THREADS
    return max(1, min(size, THREADS - SPARE_THREADS))


# One semaphore per app and event loop (tests make several of both); weak, so an app's
# context is not kept alive by it.
_SLOTS: dict[int, tuple[weakref.ref[ServerContext], asyncio.AbstractEventLoop, asyncio.Semaphore]] = {}


async def db_slot(ctx: Ctx) -> AsyncIterator[None]:
    loop = asyncio.get_running_loop()
    held = _SLOTS.get(id(ctx))
    if held is None or held[0]() is not ctx or held[1] is not loop:
        held = _SLOTS[id(ctx)] = (weakref.ref(ctx), loop, asyncio.Semaphore(_pool_capacity(ctx.sessions)))
    async with held[2]:
        yield


# A slot for a route that opens its own session in its one thread hop (push, lookup).
DbSlot = Annotated[None, Depends(db_slot, scope="function")]


def db_session(ctx: Ctx, request: Request, _slot: DbSlot) -> Iterator[Session]:
    """The request's unit of work (`db.session_scope`: committed when the route returns,
    rolled back when it raises). The one session dependency of the API and the visitor pages."""
    with session_scope(ctx.sessions) as session:
        # A route class that answers an error itself (visitor.pages.PageRoute renders it as a
        # page) returns normally, so this scope would commit what the failed route wrote: it
        # rolls this session back first.
        request.state.db = session
        yield session


# scope="function": the session commits before the response is sent. With the default
# ("request") scope the commit would run after the answer left, so a push could be answered
# "accepted" and then fail to commit.
Db = Annotated[Session, Depends(db_session, scope="function")]


def rollback_request_session(request: Request) -> None:
    """Undo what the request's route wrote, for a route class that turns its error into an
    answer of its own (the session scope sees no error and commits)."""
    session: Session | None = getattr(request.state, "db", None)
    if session is not None:
        session.rollback()


def read_db_session(ctx: Ctx, db: Db) -> Iterator[Session]:
    reads = ctx.reads
    session = reads.replica_session() if reads is not None else None
    if reads is None or session is None:
        yield db  # on the primary: the request's own session, not a second connection
        return
    try:
        yield session
    except (DBAPIError, SATimeoutError) as exc:
        if not is_database_unavailable(exc):
            raise
        # The replica went away mid-read; the primary is not in an outage (shoumen_server.replica).
        reads.lost(exc)
        raise ReplicaLost() from exc
    finally:
        session.close()  # read only: nothing to commit


# Reads that may lag behind the primary: on the read replica when there is one. Who the caller
# is and what they may do is still decided on `Db` (a revoked guard must not read on for as long
# as the replica lags), and nothing that must see the request's own writes reads from here.
ReadDb = Annotated[Session, Depends(read_db_session, scope="function")]


@dataclass(frozen=True)
class Caller:
    """Who is asking: the few columns every route needs (who, whether a supervisor and of which
    region, the token's device name), read as one Core row (issue 15 §6: the token and the user
    as two ORM entities were ~20 result columns and two identity-map entries a request, on every
    route). The entities themselves (`user`, `token`) are loaded on first use in the request's
    `Db` session, the same one the route gets (FastAPI makes a dependency once per request), so
    a route or module changes them without a merge."""

    user_id: int
    is_supervisor: bool
    region_code: str | None
    device_name: str
    token_id: int | None
    session: Session = field(repr=False, compare=False)
    # An enrolled station (shoumen_server.devices): `user` is the owner who enrolled it and
    # `token` a transient row naming the device. Only the routes that take `StationCaller`
    # ever see one; `CurrentCaller` refuses it.
    device: Device | None = None
    _user: User | None = field(default=None, repr=False, compare=False)
    _token: AuthToken | None = field(default=None, repr=False, compare=False)

    @property
    def user(self) -> User:
        """The caller's user row (a primary-key get: the identity map answers a second call)."""
        if self._user is not None:
            return self._user
        user = self.session.get(User, self.user_id)
        if user is None:  # deleted since the token was read, within this request
            raise NotAuthenticated("登录已失效，请重新登录", code="session_expired")
        return user

    @property
    def token(self) -> AuthToken:
        if self._token is not None:
            return self._token
        token = self.session.get(AuthToken, self.token_id)
        if token is None:
            raise NotAuthenticated("登录已失效，请重新登录", code="session_expired")
        return token


def device_caller(db: Session, found: DevicePrincipal) -> Caller:
    owner = found.owner
    return Caller(
        user_id=owner.id,
        is_supervisor=owner.is_supervisor,
        region_code=owner.region_code,
        device_name=found.token.device_name,
        token_id=None,
        session=db,
        device=found.device,
        _user=owner,
        _token=found.token,
    )


# Statements every request runs, built once: one query for the token and its user, one for
# the venue and the caller's membership (building and hashing a statement per request cost
# SQLAlchemy more CPU than running it). The caller's on the tables, not the entities: a Core
# row of seven columns skips the ORM's loading (and the psycopg column objects of the rest).
_TOKENS = cast(Table, AuthToken.__table__)
_USERS = cast(Table, User.__table__)
# The caller's columns and tables, also for the lookup's one query of caller and venue
# (lookup_watch.caller_and_venue): CALLER_COLUMNS come first in its rows (caller_from_row).
CALLER_COLUMNS = (
    _TOKENS.c.id,
    _TOKENS.c.revoked_at,
    _TOKENS.c.expires_at,
    _TOKENS.c.device_name,
    _USERS.c.id,
    _USERS.c.is_supervisor,
    _USERS.c.region_code,
)
CALLER_FROM = _TOKENS.join(_USERS, _USERS.c.id == _TOKENS.c.user_id)
CALLER_USER_ID = _USERS.c.id
CALLER_TOKEN = _TOKENS.c.token_hash == bindparam("token_hash")
_CALLER = select(*CALLER_COLUMNS).select_from(CALLER_FROM).where(CALLER_TOKEN)
_VENUE_MEMBER = (
    select(Venue, Membership)
    .outerjoin(
        Membership,
        (Membership.venue_id == Venue.id) & (Membership.user_id == bindparam("user_id", type_=Integer)),
    )
    .where(Venue.id == bindparam("venue_id", type_=Integer))
)


# The lookup's first statement for a person's bearer token: the caller and the venue figures
# (lookup_watch.venue_for_lookup's) in one row — one round trip and one statement's overhead
# less (issue 15 §6). No row: no such token; the venue's columns NULL: no such venue.
_CALLER_AND_VENUE = (
    select(*CALLER_COLUMNS, *LOOKUP_VENUE_COLUMNS)
    .select_from(
        # Flat joins, not the venue's join nested (SQLite does not see users.id inside one).
        CALLER_FROM.outerjoin(VENUES, VENUES.c.id == bindparam("venue_id", type_=Integer)).outerjoin(
            MEMBERS, (MEMBERS.c.venue_id == VENUES.c.id) & (MEMBERS.c.user_id == CALLER_USER_ID)
        )
    )
    .where(CALLER_TOKEN)
)


def caller_and_venue(
    ctx: ServerContext, db: Session, authorization: str | None, venue_id: int, checkpoint_id: int | None
) -> tuple[Caller, VenueFound]:
    """authenticate and lookup_watch.venue_for_lookup in one query, for a bearer token: the
    caller (401 as authenticate answers it) and what venue_for_lookup returns."""
    params = {
        "token_hash": bearer_token_hash(authorization),
        "venue_id": venue_id,
        "checkpoint_id": checkpoint_id,
    }
    row = next(iter(direct.run(db, _CALLER_AND_VENUE, params)), None)
    caller = caller_from_row(ctx, db, row)
    assert row is not None
    return caller, lookup_venue_from_row(row[len(CALLER_COLUMNS) :])


def current_caller(ctx: Ctx, db: Db, authorization: Annotated[str | None, Header()] = None) -> Caller:
    """A person (Bearer token). A device credential is refused here, so every route is closed
    to devices unless it takes `StationCaller` (a revoked one hears so first)."""
    if authorization and authorization.lower().startswith("device "):
        authenticate_device(ctx, db, authorization[7:].strip(), app_version=None, pending=None)
        raise device_forbidden()
    return authenticate(ctx, db, authorization)


def authenticate(ctx: ServerContext, db: Session, authorization: str | None) -> Caller:
    """The person of a request's `Authorization: Bearer` header (current_caller; the lookup
    route calls it inside its one thread hop, through authenticate_station)."""
    found = next(iter(direct.run(db, _CALLER, {"token_hash": bearer_token_hash(authorization)})), None)
    return caller_from_row(ctx, db, found)


def bearer_token_hash(authorization: str | None) -> str:
    """The stored hash of a request's `Authorization: Bearer` token (401 without one)."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise NotAuthenticated()
    return token_hash(authorization[7:].strip())


def caller_from_row(ctx: ServerContext, db: Session, found: Sequence[Any] | None) -> Caller:
    """The caller of a row that starts with CALLER_COLUMNS (None: no such token): 401 when
    the token is unknown, revoked or expired."""
    now = ctx.clock()
    if found is None or found[1] is not None or found[2] <= now:
        raise NotAuthenticated("登录已失效，请重新登录", code="session_expired")
    token_id, _revoked, _expires, device_name, user_id, is_supervisor, region_code = found[:7]
    return Caller(
        user_id=user_id,
        is_supervisor=bool(is_supervisor),
        region_code=region_code,
        device_name=device_name,
        token_id=token_id,
        session=db,
    )


CurrentCaller = Annotated[Caller, Depends(current_caller)]


@dataclass(frozen=True)
class StationCredential:
    """What a station's request says of who sends it, read from its headers (no database)."""

    authorization: str | None
    app_version: str | None = None
    pending: str | None = None

    def caller(self, ctx: ServerContext, db: Session) -> Caller:
        """The person or enrolled station of these headers (401 / 403 as authenticate_station)."""
        return authenticate_station(ctx, db, self.authorization, self.app_version, self.pending)


# The bounds of a station's own headers (station_credential; fast_routes reads them too).
APP_VERSION_MAX = 64
PENDING_MAX = 16


async def station_credential(
    authorization: Annotated[str | None, Header()] = None,
    x_shoumen_version: Annotated[
        str | None, Header(alias=APP_VERSION_HEADER, max_length=APP_VERSION_MAX)
    ] = None,
    x_shoumen_pending: Annotated[str | None, Header(alias=PENDING_HEADER, max_length=PENDING_MAX)] = None,
) -> StationCredential:
    # async: only headers here, so no hop to the thread pool. A request with no credential at
    # all is refused here, before its body is validated, as it was when the caller came first.
    if not authorization or not authorization.lower().startswith(("bearer ", "device ")):
        raise NotAuthenticated()
    return StationCredential(authorization, x_shoumen_version, x_shoumen_pending)


StationHeaders = Annotated[StationCredential, Depends(station_credential)]


def station_caller(ctx: Ctx, db: Db, credential: StationHeaders) -> Caller:
    """A person, or an enrolled station (`Authorization: Device <token>`): for the routes a
    device may use — lookup, push, pull (DESIGN §5). Each of them also keeps it to its venue
    and checkpoint (`require_checker`, `device_checkpoint`)."""
    return credential.caller(ctx, db)


def authenticate_station(
    ctx: ServerContext,
    db: Session,
    authorization: str | None,
    app_version: str | None = None,
    pending: str | None = None,
) -> Caller:
    """station_caller's work: an enrolled station (`Device <token>`) or a person (`Bearer`)."""
    if authorization and authorization.lower().startswith("device "):
        found = authenticate_device(
            ctx, db, authorization[7:].strip(), app_version=app_version, pending=pending
        )
        return device_caller(db, found)
    return authenticate(ctx, db, authorization)


StationCaller = Annotated[Caller, Depends(station_caller)]


def device_checkpoint(caller: Caller, venue_id: int, checkpoint_id: int | None) -> bool:
    """Whether a device caller may act for this venue and checkpoint (a person: always)."""
    device = caller.device
    return device is None or (device.venue_id == venue_id and device.checkpoint_id == checkpoint_id)


def get_venue(db: Session, venue_id: int) -> Venue:
    venue = db.get(Venue, venue_id)
    if venue is None:
        raise NotFound("场所不存在", code="venue_not_found")
    return venue


def membership(db: Session, user_id: int, venue_id: int) -> Membership | None:
    return db.scalar(select(Membership).where(Membership.venue_id == venue_id, Membership.user_id == user_id))


def require_checker(db: Session, caller: Caller, venue_id: int) -> tuple[Venue, Membership]:
    """Owner or authorised staff of the venue: may check visitors and register anomalies.
    A device: only at the venue it is enrolled at."""
    if caller.device is not None and caller.device.venue_id != venue_id:
        raise device_forbidden(DEVICE_SCOPE_MESSAGE)
    found = db.execute(_VENUE_MEMBER, {"venue_id": venue_id, "user_id": caller.user_id}).first()
    if found is None:
        raise NotFound("场所不存在", code="venue_not_found")
    venue, member = found
    return venue, require_authorised(member)


def require_authorised(member: Membership | None) -> Membership:
    """The caller's membership of a venue (None: they have none) lets them check visitors."""
    require_authorised_state(None if member is None else member.state)
    assert member is not None
    return member


def require_authorised_state(state: str | None) -> None:
    """require_authorised on the membership's state alone (None: no membership)."""
    if state is None:
        raise PermissionDenied("您不是该场所的工作人员", code="not_venue_staff")
    if state != StaffState.AUTHORISED:
        raise PermissionDenied("您的核验权限已被收回，请联系场所管理员", code="staff_revoked")


VENUE_PENDING_MESSAGE = "场所尚待所在乡镇街道审核，审核通过后才能查询证件信息"
VENUE_REJECTED_MESSAGE = "场所未通过所在乡镇街道审核，不能查询证件信息"
VENUE_REJECTED_BECAUSE = "场所未通过所在乡镇街道审核，不能查询证件信息（原因：{reason}）"


class VenueStatusRow(Protocol):
    """What the approval check reads of a venue (an entity or a lookup's Core row)."""

    @property
    def status(self) -> str: ...

    @property
    def status_reason(self) -> str: ...


V = TypeVar("V", bound=VenueStatusRow)


def require_approved_venue(venue: V) -> V:
    """ID lookups and full details only at a venue a supervisor of its region approved: anyone
    with a phone can register a venue, and an unreviewed one must not be an oracle for the
    population's health status (issue 13 §1). Everything else a new venue does (staff, codes,
    self check-ins) does not wait."""
    if venue.status == VenueStatus.APPROVED.value:
        return venue
    if venue.status == VenueStatus.REJECTED.value:
        if venue.status_reason:  # the supervisor's words, in whichever language they wrote
            raise PermissionDenied(
                VENUE_REJECTED_BECAUSE, code="venue_rejected", params={"reason": venue.status_reason}
            )
        raise PermissionDenied(VENUE_REJECTED_MESSAGE, code="venue_rejected")
    raise PermissionDenied(VENUE_PENDING_MESSAGE, code="venue_pending")


def require_owner(db: Session, caller: Caller, venue_id: int) -> Venue:
    if caller.device is not None:  # its `user` is the owner who enrolled it: not the device's rights
        raise device_forbidden()
    venue, member = require_checker(db, caller, venue_id)
    if member.role != Role.OWNER:
        raise PermissionDenied("只有场所初始管理员可以执行此操作", code="owner_only")
    return venue


def supervises(caller: Caller, venue: Venue) -> bool:
    return bool(caller.is_supervisor and caller.region_code and venue.region_code == caller.region_code)


def require_supervisor(caller: Caller, region_code: str | None = None) -> User:
    if caller.device is not None:
        raise device_forbidden()
    if not caller.is_supervisor:
        raise PermissionDenied("只有乡镇街道工作人员可以执行此操作", code="supervisor_only")
    if region_code is not None and caller.region_code != region_code:
        raise PermissionDenied("不在您负责的区域", code="outside_region")
    return caller.user


def require_unit_stats_reader(db: Session, caller: Caller, venue_id: int) -> tuple[Venue, Membership | None]:
    """Unit statistics: owner, authorised staff, or the supervisor of the venue's region."""
    venue = get_venue(db, venue_id)
    if supervises(caller, venue):
        return venue, None
    return require_checker(db, caller, venue_id)
