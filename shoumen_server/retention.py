"""Retention (DESIGN §5, §7): checks and anomalies go after `check_retention_days` (by local
day), the audit log and the per venue-day lookup figures after `audit_retention_days`, SMS
codes, dead tokens, enrolment codes and rate buckets untouched for a day (full again by then)
after a day.

On PostgreSQL the checks table is partitioned by day (shoumen_server/partitions.py): the purge
first makes the partitions ahead, then detaches and drops the partitions wholly older than the
retention (each after its days' ids in check_ids), and deletes only what is left (rows of old
days in the default partition, and their ids).

Deletes run in batches, each committed, so no long transaction holds locks on the busy tables
and a purge that is interrupted resumes where it stopped. Count rows are deleted venue-day by
venue-day, through their (venue_id, day, ...) unique indexes: those tables have no index on
`day` alone, and scanning them once per batch would be quadratic.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Table, delete, or_, select
from sqlalchemy.orm import Session

from shoumen_core.timeutil import local_day
from shoumen_server.ingest import CHECK_COUNTS, CHECKS, DAY_PERSON_COUNTS, DAY_PERSONS
from shoumen_server.models import Anomaly, AuditEntry, AuthToken, Enrolment, LookupWatch, RateBucket, SmsCode
from shoumen_server.partitions import CHECK_IDS, drop_old_partitions, ensure_check_partitions, uses_check_ids
from shoumen_server.settings import ServerSettings

log = logging.getLogger("shoumen.server.retention")

BATCH_SIZE = 5000
SHORT_LIVED = timedelta(days=1)


@dataclass(frozen=True)
class PurgeReport:
    """How many rows of each kind were deleted."""

    checks: int = 0
    anomalies: int = 0
    check_counts: int = 0
    day_persons: int = 0
    day_person_counts: int = 0
    audit: int = 0
    sms_codes: int = 0
    tokens: int = 0
    lookup_watch: int = 0
    rate_buckets: int = 0
    enrolments: int = 0  # 设备绑定 codes a day past their expiry (used or not)

    @property
    def total(self) -> int:
        return sum(vars(self).values())

    def __str__(self) -> str:
        counts = self.check_counts + self.day_persons + self.day_person_counts
        return (
            f"核验记录 {self.checks} 条，核查登记 {self.anomalies} 条，统计行 {counts} 条，"
            f"审计日志 {self.audit} 条，验证码 {self.sms_codes} 条，登录令牌 {self.tokens} 条，"
            f"查询统计 {self.lookup_watch} 条，限流桶 {self.rate_buckets} 个，绑定码 {self.enrolments} 个"
        )


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _delete_batched(session: Session, table: Table, where: list[ColumnElement[bool]], batch: int) -> int:
    """DELETE ... WHERE pk IN (the next `batch` matching rows), committed, until none is left."""
    pk = next(iter(table.primary_key.columns))
    total = 0
    while True:
        chosen = select(pk).where(*where).limit(batch)
        # `where` again outside: on the partitioned checks table it prunes the partitions the
        # DELETE probes by id to the ones that can hold such rows.
        result = cast(CursorResult[Any], session.execute(delete(table).where(*where, pk.in_(chosen))))
        session.commit()
        total += result.rowcount
        if result.rowcount < batch:
            return total


def purge(
    session: Session, now: datetime, settings: ServerSettings, *, batch: int = BATCH_SIZE
) -> PurgeReport:
    """Delete what is past its retention period; commits after every batch, so `session`
    must not be inside `session.begin()` (a plain session, or `db.session_scope`)."""
    today = local_day(now)
    first_kept_day = today - timedelta(days=settings.check_retention_days)
    ensure_check_partitions(session, today)
    checks = drop_old_partitions(session, first_kept_day)  # with their days' ids
    if uses_check_ids(session):
        # The ids of what is left to delete (old days in the default partition, a few rows)
        # go before the rows: check_ids never names a check that is gone.
        _delete_batched(session, CHECK_IDS, [CHECK_IDS.c.day < first_kept_day], batch)
    checks += _delete_batched(session, CHECKS, [CHECKS.c.day < first_kept_day], batch)
    anomalies_table = _table(Anomaly)
    anomalies = _delete_batched(session, anomalies_table, [anomalies_table.c.day < first_kept_day], batch)

    venue_days = set(
        session.execute(
            select(CHECK_COUNTS.c.venue_id, CHECK_COUNTS.c.day)
            .where(CHECK_COUNTS.c.day < first_kept_day)
            .distinct()
        )
    )
    venue_days |= set(
        session.execute(
            select(DAY_PERSON_COUNTS.c.venue_id, DAY_PERSON_COUNTS.c.day)
            .where(DAY_PERSON_COUNTS.c.day < first_kept_day)
            .distinct()
        )
    )
    counted = {"check_counts": 0, "day_persons": 0, "day_person_counts": 0}
    for venue_id, day in sorted(venue_days):
        for name, table in (
            ("check_counts", CHECK_COUNTS),
            ("day_persons", DAY_PERSONS),
            ("day_person_counts", DAY_PERSON_COUNTS),
        ):
            where = [table.c.venue_id == venue_id, table.c.day == day]
            counted[name] += _delete_batched(session, table, where, batch)

    audit_table = _table(AuditEntry)
    audit_cutoff = now - timedelta(days=settings.audit_retention_days)
    audit = _delete_batched(session, audit_table, [audit_table.c.at < audit_cutoff], batch)
    sms_table = _table(SmsCode)
    sms = _delete_batched(session, sms_table, [sms_table.c.created_at < now - SHORT_LIVED], batch)
    tokens_table = _table(AuthToken)
    dead_token = or_(
        tokens_table.c.expires_at < now - SHORT_LIVED, tokens_table.c.revoked_at < now - SHORT_LIVED
    )
    tokens = _delete_batched(session, tokens_table, [dead_token], batch)
    watch_table = _table(LookupWatch)
    first_watched_day = local_day(audit_cutoff)
    watch = _delete_batched(session, watch_table, [watch_table.c.day < first_watched_day], batch)
    buckets_table = _table(RateBucket)
    stale = (now - SHORT_LIVED).timestamp()
    buckets = _delete_batched(session, buckets_table, [buckets_table.c.stamp < stale], batch)
    enrolments_table = _table(Enrolment)
    enrolments = _delete_batched(
        session, enrolments_table, [enrolments_table.c.expires_at < now - SHORT_LIVED], batch
    )

    report = PurgeReport(
        checks=checks,
        anomalies=anomalies,
        check_counts=counted["check_counts"],
        day_persons=counted["day_persons"],
        day_person_counts=counted["day_person_counts"],
        audit=audit,
        sms_codes=sms,
        tokens=tokens,
        lookup_watch=watch,
        rate_buckets=buckets,
        enrolments=enrolments,
    )
    log.info("purge before %s: %s", first_kept_day, report)
    return report
