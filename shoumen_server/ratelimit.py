"""Token buckets in the database, correct with any number of server workers (DESIGN §5: nothing
may assume one process).

A bucket is one `rate_buckets` row: the tokens left at `stamp`. A take refills it for the time
since `stamp` (up to its capacity) and removes the cost, in ONE conditional UPDATE:

    UPDATE rate_buckets SET tokens = refilled - cost, stamp = now
    WHERE key = :key AND refilled >= :cost

PostgreSQL takes the row lock and re-evaluates the condition on the newest row version
(READ COMMITTED), and SQLite runs one writer at a time, so two takes never spend the same
token. A row that does not exist yet is inserted full minus the cost (ON CONFLICT DO NOTHING,
then the UPDATE once more if another worker inserted it first).

Several buckets in one call are all-or-nothing: they are taken in key order (one lock order
for every caller of the call) and when one is empty the ones already taken are given back.
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
from typing import Any, cast

from sqlalchemy import Float, Table, bindparam, case, literal, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from shoumen_server.bulk import upsert_insert
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


def _take_stmt() -> Any:
    now = bindparam("now", type_=Float)
    cost = bindparam("cost", type_=Float)
    refilled = _refilled(now, bindparam("per_second", type_=Float), bindparam("capacity", type_=Float))
    return (
        update(BUCKETS)
        .where(BUCKETS.c.key == bindparam("k"), refilled >= cost)
        .values(tokens=refilled - cost, stamp=case((now > BUCKETS.c.stamp, now), else_=BUCKETS.c.stamp))
        .returning(BUCKETS.c.key)
    )


_TAKE = _take_stmt()


def _params(bucket: Bucket, now: float, cost: float) -> dict[str, Any]:
    return {
        "k": bucket.key,
        "now": now,
        "cost": cost,
        "per_second": bucket.per_second,
        "capacity": bucket.capacity,
    }


def _take_one(db: Session, bucket: Bucket, now: float, cost: float) -> bool:
    # RETURNING says whether a row was written; rowcount is not reliable for an INSERT ... ON
    # CONFLICT on every driver.
    if bucket.capacity < cost:
        return False
    params = _params(bucket, now, cost)
    if db.execute(_TAKE, params).first() is not None:
        return True
    ins = upsert_insert(db, BUCKETS).values(key=bucket.key, tokens=bucket.capacity - cost, stamp=now)
    if db.execute(ins.on_conflict_do_nothing(index_elements=["key"]).returning(BUCKETS.c.key)).first():
        return True
    # Either the bucket is empty, or another worker created it between the two statements.
    return db.execute(_TAKE, params).first() is not None


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
    taken: list[Bucket] = []
    for bucket in sorted(buckets, key=lambda b: b.key):
        if not _take_one(db, bucket, now, cost):
            for done in taken:
                _give_back(db, done, cost)
            return Denied(bucket, _retry_after(db, bucket, now, cost))
        taken.append(bucket)
    return None


def commit_takes(db: Session) -> None:
    """Commit a transaction that holds bucket updates and nothing that must survive a crash.

    On PostgreSQL the commit does not wait for its WAL flush (synchronous_commit off for this
    transaction only): the row locks on hot buckets go sooner, and a crash can at worst forget
    a few takes of the last moment, which only lets those lookups be free."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.commit()
