"""Statistics: a venue's day (unit or personal), its abnormal checks, trends, and the region
view of township supervisors. Counts come from the count tables only (`shoumen_server.counts`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from shoumen_core.schemas import (
    AbnormalItem,
    AbnormalList,
    RegionAbnormalItem,
    RegionAbnormalList,
    RegionStats,
    StatsResponse,
    StatsScope,
    Trend,
)
from shoumen_core.timeutil import local_day
from shoumen_server import abnormal, counts
from shoumen_server.deps import (
    Caller,
    Ctx,
    CurrentCaller,
    Db,
    ReadDb,
    get_venue,
    require_checker,
    require_unit_stats_reader,
)
from shoumen_server.errors import BadInput
from shoumen_server.ingest import MAX_ID, checkpoint_venues
from shoumen_server.query_args import DateQuery, checked_region, parse_day

router = APIRouter(tags=["stats"])

VenueId = Annotated[int, Path(ge=1, le=MAX_ID)]
ScopeQuery = Annotated[str, Query(max_length=20)]
MAX_TREND_DAYS = 366


def parse_scope(text: str) -> StatsScope:
    try:
        return StatsScope(text)
    except ValueError:
        raise BadInput("统计范围应为 unit（单位）或 personal（个人）", code="bad_scope") from None


def checked_days(days: int) -> int:
    if not 1 <= days <= MAX_TREND_DAYS:
        raise BadInput("天数应在 1 到 {max_days} 之间", code="bad_days", params={"max_days": MAX_TREND_DAYS})
    return days


def _scope_user(db: Db, caller: Caller, venue_id: int, scope: StatsScope) -> int | None:
    """Unit: checkers and the region's supervisor; personal: the caller's own checks (checkers)."""
    if scope is StatsScope.PERSONAL:
        require_checker(db, caller, venue_id)
        return caller.user_id
    require_unit_stats_reader(db, caller, venue_id)
    return None


@router.get("/venues/{venue_id}/stats", response_model=StatsResponse)
def venue_stats(
    venue_id: VenueId,
    caller: CurrentCaller,
    ctx: Ctx,
    db: Db,
    read: ReadDb,
    date: DateQuery = None,
    scope: ScopeQuery = StatsScope.UNIT.value,
    checkpoint_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> StatsResponse:
    stats_scope = parse_scope(scope)
    day = parse_day(date, ctx.clock())
    user_id = _scope_user(db, caller, venue_id, stats_scope)
    if checkpoint_id is not None and checkpoint_venues(db, [checkpoint_id]).get(checkpoint_id) != venue_id:
        raise BadInput("卡口不属于该场所", code="bad_checkpoint")
    return StatsResponse(
        venue_id=venue_id,
        scope=stats_scope,
        checkpoint_id=checkpoint_id,
        counts=counts.day_counts(read, venue_id, day, user_id=user_id, checkpoint_id=checkpoint_id),
    )


# Asked for by stations that know AbnormalItem.findings; the others forbid unknown keys, so the
# abnormal routes leave unset fields out of the answer (response_model_exclude_unset).
FindingsQuery = Annotated[bool, Query(description="also answer each item's findings as codes with args")]


def _item(row: abnormal.AbnormalCheck, with_findings: bool) -> dict[str, Any]:
    given = {"findings": row.findings} if with_findings else {}
    return given | {
        "check_id": row.check_id,
        "checked_at": row.checked_at,
        "checkpoint_id": row.checkpoint_id,
        "masked_name": row.masked_name,
        "masked_id": row.masked_id,
        "level": row.level,
        "reasons": row.reasons,
        "registered": row.anomaly_id is not None,
        "anomaly_id": row.anomaly_id,
    }


@router.get("/venues/{venue_id}/abnormal", response_model=AbnormalList, response_model_exclude_unset=True)
def venue_abnormal(
    venue_id: VenueId,
    caller: CurrentCaller,
    ctx: Ctx,
    db: Db,
    read: ReadDb,
    date: DateQuery = None,
    scope: ScopeQuery = StatsScope.UNIT.value,
    findings: FindingsQuery = False,
) -> AbnormalList:
    """The day's checks that did not pass (newest first, at most 500), with their reasons and
    whether an anomaly registration exists for each."""
    stats_scope = parse_scope(scope)
    day = parse_day(date, ctx.clock())
    user_id = _scope_user(db, caller, venue_id, stats_scope)
    items = [
        AbnormalItem(**_item(row, findings))
        for row in abnormal.venue_abnormal(read, venue_id, day, user_id=user_id)
    ]
    return AbnormalList(venue_id=venue_id, day=day, items=items)


@router.get("/venues/{venue_id}/trend", response_model=Trend)
def venue_trend(
    venue_id: VenueId,
    caller: CurrentCaller,
    ctx: Ctx,
    db: Db,
    read: ReadDb,
    days: Annotated[int, Query()] = 30,
) -> Trend:
    require_unit_stats_reader(db, caller, venue_id)
    points = counts.trend(read, [venue_id], local_day(ctx.clock()), checked_days(days))
    return Trend(points=points)


# ---- regions --------------------------------------------------------------------------------


@router.get("/regions/{region_code}/stats", response_model=RegionStats)
def region_stats(
    region_code: Annotated[str, Path(max_length=20)],
    caller: CurrentCaller,
    ctx: Ctx,
    read: ReadDb,
    date: DateQuery = None,
) -> RegionStats:
    """One row per active venue of the region (those without checks too), and the totals."""
    code = checked_region(caller, region_code)
    day = parse_day(date, ctx.clock())
    venues, totals = counts.region_day(read, code, day)
    return RegionStats(region_code=code, day=day, venues=venues, totals=totals)


@router.get("/regions/{region_code}/trend", response_model=Trend)
def region_trend(
    region_code: Annotated[str, Path(max_length=20)],
    caller: CurrentCaller,
    ctx: Ctx,
    read: ReadDb,
    days: Annotated[int, Query()] = 30,
    venue_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Trend:
    """The region's daily checked/abnormal figures, or one of its venues'."""
    code = checked_region(caller, region_code)
    span = checked_days(days)
    venue_ids: Any = counts.region_venues(code)
    if venue_id is not None:
        if get_venue(read, venue_id).region_code != code:
            raise BadInput("该场所不在此区域内", code="venue_outside_region")
        venue_ids = [venue_id]
    return Trend(points=counts.trend(read, venue_ids, local_day(ctx.clock()), span))


@router.get(
    "/regions/{region_code}/abnormal", response_model=RegionAbnormalList, response_model_exclude_unset=True
)
def region_abnormal(
    region_code: Annotated[str, Path(max_length=20)],
    caller: CurrentCaller,
    ctx: Ctx,
    read: ReadDb,
    date: DateQuery = None,
    findings: FindingsQuery = False,
) -> RegionAbnormalList:
    """The region's checks that did not pass on a day (newest first, at most 500)."""
    code = checked_region(caller, region_code)
    day = parse_day(date, ctx.clock())
    items = [
        RegionAbnormalItem(**_item(row, findings), venue_id=row.venue_id, venue_name=row.venue_name)
        for row in abnormal.region_abnormal(read, code, day)
    ]
    return RegionAbnormalList(region_code=code, day=day, items=items)
