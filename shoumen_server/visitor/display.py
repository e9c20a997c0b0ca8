"""What the visitor's result screen shows: the verdict and the four rows, in plain words, in
the page's language (the Chinese here is the message id of shoumen_server.english)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from shoumen_core.policy import (
    LEVEL_COLOURS,
    LEVEL_WORDS,
    CodeColour,
    HealthSnapshot,
    NatResult,
    Source,
    TravelStatus,
    Vaccination,
    VerdictLevel,
)
from shoumen_core.timeutil import LOCAL_TZ, as_utc
from shoumen_server.i18n import Language, translate

ICONS: dict[VerdictLevel, str] = {
    VerdictLevel.PASS: "✓",
    VerdictLevel.REVIEW: "!",
    VerdictLevel.DENY: "✕",
    VerdictLevel.CANNOT_VERIFY: "?",
}

HINTS: dict[VerdictLevel, str] = {
    VerdictLevel.PASS: "请向工作人员出示本页面后通行",
    VerdictLevel.REVIEW: "请向工作人员出示本页面，由工作人员人工核验",
    VerdictLevel.DENY: "请勿进入，听从工作人员安排",
    VerdictLevel.CANNOT_VERIFY: "请向工作人员出示健康码或身份证，由工作人员人工核验",
}

CODE_WORDS: dict[CodeColour, str] = {
    CodeColour.GREEN: "绿码",
    CodeColour.YELLOW: "黄码",
    CodeColour.RED: "红码",
    CodeColour.NONE: "未申领",
    CodeColour.UNKNOWN: "未知",
}

VACCINATION_WORDS: dict[Vaccination, str] = {
    Vaccination.NONE: "未接种",
    Vaccination.PARTIAL: "未完成全程接种",
    Vaccination.FULL: "已完成全程接种",
    Vaccination.BOOSTER: "已加强免疫",
    Vaccination.UNKNOWN: "暂无记录",
}

TRAVEL_WORDS: dict[TravelStatus, str] = {  # never the cities: only whether the card is normal
    TravelStatus.NORMAL: "正常",
    TravelStatus.ABNORMAL: "异常",
    TravelStatus.UNVERIFIED: "未核验",
}


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    state: str  # ok / review / fail / unknown: the finding's state under the venue's policy


@dataclass(frozen=True)
class VerdictView:
    level: str
    words: str
    colour: str
    icon: str
    hint: str


def verdict_view(level: VerdictLevel, language: Language) -> VerdictView:
    return VerdictView(
        level=level.value,
        words=translate(LEVEL_WORDS[level], language=language),
        colour=LEVEL_COLOURS[level],
        icon=ICONS[level],
        hint=translate(HINTS[level], language=language),
    )


def nat_words(snapshot: HealthSnapshot, at: datetime, language: Language) -> str:
    if snapshot.nat_result is NatResult.POSITIVE:
        return translate("阳性", language=language)
    if snapshot.nat_sampled_at is None and snapshot.nat_result is None:
        return translate("暂无记录", language=language)
    negative = snapshot.nat_result is NatResult.NEGATIVE
    if snapshot.nat_sampled_at is None:
        return translate("阴性" if negative else "结果待出", language=language)
    age = max(as_utc(at) - as_utc(snapshot.nat_sampled_at), timedelta(0))
    sampled = translate("采样 {hours} 小时前", {"hours": age // timedelta(hours=1)}, language=language)
    template = "阴性 · {sampled}" if negative else "结果待出 · {sampled}"
    return translate(template, {"sampled": sampled}, language=language)


def finding_states(findings_json: str) -> dict[str, str]:
    return {str(item["source"]): str(item["state"]) for item in json.loads(findings_json or "[]")}


def health_rows(
    snapshot: HealthSnapshot, findings_json: str, checked_at: datetime, language: Language
) -> list[Row]:
    """健康码, 疫苗接种, 核酸 (hours since sampling at the check), 行程卡."""
    states = finding_states(findings_json)

    def row(label: str, value: str, source: Source) -> Row:
        return Row(
            translate(label, language=language),
            translate(value, language=language),
            states.get(source.value, "unknown"),
        )

    return [
        row("健康码", CODE_WORDS[snapshot.code_colour], Source.HEALTH_CODE),
        row("疫苗接种", VACCINATION_WORDS[snapshot.vaccination], Source.VACCINATION),
        Row(
            translate("核酸检测", language=language),
            nat_words(snapshot, checked_at, language),
            states.get(Source.NAT.value, "unknown"),
        ),
        row("行程卡", TRAVEL_WORDS[snapshot.travel], Source.TRAVEL),
    ]


def local_time(moment: datetime) -> str:
    return as_utc(moment).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")
