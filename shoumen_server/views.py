"""ORM rows -> API models, shared by the routers that answer with the same shapes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shoumen_core.phone import mask_phone
from shoumen_core.policy import VenuePolicy
from shoumen_core.schemas import CheckpointOut, VenueOut, VenueStatus
from shoumen_core.unit_types import unit_type_name
from shoumen_server.models import Checkpoint, Venue


def venue_policy(venue: Venue) -> VenuePolicy:
    return VenuePolicy.model_validate_json(venue.policy_json or "{}")


def venue_checkpoints(db: Session, venue_id: int) -> list[CheckpointOut]:
    rows = db.scalars(
        select(Checkpoint)
        .where(Checkpoint.venue_id == venue_id, Checkpoint.active.is_(True))
        .order_by(Checkpoint.id)
    ).all()
    return [CheckpointOut(id=row.id, name=row.name, active=row.active) for row in rows]


def venue_out(db: Session, venue: Venue) -> VenueOut:
    return VenueOut(
        id=venue.id,
        name=venue.name,
        address=venue.address,
        region_code=venue.region_code,
        township=venue.township,
        unit_type=venue.unit_type,
        unit_type_name=unit_type_name(venue.unit_type),
        contact_phone_masked=mask_phone(venue.contact_phone),
        active=venue.active,
        created_at=venue.created_at,
        checkpoints=venue_checkpoints(db, venue.id),
        policy=venue_policy(venue),
        status=VenueStatus(venue.status),
        status_reason=venue.status_reason,
        status_at=venue.status_at,
    )
