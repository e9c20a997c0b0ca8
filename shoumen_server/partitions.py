"""The checks table partitioned by day on PostgreSQL (DESIGN §5; migration 0010_pgscale).

A county's checks are a million rows a day; retention drops them a day at a time. As one
PostgreSQL table partitioned by RANGE (day), one partition per local day, the purge detaches
and drops whole partitions (no dead rows, no vacuum) instead of deleting rows: 28 days of
100,000 checks in 7.3 s against 56 s plus a 4.9 s VACUUM (bench/bench_purge.py). SQLite (the embedded backend, one venue) keeps the plain table.

- Partitions are made ahead: `ensure_check_partitions` makes today-7 … today+7, run by
  `serve` at start and by every purge (daily), so the day's partition exists before its rows.
- A DEFAULT partition takes any row for a day without a partition (a station that was offline
  for weeks, a day older than the window made ahead), so no check is ever refused for its day.
  When a partition is made for a day that has rows in the default one, they are moved into it.
- Purge drops the partitions wholly older than the first kept day and deletes old rows from
  the default partition by DELETE (`retention.purge`).

Identity: a partitioned table's unique constraints must contain the partition key, so the
primary key is (id, day), not id, and PostgreSQL has no index across partitions. A check's id
stays unique through a narrow table beside it, `check_ids (id primary key, day)`, written in
the same transaction as the check (`ingest.store_checks`): an id is claimed there first
(INSERT … ON CONFLICT (id) DO NOTHING), and only the rows whose id was claimed go into
checks. So a resend with another day is never a second row, even when both pushes are in
flight at once (the second waits on the first's claim). A push looks its ids up in check_ids
(one index probe per id) and reads the stored rows only of ids found there, from the
partitions of their days.
Why not look the ids up in checks itself: that probes every partition's key index, about
1.3 ms per filled partition for a push of 500 ids plus ~20 ms of planning over 45 partitions
(bench/bench_purge.py, 28 days × 100,000 checks: a median of 211 ms against 33 ms on the plain
table, 34 ms in check_ids); a push of new ids, the common case, found nothing for that price.
With check_ids, ingest_checks of 500 records takes 1.08 × its time on the plain table.
The purge deletes the expired days' ids (one DELETE per day, by the day index) before it drops
their partitions; check_ids holds ~35 bytes a check against the check row's few hundred.
"""

from __future__ import annotations

import logging
import re
import weakref
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Column, Connection, Date, Engine, Index, MetaData, Table, Uuid, delete, text
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

# The ids of the checks, one row each, where checks is partitioned (PostgreSQL only, like the
# partitions: not in the models' metadata, made by migration 0010_pgscale).
CHECK_IDS = Table(
    "check_ids",
    MetaData(),
    Column("id", Uuid, primary_key=True),
    Column("day", Date, nullable=False),
    Index("ix_check_ids_day", "day"),
)


def is_partition_name(name: str | None) -> bool:
    """A partition of checks (not a table of the models): Alembic's comparison skips them."""
    return name is not None and (name == DEFAULT_PARTITION or _PARTITION_NAME.match(name) is not None)


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic's filter: the partitions and check_ids, PostgreSQL-only companions of the
    partitioned checks table, are not tables of the models (migrations/env.py)."""
    return not (type_ == "table" and (is_partition_name(name) or name == CHECK_IDS.name))


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


# Engine -> whether its checks table is partitioned: asked of the catalog once per engine,
# not per push (the migrations make it so on PostgreSQL; an older revision, as the benchmark
# of the plain table uses, is not).
_PARTITIONED: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def uses_check_ids(conn: Connection | Session) -> bool:
    """Whether checks is partitioned, so its ids are kept unique through check_ids."""
    if _dialect(conn) != "postgresql":
        return False
    bind = conn.engine if isinstance(conn, Connection) else conn.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    known = _PARTITIONED.get(engine)
    if known is None:
        known = _PARTITIONED[engine] = is_partitioned(conn)
    return known


def check_conflict_key(conn: Connection | Session) -> list[str]:
    """The columns an idempotent INSERT into checks conflicts on: the primary key, which is
    (id, day) where partitioned (PostgreSQL) and id on SQLite."""
    return list(CONFLICT_PARTITIONED if uses_check_ids(conn) else CONFLICT_PLAIN)


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
    each, committed, after the ids of its days are deleted from check_ids (committed first, so
    check_ids never names a check that is gone, and apart, so the pushes do not wait on that
    DELETE behind the detach's lock). Returns the number of rows the partitions held. A
    partition whose lock is not granted within LOCK_TIMEOUT is left for the next purge (its
    rows are expired; their ids are gone already)."""
    if not is_partitioned(session):
        return 0
    rows = 0
    for partition in day_partitions(session):
        if partition.end_day > first_kept_day:
            break
        # One statement per partition by the day index: a batched DELETE ... WHERE day < x
        # rescans every expired id for each batch (bench_purge.py, 28 × 100,000: the
        # whole purge took 168 s that way, 7.3 s this way).
        session.execute(
            delete(CHECK_IDS).where(
                CHECK_IDS.c.day >= partition.first_day, CHECK_IDS.c.day < partition.end_day
            )
        )
        session.commit()
        try:
            _lock_for_maintenance(session)
            n = int(session.execute(text(f"SELECT count(*) FROM {partition.name}")).scalar() or 0)
            session.execute(text(f"ALTER TABLE {TABLE} DETACH PARTITION {partition.name}"))
            session.execute(text(f"DROP TABLE {partition.name}"))
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if not is_lock_timeout(exc):
                raise
            log.warning("partition %s is busy; the next purge drops it", partition.name)
            continue
        rows += n
        log.info("partition %s dropped (%d checks)", partition.name, n)
    return rows


def is_lock_timeout(exc: OperationalError) -> bool:
    """The maintenance lock was not granted within LOCK_TIMEOUT (lock_not_available)."""
    orig: Any = exc.orig
    return getattr(orig, "sqlstate", None) == "55P03"
