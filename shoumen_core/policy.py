"""The verdict: a visitor's health snapshot judged against a venue's policy.

Pure and deterministic: the current time is always passed in, never read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class CodeColour(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NONE = "none"  # 未申领: no local health code (e.g. from another province)
    UNKNOWN = "unknown"


class Vaccination(StrEnum):
    NONE = "none"
    PARTIAL = "partial"
    FULL = "full"
    BOOSTER = "booster"
    UNKNOWN = "unknown"


class NatResult(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"
    PENDING = "pending"


class TravelStatus(StrEnum):
    NORMAL = "normal"
    ABNORMAL = "abnormal"
    UNVERIFIED = "unverified"


class VaccinationRequirement(StrEnum):
    NONE = "none"
    FULL = "full"
    BOOSTER = "booster"


class VerdictLevel(StrEnum):
    PASS = "pass"
    REVIEW = "review"
    DENY = "deny"
    CANNOT_VERIFY = "cannot_verify"


class Source(StrEnum):
    HEALTH_CODE = "health_code"
    VACCINATION = "vaccination"
    NAT = "nat"
    TRAVEL = "travel"
    TEMPERATURE = "temperature"


class FindingState(StrEnum):
    OK = "ok"
    REVIEW = "review"
    FAIL = "fail"
    UNKNOWN = "unknown"


class MaskingLevel(StrEnum):
    STANDARD = "standard"  # 张*, 330624********1234
    STRICT = "strict"  # 张*, 3306************34


NAT_WINDOWS_HOURS: tuple[int | None, ...] = (24, 48, 72, 168, None)


class HealthSnapshot(BaseModel):
    """What the health authority knows of a person at one moment, plus the door's temperature."""

    model_config = ConfigDict(frozen=True)

    code_colour: CodeColour = CodeColour.UNKNOWN
    vaccination: Vaccination = Vaccination.UNKNOWN
    nat_sampled_at: datetime | None = None
    nat_result: NatResult | None = None
    travel: TravelStatus = TravelStatus.UNVERIFIED
    temperature: float | None = None


class VenuePolicy(BaseModel):
    """A venue's entry rules, edited by its owner (defaults: DESIGN §2)."""

    model_config = ConfigDict(frozen=True)

    nat_window_hours: int | None = 48
    vaccination_required: VaccinationRequirement = VaccinationRequirement.NONE
    travel_card_required: bool = True
    fever_threshold: float = Field(default=37.3, ge=35.0, le=42.0)
    yellow_action: VerdictLevel = VerdictLevel.DENY
    missing_code_action: VerdictLevel = VerdictLevel.REVIEW
    auto_clear_seconds: int = Field(default=8, ge=2, le=120)
    masking: MaskingLevel = MaskingLevel.STANDARD


_ArgName = Annotated[str, StringConstraints(max_length=16)]
_ArgValue = Annotated[str, StringConstraints(max_length=32)]


class Finding(BaseModel):
    """One source's contribution to a verdict."""

    model_config = ConfigDict(frozen=True)

    source: Source
    state: FindingState
    reason: str  # stable code, e.g. "nat_too_old"
    message: str  # Chinese, for the guard (and for old records); the app renders reason + args
    # The values in `message` (hours, window, temperature, vaccination fact...), so a screen in
    # another language can say the same thing from `reason`, `state` and these (issue 17 §5).
    # Bounded: a device pushes its findings (the server stores only reason and message).
    args: dict[_ArgName, _ArgValue] = Field(default_factory=dict, max_length=8)


class Verdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    level: VerdictLevel
    findings: tuple[Finding, ...] = ()

    @property
    def colour(self) -> str:
        return LEVEL_COLOURS[self.level]

    @property
    def words(self) -> str:
        return LEVEL_WORDS[self.level]


LEVEL_COLOURS: dict[VerdictLevel, str] = {
    VerdictLevel.PASS: "#1e9e4a",
    VerdictLevel.REVIEW: "#e67e00",
    VerdictLevel.DENY: "#d0312d",
    VerdictLevel.CANNOT_VERIFY: "#7a7a7a",
}

LEVEL_WORDS: dict[VerdictLevel, str] = {
    VerdictLevel.PASS: "通行",
    VerdictLevel.REVIEW: "人工核验",
    VerdictLevel.DENY: "禁止通行",
    VerdictLevel.CANNOT_VERIFY: "无法核验",
}


# --- evaluation ---------------------------------------------------------------------------------
#
# Every source yields exactly one Finding. `reason` names the branch taken and is stable (stats and
# the anomaly form group by it); `state` is the judgement under this venue's policy, so one reason
# can carry different states at different venues (a yellow code, an abnormal travel card).

NAT_CLOCK_SLACK = timedelta(minutes=10)
"""How far in the future a NAT sampling time may lie before it is a data error (clocks drift)."""

TEMPERATURE_PLAUSIBLE_MIN = 35.0
TEMPERATURE_PLAUSIBLE_MAX = 43.0

_ONE_HOUR = timedelta(hours=1)
_MICROSECONDS_PER_HOUR = 3_600_000_000

# An owner's chosen action (a verdict level) turned into the state of the one finding it governs,
# so that the level rule below gives back exactly that action when nothing else is wrong.
_ACTION_STATES: dict[VerdictLevel, FindingState] = {
    VerdictLevel.PASS: FindingState.OK,
    VerdictLevel.REVIEW: FindingState.REVIEW,
    VerdictLevel.DENY: FindingState.FAIL,
    VerdictLevel.CANNOT_VERIFY: FindingState.UNKNOWN,
}

_YELLOW_MESSAGES: dict[FindingState, str] = {
    FindingState.OK: "黄码（本场所允许通行）",
    FindingState.REVIEW: "黄码，请人工核验",
    FindingState.FAIL: "黄码",
    FindingState.UNKNOWN: "黄码，本场所按无法核验处理",
}

_MISSING_CODE_MESSAGES: dict[FindingState, str] = {
    FindingState.OK: "未申领本地健康码（本场所允许通行）",
    FindingState.REVIEW: "未申领本地健康码，请人工核验外省健康码和行程卡",
    FindingState.FAIL: "未申领本地健康码",
    FindingState.UNKNOWN: "未申领本地健康码，无法核验",
}

_VACCINATION_RANK: dict[Vaccination, int] = {
    Vaccination.NONE: 0,
    Vaccination.PARTIAL: 1,
    Vaccination.FULL: 2,
    Vaccination.BOOSTER: 3,
}
_REQUIREMENT_RANK: dict[VaccinationRequirement, int] = {
    VaccinationRequirement.NONE: 0,
    VaccinationRequirement.FULL: 2,
    VaccinationRequirement.BOOSTER: 3,
}
_VACCINATION_FACTS: dict[Vaccination, str] = {
    Vaccination.NONE: "未接种",
    Vaccination.PARTIAL: "未完成全程接种",
    Vaccination.FULL: "已完成全程接种",
    Vaccination.BOOSTER: "已加强免疫",
    Vaccination.UNKNOWN: "接种信息未知",
}
_REQUIREMENT_WORDS: dict[VaccinationRequirement, str] = {
    VaccinationRequirement.FULL: "全程接种",
    VaccinationRequirement.BOOSTER: "加强免疫",
}

_NOT_REQUIRED = "（本场所不要求）"


def cannot_verify(reason: str, message: str, source: Source = Source.HEALTH_CODE) -> Verdict:
    """A grey verdict for when there is nothing to evaluate (stale trust list, offline ID entry)."""
    finding = Finding(source=source, state=FindingState.UNKNOWN, reason=reason, message=message)
    return Verdict(level=VerdictLevel.CANNOT_VERIFY, findings=(finding,))


def evaluate(snapshot: HealthSnapshot, policy: VenuePolicy, now: datetime) -> Verdict:
    """Judge a snapshot against a policy at `now`.

    Findings come in a fixed order: health code, vaccination, NAT, travel, then temperature when
    one was measured. Naive datetimes are taken as UTC. Missing or stale data that the guard can
    resolve at the gate (no NAT, NAT too old, result pending) is REVIEW, not DENY.
    """
    findings = [
        _health_code_finding(snapshot.code_colour, policy),
        _vaccination_finding(snapshot.vaccination, policy.vaccination_required),
        _nat_finding(snapshot.nat_sampled_at, snapshot.nat_result, policy.nat_window_hours, now),
        _travel_finding(snapshot.travel, policy.travel_card_required),
    ]
    if snapshot.temperature is not None:
        findings.append(_temperature_finding(snapshot.temperature, policy.fever_threshold))
    return Verdict(level=_level(findings), findings=tuple(findings))


def _level(findings: list[Finding]) -> VerdictLevel:
    states = {finding.state for finding in findings}
    if FindingState.FAIL in states:
        return VerdictLevel.DENY
    if findings[0].state is FindingState.UNKNOWN:  # the health code decides whether we can judge at all
        return VerdictLevel.CANNOT_VERIFY
    if FindingState.REVIEW in states or FindingState.UNKNOWN in states:
        return VerdictLevel.REVIEW
    return VerdictLevel.PASS


def _finding(source: Source, state: FindingState, reason: str, message: str, **args: str) -> Finding:
    return Finding(source=source, state=state, reason=reason, message=message, args=args)


def _health_code_finding(colour: CodeColour, policy: VenuePolicy) -> Finding:
    source = Source.HEALTH_CODE
    if colour is CodeColour.GREEN:
        return _finding(source, FindingState.OK, "code_green", "绿码")
    if colour is CodeColour.RED:
        return _finding(source, FindingState.FAIL, "code_red", "红码，请劝返并报告社区")
    if colour is CodeColour.YELLOW:
        state = _ACTION_STATES[policy.yellow_action]
        return _finding(source, state, "code_yellow", _YELLOW_MESSAGES[state])
    if colour is CodeColour.NONE:
        state = _ACTION_STATES[policy.missing_code_action]
        return _finding(source, state, "code_missing", _MISSING_CODE_MESSAGES[state])
    return _finding(source, FindingState.UNKNOWN, "code_unknown", "健康码状态未知，无法核验")


def _vaccination_finding(vaccination: Vaccination, required: VaccinationRequirement) -> Finding:
    source = Source.VACCINATION
    fact = _VACCINATION_FACTS[vaccination]
    if required is VaccinationRequirement.NONE:
        meets_full = _VACCINATION_RANK.get(vaccination, 0) >= _VACCINATION_RANK[Vaccination.FULL]
        message = fact if meets_full else fact + _NOT_REQUIRED
        return _finding(
            source,
            FindingState.OK,
            "vaccination_not_required",
            message,
            vaccination=vaccination.value,
            not_required="" if meets_full else "1",
        )
    wanted = f"场所要求{_REQUIREMENT_WORDS[required]}"
    given = {"vaccination": vaccination.value, "required": required.value}
    if vaccination is Vaccination.UNKNOWN:
        return _finding(source, FindingState.UNKNOWN, "vaccination_unknown", f"{fact}，{wanted}", **given)
    if _VACCINATION_RANK[vaccination] >= _REQUIREMENT_RANK[required]:
        return _finding(source, FindingState.OK, "vaccination_met", fact, **given)
    return _finding(source, FindingState.REVIEW, "vaccination_insufficient", f"{fact}，{wanted}", **given)


def _nat_finding(
    sampled_at: datetime | None, result: NatResult | None, window_hours: int | None, now: datetime
) -> Finding:
    source = Source.NAT
    required = window_hours is not None
    # A missing, pending or stale test is something the guard can act on (send the visitor to
    # test, check a paper report), so it asks for review instead of refusing entry.
    lacking = FindingState.REVIEW if required else FindingState.OK
    suffix = "" if required else _NOT_REQUIRED
    flag = {"not_required": "" if required else "1"}
    if result is NatResult.POSITIVE:
        return _finding(source, FindingState.FAIL, "nat_positive", "核酸阳性")
    if sampled_at is None and result is None:
        return _finding(source, lacking, "nat_none", "无核酸记录" + suffix, **flag)
    age: timedelta | None = None
    if sampled_at is not None:
        age = _elapsed(sampled_at, now)
        if age < -NAT_CLOCK_SLACK:
            return _finding(source, FindingState.UNKNOWN, "nat_in_future", "核酸采样时间晚于当前时间")
        age = max(age, timedelta(0))
    if result is not NatResult.NEGATIVE:  # pending, or sampled with no result yet
        hours_ago = "" if age is None else str(age // _ONE_HOUR)
        when = f"，采样 {hours_ago} 小时前" if hours_ago else ""
        return _finding(
            source, lacking, "nat_pending", "核酸结果待出" + when + suffix, hours=hours_ago, **flag
        )
    if age is None:
        return _finding(source, lacking, "nat_time_missing", "核酸阴性，但缺少采样时间" + suffix, **flag)
    hours = age // _ONE_HOUR
    if window_hours is None or _within_hours(age, window_hours):
        message = f"核酸阴性，采样 {hours} 小时前{suffix}"
        return _finding(source, FindingState.OK, "nat_negative", message, hours=str(hours), **flag)
    # Floor display would read "48 小时前，超过 48 小时" just past the boundary; say it plainly.
    message = (
        f"核酸 {hours} 小时前，超过 {window_hours} 小时"
        if hours > window_hours
        else f"核酸采样超过 {window_hours} 小时"
    )
    return _finding(
        source, FindingState.REVIEW, "nat_too_old", message, hours=str(hours), window=str(window_hours)
    )


def _elapsed(start: datetime, end: datetime) -> timedelta:
    """Exact `end - start`; naive means UTC.

    Works on the wall-clock parts and the offsets separately: converting to UTC can overflow near
    datetime.min/max, and subtracting two datetimes that share a tzinfo ignores DST changes.
    """
    wall = end.replace(tzinfo=None) - start.replace(tzinfo=None)
    return wall - (_utc_offset(end) - _utc_offset(start))


def _utc_offset(moment: datetime) -> timedelta:
    offset = moment.utcoffset()
    return offset if offset is not None else timedelta(0)


def _within_hours(age: timedelta, hours: int) -> bool:
    # Integer microseconds: exact, and no timedelta(hours=...) overflow for absurd policy values.
    return age // timedelta(microseconds=1) <= hours * _MICROSECONDS_PER_HOUR


def _travel_finding(travel: TravelStatus, required: bool) -> Finding:
    source = Source.TRAVEL
    if travel is TravelStatus.NORMAL:
        return _finding(source, FindingState.OK, "travel_normal", "行程卡正常")
    if travel is TravelStatus.ABNORMAL:
        if required:
            return _finding(source, FindingState.REVIEW, "travel_abnormal", "行程卡异常，请人工核验")
        return _finding(source, FindingState.OK, "travel_abnormal", "行程卡异常（本场所不要求查验）")
    if required:
        return _finding(source, FindingState.REVIEW, "travel_unverified", "行程卡未核验，请人工核验")
    return _finding(source, FindingState.OK, "travel_unverified", "行程卡未核验（本场所不要求查验）")


def _temperature_finding(celsius: float, fever_threshold: float) -> Finding:
    source = Source.TEMPERATURE
    # NaN fails every comparison, so NaN and ±inf land here too.
    if not TEMPERATURE_PLAUSIBLE_MIN <= celsius <= TEMPERATURE_PLAUSIBLE_MAX:
        return _finding(source, FindingState.UNKNOWN, "temperature_implausible", "体温读数异常，请复测")
    shown = _celsius(celsius)
    if celsius >= fever_threshold:
        verb = "超过" if celsius > fever_threshold else "达到"
        message = f"体温 {shown} °C，{verb} {_celsius(fever_threshold)} °C"
        given = {
            "celsius": shown,
            "threshold": _celsius(fever_threshold),
            "above": "1" if verb == "超过" else "",
        }
        return _finding(source, FindingState.FAIL, "temperature_fever", message, **given)
    return _finding(source, FindingState.OK, "temperature_normal", f"体温 {shown} °C", celsius=shown)


def _celsius(value: float) -> str:
    """37.5 -> "37.5", 36.0 -> "36.0", 37.25 -> "37.25": one decimal unless the reading has two."""
    text = f"{value:.2f}"
    return text[:-1] if text.endswith("0") else text
