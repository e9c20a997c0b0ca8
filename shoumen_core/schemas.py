"""The API contract: the pydantic models that the server answers with and the app sends.

Every name here is part of the wire format (`/api/v1`). Add fields with defaults; never
rename or remove one without a new API version.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from shoumen_core.policy import Finding, HealthSnapshot, VenuePolicy, VerdictLevel
from shoumen_core.temperature import TEMPERATURE_MAX, TEMPERATURE_MIN
from shoumen_core.timeutil import LOCAL_TZ, as_utc

MAX_PUSH_BATCH = 500
MAX_GATE_REASON = 200

# Bounds of what a device pushes (issue 14 §7). A pushed row outside them is refused on its own
# (`Rejected` with a code) by the server, not with a 422 for the whole push: one bad row must not
# hold back the rest of a station's outbox. Body temperatures: shoumen_core.temperature (one
# rule for the station and the server).
MAX_FINDINGS = 16  # a verdict has one finding per source (7 today); room for more sources
MAX_FINDING_REASON = 64
MAX_FINDING_MESSAGE = 200
MAX_SEALED_DOCUMENT = 512  # base64url of a sealed document number (~100 characters today)
MAX_PERSON_REF = 32
MAX_MASKED_NAME = 50
MAX_MASKED_ID = 40

Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


def _has_utc_and_local_forms(moment: datetime) -> datetime:
    """Refuses a moment that has no UTC or no China-local form (an extreme offset on 0001-01-01
    or 9999-12-31), which the server could neither store by day nor compare."""
    try:
        as_utc(moment).astimezone(LOCAL_TZ)
    except OverflowError:
        raise PydanticCustomError("datetime_out_of_range", "the moment is out of range") from None
    return moment


Moment = Annotated[datetime, AfterValidator(_has_utc_and_local_forms)]  # a time a device sends


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestModel(Model):
    """A request body: text with a NUL character is refused (422), on SQLite as on PostgreSQL,
    which cannot store one. Check records and anomaly registrations stay plain models: the server
    refuses a bad one by itself (`bad_record`), so it does not fail the rest of a push."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_character(cls, value: object) -> object:
        if isinstance(value, str) and "\x00" in value:
            raise PydanticCustomError("nul_character", "text must not contain a NUL character")
        return value


# ---- errors ---------------------------------------------------------------------------------


class ErrorBody(Model):
    code: str
    message: str
    detail: dict[str, object] | None = None


class ErrorResponse(Model):
    """Every non-2xx answer: `{"error": {"code": ..., "message": ...}}`."""

    error: ErrorBody


# ---- auth -----------------------------------------------------------------------------------


class Role(StrEnum):
    OWNER = "owner"  # 初始管理员
    STAFF = "staff"  # 子管理员
    DEVICE = "device"  # an enrolled station (设备绑定): never a membership, only pull's my_role


class StaffState(StrEnum):
    AUTHORISED = "authorised"
    REVOKED = "revoked"


class VenueStatus(StrEnum):
    """A venue's approval by a supervisor of its region (DESIGN §5): until approved, the
    server refuses its ID lookups and full details."""

    PENDING = "pending"  # 待审核
    APPROVED = "approved"  # 已通过
    REJECTED = "rejected"  # 未通过


class SmsCodeRequest(RequestModel):
    phone: Phone


class SmsCodeResponse(Model):
    sent: bool
    expires_in: int  # seconds
    demo_code: str | None = None  # only from a server in demo (embedded) mode


class LoginRequest(RequestModel):
    phone: Phone
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=8)]
    device_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""


class UserOut(Model):
    id: int
    name: str
    phone_masked: str
    is_supervisor: bool = False
    region_code: str | None = None
    region_name: str | None = None


class LoginResponse(Model):
    token: str
    expires_at: datetime
    user: UserOut


class CheckpointOut(Model):
    id: int
    name: str
    active: bool = True


class MembershipOut(Model):
    venue_id: int
    venue_name: str
    role: Role
    state: StaffState
    checkpoints: list[CheckpointOut] = []
    # A server without venue approval treats every venue as approved.
    venue_status: VenueStatus = VenueStatus.APPROVED
    venue_status_reason: str = ""  # why a supervisor rejected the venue


class MeResponse(Model):
    user: UserOut
    venues: list[MembershipOut]
    server_time: datetime


# ---- venues ---------------------------------------------------------------------------------


class VenueIn(RequestModel):
    name: ShortText
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    region_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    township: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] = ""
    unit_type: Annotated[str, StringConstraints(max_length=64)]
    contact_phone: Phone


class VenueOnBehalfIn(VenueIn):
    owner_phone: Phone
    owner_name: ShortText


class VenueUpdate(RequestModel):
    name: ShortText | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = (
        None
    )
    township: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    unit_type: Annotated[str, StringConstraints(max_length=64)] | None = None
    contact_phone: Phone | None = None


class VenueOut(Model):
    id: int
    name: str
    address: str
    region_code: str
    township: str
    unit_type: str
    unit_type_name: str
    contact_phone_masked: str
    active: bool
    created_at: datetime
    checkpoints: list[CheckpointOut]
    policy: VenuePolicy
    status: VenueStatus = VenueStatus.APPROVED
    status_reason: str = ""  # why a supervisor rejected the venue
    status_at: datetime | None = None  # when a supervisor decided


class PendingVenueOut(Model):
    """A venue waiting in a supervisor's 待审核场所 queue."""

    id: int
    name: str
    address: str
    region_code: str
    township: str
    unit_type: str
    unit_type_name: str
    contact_phone_masked: str
    owner_name: str
    owner_phone_masked: str
    created_at: datetime


MAX_REJECT_REASON = 200


class VenueRejectIn(RequestModel):
    """Why a supervisor turns a venue down; the owner reads it."""

    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REJECT_REASON)
    ]


class CheckpointIn(RequestModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]


class VenueCodeOut(Model):
    venue_id: int
    checkpoint_id: int | None
    url: str


# ---- staff ----------------------------------------------------------------------------------


class StaffIn(RequestModel):
    name: ShortText
    phone: Phone


class StaffOut(Model):
    user_id: int
    name: str
    phone_masked: str
    role: Role
    state: StaffState


# ---- checks ---------------------------------------------------------------------------------


class CheckMethod(StrEnum):
    SCAN = "scan"  # personal code scanned by camera or scanner gun
    DOCUMENT = "document"  # ID typed or read by a card reader
    SELF = "self"  # visitor's self check-in at the venue code page
    MANUAL = "manual"  # registered by hand (no phone, no ID)


class ManualDecision(StrEnum):
    ADMIT = "admit"  # 人工放行
    TURN_AWAY = "turn_away"  # 劝返


class DocumentIn(RequestModel):
    kind: str | None = None  # shoumen_core.identity.DocumentKind value; None = detect
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class LookupRequest(RequestModel):
    personal_code: Annotated[str, StringConstraints(max_length=2048)] | None = None
    document: DocumentIn | None = None
    checkpoint_id: int | None = None
    # A station never sends a reading outside the shared range (it refuses it before the check).
    temperature: Annotated[float, Field(ge=TEMPERATURE_MIN, le=TEMPERATURE_MAX)] | None = None


class PersonOut(Model):
    person_ref: str  # this venue's own reference to the person: another venue gets another one
    masked_name: str
    masked_id: str


class LookupResponse(Model):
    """What the guard's screen shows and nothing more: the verdict, its findings (the rows
    健康码, 疫苗接种, 核酸检测, 行程卡, 体温) and the masked person."""

    lookup_id: int
    person: PersonOut | None
    # Always null: the raw health data (NAT time, vaccination, ...) is no longer sent. Kept so
    # that stations of the previous release, which require the key, still read the answer.
    snapshot: HealthSnapshot | None = None
    level: VerdictLevel
    findings: list[Finding]
    evaluated_at: datetime


class CheckRecordIn(Model):
    """One check as the device committed it; the id is the device's UUIDv7."""

    id: uuid.UUID
    venue_id: int
    checkpoint_id: int | None = None
    method: CheckMethod
    checked_at: Moment
    level: VerdictLevel
    findings: list[Finding] = []
    person_ref: str | None = None
    masked_name: str = ""
    masked_id: str = ""
    sealed_document: str | None = None  # base64url of shoumen_core.codes.seal(...) for offline IDs
    temperature: float | None = None
    manual_decision: ManualDecision | None = None
    offline: bool = False
    device_id: Annotated[str, StringConstraints(max_length=64)] = ""
    gate_opened: bool = False  # the station opened the gate for this visitor (automatic or 手动开闸)
    gate_reason: Annotated[str, StringConstraints(max_length=MAX_GATE_REASON)] = ""  # 手动开闸: why


class AnomalyAction(StrEnum):
    TURN_AWAY = "turn_away"  # 劝返
    ISOLATION_POINT = "isolation_point"  # 临时隔离点
    REPORT_COMMUNITY = "report_community"  # 报告社区
    AMBULANCE = "ambulance"  # 120
    YELLOW_SAMPLING = "yellow_sampling"  # 黄码采样点
    ADMIT_PAPER = "admit_paper"  # 放行 after the traditional paper check (FAQ 6 only)
    OTHER = "other"  # 其他


class AnomalyType(StrEnum):
    RED_CODE = "red_code"
    YELLOW_CODE = "yellow_code"
    NO_CODE = "no_code"  # 未申领 / 外省
    NAT_EXPIRED = "nat_expired"
    NAT_POSITIVE = "nat_positive"
    FEVER = "fever"
    TRAVEL_ABNORMAL = "travel_abnormal"
    NO_PHONE_NO_ID = "no_phone_no_id"  # FAQ 6: registered by hand
    OTHER = "other"


# A sealed name (<= 50 characters, <= 200 UTF-8 bytes) or phone, base64url: 61 bytes of
# envelope (shoumen_core.codes.seal) + the text, with room to spare.
SEALED_TEXT_MAX: Final = 512


class AnomalyIn(Model):
    id: uuid.UUID
    venue_id: int
    checkpoint_id: int | None = None
    check_id: uuid.UUID | None = None
    document_kind: str | None = None
    document_number: Annotated[str, StringConstraints(max_length=40)] | None = None  # online only
    sealed_document: str | None = None  # offline: sealed for the server
    masked_id: str = ""
    # A device seals the name and phone to the backend (like sealed_document) and keeps only
    # the sealed blobs and masked forms; the server unseals them and re-masks (DESIGN §7).
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] = ""
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""
    sealed_name: Annotated[str, StringConstraints(max_length=SEALED_TEXT_MAX)] | None = None
    sealed_phone: Annotated[str, StringConstraints(max_length=SEALED_TEXT_MAX)] | None = None
    masked_name: Annotated[str, StringConstraints(max_length=50)] = ""  # device display only
    phone_masked: Annotated[str, StringConstraints(max_length=32)] = ""  # device display only
    no_phone_reason: OptionalText = ""  # FAQ 6: why no phone is given (shoumen_core.anomalies)
    temperature: float | None = None
    snapshot: HealthSnapshot | None = None
    origin: OptionalText = ""
    arrival_at: Moment | None = None
    transport: OptionalText = ""
    anomaly_type: AnomalyType
    action: AnomalyAction
    reported_to: OptionalText = ""
    reported_at: Moment | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] = ""
    created_at: Moment
    base_version: int = 0  # 0 = new; otherwise the version the edit was made on


class AnomalyOut(Model):
    id: uuid.UUID
    venue_id: int
    checkpoint_id: int | None
    check_id: uuid.UUID | None
    document_kind: str | None
    masked_id: str
    masked_name: str
    phone_masked: str
    temperature: float | None
    snapshot: HealthSnapshot | None
    origin: str
    no_phone_reason: str = ""
    arrival_at: datetime | None
    transport: str
    anomaly_type: AnomalyType
    action: AnomalyAction
    reported_to: str
    reported_at: datetime | None
    notes: str
    staff_user_id: int
    created_at: datetime
    updated_at: datetime
    version: int


# ---- sync -----------------------------------------------------------------------------------


class PushRequest(RequestModel):
    device_id: Annotated[str, StringConstraints(max_length=64)] = ""
    checks: list[CheckRecordIn] = Field(default=[], max_length=MAX_PUSH_BATCH)
    anomalies: list[AnomalyIn] = Field(default=[], max_length=MAX_PUSH_BATCH)


class Rejected(Model):
    id: uuid.UUID
    code: str
    message: str


class PushResponse(Model):
    accepted: list[uuid.UUID]
    rejected: list[Rejected]
    anomaly_versions: dict[str, int] = {}  # accepted anomaly id -> its version now


class DayCounts(Model):
    day: date
    checked: int
    passed: int
    review: int
    abnormal: int  # DENY + CANNOT_VERIFY
    persons: int
    by_hour: list[int] = Field(default_factory=lambda: [0] * 24)


class StaffBrief(Model):
    user_id: int
    name: str
    role: Role
    state: StaffState


class PullResponse(Model):
    epoch: str
    cursor: str
    changed: bool  # False: venue, checkpoints, staff, policy unchanged since the cursor
    venue: VenueOut | None = None
    staff: list[StaffBrief] | None = None
    my_role: Role | None = None
    my_state: StaffState | None = None
    trust_list: str | None = None  # shoumen_core.trust.SignedTrustList JSON (signed by the root)
    sealing_public_key: str | None = None  # base64url X25519, for offline document sealing
    unit_counts: list[DayCounts] = []  # the venue, today and yesterday (server's view)
    personal_counts: list[DayCounts] = []  # the caller at this venue
    server_time: datetime


# ---- stats ----------------------------------------------------------------------------------


class StatsScope(StrEnum):
    UNIT = "unit"  # 单位
    PERSONAL = "personal"  # 个人


class StatsResponse(Model):
    venue_id: int
    scope: StatsScope
    checkpoint_id: int | None
    counts: DayCounts


class AbnormalItem(Model):
    check_id: uuid.UUID
    checked_at: datetime
    checkpoint_id: int | None
    masked_name: str
    masked_id: str
    level: VerdictLevel
    reasons: list[str]  # Chinese, from the findings that were not OK
    registered: bool  # an anomaly registration exists for this check
    anomaly_id: uuid.UUID | None = None
    # The same findings as codes with their values (reason, state, args; `message` is the
    # reason's Chinese above), so the app says them in its language (issue 17 §5). Only when
    # the request asks (`?findings=true`): a station that predates the field forbids unknown
    # keys, so it never gets one. None: not asked, or a stored row the server cannot read.
    findings: list[Finding] | None = Field(default=None, max_length=MAX_FINDINGS)


class AbnormalList(Model):
    venue_id: int
    day: date
    items: list[AbnormalItem]


class RegionAbnormalItem(AbnormalItem):
    """An abnormal check in a region's list: which venue it was at."""

    venue_id: int
    venue_name: str


class RegionAbnormalList(Model):
    region_code: str
    day: date
    items: list[RegionAbnormalItem]


class RegionVenueRow(Model):
    venue_id: int
    name: str
    unit_type: str
    checked: int
    passed: int
    review: int
    abnormal: int
    last_activity: datetime | None


class RegionStats(Model):
    region_code: str
    day: date
    venues: list[RegionVenueRow]
    totals: DayCounts


class LookupAlert(Model):
    """A venue whose lookups on a day look like enumeration, with the figures behind it.

    `reasons`: "unknown_numbers" (many numbers the registry does not know), "sequential_numbers"
    (numbers that differ from the previous one only in the sequence digits), "rate_limited"
    (lookups refused for exceeding the limits)."""

    venue_id: int
    venue_name: str
    unit_type: str
    lookups: int
    documents: int
    unknown: int
    sequential: int
    limited: int
    last_at: datetime | None
    reasons: list[str]


class LookupAlerts(Model):
    region_code: str
    day: date
    items: list[LookupAlert]


class TrendPoint(Model):
    day: date
    checked: int
    abnormal: int


class Trend(Model):
    points: list[TrendPoint]


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class ServerInfo(Model):
    name: Literal["shoumen"] = "shoumen"
    api_version: str = "1"
    server_time: datetime
    # The data generation: a new one (a reset database) makes devices push everything again.
    epoch: str
    demo_mode: bool
    # Which server this is, for good: made once with its database and never changed, also not
    # by a new epoch. Devices key their local cache on it, not on the URL they reach it by.
    # Empty from a server older than this field.
    server_id: str = Field(default="", pattern=r"^([0-9a-f]{32})?$")


class SealingKeyOut(Model):
    """The backend's X25519 public key: devices seal document numbers typed offline to it."""

    public_key: str  # base64url, no padding, raw 32 bytes
