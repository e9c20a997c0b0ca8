"""The verdict: a visitor's health snapshot judged against a venue's policy.

Pure and deterministic: the current time is always passed in, never read.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


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


class Finding(BaseModel):
    """One source's contribution to a verdict."""

    model_config = ConfigDict(frozen=True)

    source: Source
    state: FindingState
    reason: str  # stable code, e.g. "nat_too_old"
    message: str  # Chinese, for the guard


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


def evaluate(snapshot: HealthSnapshot, policy: VenuePolicy, now: datetime) -> Verdict:
    """Judge a snapshot against a policy at `now`. Implemented below (see helper brief)."""
    raise NotImplementedError
