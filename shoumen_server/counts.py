"""Statistics read from the pre-aggregated count tables (kept by `shoumen_server.ingest`).

Nothing here scans `checks`, except the one figure that is not pre-aggregated: distinct persons
of one staff member at one checkpoint (a few thousand rows at most).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import DayCounts, RegionVenueRow, TrendPoint
from shoumen_core.timeutil import as_utc
from shoumen_server.ingest import VENUE_KEY
from shoumen_server.models import Check, CheckCount, DayPersonCount, Venue

ABNORMAL_LEVELS = (VerdictLevel.DENY.value, VerdictLevel.CANNOT_VERIFY.value)


class _Tally:
    """Counts by level and hour for one day, filled from (hour, level, n) rows."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.by_level: dict[str, int] = {}
        self.by_hour = [0] * 24
        self.persons = 0

    def add(self, hour: int, level: str, n: int) -> None:
        self.by_level[level] = self.by_level.get(level, 0) + n
        if 0 <= hour < 24:
            self.by_hour[hour] += n

    @property
    def checked(self) -> int:
        return sum(self.by_level.values())

    @property
    def abnormal(self) -> int:
        return sum(self.by_level.get(level, 0) for level in ABNORMAL_LEVELS)

    def day_counts(self) -> DayCounts:
        return DayCounts(
            day=self.day,
            checked=self.checked,
            passed=self.by_level.get(VerdictLevel.PASS.value, 0),
            review=self.by_level.get(VerdictLevel.REVIEW.value, 0),
            abnormal=self.abnormal,
            persons=self.persons,
            by_hour=self.by_hour,
        )


def _person_key(user_id: int | None, checkpoint_id: int | None) -> int | None:
    """The day_person_counts key of a scope, or None when that scope is not pre-aggregated."""
    if user_id is not None and checkpoint_id is not None:
        return None
    if user_id is not None:
        return user_id
    if checkpoint_id is not None:
        return -1 - checkpoint_id
    return VENUE_KEY


def _persons_from_checks(db: Session, venue_id: int, day: date, user_id: int, checkpoint_id: int) -> int:
    who = func.coalesce(  # the same person as ingest.person_key, where "" counts as absent
        func.nullif(Check.person_ref, ""),
        func.nullif(Check.phone_hash, ""),
        func.nullif(Check.masked_id + literal("|") + Check.masked_name, "|"),
        cast(Check.id, String),
    )
    query = select(func.count(func.distinct(who))).where(
        Check.venue_id == venue_id,
        Check.day == day,
        Check.user_id == user_id,
        Check.checkpoint_id == checkpoint_id,
    )
    return int(db.scalar(query) or 0)


def days_counts(
    db: Session,
    venue_id: int,
    days: Sequence[date],
    *,
    user_id: int | None = None,
    checkpoint_id: int | None = None,
) -> list[DayCounts]:
    """The counts of one venue on each of `days` (in that order): venue-wide, or one staff
    member's (`user_id`), optionally at one checkpoint. Two indexed queries."""
    tallies = {day: _Tally(day) for day in days}
    if not tallies:
        return []
    query = (
        select(CheckCount.day, CheckCount.hour, CheckCount.level, func.sum(CheckCount.n))
        .where(CheckCount.venue_id == venue_id, CheckCount.day.in_(list(tallies)))
        .group_by(CheckCount.day, CheckCount.hour, CheckCount.level)
    )
    if user_id is not None:
        query = query.where(CheckCount.user_key == user_id)
    if checkpoint_id is not None:
        query = query.where(CheckCount.checkpoint_key == checkpoint_id)
    for day, hour, level, n in db.execute(query):
        tallies[day].add(hour, level, int(n or 0))
    key = _person_key(user_id, checkpoint_id)
    if key is None:
        assert user_id is not None and checkpoint_id is not None
        for tally in tallies.values():
            if tally.checked:
                tally.persons = _persons_from_checks(db, venue_id, tally.day, user_id, checkpoint_id)
    else:
        persons = db.execute(
            select(DayPersonCount.day, DayPersonCount.n).where(
                DayPersonCount.venue_id == venue_id,
                DayPersonCount.day.in_(list(tallies)),
                DayPersonCount.user_key == key,
            )
        )
        for day, n in persons:
            tallies[day].persons = n
    return [tallies[day].day_counts() for day in days]


def day_counts(
    db: Session, venue_id: int, day: date, *, user_id: int | None = None, checkpoint_id: int | None = None
) -> DayCounts:
    return days_counts(db, venue_id, [day], user_id=user_id, checkpoint_id=checkpoint_id)[0]


# ---- regions --------------------------------------------------------------------------------


def region_venues(region_code: str) -> Select[int]:
    """The ids of the active venues of a region (a subquery for IN)."""
    return select(Venue.id).where(Venue.region_code == region_code, Venue.active.is_(True))


def region_day(db: Session, region_code: str, day: date) -> tuple[list[RegionVenueRow], DayCounts]:
    """One row per active venue of the region (zeros included), and the region's totals."""
    venues = db.execute(
        select(Venue.id, Venue.name, Venue.unit_type)
        .where(Venue.region_code == region_code, Venue.active.is_(True))
        .order_by(Venue.id)
    ).all()
    tallies = {venue_id: _Tally(day) for venue_id, _, _ in venues}
    last: dict[int, datetime] = {}
    total = _Tally(day)
    rows = db.execute(
        select(
            CheckCount.venue_id,
            CheckCount.hour,
            CheckCount.level,
            func.sum(CheckCount.n),
            func.max(CheckCount.last_at),
        )
        .where(CheckCount.day == day, CheckCount.venue_id.in_(region_venues(region_code)))
        .group_by(CheckCount.venue_id, CheckCount.hour, CheckCount.level)
    )
    for venue_id, hour, level, n, last_at in rows:
        tallies[venue_id].add(hour, level, int(n or 0))
        total.add(hour, level, int(n or 0))
        if last_at is not None and (venue_id not in last or last_at > last[venue_id]):
            last[venue_id] = last_at
    total.persons = int(
        db.scalar(
            select(func.coalesce(func.sum(DayPersonCount.n), 0)).where(
                DayPersonCount.day == day,
                DayPersonCount.user_key == VENUE_KEY,
                DayPersonCount.venue_id.in_(region_venues(region_code)),
            )
        )
        or 0
    )
    out = []
    for venue_id, name, unit_type in venues:
        counts = tallies[venue_id].day_counts()
        out.append(
            RegionVenueRow(
                venue_id=venue_id,
                name=name,
                unit_type=unit_type,
                checked=counts.checked,
                passed=counts.passed,
                review=counts.review,
                abnormal=counts.abnormal,
                last_activity=_as_aware(last.get(venue_id)),
            )
        )
    return out, total.day_counts()


def _as_aware(value: Any) -> datetime | None:
    """max() over a UTC column comes back untyped on SQLite: a naive string or datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value)


def trend(db: Session, venue_ids: Iterable[int] | Select[int], end: date, days: int) -> list[TrendPoint]:
    """Checked and abnormal per day for the `days` days up to `end`, zeros included."""
    start = end - timedelta(days=days - 1)
    ids: Any = venue_ids if isinstance(venue_ids, Select) else list(venue_ids)
    rows = db.execute(
        select(CheckCount.day, CheckCount.level, func.sum(CheckCount.n))
        .where(CheckCount.venue_id.in_(ids), CheckCount.day >= start, CheckCount.day <= end)
        .group_by(CheckCount.day, CheckCount.level)
    )
    checked: dict[date, int] = {}
    abnormal: dict[date, int] = {}
    for day, level, n in rows:
        checked[day] = checked.get(day, 0) + int(n or 0)
        if level in ABNORMAL_LEVELS:
            abnormal[day] = abnormal.get(day, 0) + int(n or 0)
    points = []
    for i in range(days):
        day = start + timedelta(days=i)
        points.append(TrendPoint(day=day, checked=checked.get(day, 0), abnormal=abnormal.get(day, 0)))
    return points


def stored_rows(db: Session, venue_ids: Sequence[int], start: date, end: date) -> int:
    """How many checks the venues have on [start, end]: from the counts, without a scan."""
    if not venue_ids:
        return 0
    total = db.scalar(
        select(func.coalesce(func.sum(CheckCount.n), 0)).where(
            CheckCount.venue_id.in_(list(venue_ids)), CheckCount.day >= start, CheckCount.day <= end
        )
    )
    return int(total or 0)
