"""Anomaly registrations (核查登记): create, edit with optimistic concurrency, read masked.

Pushes from devices go through the same `ingest.apply_anomaly`.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query

from shoumen_core.policy import HealthSnapshot
from shoumen_core.schemas import AnomalyAction, AnomalyIn, AnomalyOut, AnomalyType
from shoumen_core.timeutil import local_day
from shoumen_server.anomaly_store import apply_anomaly, day_anomalies, venue_anomaly
from shoumen_server.deps import Ctx, CurrentCaller, Db, require_checker, require_unit_stats_reader
from shoumen_server.errors import BadInput
from shoumen_server.ingest import MAX_ID
from shoumen_server.models import Anomaly
from shoumen_server.query_args import parse_day

router = APIRouter(tags=["anomalies"])

VenueId = Annotated[int, Path(ge=1, le=MAX_ID)]


def anomaly_out(row: Anomaly) -> AnomalyOut:
    """Masked forms only: the full document, name and phone stay encrypted."""
    return AnomalyOut(
        id=row.id,
        venue_id=row.venue_id,
        checkpoint_id=row.checkpoint_id,
        check_id=row.check_id,
        document_kind=row.document_kind,
        masked_id=row.masked_id,
        masked_name=row.masked_name,
        phone_masked=row.phone_masked,
        temperature=row.temperature,
        snapshot=HealthSnapshot.model_validate_json(row.snapshot_json) if row.snapshot_json else None,
        origin=row.origin,
        no_phone_reason=row.no_phone_reason,
        arrival_at=row.arrival_at,
        transport=row.transport,
        anomaly_type=AnomalyType(row.anomaly_type),
        action=AnomalyAction(row.action),
        reported_to=row.reported_to,
        reported_at=row.reported_at,
        notes=row.notes,
        staff_user_id=row.user_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def _same_venue(body: AnomalyIn, venue_id: int) -> None:
    if body.venue_id != venue_id:
        raise BadInput("登记的场所与请求地址不一致", code="venue_mismatch")


@router.post("/venues/{venue_id}/anomalies", response_model=AnomalyOut, status_code=201)
def create_anomaly(venue_id: VenueId, body: AnomalyIn, caller: CurrentCaller, ctx: Ctx, db: Db) -> AnomalyOut:
    require_checker(db, caller, venue_id)
    _same_venue(body, venue_id)
    if body.base_version != 0:
        raise BadInput("新登记的版本号应为 0", code="bad_version")
    return anomaly_out(apply_anomaly(db, ctx.keys, body, caller.user_id, ctx.clock()))


@router.put("/venues/{venue_id}/anomalies/{anomaly_id}", response_model=AnomalyOut)
def update_anomaly(
    venue_id: VenueId, anomaly_id: uuid.UUID, body: AnomalyIn, caller: CurrentCaller, ctx: Ctx, db: Db
) -> AnomalyOut:
    """An edit made on version `base_version`; 409 version_conflict when someone else's edit
    came first (detail.server_version says which version is stored)."""
    require_checker(db, caller, venue_id)
    _same_venue(body, venue_id)
    if body.id != anomaly_id:
        raise BadInput("登记编号与请求地址不一致", code="id_mismatch")
    if body.base_version < 1:
        raise BadInput("修改登记时须给出所依据的版本号", code="bad_version")
    return anomaly_out(apply_anomaly(db, ctx.keys, body, caller.user_id, ctx.clock()))


@router.get("/venues/{venue_id}/anomalies/{anomaly_id}", response_model=AnomalyOut)
def get_anomaly(venue_id: VenueId, anomaly_id: uuid.UUID, caller: CurrentCaller, db: Db) -> AnomalyOut:
    require_unit_stats_reader(db, caller, venue_id)
    return anomaly_out(venue_anomaly(db, venue_id, anomaly_id))


@router.get("/venues/{venue_id}/anomalies", response_model=list[AnomalyOut])
def list_anomalies(
    venue_id: VenueId,
    caller: CurrentCaller,
    ctx: Ctx,
    db: Db,
    date: Annotated[str | None, Query(max_length=20)] = None,
) -> list[AnomalyOut]:
    """The registrations of one local day (default today), newest first."""
    require_unit_stats_reader(db, caller, venue_id)
    day = parse_day(date, ctx.clock()) if date else local_day(ctx.clock())
    return [anomaly_out(row) for row in day_anomalies(db, venue_id, day)]
