"""Token buckets in the database, correct with any number of server workers (DESIGN §5: nothing
may assume one process).

A bucket is one `rate_buckets` row: the tokens left at `stamp`. A take refills it for the time
since `stamp` (up to its capacity) and removes the cost, for all the buckets of the call in
ONE conditional UPDATE:

    UPDATE rate_buckets SET tokens = refilled - cost, stamp = now
    WHERE key IN (:k0, :k1) AND refilled >= :cost  RETURNING key     (rows locked in key order)

and a bucket that did not come back (missing, or empty) gets one conditional upsert, which
inserts a missing row full minus the cost (a single bucket starts there):

    INSERT INTO rate_buckets VALUES (:key, :capacity - :cost, :now)
    ON CONFLICT (key) DO UPDATE SET tokens = refilled - cost, stamp = now
    WHERE refilled >= :cost  RETURNING key

PostgreSQL takes the row lock and re-evaluates the condition on the newest row version
(READ COMMITTED), and SQLite runs one writer at a time, so two takes never spend the same
token, and two first takes never create two rows.

Several buckets in one call are all-or-nothing: the UPDATE locks their rows in key order (one
lock order for every caller of the call), and when one is empty the ones taken are given back.
The caller's transaction holds the row locks until it ends, so a bucket many requests share
(a region's) is best taken as the last statement before the commit, or in a transaction of
its own committed at once (`commit_takes`); rows of narrower buckets taken earlier in the same
transaction must always come in the same order (narrowest first), so no two requests wait for
each other in a circle.

Capacity and rate are not stored but passed on every take (from the settings), so a changed
setting applies at once. Time is the caller's clock in Unix seconds (tests inject theirs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Float, Table, bindparam, case, literal, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from shoumen_server import direct
from shoumen_server.bulk import dialect_insert
from shoumen_server.models import RateBucket

BUCKETS = cast(Table, RateBucket.__table__)


@dataclass(frozen=True)
class Bucket:
    """One limit: `capacity` tokens at most (the burst), refilled at `per_second`."""

    key: str  # e.g. "lookup:staff:12"; at most 96 characters
    capacity: float
    per_second: float


@dataclass(frozen=True)
class Denied:
    """The bucket that had no token left, and when it will have one again."""

    bucket: Bucket
    retry_after: float  # seconds


def _refilled(now: Any, per_second: Any, capacity: Any) -> ColumnElement[Any]:
    """The bucket's tokens at `now`: never above capacity, never refilled by a clock that went
    backwards (another worker's clock may be a little behind)."""
    elapsed = case((now > BUCKETS.c.stamp, now - BUCKETS.c.stamp), else_=literal(0.0, Float))
    grown = BUCKETS.c.tokens + elapsed * per_second
    return case((grown > capacity, capacity), else_=grown)


def _per_key(n: int, name: str) -> ColumnElement[Any]:
    """The parameter `name` of the row's own bucket (k0 -> name0, ...), in a statement over n rows."""
    if n == 1:
        return bindparam(f"{name}0", type_=Float)
    return case(
        *[(BUCKETS.c.key == bindparam(f"k{i}"), bindparam(f"{name}{i}", type_=Float)) for i in range(n)]
    )


def _new_stamp(now: Any) -> ColumnElement[Any]:
    return case((now > BUCKETS.c.stamp, now), else_=BUCKETS.c.stamp)


# Every statement here is built once (per dialect, per bucket count) and reused: building and
# hashing a statement costs SQLAlchemy more CPU than running it. (A multi-row VALUES would let
# one upsert cover several buckets, but SQLAlchemy never caches its compiled form.)


@lru_cache(maxsize=4)
def _upsert_one(dialect: str) -> Any:
    """Take from one bucket, creating it full if it does not exist yet:

    INSERT INTO rate_buckets VALUES (:k0, :capacity0 - :cost, :now)
    ON CONFLICT (key) DO UPDATE SET tokens = refilled - cost, stamp = now
    WHERE refilled >= cost  RETURNING key
    """
    now = bindparam("now", type_=Float)
    cost = bindparam("cost", type_=Float)
    refilled = _refilled(now, _per_key(1, "per_second"), _per_key(1, "capacity"))
    insert = dialect_insert(dialect, BUCKETS)
    return (
        insert.values(key=bindparam("k0"), tokens=bindparam("capacity0", type_=Float) - cost, stamp=now)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={"tokens": refilled - cost, "stamp": _new_stamp(now)},
            where=refilled >= cost,
        )
        .returning(BUCKETS.c.key)
    )


@lru_cache(maxsize=8)
def _update_many(n: int) -> Any:
    """Take from the existing ones of n buckets:

        UPDATE rate_buckets SET tokens = refilled - cost, stamp = now
        FROM (SELECT key FROM rate_buckets WHERE key IN (:k0, ...) ORDER BY key FOR UPDATE) AS locked
        WHERE rate_buckets.key = locked.key AND refilled >= cost  RETURNING key

    The subquery locks the rows in key order whatever plan PostgreSQL picks for the IN (SQLite
    has no row locks and renders no FOR UPDATE: one writer at a time there)."""
    now = bindparam("now", type_=Float)
    cost = bindparam("cost", type_=Float)
    refilled = _refilled(now, _per_key(n, "per_second"), _per_key(n, "capacity"))
    locked = (
        select(BUCKETS.c.key)
        .where(BUCKETS.c.key.in_([bindparam(f"k{i}") for i in range(n)]))
        .order_by(BUCKETS.c.key)
        .with_for_update()
        .subquery("locked")
    )
    return (
        update(BUCKETS)
        .where(BUCKETS.c.key == locked.c.key, refilled >= cost)
        .values(tokens=refilled - cost, stamp=_new_stamp(now))
        .returning(BUCKETS.c.key)
    )


def _params(buckets: Sequence[Bucket], now: float, cost: float) -> dict[str, Any]:
    params: dict[str, Any] = {"now": now, "cost": cost}
    for i, bucket in enumerate(buckets):
        params[f"k{i}"] = bucket.key
        params[f"capacity{i}"] = float(bucket.capacity)
        params[f"per_second{i}"] = float(bucket.per_second)
    return params


def _take_all(db: Session, buckets: Sequence[Bucket], now: float, cost: float) -> set[str]:
    """Take from every bucket that has the tokens; the keys taken. One statement when the
    buckets exist already (every take but a staff member's or a venue's first)."""
    taken: set[str] = set()
    if len(buckets) > 1:
        taken.update(
            key for (key,) in direct.run(db, _update_many(len(buckets)), _params(buckets, now, cost))
        )
    upsert = _upsert_one(db.get_bind().dialect.name)
    for bucket in buckets:
        if bucket.key not in taken:
            # A single bucket, or one the UPDATE did not take: missing (made here), or empty.
            taken.update(db.execute(upsert, _params([bucket], now, cost)).scalars())
    return taken


def take_statement(dialect: str) -> Any:
    """The take from one bucket as a statement (its parameters: `take_params`), for a caller
    that runs it inside a statement of its own (lookup_watch.finish_lookup): RETURNING the
    bucket's key when taken, nothing when empty."""
    return _upsert_one(dialect)


def take_params(bucket: Bucket, now: float, cost: float = 1.0) -> dict[str, Any]:
    return _params([bucket], now, cost)


def retry_after(db: Session, bucket: Bucket, now: float, cost: float = 1.0) -> float:
    """Seconds until `bucket` has `cost` tokens again (inf: never)."""
    return _retry_after(db, bucket, now, cost)


def _give_back(db: Session, bucket: Bucket, cost: float) -> None:
    db.execute(
        update(BUCKETS)
        .where(BUCKETS.c.key == bucket.key)
        .values(
            tokens=case(
                (BUCKETS.c.tokens + cost > bucket.capacity, bucket.capacity), else_=BUCKETS.c.tokens + cost
            )
        )
    )


def _retry_after(db: Session, bucket: Bucket, now: float, cost: float) -> float:
    if bucket.capacity < cost or bucket.per_second <= 0:
        return float("inf")
    row = db.execute(select(BUCKETS.c.tokens, BUCKETS.c.stamp).where(BUCKETS.c.key == bucket.key)).first()
    if row is None:
        return 0.0
    tokens = min(bucket.capacity, float(row.tokens) + max(0.0, now - float(row.stamp)) * bucket.per_second)
    return max(0.0, (cost - tokens) / bucket.per_second)


def take(db: Session, buckets: Sequence[Bucket], now: float, *, cost: float = 1.0) -> Denied | None:
    """Take `cost` tokens from every bucket, or from none: None when admitted, else the first
    empty bucket (in key order). Runs in the caller's transaction; commit soon after."""
    ordered = sorted({bucket.key: bucket for bucket in buckets}.values(), key=lambda b: b.key)
    for bucket in ordered:
        if bucket.capacity < cost:  # never enough: take nothing at all
            return Denied(bucket, _retry_after(db, bucket, now, cost))
    taken = _take_all(db, ordered, now, cost) if ordered else set()
    if len(taken) == len(ordered):
        return None
    # Partly taken: the ones taken are given back (all or nothing), the first empty one named.
    for bucket in ordered:
        if bucket.key in taken:
            _give_back(db, bucket, cost)
    empty = next(bucket for bucket in ordered if bucket.key not in taken)
    return Denied(empty, _retry_after(db, empty, now, cost))


def commit_takes(db: Session) -> None:
    """Commit a transaction that holds bucket updates and nothing that must survive a crash.

    On PostgreSQL the commit does not wait for its WAL flush (synchronous_commit off for this
    transaction only): the row locks on hot buckets go sooner, and a crash can at worst forget
    a few takes of the last moment, which only lets those lookups be free."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.commit()
