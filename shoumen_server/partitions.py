"""The checks table partitioned by day on PostgreSQL (DESIGN §5; migration 0009_pgscale).

A county's checks are a million rows a day; retention drops them a day at a time. As one
PostgreSQL table partitioned by RANGE (day), one partition per local day, the purge detaches
and drops whole partitions (milliseconds, no dead rows, no vacuum) instead of deleting rows
(bench/bench_purge.py). SQLite (the embedded backend, one venue) keeps the plain table.

- Partitions are made ahead: `ensure_check_partitions` makes today-7 … today+7, run by
  `serve` at start and by every purge (daily), so the day's partition exists before its rows.
- A DEFAULT partition takes any row for a day without a partition (a station that was offline
  for weeks, a day older than the window made ahead), so no check is ever refused for its day.
  When a partition is made for a day that has rows in the default one, they are moved into it.
- Purge drops the partitions wholly older than the first kept day and deletes old rows from
  the default partition by DELETE (`retention.purge`).

Identity: a partitioned table's unique constraints must contain the partition key, so the
primary key is (id, day), not id. A device's resend carries the same checked_at, so the same
day, and conflicts on (id, day) as before. A resend with another day (checked_at is fixed when
the device commits the check, so only a faulty or hostile device sends one) must not make a
second row: `ingest_checks` looks every pushed id up first, across all partitions, and treats a
known id as stored whatever its day (tests/server/test_partitions.py). What the lookup cannot
close is two pushes of one id with different days in flight at the same moment; that gains the
sender nothing it could not get by sending a new id, so we do not pay for a global id index.
The lookup's price: it probes every partition's key index, about 1.3 ms per filled partition
for a push of 500 ids, plus ~20 ms of planning over 45 partitions (EXPLAIN ANALYZE, 29 filled
partitions: 75 ms; bench/bench_purge.py with 100,000 rows a day on a busy machine: a median
of 230 ms against 20 ms on the plain table).
If push throughput needs it back, a narrow table of ids (id primary key, day) makes it one
probe per id again, at the cost of one more insert per check and a DELETE by day in the purge.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

log = logging.getLogger("shoumen.server.partitions")

TABLE = "checks"
DEFAULT_PARTITION = "checks_default"
PARTITION_PREFIX = "checks_p"  # + YYYYMMDD
DAYS_BEHIND = 7
DAYS_AHEAD = 7
# Maintenance (create, detach, drop) takes strong locks on the checks table. It waits at most
# this long for them, so it never queues behind a long export and stalls every push behind it;
# a partition not dropped now is dropped by the next purge.
LOCK_TIMEOUT = "5s"
# One maintainer at a time: several server processes each run the purge at start.
_ADVISORY_KEY = 0x73686F756D656E  # "shoumen"

_BOUND = re.compile(r"FOR VALUES FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)")
_PARTITION_NAME = re.compile(rf"^{PARTITION_PREFIX}\d{{8}}$")

# The conflict target of an idempotent insert into checks (the table's primary key).
CONFLICT_PLAIN = ("id",)
CONFLICT_PARTITIONED = ("id", "day")


def is_partition_name(name: str | None) -> bool:
    """A partition of checks (not a table of the models): Alembic's comparison skips them."""
    return name is not None and (name == DEFAULT_PARTITION or _PARTITION_NAME.match(name) is not None)


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic's filter: the partitions are not tables of the models (migrations/env.py)."""
    return not (type_ == "table" and is_partition_name(name))


def partition_name(day: date) -> str:
    return f"{PARTITION_PREFIX}{day:%Y%m%d}"


def _dialect(conn: Connection | Session) -> str:
    return conn.dialect.name if isinstance(conn, Connection) else conn.get_bind().dialect.name


def is_partitioned(conn: Connection | Session) -> bool:
    if _dialect(conn) != "postgresql":
        return False
    found = conn.execute(
        text("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(:t)"), {"t": TABLE}
    ).first()
    return found is not None


def check_conflict_key(conn: Connection | Session) -> list[str]:
    """The columns an idempotent INSERT into checks conflicts on: the primary key, which is
    (id, day) on PostgreSQL (partitioned) and id on SQLite."""
    if _dialect(conn) == "postgresql":
        return list(CONFLICT_PARTITIONED)
    return list(CONFLICT_PLAIN)


@dataclass(frozen=True)
class Partition:
    name: str
    first_day: date
    end_day: date  # exclusive


def day_partitions(conn: Connection | Session) -> list[Partition]:
    """The range partitions of checks (not the default one), oldest first."""
    rows = conn.execute(
        text(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:t)"
        ),
        {"t": TABLE},
    ).all()
    found: list[Partition] = []
    for name, bound in rows:
        match = _BOUND.search(bound or "")
        if match is not None:
            found.append(Partition(name, date.fromisoformat(match[1]), date.fromisoformat(match[2])))
    return sorted(found, key=lambda p: p.first_day)


def _lock_for_maintenance(conn: Connection | Session) -> None:
    conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})


def create_partition(conn: Connection | Session, day: date) -> None:
    """The partition of `day`, moving its rows out of the default partition if any wait there
    (a partition cannot be made while the default one holds rows of its range)."""
    name, start, end = partition_name(day), day.isoformat(), (day + timedelta(days=1)).isoformat()
    bound = f"FOR VALUES FROM ('{start}') TO ('{end}')"
    has_default = conn.execute(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": DEFAULT_PARTITION}).scalar()
    if has_default:
        # Inserts for old days would go on landing in the default partition while we move.
        conn.execute(text(f"LOCK TABLE {DEFAULT_PARTITION} IN EXCLUSIVE MODE"))
        waiting = conn.execute(
            text(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE day >= :a AND day < :b)"),
            {"a": day, "b": day + timedelta(days=1)},
        ).scalar()
        if waiting:
            conn.execute(text(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)"))
            moved = f"DELETE FROM {DEFAULT_PARTITION} WHERE day >= :a AND day < :b RETURNING *"
            conn.execute(
                text(f"WITH moved AS ({moved}) INSERT INTO {name} SELECT * FROM moved"),
                {"a": day, "b": day + timedelta(days=1)},
            )
            conn.execute(text(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} {bound}"))
            log.info("partition %s made; its rows moved out of the default partition", name)
            return
    conn.execute(text(f"CREATE TABLE {name} PARTITION OF {TABLE} {bound}"))


def create_default_partition(conn: Connection | Session) -> None:
    conn.execute(text(f"CREATE TABLE IF NOT EXISTS {DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT"))


def ensure_check_partitions(session: Session, today: date) -> list[str]:
    """Make the partitions of today-DAYS_BEHIND … today+DAYS_AHEAD that are missing (and the
    default partition); commits. Nothing on SQLite. Returns the names made."""
    if not is_partitioned(session):
        return []
    _lock_for_maintenance(session)
    have = {p.first_day for p in day_partitions(session)}
    made: list[str] = []
    for offset in range(-DAYS_BEHIND, DAYS_AHEAD + 1):
        day = today + timedelta(days=offset)
        if day not in have:
            create_partition(session, day)
            made.append(partition_name(day))
    create_default_partition(session)
    session.commit()
    if made:
        log.info("check partitions made: %s", ", ".join(made))
    return made


def drop_old_partitions(session: Session, first_kept_day: date) -> int:
    """Detach and drop every day partition wholly older than `first_kept_day`; one transaction
    each, committed. Returns the number of rows they held. A partition whose lock is not
    granted within LOCK_TIMEOUT is left for the next purge."""
    if not is_partitioned(session):
        return 0
    rows = 0
    for partition in day_partitions(session):
        if partition.end_day > first_kept_day:
            break
        try:
            _lock_for_maintenance(session)
            n = int(session.execute(text(f"SELECT count(*) FROM {partition.name}")).scalar() or 0)
            session.execute(text(f"ALTER TABLE {TABLE} DETACH PARTITION {partition.name}"))
            session.execute(text(f"DROP TABLE {partition.name}"))
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if _sqlstate(exc) != "55P03":  # lock_not_available
                raise
            log.warning("partition %s is busy; the next purge drops it", partition.name)
            continue
        rows += n
        log.info("partition %s dropped (%d checks)", partition.name, n)
    return rows


def _sqlstate(exc: OperationalError) -> str | None:
    orig: Any = exc.orig
    return getattr(orig, "sqlstate", None)
