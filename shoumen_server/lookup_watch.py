"""Lookup limits and the enumeration alert (issue 13 §1).

Limits: every lookup takes a token from three buckets (shoumen_server.ratelimit) — the staff
member's, the venue's (sized by its active checkpoints, up to a cap) and the region's — sizes
from the settings, all in the request's own transaction (no extra commit per lookup). Over a limit: 429 `lookup_rate_limited`, which the station shows as grey
(cannot verify now, manual decision), never as a pass.

Watch: one `lookup_watch` row per venue-day counts its lookups, its document lookups, the
numbers the registry does not know, the lookups whose number differs from the previous
document lookup's only in the sequence digits (an ID number is region + birth date + sequence
+ check digit: a scraper walks the sequence), and the lookups refused by the limits. No number
is stored: only a keyed hash of the previous number without its sequence digits, and those
digits. A venue-day whose figures look like enumeration is listed for the region's supervisor.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple, NoReturn, Protocol, cast

from sqlalchemy import Integer, Table, bindparam, case, func, insert, select
from sqlalchemy.orm import Session

from shoumen_core.identity import DocumentKind
from shoumen_core.schemas import LookupAlert
from shoumen_core.timeutil import local_day
from shoumen_server import direct
from shoumen_server.audit import AUDIT, write_audit
from shoumen_server.bulk import dialect_insert
from shoumen_server.errors import ApiError
from shoumen_server.keys import KeyStore
from shoumen_server.models import Checkpoint, LookupWatch, Membership, Venue
from shoumen_server.ratelimit import (
    Bucket,
    Denied,
    commit_takes,
    retry_after,
    take,
    take_params,
    take_statement,
)
from shoumen_server.settings import ServerSettings

WATCH = cast(Table, LookupWatch.__table__)
_TRAILING_DIGITS = re.compile(r"\d{3}$")

# Reason codes of an alert (the supervisor's screen words them).
UNKNOWN_NUMBERS = "unknown_numbers"
SEQUENTIAL_NUMBERS = "sequential_numbers"
RATE_LIMITED = "rate_limited"
MAX_ALERTS = 500


class LookupRateLimited(ApiError):
    status = 429
    code = "lookup_rate_limited"
    message = "查询过于频繁，请稍后再试；本次请人工核验"


# One whole message per scope (not a word put in front), so each has its own English.
SCOPE_MESSAGES = {
    "staff": "本账号查询过于频繁，请稍后再试；本次请人工核验",
    "venue": "本场所查询过于频繁，请稍后再试；本次请人工核验",
    "region": "本区域查询过于频繁，请稍后再试；本次请人工核验",
}


# ---- limits ---------------------------------------------------------------------------------


def _per_second(per_minute: float) -> float:
    return max(0.0, per_minute) / 60.0


class VenueKey(Protocol):
    """What the buckets need of a venue (an entity or a lookup's LookupVenue row)."""

    @property
    def id(self) -> int: ...

    @property
    def region_code(self) -> str: ...


def lookup_buckets(settings: ServerSettings, user_id: int, venue: VenueKey, checkpoints: int) -> list[Bucket]:
    """The staff member's, the venue's and the region's buckets, in that order."""
    scale = min(max(1, checkpoints), max(1, settings.lookup_venue_max_checkpoints))
    return [
        Bucket(
            f"lookup:staff:{user_id}",
            settings.lookup_staff_burst,
            _per_second(settings.lookup_staff_per_minute),
        ),
        Bucket(
            f"lookup:venue:{venue.id}",
            settings.lookup_venue_burst * scale,
            _per_second(settings.lookup_venue_per_minute) * scale,
        ),
        region_bucket(settings, venue),
    ]


# The region's limit is kept in up to this many rows (region_shards).
MAX_REGION_SHARDS = 16


def region_shards(settings: ServerSettings) -> int:
    """Into how many rows the region's bucket is split: as many as keep each row's rate and
    burst at or above one venue's largest (its per-checkpoint figures times the checkpoint cap),
    at most MAX_REGION_SHARDS, at least one.

    Why: every lookup of a region takes a token from the region's bucket as its last statement
    and holds that row's lock until its commit, so one row serialised the whole region across
    all workers. On 2 workers with the morning-rush mix (bench_capacity.py, 100 lookups/s), p99
    was ~0.6 s with the one row and ~25 ms without the region's take at all. Split by venue,
    the rows' sum is the region's limit, so the region never admits more than it did; a venue
    meets only its own row, which never has less than the venue's own bucket can ever allow,
    so a single venue is not refused by the split either. Venues that share a row share its
    part: at worst a row's venues are refused somewhat before the region's total is reached."""
    scale = max(1, settings.lookup_venue_max_checkpoints)
    venue_rate = settings.lookup_venue_per_minute * scale
    venue_burst = settings.lookup_venue_burst * scale
    by_rate = MAX_REGION_SHARDS if venue_rate <= 0 else int(settings.lookup_region_per_minute // venue_rate)
    by_burst = MAX_REGION_SHARDS if venue_burst <= 0 else int(settings.lookup_region_burst // venue_burst)
    return max(1, min(MAX_REGION_SHARDS, by_rate, by_burst))


def region_bucket(settings: ServerSettings, venue: VenueKey) -> Bucket:
    """The venue's row of its region's bucket (region_shards says why there are several)."""
    shards = region_shards(settings)
    burst = settings.lookup_region_burst / shards
    per_second = _per_second(settings.lookup_region_per_minute) / shards
    if shards == 1:
        return Bucket(f"lookup:region:{venue.region_code}", burst, per_second)
    return Bucket(f"lookup:region:{venue.region_code}:{venue.id % shards}", burst, per_second)


def admit_lookup(
    db: Session, settings: ServerSettings, user_id: int, venue: VenueKey, checkpoints: int, now: datetime
) -> Bucket:
    """Take the staff member's and the venue's tokens (the venue's sized by its `checkpoints`,
    the active ones) before any work, in one statement of the request's own transaction (no
    extra commit): those rows are shared only by the lookups of one venue, a few a second, so
    holding them to the end of the request costs nothing. Returns the region's bucket, shared
    by every lookup of the region, for `admit_region` to take as the request's last statement,
    so its row lock lasts only until the commit. Refused: the refusal is counted for the
    venue's watch, and LookupRateLimited raised."""
    staff, own, region = lookup_buckets(settings, user_id, venue, checkpoints)
    denied = take(db, [staff, own], now.timestamp())
    if denied is not None:
        _refuse(db, venue.id, now, denied)
    return region


CHECKPOINTS = cast(Table, Checkpoint.__table__)
_CHECKPOINT_ID = bindparam("checkpoint_id", type_=Integer)
_VENUE_ID = bindparam("venue_id", type_=Integer)
# On the table, not the entity: a Core statement skips the ORM's compile and execute steps.
_ACTIVE = (
    select(func.count(case((CHECKPOINTS.c.active, 1))))
    .where(CHECKPOINTS.c.venue_id == _VENUE_ID)
    .scalar_subquery()
)
_OWN = (
    select(func.count(case((CHECKPOINTS.c.id == _CHECKPOINT_ID, 1))))
    .where(CHECKPOINTS.c.venue_id == _VENUE_ID)
    .scalar_subquery()
)
VENUES = cast(Table, Venue.__table__)
MEMBERS = cast(Table, Membership.__table__)


class LookupVenue(NamedTuple):
    """The columns of a venue a lookup reads (a Core row, not the entity: issue 15 §6)."""

    id: int
    region_code: str
    status: str
    status_reason: str
    policy_json: str


VenueFound = tuple[LookupVenue, str | None, int, bool] | None

# The venue, the caller's membership state and the venue's checkpoint figures in one query:
# the lookup's first statement after the caller's (deps.require_checker runs the first two
# alone). The few columns the lookup reads, as a Core row: the two entities were ~25 result
# columns, each a psycopg column object and an ORM attribute, for five values.
LOOKUP_VENUE_COLUMNS = (
    VENUES.c.id,
    VENUES.c.region_code,
    VENUES.c.status,
    VENUES.c.status_reason,
    VENUES.c.policy_json,
    MEMBERS.c.state,
    _ACTIVE,
    _OWN,
)


def lookup_venue_join(user_id: Any) -> Any:
    """The venue (`venue_id`) with `user_id`'s membership, as an outer join: NULL columns when
    there is no such venue or membership. `user_id`: a bound parameter or a column."""
    return VENUES.outerjoin(MEMBERS, (MEMBERS.c.venue_id == VENUES.c.id) & (MEMBERS.c.user_id == user_id))


_VENUE_FOR_LOOKUP = (
    select(*LOOKUP_VENUE_COLUMNS)
    .select_from(lookup_venue_join(bindparam("user_id", type_=Integer)))
    .where(VENUES.c.id == _VENUE_ID)
)


def venue_for_lookup(db: Session, user_id: int, venue_id: int, checkpoint_id: int | None) -> VenueFound:
    """(the venue, `user_id`'s membership state (None: no membership), its active
    checkpoints, whether `checkpoint_id` is one of its own, active or not), or None when there
    is no such venue; one query."""
    row = db.execute(
        _VENUE_FOR_LOOKUP, {"venue_id": venue_id, "user_id": user_id, "checkpoint_id": checkpoint_id}
    ).first()
    return None if row is None else lookup_venue_from_row(row)


def lookup_venue_from_row(row: Sequence[Any]) -> VenueFound:
    """venue_for_lookup's answer from a row of LOOKUP_VENUE_COLUMNS (the venue's id NULL: none)."""
    venue_id, region_code, status, status_reason, policy_json, state, active, own = row
    if venue_id is None:
        return None
    venue = LookupVenue(venue_id, region_code, status, status_reason or "", policy_json or "{}")
    return venue, state, int(active), bool(own)


def admit_region(db: Session, region: Bucket, venue_id: int, now: datetime) -> None:
    """The region's token, then the commit of the whole lookup (its audit row, its watch count,
    all its tokens) at once, on this same thread. Refused: everything the request did is
    rolled back (the staff and venue tokens too: all or nothing), the refusal counted.

    The commit must not wait for the request's session dependency: FastAPI runs that exit in
    another hop to the thread pool, and when every pool thread is a lookup waiting for this
    region row's lock, the commit that would release it never gets a thread — under a morning
    rush (more lookups in flight than threads) every lookup of the region hung until the
    client gave up (bench_capacity.py found it)."""
    denied = take(db, [region], now.timestamp())
    if denied is not None:
        db.rollback()
        _refuse(db, venue_id, now, denied)
    db.commit()


def _refuse(db: Session, venue_id: int, now: datetime, denied: Denied) -> NoReturn:
    _note(db, venue_id, local_day(now), now, limited=1)
    commit_takes(db)
    raise _limited(denied)


def _limited(denied: Denied) -> LookupRateLimited:
    scope = denied.bucket.key.split(":")[1]
    retry = denied.retry_after
    return LookupRateLimited(
        SCOPE_MESSAGES.get(scope, LookupRateLimited.message),
        detail={"scope": scope, "retry_after": None if retry == float("inf") else round(retry, 1)},
    )


# ---- watch ----------------------------------------------------------------------------------


def sequence_parts(kind: DocumentKind, number: str) -> tuple[str, int] | None:
    """(the number without its sequence digits, the sequence digits), or None when it has none.

    A resident ID is 6 region digits, 8 birth-date digits, 3 sequence digits and a check digit;
    other documents: their last three digits, when they end in three."""
    if kind is DocumentKind.RESIDENT_ID and len(number) == 18:
        return number[:14], int(number[14:17])
    if _TRAILING_DIGITS.search(number):
        return number[:-3], int(number[-3:])
    return None


def note_lookup(
    db: Session,
    keys: KeyStore,
    venue_id: int,
    now: datetime,
    *,
    document: tuple[DocumentKind, str] | None,
    found: bool,
) -> None:
    """Count one answered lookup in its venue-day row (in the caller's transaction)."""
    db.execute(_note_stmt(db.get_bind().dialect.name), _lookup_note(keys, venue_id, now, document, found))


def _lookup_note(
    keys: KeyStore, venue_id: int, now: datetime, document: tuple[DocumentKind, str] | None, found: bool
) -> dict[str, Any]:
    prefix: str | None = None
    seq: int | None = None
    if document is not None:
        parts = sequence_parts(*document)
        if parts is not None:
            prefix = keys.keyed_hash("lookup_watch", f"{document[0].value}|{parts[0]}")[:32]
            seq = parts[1]
    return _note_params(
        venue_id,
        local_day(now),
        now,
        lookups=1,
        documents=int(document is not None),
        unknown=int(document is not None and not found),
        prefix=prefix,
        seq=seq,
    )


def finish_lookup(
    db: Session,
    keys: KeyStore,
    region: Bucket,
    entry: dict[str, Any],
    now: datetime,
    *,
    document: tuple[DocumentKind, str] | None,
    found: bool,
) -> int:
    """The end of an answered lookup: its audit row (`entry`, from audit.audit_values), its
    count in the venue-day watch row, the region's token (admit_region), and the commit; the
    audit row's id. On PostgreSQL the three writes are ONE statement (data-modifying CTEs:
    one round trip and one statement's overhead instead of three — a lookup's writes were
    three of its eight statements). Refused by the region's bucket: all rolled back, the
    refusal counted, LookupRateLimited raised, as admit_region does."""
    venue_id = int(entry["venue_id"])
    dialect = db.get_bind().dialect.name
    if dialect != "postgresql" or region.capacity < 1.0:
        # SQLite, or a region bucket that can never admit (take() answers that one without
        # a statement): the three statements one after another.
        lookup_id = write_audit(db, entry)
        note_lookup(db, keys, venue_id, now, document=document, found=found)
        admit_region(db, region, venue_id, now)
        return lookup_id
    params: dict[str, Any] = {f"audit_{name}": value for name, value in entry.items()}
    params.update(_lookup_note(keys, venue_id, now, document, found))
    params.update(take_params(region, now.timestamp()))
    ((lookup_id, taken),) = direct.run(db, _finish_stmt(), params)
    if taken is None:
        db.rollback()
        _refuse(db, venue_id, now, Denied(region, retry_after(db, region, now.timestamp())))
    db.commit()
    return int(lookup_id)


@lru_cache(maxsize=1)
def _finish_stmt() -> Any:
    """WITH audited AS (INSERT INTO audit_log ... RETURNING id),
         noted AS (INSERT INTO lookup_watch ... ON CONFLICT ... DO UPDATE ...),
         taken AS (INSERT INTO rate_buckets ... ON CONFLICT ... DO UPDATE ... WHERE refilled >= cost
                   RETURNING key)
    SELECT audited.id, (SELECT key FROM taken)

    PostgreSQL runs every data-modifying CTE exactly once, read or not. The region's row is
    still the statement's last lock and held only until the commit that follows at once."""
    audited = (
        insert(AUDIT)
        .values({column.name: bindparam(f"audit_{column.name}") for column in AUDIT.c if column.name != "id"})
        .returning(AUDIT.c.id)
        .cte("audited")
    )
    noted = _note_stmt("postgresql").cte("noted")
    taken = take_statement("postgresql").cte("taken")
    return select(audited.c.id, select(taken.c.key).scalar_subquery()).add_cte(noted)


@lru_cache(maxsize=4)
def _note_stmt(dialect: str) -> Any:
    """The upsert that counts into a venue-day row, built once per dialect (building and
    hashing it cost more CPU than running it)."""
    insert = dialect_insert(dialect, WATCH)
    ins = insert.values(
        venue_id=bindparam("venue_id"),
        day=bindparam("day"),
        lookups=bindparam("lookups"),
        documents=bindparam("documents"),
        unknown=bindparam("unknown"),
        sequential=0,
        limited=bindparam("limited"),
        last_prefix=bindparam("last_prefix"),
        last_seq=bindparam("last_seq"),
        last_at=bindparam("last_at"),
    )
    new = ins.excluded
    follows = (
        (new.last_prefix.is_not(None))
        & (WATCH.c.last_prefix == new.last_prefix)
        & (WATCH.c.last_seq != new.last_seq)
    )
    return ins.on_conflict_do_update(
        index_elements=["venue_id", "day"],
        set_={
            "lookups": WATCH.c.lookups + new.lookups,
            "documents": WATCH.c.documents + new.documents,
            "unknown": WATCH.c.unknown + new.unknown,
            "limited": WATCH.c.limited + new.limited,
            "sequential": WATCH.c.sequential + case((follows, 1), else_=0),
            "last_prefix": func.coalesce(new.last_prefix, WATCH.c.last_prefix),
            "last_seq": case((new.last_prefix.is_not(None), new.last_seq), else_=WATCH.c.last_seq),
            "last_at": new.last_at,
        },
    )


def _note(
    db: Session,
    venue_id: int,
    day: date,
    now: datetime,
    *,
    lookups: int = 0,
    documents: int = 0,
    unknown: int = 0,
    limited: int = 0,
    prefix: str | None = None,
    seq: int | None = None,
) -> None:
    db.execute(
        _note_stmt(db.get_bind().dialect.name),
        _note_params(
            venue_id,
            day,
            now,
            lookups=lookups,
            documents=documents,
            unknown=unknown,
            limited=limited,
            prefix=prefix,
            seq=seq,
        ),
    )


def _note_params(
    venue_id: int,
    day: date,
    now: datetime,
    *,
    lookups: int = 0,
    documents: int = 0,
    unknown: int = 0,
    limited: int = 0,
    prefix: str | None = None,
    seq: int | None = None,
) -> dict[str, Any]:
    return {
        "venue_id": venue_id,
        "day": day,
        "lookups": lookups,
        "documents": documents,
        "unknown": unknown,
        "limited": limited,
        "last_prefix": prefix,
        "last_seq": seq,
        "last_at": now,
    }


@dataclass(frozen=True)
class Figures:
    lookups: int
    documents: int
    unknown: int
    sequential: int
    limited: int


def reasons(figures: Figures, settings: ServerSettings) -> list[str]:
    """Why a venue-day looks like enumeration (empty: it does not)."""
    found: list[str] = []
    if (
        figures.documents >= settings.watch_min_documents
        and figures.unknown >= settings.watch_unknown_share * figures.documents
    ):
        found.append(UNKNOWN_NUMBERS)
    if figures.sequential >= settings.watch_sequential:
        found.append(SEQUENTIAL_NUMBERS)
    if figures.limited >= settings.watch_limited:
        found.append(RATE_LIMITED)
    return found


def region_alerts(db: Session, settings: ServerSettings, region_code: str, day: date) -> list[LookupAlert]:
    """The region's venues whose lookups on `day` look like enumeration, worst first."""
    rows: Sequence[Any] = db.execute(
        select(LookupWatch, Venue.name, Venue.unit_type)
        .join(Venue, Venue.id == LookupWatch.venue_id)
        .where(Venue.region_code == region_code, LookupWatch.day == day)
    ).all()
    alerts: list[LookupAlert] = []
    for watch, name, unit_type in rows:
        figures = Figures(watch.lookups, watch.documents, watch.unknown, watch.sequential, watch.limited)
        why = reasons(figures, settings)
        if why:
            alerts.append(
                LookupAlert(
                    venue_id=watch.venue_id,
                    venue_name=name,
                    unit_type=unit_type,
                    lookups=watch.lookups,
                    documents=watch.documents,
                    unknown=watch.unknown,
                    sequential=watch.sequential,
                    limited=watch.limited,
                    last_at=watch.last_at,
                    reasons=why,
                )
            )
    alerts.sort(key=lambda a: (-len(a.reasons), -(a.unknown + a.sequential + a.limited), a.venue_id))
    return alerts[:MAX_ALERTS]
