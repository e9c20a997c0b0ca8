"""What the server checks before it believes a row a device pushed (issue 13 §5, issue 14 §7).

A device is not trusted to mask, to keep its clock, or to bound what it sends. Every pushed
check and anomaly registration is refused on its own, with a `Problem` (a stable code the
station stores with the row and a Chinese message the guard sees), when a value is outside
what a real check can hold; names and document numbers are masked again by the server, so a
full name or number a device sends as "masked" never reaches a list or an export.

One bad row never fails the rest of a push: these are checks of the server, not pydantic
constraints on `CheckRecordIn` (a 422 would hold a station's whole outbox back).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from shoumen_core.codes import SealError, unseal
from shoumen_core.identity import (
    DEFAULT_MASK_POLICY,
    MASK_POLICIES,
    InvalidDocument,
    MaskPolicy,
    mask_document,
    mask_name,
    mask_number,
    parse_document,
)
from shoumen_core.policy import Finding, MaskingLevel, VenuePolicy
from shoumen_core.schemas import (
    MAX_FINDING_MESSAGE,
    MAX_FINDING_REASON,
    MAX_FINDINGS,
    MAX_SEALED_DOCUMENT,
    Rejected,
)
from shoumen_core.temperature import OUT_OF_RANGE_MESSAGE, TemperatureErrorCode, temperature_in_range
from shoumen_core.timeutil import as_utc
from shoumen_server.i18n import translate

# A station's clock may run a little fast; the station warns about a skew over 5 minutes.
FUTURE_SLACK = timedelta(minutes=10)


@dataclass(frozen=True)
class Problem:
    """Why one pushed record is refused: a stable code and a message for the guard."""

    code: str
    message: str

    def rejected(self, record_id: uuid.UUID) -> Rejected:
        return Rejected(id=record_id, code=self.code, message=translate(self.message, code=self.code))


NOT_STAFF = Problem("not_venue_staff", "您不是该场所的工作人员")
REVOKED = Problem("staff_revoked", "您的核验权限已被收回，请联系场所管理员")
NO_VENUE = Problem("not_venue_staff", "场所不存在或已被删除")
BAD_CHECKPOINT = Problem("bad_checkpoint", "卡口不属于该场所")
BAD_TIME = Problem("bad_time", "核验时间晚于服务器时间 10 分钟以上，请校准设备时间")
TIME_TOO_OLD = Problem("time_too_old", "核验时间早于数据保存期限，或设备时间有误，请校准设备时间")
NO_TIMEZONE = Problem("time_no_timezone", "记录时间缺少时区，无法确定核验时间")
BAD_TEMPERATURE = Problem(TemperatureErrorCode.OUT_OF_RANGE.value, OUT_OF_RANGE_MESSAGE)
TOO_MANY_FINDINGS = Problem("bad_findings", "核验结论的条目过多或文字过长")
BAD_SEALED = Problem("bad_document", "证件号码密文无效")
BAD_TEXT = Problem("bad_record", "记录内容有误（文字过长或含非法字符）")
CONFLICT = Problem("check_conflict", "服务器上已有同一编号但内容不同的核验记录，未覆盖")
BATCH_CONFLICT = Problem("check_conflict", "同一批次中同一编号的核验记录内容不一致，均未保存")


def bad_text(value: str | None, limit: int) -> bool:
    return value is not None and (len(value) > limit or "\x00" in value)


def time_problem(moment: datetime, now: datetime, oldest: datetime | None) -> Problem | None:
    """A pushed moment must carry its zone and lie in [oldest, now + slack]: a check older
    than the retention would be counted and then silently deleted by the next purge."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return NO_TIMEZONE
    moment = as_utc(moment)
    if moment > now + FUTURE_SLACK:
        return BAD_TIME
    if oldest is not None and moment < oldest:
        return TIME_TOO_OLD
    return None


def temperature_problem(celsius: float | None) -> Problem | None:
    # The station's rule too (shoumen_core.temperature): it never commits what is refused here.
    return None if temperature_in_range(celsius) else BAD_TEMPERATURE


def findings_problem(findings: Sequence[Finding]) -> Problem | None:
    if len(findings) > MAX_FINDINGS:
        return TOO_MANY_FINDINGS
    for finding in findings:
        if bad_text(finding.reason, MAX_FINDING_REASON) or bad_text(finding.message, MAX_FINDING_MESSAGE):
            return TOO_MANY_FINDINGS
    return None


def sealed_problem(sealed: str | None) -> Problem | None:
    if sealed is not None and len(sealed) > MAX_SEALED_DOCUMENT:
        return BAD_SEALED
    return None


# ---- masking again ----------------------------------------------------------------------------


def mask_policy(policy_json: str | None) -> MaskPolicy:
    """A venue's masking policy from its stored policy JSON (the standard one if unreadable)."""
    try:
        level = VenuePolicy.model_validate_json(policy_json or "{}").masking
    except ValueError:
        level = MaskingLevel.STANDARD
    return MASK_POLICIES.get(level.value, DEFAULT_MASK_POLICY)


def opened_document(sealing_private: bytes | None, sealed: bytes | None) -> str | None:
    """The document number behind a sealed blob, when this server can open it."""
    if sealing_private is None or not sealed:
        return None
    try:
        return unseal(sealed, sealing_private).decode("utf-8")
    except (SealError, ValueError):
        return None  # sealed to an older key or garbage: the shown form is masked below instead


def server_masked_id(shown: str, document: str | None, policy: MaskPolicy) -> str:
    """The masked ID the server stores: from the document itself when it has it, else the
    device's form masked again (stars stay stars, so a masked form is unchanged and a full
    number loses all but the policy's head and tail)."""
    if document:
        try:
            return mask_document(parse_document(document).number, policy)
        except InvalidDocument:
            return mask_number(document.strip(), policy.number_head, policy.number_tail)
    shown = shown.strip()
    return mask_number(shown, policy.number_head, policy.number_tail) if shown else ""


def server_masked_name(shown: str) -> str:
    """A device's masked name masked again: 张* stays 张*, 张三丰 becomes 张**."""
    return mask_name(shown) if shown.strip() else ""
