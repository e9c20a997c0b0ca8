"""The rules of a 核查登记 by type, shared by the station's form and the server's validation.

FAQ 6 of the seed (a visitor with neither smartphone nor ID number): the guard writes the name
and a free description of what was checked; the phone is optional, and when it is missing the
registration says why; 放行 after the traditional paper check is a disposition of this type
only (every other type concerns a visitor whose code or data said no).

The caller says what the registration holds (a name or phone kept from an earlier version
counts as held); the answer is the problems, each with a field, a stable code and a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from shoumen_core.schemas import AnomalyAction, AnomalyType

NAME: Final = "name"
PHONE: Final = "phone"
NO_PHONE_REASON: Final = "no_phone_reason"
NOTES: Final = "notes"
ACTION: Final = "action"


@dataclass(frozen=True)
class AnomalyProblem:
    field: str
    code: str
    message: str


NAME_MISSING: Final = AnomalyProblem(NAME, "anomaly_name_missing", "请填写姓名")
NOTES_MISSING: Final = AnomalyProblem(
    NOTES, "anomaly_notes_missing", "请填写情况说明（核验了什么、如何处置）"
)
PHONE_OR_REASON: Final = AnomalyProblem(
    NO_PHONE_REASON, "anomaly_no_phone_reason", "请填写联系电话，或说明无法留电话的原因"
)
PAPER_ADMIT_ONLY_FAQ6: Final = AnomalyProblem(
    ACTION, "anomaly_bad_action", "“放行（已做传统纸质登记）”只用于无智能手机且无证件号码的访客"
)


def faq6_required(anomaly_type: AnomalyType | None, *, has_phone: bool) -> set[str]:
    """The fields a registration of this type must hold (besides type and action)."""
    if anomaly_type is not AnomalyType.NO_PHONE_NO_ID:
        return set()
    return {NAME, NOTES} | (set() if has_phone else {NO_PHONE_REASON})


def anomaly_problems(
    anomaly_type: AnomalyType | None,
    action: AnomalyAction | None,
    *,
    has_name: bool,
    has_phone: bool,
    no_phone_reason: str,
    notes: str,
) -> list[AnomalyProblem]:
    problems: list[AnomalyProblem] = []
    if action is AnomalyAction.ADMIT_PAPER and anomaly_type is not AnomalyType.NO_PHONE_NO_ID:
        problems.append(PAPER_ADMIT_ONLY_FAQ6)
    required = faq6_required(anomaly_type, has_phone=has_phone)
    if NAME in required and not has_name:
        problems.append(NAME_MISSING)
    if NOTES in required and not notes.strip():
        problems.append(NOTES_MISSING)
    if NO_PHONE_REASON in required and not no_phone_reason.strip():
        problems.append(PHONE_OR_REASON)
    return problems
