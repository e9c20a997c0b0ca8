"""What an export reads (`routers/export.py` authorises, audits and writes the file): the checks
of some venues over a range of local days, with their venue, checkpoint and staff member, in
time order. Reads `checks`, `venues`, `checkpoints` and `users`; masked forms only.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from shoumen_server.models import Check, Checkpoint, User, Venue

ROWS_PER_QUERY = 2000


class ExportRow(NamedTuple):
    checked_at: datetime
    venue_name: str
    checkpoint_name: str | None
    method: str
    level: str
    manual_decision: str | None
    masked_name: str
    masked_id: str
    findings_json: str
    user_id: int | None  # None: a visitor's self check-in
    staff_name: str | None
    staff_phone: str | None


_ROWS = (
    select(
        Check.checked_at,
        Venue.name,
        Checkpoint.name,
        Check.method,
        Check.level,
        Check.manual_decision,
        Check.masked_name,
        Check.masked_id,
        Check.findings_json,
        Check.user_id,
        User.name,
        User.phone,
    )
    .join(Venue, Venue.id == Check.venue_id)
    .outerjoin(Checkpoint, Checkpoint.id == Check.checkpoint_id)
    .outerjoin(User, User.id == Check.user_id)
    .order_by(Check.checked_at, Check.id)
    .execution_options(yield_per=ROWS_PER_QUERY)
)


def export_rows(
    sessions: Callable[[], Session], venue_ids: list[int], first: date, last: date
) -> Generator[ExportRow]:
    """The checks of `venue_ids` on the days first..last, day by day in time order, read in
    pages from a session of their own (the request's session is gone while the response
    streams): a read that may lag, so give it the read replica's sessions when there is one."""
    query = _ROWS.where(Check.venue_id.in_(venue_ids))
    with sessions() as session:
        day = first
        while day <= last:
            for row in session.execute(query.where(Check.day == day)):
                yield ExportRow._make(row)
            day += timedelta(days=1)


def region_venue_ids(db: Session, region_code: str) -> set[int]:
    """The ids of every venue of the region (inactive ones too: their checks are still kept)."""
    return set(db.scalars(select(Venue.id).where(Venue.region_code == region_code)))
