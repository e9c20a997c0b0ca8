"""Venue administration: registering venues, checkpoints, policy and staff.

Used by the venue and staff routers and by the demo seed, so it takes a session and anything
with a clock, raises `shoumen_server.errors` exceptions with stable codes, and never commits.
Every change a device must pull bumps `Venue.config_version` under a row lock on the venue,
so concurrent edits neither lose a bump nor slip past the uniqueness checks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from shoumen_core.identity import MAINLAND_PROVINCE_CODES
from shoumen_core.phone import InvalidPhone, mask_phone, normalise_phone
from shoumen_core.policy import NAT_WINDOWS_HOURS, VenuePolicy
from shoumen_core.schemas import (
    CheckpointIn,
    PendingVenueOut,
    Role,
    StaffBrief,
    StaffIn,
    StaffOut,
    StaffState,
    VenueIn,
    VenueStatus,
    VenueUpdate,
)
from shoumen_core.unit_types import UNIT_TYPE_CODES, unit_type_name
from shoumen_server.errors import BadInput, Conflict, NotFound
from shoumen_server.models import Checkpoint, Membership, User, Venue

DEFAULT_CHECKPOINT_NAME = "大门"
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL

# Venues sit in a mainland province (11..65); 71 (Taiwan) has no county codes of ours.
VENUE_PROVINCE_CODES: frozenset[str] = MAINLAND_PROVINCE_CODES - {"71"}


class Clocked(Protocol):
    """What the service needs of the server context: the time of the request."""

    @property
    def clock(self) -> Callable[[], datetime]: ...


# ---- validation -----------------------------------------------------------------------------


def checked_phone(text: str) -> str:
    try:
        return normalise_phone(text)
    except InvalidPhone as exc:
        raise BadInput(exc.message, code=exc.code) from exc


def checked_region(code: str) -> str:
    """A 6-digit administrative division code in a mainland province (e.g. 330624 新昌县)."""
    if len(code) != 6 or not code.isascii() or not code.isdigit() or code[:2] not in VENUE_PROVINCE_CODES:
        raise BadInput("行政区划代码无效（应为 6 位数字，如 330624）", code="bad_region")
    return code


def checked_unit_type(code: str) -> str:
    if code not in UNIT_TYPE_CODES:
        raise BadInput("场所类型无效，请从列表中选择", code="bad_unit_type")
    return code


def checked_policy(policy: VenuePolicy) -> VenuePolicy:
    if policy.nat_window_hours not in NAT_WINDOWS_HOURS:
        raise BadInput("核酸有效期只能选择 24、48、72、168 小时或不要求", code="bad_nat_window")
    return policy


# ---- users and venues -----------------------------------------------------------------------


def find_or_create_user(db: Session, ctx: Clocked, phone: str, name: str = "") -> User:
    """The user with this (normalised) phone; created if new. An empty name is filled in,
    a name the person already has is kept."""
    user = db.scalar(select(User).where(User.phone == phone))
    if user is None:
        user = User(phone=phone, name=name, is_supervisor=False, created_at=ctx.clock())
        db.add(user)
        db.flush()
    elif not user.name and name:
        user.name = name
    return user


def _refuse_supervisor_member(user: User) -> None:
    # Supervisors watch venues; they neither own nor guard one (DESIGN §5 role table).
    if user.is_supervisor:
        raise Conflict("乡镇街道工作人员不能成为场所管理员", code="supervisor_not_member")


def create_venue(
    db: Session,
    ctx: Clocked,
    owner_user: User,
    fields: VenueIn,
    *,
    created_by: User | None = None,
    approved_by: User | None = None,
    policy: VenuePolicy | None = None,
) -> Venue:
    """A new venue with the default (or given) policy, one checkpoint "大门" and `owner_user`
    as its authorised owner. `created_by` is the supervisor registering on the owner's behalf.

    The venue starts pending (no ID lookups, no full details) unless `approved_by`, a
    supervisor of its region, vouches for it at once (代为注册, the demo seed)."""
    _refuse_supervisor_member(owner_user)
    now = ctx.clock()
    region = checked_region(fields.region_code)
    if approved_by is not None and not (approved_by.is_supervisor and approved_by.region_code == region):
        raise ValueError("only a supervisor of the venue's region approves it")
    venue = Venue(
        name=fields.name,
        address=fields.address,
        region_code=region,
        township=fields.township,
        unit_type=checked_unit_type(fields.unit_type),
        contact_phone=checked_phone(fields.contact_phone),
        active=True,
        policy_json=checked_policy(policy or VenuePolicy()).model_dump_json(),
        config_version=1,
        created_by_user_id=(created_by or owner_user).id,
        created_at=now,
        updated_at=now,
        status=(VenueStatus.PENDING if approved_by is None else VenueStatus.APPROVED).value,
        status_reason="",
        status_by_user_id=None if approved_by is None else approved_by.id,
        status_at=None if approved_by is None else now,
    )
    db.add(venue)
    db.flush()
    db.add(Checkpoint(venue_id=venue.id, name=DEFAULT_CHECKPOINT_NAME, active=True, created_at=now))
    db.add(
        Membership(
            venue_id=venue.id,
            user_id=owner_user.id,
            role=Role.OWNER.value,
            state=StaffState.AUTHORISED.value,
            created_at=now,
            updated_at=now,
        )
    )
    db.flush()
    return venue


def lock_venue(db: Session, venue_id: int) -> Venue:
    """The venue, re-read with a row lock (PostgreSQL) for the rest of the transaction."""
    venue = db.get(Venue, venue_id, with_for_update=True, populate_existing=True)
    if venue is None:
        raise NotFound("场所不存在", code="venue_not_found")
    return venue


def bump_config(venue: Venue, now: datetime) -> None:
    """Tell devices to pull: call with the venue locked (lock_venue)."""
    venue.config_version = (venue.config_version or 0) + 1
    venue.updated_at = now


def update_venue(db: Session, ctx: Clocked, venue: Venue, changes: VenueUpdate) -> Venue:
    values: dict[str, str] = {}
    if changes.name is not None:
        values["name"] = changes.name
    if changes.address is not None:
        values["address"] = changes.address
    if changes.township is not None:
        values["township"] = changes.township
    if changes.unit_type is not None:
        values["unit_type"] = checked_unit_type(changes.unit_type)
    if changes.contact_phone is not None:
        values["contact_phone"] = checked_phone(changes.contact_phone)
    venue = lock_venue(db, venue.id)
    changed = {key: value for key, value in values.items() if getattr(venue, key) != value}
    if changed:
        for key, value in changed.items():
            setattr(venue, key, value)
        bump_config(venue, ctx.clock())
    return venue


def set_policy(db: Session, ctx: Clocked, venue: Venue, policy: VenuePolicy) -> VenuePolicy:
    checked_policy(policy)
    venue = lock_venue(db, venue.id)
    venue.policy_json = policy.model_dump_json()
    bump_config(venue, ctx.clock())
    return policy


# ---- approval -------------------------------------------------------------------------------


def pending_venues(db: Session, region_code: str) -> list[PendingVenueOut]:
    """The region's active venues waiting for a decision, oldest first, with their owners."""
    rows = db.execute(
        select(Venue, User)
        .join(Membership, (Membership.venue_id == Venue.id) & (Membership.role == Role.OWNER.value))
        .join(User, User.id == Membership.user_id)
        .where(
            Venue.region_code == region_code,
            Venue.status == VenueStatus.PENDING.value,
            Venue.active.is_(True),
        )
        .order_by(Venue.created_at, Venue.id)
    ).all()
    return [
        PendingVenueOut(
            id=venue.id,
            name=venue.name,
            address=venue.address,
            region_code=venue.region_code,
            township=venue.township,
            unit_type=venue.unit_type,
            unit_type_name=unit_type_name(venue.unit_type),
            contact_phone_masked=mask_phone(venue.contact_phone),
            owner_name=owner.name,
            owner_phone_masked=mask_phone(owner.phone),
            created_at=venue.created_at,
        )
        for venue, owner in rows
    ]


def decide_venue(
    db: Session, ctx: Clocked, venue: Venue, status: VenueStatus, *, by: User, reason: str = ""
) -> Venue:
    """A supervisor's decision (the caller checked the region). A decision may be revisited:
    a rejected venue approved after all, an approved one found abusing lookups rejected.
    Devices pull the new status (config bump)."""
    if status is VenueStatus.PENDING:
        raise ValueError("a decision approves or rejects")
    if status is VenueStatus.REJECTED and not reason:
        raise BadInput("请填写不通过的原因", code="reason_required")
    venue = lock_venue(db, venue.id)
    now = ctx.clock()
    venue.status = status.value
    venue.status_reason = reason if status is VenueStatus.REJECTED else ""
    venue.status_by_user_id = by.id
    venue.status_at = now
    bump_config(venue, now)
    return venue


# ---- checkpoints ----------------------------------------------------------------------------


def _active_checkpoints(db: Session, venue_id: int) -> list[Checkpoint]:
    return list(
        db.scalars(
            select(Checkpoint)
            .where(Checkpoint.venue_id == venue_id, Checkpoint.active.is_(True))
            .order_by(Checkpoint.id)
        ).all()
    )


def active_checkpoint(db: Session, venue_id: int, checkpoint_id: int) -> Checkpoint:
    row = db.get(Checkpoint, checkpoint_id)
    if row is None or row.venue_id != venue_id or not row.active:
        raise NotFound("该场所没有这个出入口", code="checkpoint_not_found")
    return row


def _refuse_duplicate_name(rows: list[Checkpoint], name: str, except_id: int | None = None) -> None:
    if any(row.name == name and row.id != except_id for row in rows):
        raise Conflict("已有名为“{name}”的出入口", code="checkpoint_exists", params={"name": name})


def add_checkpoint(db: Session, ctx: Clocked, venue: Venue, fields: CheckpointIn) -> Checkpoint:
    """A new active checkpoint; a removed one of the same name comes back with its old id, so
    posters printed for it work again."""
    venue = lock_venue(db, venue.id)
    _refuse_duplicate_name(_active_checkpoints(db, venue.id), fields.name)
    now = ctx.clock()
    row = db.scalar(
        select(Checkpoint)
        .where(Checkpoint.venue_id == venue.id, Checkpoint.name == fields.name)
        .order_by(Checkpoint.id.desc())
        .limit(1)
    )
    if row is None:
        row = Checkpoint(venue_id=venue.id, name=fields.name, active=True, created_at=now)
        db.add(row)
    else:
        row.active = True
    bump_config(venue, now)
    db.flush()
    return row


def rename_checkpoint(
    db: Session, ctx: Clocked, venue: Venue, checkpoint_id: int, fields: CheckpointIn
) -> Checkpoint:
    venue = lock_venue(db, venue.id)
    row = active_checkpoint(db, venue.id, checkpoint_id)
    if row.name != fields.name:
        _refuse_duplicate_name(_active_checkpoints(db, venue.id), fields.name, except_id=row.id)
        row.name = fields.name
        bump_config(venue, ctx.clock())
    return row


def remove_checkpoint(db: Session, ctx: Clocked, venue: Venue, checkpoint_id: int) -> None:
    """Soft removal: checks recorded at the checkpoint keep pointing at it."""
    venue = lock_venue(db, venue.id)
    row = active_checkpoint(db, venue.id, checkpoint_id)
    if len(_active_checkpoints(db, venue.id)) <= 1:
        raise Conflict("场所至少要保留一个出入口", code="last_checkpoint")
    row.active = False
    bump_config(venue, ctx.clock())


# ---- staff ----------------------------------------------------------------------------------


def staff_out(member: Membership, user: User) -> StaffOut:
    """A member as the venue sees them: by the name the owner gave, not the account's own."""
    return StaffOut(
        user_id=user.id,
        name=member.staff_name or user.name,
        phone_masked=mask_phone(user.phone),
        role=Role(member.role),
        state=StaffState(member.state),
    )


def list_staff(db: Session, venue_id: int) -> list[StaffOut]:
    """Owner first, then by user id; one query."""
    rows = db.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.venue_id == venue_id)
        .order_by(case((Membership.role == Role.OWNER.value, 0), else_=1), User.id)
    ).all()
    return [staff_out(member, user) for member, user in rows]


def add_staff(db: Session, ctx: Clocked, venue: Venue, fields: StaffIn, *, added_by: User) -> StaffOut:
    """The person (created if the phone is new) becomes authorised staff of the venue.

    The venue knows them by the name the owner typed. An account that already exists keeps
    its own name, and the answer never shows it: adding a phone must not tell the owner who
    holds it, nor let every owner rename that person (issue 13 §5).
    """
    phone = checked_phone(fields.phone)
    if phone == added_by.phone:
        raise Conflict("您已是该场所的初始管理员，无需添加自己", code="cannot_add_self")
    venue = lock_venue(db, venue.id)
    user = db.scalar(select(User).where(User.phone == phone))
    if user is None:
        user = find_or_create_user(db, ctx, phone, fields.name)
    _refuse_supervisor_member(user)
    exists = db.scalar(
        select(Membership.id).where(Membership.venue_id == venue.id, Membership.user_id == user.id)
    )
    if exists is not None:
        raise Conflict("此人已是该场所的管理员", code="staff_exists")
    now = ctx.clock()
    member = Membership(
        venue_id=venue.id,
        user_id=user.id,
        role=Role.STAFF.value,
        state=StaffState.AUTHORISED.value,
        created_at=now,
        updated_at=now,
        staff_name=fields.name,
    )
    db.add(member)
    bump_config(venue, now)
    db.flush()
    return staff_out(member, user)


def _staff_member(db: Session, venue_id: int, user_id: int) -> tuple[Membership, User]:
    row = db.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.venue_id == venue_id, Membership.user_id == user_id)
    ).first()
    if row is None:
        raise NotFound("该场所没有这名管理员", code="staff_not_found")
    member, user = row
    return member, user


def _refuse_owner(member: Membership) -> None:
    if member.role == Role.OWNER.value:
        raise Conflict("不能收回或删除初始管理员", code="cannot_remove_owner")


def set_staff_state(db: Session, ctx: Clocked, venue: Venue, user_id: int, state: StaffState) -> StaffOut:
    """Authorise or revoke; takes effect on the member's next request (checked per request)."""
    venue = lock_venue(db, venue.id)
    member, user = _staff_member(db, venue.id, user_id)
    if state != StaffState.AUTHORISED:
        _refuse_owner(member)
    if member.state != state.value:
        now = ctx.clock()
        member.state = state.value
        member.updated_at = now
        bump_config(venue, now)
    return staff_out(member, user)


def remove_staff(db: Session, ctx: Clocked, venue: Venue, user_id: int) -> None:
    venue = lock_venue(db, venue.id)
    member, _user = _staff_member(db, venue.id, user_id)
    _refuse_owner(member)
    db.delete(member)
    bump_config(venue, ctx.clock())


def staff_briefs(db: Session, venue_id: int) -> list[StaffBrief]:
    """The venue's people for a station's pull: owner first, each under the venue's name for them."""
    rows = db.execute(
        select(
            Membership.user_id,
            func.coalesce(Membership.staff_name, User.name),  # the venue's name for them
            Membership.role,
            Membership.state,
        )
        .join(User, User.id == Membership.user_id)
        .where(Membership.venue_id == venue_id)
        .order_by(case((Membership.role == Role.OWNER.value, 0), else_=1), Membership.user_id)
    )
    return [
        StaffBrief(user_id=user_id, name=name, role=Role(role), state=StaffState(state))
        for user_id, name, role, state in rows
    ]
