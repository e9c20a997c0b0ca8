"""The database schema (SQLAlchemy 2 ORM). Alembic migrations are the only way it changes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from shoumen_server.db import Base


class _UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UTCDateTime = _UTCDateTime()


class ServerMeta(Base):
    """Key/value facts about this database: its epoch (a new one forces clients to resync) and
    its server_id (which server this is, made once, never changed: shoumen_server.identity)."""

    __tablename__ = "server_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ServerKey(Base):
    """Keys the server holds: personal-code signing (Ed25519), document sealing (X25519),
    venue-code MAC, at-rest encryption, lookup hashing, SMS hashing and the trust-list root.
    Only ids and public halves: the secrets live in the key directory (keys.KeyProvider);
    `secret` is set only in databases made before it, until `migrate` moves them out."""

    __tablename__ = "server_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    public: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50), default="")
    is_supervisor: Mapped[bool] = mapped_column(Boolean, default=False)
    region_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    region_name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuthToken(Base):
    __tablename__ = "auth_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device_name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the login (SMS code) happened; refreshes carry it over, so a session cannot be
    # renewed forever (settings.session_max_days). None: a token from before migration 0004.
    session_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SmsCode(Base):
    __tablename__ = "sms_codes"
    __table_args__ = (
        Index("ix_sms_codes_phone_created", "phone", "created_at"),
        Index("ix_sms_codes_purpose_created", "purpose", "created_at"),
        Index("ix_sms_codes_client_created", "client_hash", "created_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(16), default="login")
    code_hash: Mapped[str] = mapped_column(String(64))  # HMAC with the sms_mac key
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    consumed: Mapped[bool] = mapped_column(Boolean, default=False)
    # HMAC of the requesting client's address (per-address quota); never the address itself.
    # Declared last, where migration 0007 added it: a first start creates the tables from these
    # models (migrate.create_at_head), and the tests hold them to the migrated column order.
    client_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Venue(Base):
    __tablename__ = "venues"
    __table_args__ = (Index("ix_venues_region_status", "region_code", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    township: Mapped[str] = mapped_column(String(50), default="")
    unit_type: Mapped[str] = mapped_column(String(64))
    contact_phone: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    policy_json: Mapped[str] = mapped_column(Text, default="{}")
    # Bumped by every change a device must pull (venue, checkpoints, staff, policy).
    config_version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # shoumen_core.schemas.VenueStatus: pending until a supervisor of the region decides;
    # ID lookups and full details are refused meanwhile (deps.require_approved_venue).
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    status_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")
    status_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Checkpoint(Base):
    __tablename__ = "checkpoints"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Membership(Base):
    """A person's role at a venue: owner (初始管理员) or staff (子管理员)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("venue_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The name the owner gave when adding this person; shown at this venue instead of the
    # account's own name, which only its holder sets (issue 13 §5). None: the account's name.
    staff_name: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Person(Base):
    """The health registry: what the health authority provides about a person.

    Document number, name and phone are encrypted at rest; lookups go through keyed hashes.
    """

    __tablename__ = "persons"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(32), unique=True)
    doc_kind: Mapped[str] = mapped_column(String(32))
    doc_hash: Mapped[str] = mapped_column(String(64), unique=True)
    doc_enc: Mapped[bytes] = mapped_column(LargeBinary)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    masked_name: Mapped[str] = mapped_column(String(50))
    masked_id: Mapped[str] = mapped_column(String(40))
    phone_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    code_colour: Mapped[str] = mapped_column(String(16))
    vaccination: Mapped[str] = mapped_column(String(16))
    nat_sampled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    nat_result: Mapped[str | None] = mapped_column(String(16), nullable=True)
    travel: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Check(Base):
    """One check at a gate, as committed by a device (id = the device's UUIDv7).

    On PostgreSQL the table is partitioned by `day` (migration 0010_pgscale,
    shoumen_server/partitions.py) and its primary key there is (id, day), as partitioning
    demands; here it stays `id`, which is what the ORM identifies a row by and what the id
    stays in practice: ingest looks ids up across days before inserting.
    """

    __tablename__ = "checks"
    __table_args__ = (
        Index("ix_checks_venue_day_level", "venue_id", "day", "level"),
        Index("ix_checks_venue_day_user", "venue_id", "day", "user_id"),
        Index("ix_checks_day", "day"),
        # The abnormal drill-down (newest non-PASS checks of a venue-day) without a sort of
        # every non-PASS check of a busy day; partial, so PASS checks cost it nothing. On
        # PostgreSQL the migrations create it (0010_pgscale) with the same WHERE; naming
        # postgresql_where here would import PostgreSQL's dialect into the SQLite-only embedded
        # backend (~50 ms of its start), and Alembic's comparison does not read it either.
        Index(
            "ix_checks_venue_day_abnormal",
            "venue_id",
            "day",
            "checked_at",
            "id",
            sqlite_where=text("level <> 'pass'"),
        ),
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    checkpoint_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: visitor self check-in
    device_id: Mapped[str] = mapped_column(String(64), default="")
    method: Mapped[str] = mapped_column(String(16))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    day: Mapped[date] = mapped_column(Date)  # local (Asia/Shanghai) day of checked_at
    hour: Mapped[int] = mapped_column(SmallInteger)  # local hour of checked_at
    level: Mapped[str] = mapped_column(String(16))
    findings_json: Mapped[str] = mapped_column(Text, default="[]")
    person_ref: Mapped[str | None] = mapped_column(String(32), nullable=True)
    masked_name: Mapped[str] = mapped_column(String(50), default="")
    masked_id: Mapped[str] = mapped_column(String(40), default="")
    sealed_document: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    temperature: Mapped[float | None] = mapped_column(Float, nullable=True)
    manual_decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    phone_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)  # self check-in
    declaration_json: Mapped[str | None] = mapped_column(Text, nullable=True)  # 自主申报
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The station opened the gate for this check; gate_reason: why, for a 手动开闸 (migration 0003).
    gate_opened: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    gate_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")


class CheckCount(Base):
    """Pre-aggregated counts so that per-day stats never scan the checks table.

    One row per (venue, day, hour, checkpoint, user, level); maintained in the same
    transaction as the check rows it counts.
    """

    __tablename__ = "check_counts"
    __table_args__ = (UniqueConstraint("venue_id", "day", "hour", "checkpoint_key", "user_key", "level"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    hour: Mapped[int] = mapped_column(SmallInteger)
    checkpoint_key: Mapped[int] = mapped_column(Integer)  # 0 = none
    user_key: Mapped[int] = mapped_column(Integer)  # 0 = visitor self check-in
    level: Mapped[str] = mapped_column(String(16))
    n: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DayPerson(Base):
    """Distinct persons per venue-day (and per staff member), for the 人数 figure."""

    __tablename__ = "day_persons"
    __table_args__ = (UniqueConstraint("venue_id", "day", "user_key", "person_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    user_key: Mapped[int] = mapped_column(Integer)  # -1 venue, -1 - checkpoint_id, or a staff user id
    person_key: Mapped[str] = mapped_column(String(64))


class DayPersonCount(Base):
    __tablename__ = "day_person_counts"
    __table_args__ = (UniqueConstraint("venue_id", "day", "user_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    user_key: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer, default=0)


class Anomaly(Base):
    """核查登记: an anomaly registration, editable with optimistic concurrency (version)."""

    __tablename__ = "anomalies"
    __table_args__ = (Index("ix_anomalies_venue_day", "venue_id", "day"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    checkpoint_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    check_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    user_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    document_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    doc_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    sealed_document: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    masked_id: Mapped[str] = mapped_column(String(40), default="")
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    masked_name: Mapped[str] = mapped_column(String(50), default="")
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    phone_masked: Mapped[str] = mapped_column(String(20), default="")
    temperature: Mapped[float | None] = mapped_column(Float, nullable=True)
    snapshot_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    origin: Mapped[str] = mapped_column(String(500), default="")
    arrival_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    transport: Mapped[str] = mapped_column(String(500), default="")
    anomaly_type: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    reported_to: Mapped[str] = mapped_column(String(500), default="")
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # FAQ 6. Last, where migration 0009 added it (the migrated column order: see SmsCode).
    no_phone_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")


class AuditEntry(Base):
    """Who looked up whom, who exported what, who viewed full details. Kept longer than checks."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    venue_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    region_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    person_ref: Mapped[str | None] = mapped_column(String(32), nullable=True)
    device_name: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class RateBucket(Base):
    """A token bucket (shoumen_server.ratelimit): tokens left at `stamp` (Unix seconds).

    Capacity and refill rate are not stored: they come from the settings at every take, so a
    changed setting applies at once."""

    __tablename__ = "rate_buckets"
    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    stamp: Mapped[float] = mapped_column(Float)


class LookupWatch(Base):
    """Per venue-day figures of its lookups, for the enumeration alert (shoumen_server.lookup_watch).

    No document number is kept: `last_prefix` is a keyed hash of the previous document lookup's
    number without its sequence digits, `last_seq` those digits (0-999), so the next lookup can
    tell "the same number, one further" without the number itself."""

    __tablename__ = "lookup_watch"
    __table_args__ = (UniqueConstraint("venue_id", "day"), Index("ix_lookup_watch_day", "day"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    lookups: Mapped[int] = mapped_column(Integer, default=0)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    unknown: Mapped[int] = mapped_column(Integer, default=0)
    sequential: Mapped[int] = mapped_column(Integer, default=0)
    limited: Mapped[int] = mapped_column(Integer, default=0)
    last_prefix: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Enrolment(Base):
    """设备绑定码: a short code an owner makes for one checkpoint; a station redeems it once
    within ten minutes for a device credential (shoumen_server.devices). Only a keyed hash of
    the code is kept, so a dump of this table does not give away a live code."""

    __tablename__ = "enrolments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(30))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    device_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Device(Base):
    """An enrolled station: checks, syncs and opens the gate of one checkpoint on its own
    credential, with no person's session under it. The credential is stored only as a hash;
    after a rotation the previous one works until the new one is first used or
    `previous_until`, whichever comes first (a rotation whose answer was lost does not lock
    the station out)."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(30))
    credential_hash: Mapped[str] = mapped_column(String(64), unique=True)
    previous_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    previous_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rotated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    app_version: Mapped[str] = mapped_column(String(32), default="")
    pending_checks: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
