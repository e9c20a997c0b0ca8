"""Query arguments several routers read the same way: a local day and a region code.

Their own module (not routers/stats.py) so a router that needs them does not import another
router: the embedded backend imports only the start-up's routers (app.START_ROUTERS)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from fastapi import Query

from shoumen_core.timeutil import local_day
from shoumen_server.deps import Caller, require_supervisor
from shoumen_server.errors import BadInput

DateQuery = Annotated[str | None, Query(max_length=20, description="YYYY-MM-DD, the local (China) day")]
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Days the service can have data for; a day near year 1 or 9999 has no UTC bounds (OverflowError).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
_REGION = re.compile(r"\d{6}")


def parse_day(text: str | None, now: datetime) -> date:
    """A YYYY-MM-DD query value; absent means today (local). 422 bad_date otherwise."""
    if not text:
        return local_day(now)
    if _DATE.fullmatch(text.strip()):
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            pass
        else:
            if FIRST_DAY <= day <= LAST_DAY:
                return day
            raise BadInput("日期超出范围（2000 年至 2099 年）", code="bad_date")
    raise BadInput("日期格式有误，应为 YYYY-MM-DD", code="bad_date")


def checked_region(caller: Caller, region_code: str) -> str:
    """The caller must supervise this region (a 6-digit code)."""
    require_supervisor(caller)
    if not _REGION.fullmatch(region_code):
        raise BadInput("行政区划代码无效（应为 6 位数字）", code="bad_region")
    require_supervisor(caller, region_code)
    return region_code
