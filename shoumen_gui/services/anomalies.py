"""核查登记 without Qt: what the guard filled in, its checks, and how it is loaded and saved.

A registration is saved in the local cache first (LocalCache.save_anomaly) and pushed by the
sync engine; an edit of a synced one goes out with the version it was made on, so the server
refuses it when someone else changed the registration first (state "conflict": shown, never
overwritten). A registration this device does not hold (made on another device), or one whose
local edit conflicted, is edited online against the server's current version (PUT, 409 on a
conflict) and then saved locally as it now stands, so the next push confirms that version.

Document numbers, names and phones never stay on the device in clear: they are sealed to the
backend's key and only their masked forms are kept (DESIGN §3 and §7, like offline ID checks).
The clear values exist only in the open form while the guard types them; a saved registration
opens with the masked forms as placeholders, and a field is changed by typing it again. The
functions taking a cache or an API client run on workers (tasks.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from shoumen_core import anomalies
from shoumen_core.codes import b64url_encode, seal
from shoumen_core.identity import (
    MASK_POLICIES,
    DocumentKind,
    InvalidDocument,
    mask_document,
    mask_name,
    parse_document,
)
from shoumen_core.phone import InvalidPhone, mask_phone, normalise_phone
from shoumen_core.policy import Finding, FindingState, VenuePolicy, VerdictLevel
from shoumen_core.schemas import (
    AnomalyAction,
    AnomalyIn,
    AnomalyOut,
    AnomalyType,
    CheckMethod,
    CheckRecordIn,
    ManualDecision,
)
from shoumen_core.temperature import InvalidTemperature, parse_reading
from shoumen_core.timeutil import local_day
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalAnomaly, LocalCache
from shoumen_gui.services.checks import seal_document
from shoumen_gui.services.errors import ServiceError
from shoumen_gui.services.ids import uuid7
from shoumen_gui.textmarks import QT_TRANSLATE_NOOP

TYPE_WORDS: Final[dict[AnomalyType, str]] = {
    AnomalyType.RED_CODE: QT_TRANSLATE_NOOP("shoumen", "红码"),
    AnomalyType.YELLOW_CODE: QT_TRANSLATE_NOOP("shoumen", "黄码"),
    AnomalyType.NO_CODE: QT_TRANSLATE_NOOP("shoumen", "未申领本地健康码（外省来新）"),
    AnomalyType.NAT_EXPIRED: QT_TRANSLATE_NOOP("shoumen", "核酸超时或无核酸记录"),
    AnomalyType.NAT_POSITIVE: QT_TRANSLATE_NOOP("shoumen", "核酸阳性"),
    AnomalyType.FEVER: QT_TRANSLATE_NOOP("shoumen", "体温异常"),
    AnomalyType.TRAVEL_ABNORMAL: QT_TRANSLATE_NOOP("shoumen", "行程卡异常"),
    AnomalyType.NO_PHONE_NO_ID: QT_TRANSLATE_NOOP("shoumen", "无智能手机且无证件号码"),
    AnomalyType.OTHER: QT_TRANSLATE_NOOP("shoumen", "其他"),
}

ACTION_WORDS: Final[dict[AnomalyAction, str]] = {
    AnomalyAction.TURN_AWAY: QT_TRANSLATE_NOOP("shoumen", "劝返"),
    AnomalyAction.ISOLATION_POINT: QT_TRANSLATE_NOOP("shoumen", "送临时隔离点"),
    AnomalyAction.REPORT_COMMUNITY: QT_TRANSLATE_NOOP("shoumen", "报告社区"),
    AnomalyAction.AMBULANCE: QT_TRANSLATE_NOOP("shoumen", "呼叫 120"),
    AnomalyAction.YELLOW_SAMPLING: QT_TRANSLATE_NOOP("shoumen", "引导至黄码采样点"),
    AnomalyAction.ADMIT_PAPER: QT_TRANSLATE_NOOP("shoumen", "放行（已做传统纸质登记）"),
    AnomalyAction.OTHER: QT_TRANSLATE_NOOP("shoumen", "其他"),
}

# The finding reasons of a check (shoumen_core.policy) -> the registration's type, most serious first.
REASON_TYPES: Final[tuple[tuple[str, AnomalyType], ...]] = (
    ("code_red", AnomalyType.RED_CODE),
    ("nat_positive", AnomalyType.NAT_POSITIVE),
    ("temperature_fever", AnomalyType.FEVER),
    ("code_yellow", AnomalyType.YELLOW_CODE),
    ("code_missing", AnomalyType.NO_CODE),
    ("nat_too_old", AnomalyType.NAT_EXPIRED),
    ("nat_none", AnomalyType.NAT_EXPIRED),
    ("travel_abnormal", AnomalyType.TRAVEL_ABNORMAL),
    ("travel_unverified", AnomalyType.TRAVEL_ABNORMAL),
)

DEFAULT_ACTIONS: Final[dict[AnomalyType, AnomalyAction]] = {
    AnomalyType.RED_CODE: AnomalyAction.REPORT_COMMUNITY,
    AnomalyType.NAT_POSITIVE: AnomalyAction.REPORT_COMMUNITY,
    AnomalyType.YELLOW_CODE: AnomalyAction.YELLOW_SAMPLING,
    AnomalyType.FEVER: AnomalyAction.ISOLATION_POINT,
}

# Field names, shared with the form's widgets (problems point at them).
TYPE, ACTION, NAME, PHONE, DOCUMENT, TEMPERATURE, NOTES = (
    "type",
    "action",
    "name",
    "phone",
    "document",
    "temperature",
    "notes",
)
NO_PHONE_REASON: Final = anomalies.NO_PHONE_REASON  # FAQ 6: why there is no phone
NOTES_MAX: Final = 2000


class NoSealingKey(ServiceError):
    """A name or phone was typed but this device has not pulled the backend's sealing key yet:
    it would have to keep them in clear, so the registration is not saved."""

    default_code = "no_sealing_key"
    default_message = QT_TRANSLATE_NOOP(
        "shoumen", "本机尚未取得服务器的加密公钥，暂不能保存姓名和电话：请联网同步一次后再保存"
    )


class EditMode(StrEnum):
    NEW = "new"  # not saved yet
    LOCAL = "local"  # this device's registration: edited in the cache, pushed with its version
    SERVER = "server"  # edited online against the server's version (another device's, or a conflict)


def type_for(findings: tuple[Finding, ...] | list[Finding]) -> AnomalyType | None:
    """The registration type a check's findings suggest (None: the guard chooses)."""
    reasons = {f.reason for f in findings if f.state is not FindingState.OK}
    return next((kind for reason, kind in REASON_TYPES if reason in reasons), None)


@dataclass(frozen=True)
class Draft:
    """What the guard typed and chose (text as typed)."""

    anomaly_type: AnomalyType | None = None
    action: AnomalyAction | None = None
    name: str = ""
    phone: str = ""
    document_kind: DocumentKind | None = None  # None: recognised from the number
    document_number: str = ""
    temperature: str = ""
    origin: str = ""
    transport: str = ""
    arrival_at: datetime | None = None
    reported_to: str = ""
    notes: str = ""
    no_phone_reason: str = ""


@dataclass(frozen=True)
class Base:
    """What the form was opened on: the registration's identity and what it keeps unless changed."""

    anomaly_id: uuid.UUID
    venue_id: int
    checkpoint_id: int | None
    created_at: datetime
    mode: EditMode = EditMode.NEW
    check_id: uuid.UUID | None = None
    masked_id: str = ""
    masked_name: str = ""  # shown only; the server keeps the name
    phone_masked: str = ""
    document_kind: str | None = None
    sealed_document: str | None = None
    sealed_name: str | None = None  # this device's saved registration: kept unless retyped
    sealed_phone: str | None = None
    reported_at: datetime | None = None
    server_version: int = 0  # EditMode.SERVER: the version the edit is made on

    @property
    def linked(self) -> bool:
        return self.check_id is not None

    @property
    def keeps_document(self) -> bool:
        return bool(self.masked_id or self.sealed_document)

    @property
    def keeps_name(self) -> bool:
        """A saved name (sealed here, or on the server) stays unless retyped."""
        return bool(self.sealed_name) or (self.mode is EditMode.SERVER and bool(self.masked_name))

    @property
    def keeps_phone(self) -> bool:
        return bool(self.sealed_phone) or (self.mode is EditMode.SERVER and bool(self.phone_masked))


@dataclass(frozen=True)
class Problem:
    field: str
    message: str  # Chinese
    # For the screen's language (ui/texts.problem_words): a code of shoumen_core (anomalies,
    # identity, phone, temperature) or of this module, with the values its words need.
    code: str = ""
    args: tuple[str, ...] = ()


def required_fields(anomaly_type: AnomalyType | None, base: Base, *, phone_typed: bool = False) -> set[str]:
    """FAQ 6 (no smartphone, no ID number): the name and a free description, and the phone or
    why there is none (shoumen_core.anomalies, as the server checks it); no document.
    Otherwise the visitor is identified by a linked check or a document number."""
    if anomaly_type is AnomalyType.NO_PHONE_NO_ID:
        kept = {NAME} if base.keeps_name else set()
        has_phone = phone_typed or base.keeps_phone
        return ({TYPE, ACTION} | anomalies.faq6_required(anomaly_type, has_phone=has_phone)) - kept
    wanted = {TYPE, ACTION}
    if not base.linked and not base.keeps_document:
        wanted.add(DOCUMENT)
    return wanted


def parse_temperature(text: str) -> float | None:
    """None for an empty field; InvalidTemperature (a ValueError with the message) for a bad
    one: the shared rule of shoumen_core.temperature, as the server applies it."""
    value = parse_reading(text)
    return None if value is None else round(value, 1)


def validate(draft: Draft, base: Base, today: date) -> list[Problem]:
    problems: list[Problem] = []
    required = required_fields(draft.anomaly_type, base)
    missing = {
        TYPE: (draft.anomaly_type is None, QT_TRANSLATE_NOOP("shoumen", "请选择异常类型")),
        ACTION: (draft.action is None, QT_TRANSLATE_NOOP("shoumen", "请选择处置方式")),
        DOCUMENT: (
            not draft.document_number.strip(),
            QT_TRANSLATE_NOOP("shoumen", "请录入证件号码，或先扫码关联核验记录"),
        ),
    }
    for name, (empty, message) in missing.items():
        if name in required and empty:
            problems.append(Problem(name, message))
    # The per-type rules, exactly as the server applies them.
    for problem in anomalies.anomaly_problems(
        draft.anomaly_type,
        draft.action,
        has_name=bool(draft.name.strip()) or base.keeps_name,
        has_phone=bool(draft.phone.strip()) or base.keeps_phone,
        no_phone_reason=draft.no_phone_reason,
        notes=draft.notes,
    ):
        problems.append(Problem(problem.field, problem.message, problem.code))
    if draft.phone.strip():
        try:
            normalise_phone(draft.phone)
        except InvalidPhone as exc:
            problems.append(Problem(PHONE, exc.message, "bad_phone"))
    if draft.document_number.strip():
        try:
            parse_document(draft.document_number, draft.document_kind, today=today)
        except InvalidDocument as exc:
            problems.append(Problem(DOCUMENT, exc.message, str(exc.code)))
    try:
        parse_temperature(draft.temperature)
    except InvalidTemperature as exc:
        problems.append(Problem(TEMPERATURE, exc.message, str(exc.code)))
    except ValueError as exc:
        problems.append(Problem(TEMPERATURE, str(exc)))
    if len(draft.notes) > NOTES_MAX:
        problems.append(Problem(NOTES, f"情况说明最多 {NOTES_MAX} 字", "notes_too_long", (str(NOTES_MAX),)))
    return problems


def build_anomaly(
    base: Base,
    draft: Draft,
    now: datetime,
    *,
    sealing_key: bytes | None,
    policy: VenuePolicy,
) -> AnomalyIn:
    """The AnomalyIn of a valid draft (validate() first). A typed document is sealed to the
    backend's key (dropped, masked form kept, when this device has no key yet); a typed name or
    phone is sealed too and never kept in clear (NoSealingKey when there is no key)."""
    document_kind, masked_id, sealed = base.document_kind, base.masked_id, base.sealed_document
    if draft.document_number.strip():
        document = parse_document(draft.document_number, draft.document_kind, today=local_day(now))
        document_kind = document.kind.value
        masked_id = mask_document(document.number, MASK_POLICIES[policy.masking.value])
        sealed = seal_document(document.number, sealing_key) if sealing_key is not None else None
    contact = _sealed_contact(base, draft, sealing_key)
    reported_to = draft.reported_to.strip()
    reported_at = base.reported_at or (now if reported_to else None)
    return AnomalyIn(
        id=base.anomaly_id,
        venue_id=base.venue_id,
        checkpoint_id=base.checkpoint_id,
        check_id=base.check_id,
        document_kind=document_kind,
        sealed_document=sealed,
        masked_id=masked_id,
        sealed_name=contact.sealed_name,
        masked_name=contact.masked_name,
        sealed_phone=contact.sealed_phone,
        phone_masked=contact.phone_masked,
        temperature=parse_temperature(draft.temperature),
        origin=draft.origin.strip(),
        arrival_at=draft.arrival_at,
        transport=draft.transport.strip(),
        anomaly_type=draft.anomaly_type or AnomalyType.OTHER,
        action=draft.action or AnomalyAction.OTHER,
        reported_to=reported_to,
        reported_at=reported_at if reported_to else None,
        notes=draft.notes.strip(),
        no_phone_reason=draft.no_phone_reason.strip(),
        created_at=base.created_at,
        base_version=base.server_version if base.mode is EditMode.SERVER else 0,
    )


@dataclass(frozen=True)
class _Contact:
    sealed_name: str | None
    masked_name: str
    sealed_phone: str | None
    phone_masked: str


def _sealed_contact(base: Base, draft: Draft, sealing_key: bytes | None) -> _Contact:
    """The sealed name and phone with their masked forms: retyped ones sealed afresh, the
    others as the registration keeps them."""
    contact = _Contact(
        base.sealed_name,
        base.masked_name if base.keeps_name else "",
        base.sealed_phone,
        base.phone_masked if base.keeps_phone else "",
    )
    name = draft.name.strip()
    phone = normalise_phone(draft.phone) if draft.phone.strip() else ""
    if not name and not phone:
        return contact
    if sealing_key is None:
        raise NoSealingKey()
    if name:
        contact = replace(contact, sealed_name=seal_text(name, sealing_key), masked_name=mask_name(name))
    if phone:
        contact = replace(contact, sealed_phone=seal_text(phone, sealing_key), phone_masked=mask_phone(phone))
    return contact


def seal_text(text: str, public_key: bytes) -> str:
    """A name or phone sealed to the backend (base64url); this device cannot read it back."""
    return b64url_encode(seal(text.encode("utf-8"), public_key))


# --- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    base: Base
    draft: Draft
    state: str = ""  # the local state: pending | synced | rejected | conflict ("" = not on this device)
    problem: str = ""  # the server's reason for a rejected or conflicting local edit


def from_local(local: LocalAnomaly) -> Loaded:
    a = local.anomaly
    base = Base(
        anomaly_id=a.id,
        venue_id=a.venue_id,
        checkpoint_id=a.checkpoint_id,
        created_at=a.created_at,
        mode=EditMode.LOCAL,
        check_id=a.check_id,
        masked_id=a.masked_id,
        masked_name=a.masked_name,
        phone_masked=a.phone_masked,
        document_kind=a.document_kind,
        sealed_document=a.sealed_document,
        sealed_name=a.sealed_name,
        sealed_phone=a.sealed_phone,
        reported_at=a.reported_at,
    )
    draft = Draft(  # the name and phone show only masked, as placeholders
        anomaly_type=a.anomaly_type,
        action=a.action,
        temperature="" if a.temperature is None else f"{a.temperature:.1f}",
        origin=a.origin,
        transport=a.transport,
        arrival_at=a.arrival_at,
        reported_to=a.reported_to,
        notes=a.notes,
        no_phone_reason=a.no_phone_reason,
    )
    return Loaded(base, draft, local.state, local.message or "")


def from_server(out: AnomalyOut, local: LocalAnomaly | None = None) -> Loaded:
    """The server's version, masked: name, phone and document are kept unless retyped."""
    base = Base(
        anomaly_id=out.id,
        venue_id=out.venue_id,
        checkpoint_id=out.checkpoint_id,
        created_at=out.created_at,
        mode=EditMode.SERVER,
        check_id=out.check_id,
        masked_id=out.masked_id,
        masked_name=out.masked_name,
        phone_masked=out.phone_masked,
        document_kind=out.document_kind,
        reported_at=out.reported_at,
        server_version=out.version,
    )
    draft = Draft(
        anomaly_type=out.anomaly_type,
        action=out.action,
        temperature="" if out.temperature is None else f"{out.temperature:.1f}",
        origin=out.origin,
        transport=out.transport,
        arrival_at=out.arrival_at,
        reported_to=out.reported_to,
        notes=out.notes,
        no_phone_reason=out.no_phone_reason,
    )
    state = local.state if local is not None else ""
    problem = (local.message or "") if local is not None else ""
    return Loaded(base, draft, state, problem)


def fetch_server(api: ApiClient, venue_id: int, anomaly_id: uuid.UUID) -> AnomalyOut:
    """Worker thread: the server's current version (masked)."""
    return api.anomalies.get(venue_id, anomaly_id)


def needs_paper_check(base: Base, draft: Draft) -> bool:
    """A new FAQ 6 registration with no check: the visitor was checked on paper, and that check
    is recorded (method MANUAL) so it counts in the day's figures like any other visitor."""
    return base.mode is EditMode.NEW and not base.linked and draft.anomaly_type is AnomalyType.NO_PHONE_NO_ID


def paper_check(base: Base, draft: Draft, now: datetime, device_id: str) -> CheckRecordIn:
    """The MANUAL check of a FAQ 6 visitor: 人工核验 decided by the registration's disposition
    (放行 after the paper check admits; any other disposition turns the visitor away)."""
    admitted = draft.action is AnomalyAction.ADMIT_PAPER
    return CheckRecordIn(
        id=uuid7(),
        venue_id=base.venue_id,
        checkpoint_id=base.checkpoint_id,
        method=CheckMethod.MANUAL,
        checked_at=now,
        level=VerdictLevel.REVIEW,
        masked_name=mask_name(draft.name.strip()) if draft.name.strip() else base.masked_name,
        manual_decision=ManualDecision.ADMIT if admitted else ManualDecision.TURN_AWAY,
        device_id=device_id,
    )


def save_local(cache: LocalCache, anomaly: AnomalyIn, user_id: int) -> AnomalyIn:
    """Serial worker: into the outbox (the sync engine pushes it with its version)."""
    cache.save_anomaly(anomaly, user_id)
    return anomaly


def put_online(api: ApiClient, anomaly: AnomalyIn) -> AnomalyOut:
    """Pool worker: the edit against base_version; 409 version_conflict when it is not current."""
    return api.anomalies.put(anomaly)


def as_resend(anomaly: AnomalyIn) -> AnomalyIn:
    """What is kept locally after an online edit: the same content, so that the next push is a
    resend the server recognises (and answers with its current version)."""
    return anomaly.model_copy(update={"base_version": 0})


def venue_sealing(cache: LocalCache, venue_id: int) -> tuple[bytes | None, VenuePolicy]:
    """Serial worker: the backend's sealing key and the venue's policy from the last pull."""
    config = cache.venue_config(venue_id)
    if config is None:
        return None, VenuePolicy()
    return config.sealing_public_key, config.policy
