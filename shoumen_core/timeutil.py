"""China Standard Time: the local day and hour of checks (UTC+8 all year, no DST)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

LOCAL_TZ = timezone(timedelta(hours=8), "CST")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local_day(moment: datetime) -> date:
    return as_utc(moment).astimezone(LOCAL_TZ).date()


def local_hour(moment: datetime) -> int:
    return as_utc(moment).astimezone(LOCAL_TZ).hour


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local day, in UTC."""
    start = datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ).astimezone(UTC)
    return start, start + timedelta(days=1)
