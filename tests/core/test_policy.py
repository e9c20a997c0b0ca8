"""shoumen_core.policy: the verdict for one visitor under one venue's policy."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shoumen_core.policy import (
    CodeColour,
    Finding,
    FindingState,
    HealthSnapshot,
    MaskingLevel,
    NatResult,
    Source,
    TravelStatus,
    Vaccination,
    VaccinationRequirement,
    VenuePolicy,
    Verdict,
    VerdictLevel,
    cannot_verify,
    evaluate,
)

NOW = datetime(2022, 3, 1, 12, 0, tzinfo=UTC)
OK, REVIEW, FAIL, UNKNOWN = FindingState.OK, FindingState.REVIEW, FindingState.FAIL, FindingState.UNKNOWN
SOURCE_ORDER = (Source.HEALTH_CODE, Source.VACCINATION, Source.NAT, Source.TRAVEL)


def clean_snapshot(**changes: Any) -> HealthSnapshot:
    """A visitor who passes the strictest policy; tests change one field at a time."""
    fields: dict[str, Any] = {
        "code_colour": CodeColour.GREEN,
        "vaccination": Vaccination.BOOSTER,
        "nat_sampled_at": NOW - timedelta(hours=2),
        "nat_result": NatResult.NEGATIVE,
        "travel": TravelStatus.NORMAL,
        "temperature": None,
    }
    fields.update(changes)
    return HealthSnapshot(**fields)


def finding_for(verdict: Verdict, source: Source) -> Finding:
    (found,) = [f for f in verdict.findings if f.source is source]
    return found


def check(verdict: Verdict, source: Source, state: FindingState, reason: str, message: str) -> None:
    found = finding_for(verdict, source)
    assert (found.state, found.reason, found.message) == (state, reason, message)


# --- health code --------------------------------------------------------------------------------

HEALTH_CODE_CASES = [
    # colour, policy changes, state, reason, message, level
    (CodeColour.GREEN, {}, OK, "code_green", "绿码", VerdictLevel.PASS),
    (CodeColour.RED, {}, FAIL, "code_red", "红码，请劝返并报告社区", VerdictLevel.DENY),
    (
        CodeColour.RED,
        {"yellow_action": VerdictLevel.PASS},
        FAIL,
        "code_red",
        "红码，请劝返并报告社区",
        VerdictLevel.DENY,
    ),
    (CodeColour.UNKNOWN, {}, UNKNOWN, "code_unknown", "健康码状态未知，无法核验", VerdictLevel.CANNOT_VERIFY),
    (CodeColour.YELLOW, {}, FAIL, "code_yellow", "黄码", VerdictLevel.DENY),
    (CodeColour.YELLOW, {"yellow_action": VerdictLevel.DENY}, FAIL, "code_yellow", "黄码", VerdictLevel.DENY),
    (
        CodeColour.YELLOW,
        {"yellow_action": VerdictLevel.REVIEW},
        REVIEW,
        "code_yellow",
        "黄码，请人工核验",
        VerdictLevel.REVIEW,
    ),
    (
        CodeColour.YELLOW,
        {"yellow_action": VerdictLevel.PASS},
        OK,
        "code_yellow",
        "黄码（本场所允许通行）",
        VerdictLevel.PASS,
    ),
    (
        CodeColour.YELLOW,
        {"yellow_action": VerdictLevel.CANNOT_VERIFY},
        UNKNOWN,
        "code_yellow",
        "黄码，本场所按无法核验处理",
        VerdictLevel.CANNOT_VERIFY,
    ),
    (
        CodeColour.NONE,
        {},
        REVIEW,
        "code_missing",
        "未申领本地健康码，请人工核验外省健康码和行程卡",
        VerdictLevel.REVIEW,
    ),
    (
        CodeColour.NONE,
        {"missing_code_action": VerdictLevel.DENY},
        FAIL,
        "code_missing",
        "未申领本地健康码",
        VerdictLevel.DENY,
    ),
    (
        CodeColour.NONE,
        {"missing_code_action": VerdictLevel.PASS},
        OK,
        "code_missing",
        "未申领本地健康码（本场所允许通行）",
        VerdictLevel.PASS,
    ),
    (
        CodeColour.NONE,
        {"missing_code_action": VerdictLevel.CANNOT_VERIFY},
        UNKNOWN,
        "code_missing",
        "未申领本地健康码，无法核验",
        VerdictLevel.CANNOT_VERIFY,
    ),
]


@pytest.mark.parametrize(
    ("colour", "policy_changes", "state", "reason", "message", "level"), HEALTH_CODE_CASES
)
def test_health_code(
    colour: CodeColour,
    policy_changes: dict[str, Any],
    state: FindingState,
    reason: str,
    message: str,
    level: VerdictLevel,
) -> None:
    verdict = evaluate(clean_snapshot(code_colour=colour), VenuePolicy(**policy_changes), NOW)
    check(verdict, Source.HEALTH_CODE, state, reason, message)
    assert verdict.level is level


@pytest.mark.parametrize("action", list(VerdictLevel))
@pytest.mark.parametrize(
    ("colour", "field"), [(CodeColour.YELLOW, "yellow_action"), (CodeColour.NONE, "missing_code_action")]
)
def test_owner_action_is_the_verdict_when_nothing_else_is_wrong(
    colour: CodeColour, field: str, action: VerdictLevel
) -> None:
    verdict = evaluate(clean_snapshot(code_colour=colour), VenuePolicy.model_validate({field: action}), NOW)
    assert verdict.level is action


# --- vaccination --------------------------------------------------------------------------------

V, R = Vaccination, VaccinationRequirement
VACCINATION_CASES = [
    # vaccination, requirement, state, reason, message
    (V.NONE, R.NONE, OK, "vaccination_not_required", "未接种（本场所不要求）"),
    (V.PARTIAL, R.NONE, OK, "vaccination_not_required", "未完成全程接种（本场所不要求）"),
    (V.FULL, R.NONE, OK, "vaccination_not_required", "已完成全程接种"),
    (V.BOOSTER, R.NONE, OK, "vaccination_not_required", "已加强免疫"),
    (V.UNKNOWN, R.NONE, OK, "vaccination_not_required", "接种信息未知（本场所不要求）"),
    (V.NONE, R.FULL, REVIEW, "vaccination_insufficient", "未接种，场所要求全程接种"),
    (V.PARTIAL, R.FULL, REVIEW, "vaccination_insufficient", "未完成全程接种，场所要求全程接种"),
    (V.FULL, R.FULL, OK, "vaccination_met", "已完成全程接种"),
    (V.BOOSTER, R.FULL, OK, "vaccination_met", "已加强免疫"),
    (V.UNKNOWN, R.FULL, UNKNOWN, "vaccination_unknown", "接种信息未知，场所要求全程接种"),
    (V.NONE, R.BOOSTER, REVIEW, "vaccination_insufficient", "未接种，场所要求加强免疫"),
    (V.PARTIAL, R.BOOSTER, REVIEW, "vaccination_insufficient", "未完成全程接种，场所要求加强免疫"),
    (V.FULL, R.BOOSTER, REVIEW, "vaccination_insufficient", "已完成全程接种，场所要求加强免疫"),
    (V.BOOSTER, R.BOOSTER, OK, "vaccination_met", "已加强免疫"),
    (V.UNKNOWN, R.BOOSTER, UNKNOWN, "vaccination_unknown", "接种信息未知，场所要求加强免疫"),
]


@pytest.mark.parametrize(("vaccination", "required", "state", "reason", "message"), VACCINATION_CASES)
def test_vaccination(
    vaccination: Vaccination, required: VaccinationRequirement, state: FindingState, reason: str, message: str
) -> None:
    verdict = evaluate(
        clean_snapshot(vaccination=vaccination), VenuePolicy(vaccination_required=required), NOW
    )
    check(verdict, Source.VACCINATION, state, reason, message)
    assert verdict.level is (VerdictLevel.PASS if state is OK else VerdictLevel.REVIEW)


def test_vaccination_table_covers_every_pair() -> None:
    assert {(v, r) for v, r, *_ in VACCINATION_CASES} == {
        (v, r) for v in Vaccination for r in VaccinationRequirement
    }


# --- nucleic-acid test --------------------------------------------------------------------------

H = timedelta(hours=1)
NEG, POS, PEND = NatResult.NEGATIVE, NatResult.POSITIVE, NatResult.PENDING
NAT_CASES = [
    # sampled this long before NOW (None: no time), result, window, state, reason, message
    (20 * H, NEG, 48, OK, "nat_negative", "核酸阴性，采样 20 小时前"),
    (20 * H + timedelta(minutes=59, seconds=59), NEG, 48, OK, "nat_negative", "核酸阴性，采样 20 小时前"),
    (50 * H, NEG, 48, REVIEW, "nat_too_old", "核酸 50 小时前，超过 48 小时"),
    (50 * H + timedelta(minutes=30), NEG, 48, REVIEW, "nat_too_old", "核酸 50 小时前，超过 48 小时"),
    (48 * H + timedelta(minutes=30), NEG, 48, REVIEW, "nat_too_old", "核酸采样超过 48 小时"),
    (500 * H, NEG, None, OK, "nat_negative", "核酸阴性，采样 500 小时前（本场所不要求）"),
    (None, None, 48, REVIEW, "nat_none", "无核酸记录"),
    (None, None, None, OK, "nat_none", "无核酸记录（本场所不要求）"),
    (3 * H, PEND, 48, REVIEW, "nat_pending", "核酸结果待出，采样 3 小时前"),
    (3 * H, PEND, None, OK, "nat_pending", "核酸结果待出，采样 3 小时前（本场所不要求）"),
    (3 * H, None, 24, REVIEW, "nat_pending", "核酸结果待出，采样 3 小时前"),
    (None, PEND, 72, REVIEW, "nat_pending", "核酸结果待出"),
    (None, NEG, 48, REVIEW, "nat_time_missing", "核酸阴性，但缺少采样时间"),
    (None, NEG, None, OK, "nat_time_missing", "核酸阴性，但缺少采样时间（本场所不要求）"),
    (3 * H, POS, 48, FAIL, "nat_positive", "核酸阳性"),
    (3 * H, POS, None, FAIL, "nat_positive", "核酸阳性"),
    (900 * H, POS, 24, FAIL, "nat_positive", "核酸阳性"),
    (None, POS, 48, FAIL, "nat_positive", "核酸阳性"),
    (-2 * H, POS, 48, FAIL, "nat_positive", "核酸阳性"),
    (-2 * H, NEG, 48, UNKNOWN, "nat_in_future", "核酸采样时间晚于当前时间"),
    (-2 * H, NEG, None, UNKNOWN, "nat_in_future", "核酸采样时间晚于当前时间"),
    (-2 * H, PEND, 48, UNKNOWN, "nat_in_future", "核酸采样时间晚于当前时间"),
]


@pytest.mark.parametrize(("age", "result", "window", "state", "reason", "message"), NAT_CASES)
def test_nat(
    age: timedelta | None,
    result: NatResult | None,
    window: int | None,
    state: FindingState,
    reason: str,
    message: str,
) -> None:
    sampled = None if age is None else NOW - age
    snapshot = clean_snapshot(nat_sampled_at=sampled, nat_result=result)
    verdict = evaluate(snapshot, VenuePolicy(nat_window_hours=window), NOW)
    check(verdict, Source.NAT, state, reason, message)
    expected_level = {OK: VerdictLevel.PASS, REVIEW: VerdictLevel.REVIEW, UNKNOWN: VerdictLevel.REVIEW}
    assert verdict.level is expected_level.get(state, VerdictLevel.DENY)


@pytest.mark.parametrize("window", [24, 48, 72, 168])
@pytest.mark.parametrize(
    ("beyond", "state"),
    [
        (timedelta(0), OK),
        (-timedelta(seconds=1), OK),
        (timedelta(microseconds=1), REVIEW),
        (timedelta(seconds=1), REVIEW),
    ],
)
def test_nat_window_boundary_is_exact(window: int, beyond: timedelta, state: FindingState) -> None:
    snapshot = clean_snapshot(nat_sampled_at=NOW - timedelta(hours=window) - beyond)
    assert (
        finding_for(evaluate(snapshot, VenuePolicy(nat_window_hours=window), NOW), Source.NAT).state is state
    )


@pytest.mark.parametrize(
    ("ahead", "state", "reason"),
    [
        (timedelta(minutes=10), OK, "nat_negative"),
        (timedelta(minutes=10, seconds=1), UNKNOWN, "nat_in_future"),
        (timedelta(seconds=30), OK, "nat_negative"),
    ],
)
def test_nat_sampled_slightly_ahead_is_clock_slack(
    ahead: timedelta, state: FindingState, reason: str
) -> None:
    finding = finding_for(
        evaluate(clean_snapshot(nat_sampled_at=NOW + ahead), VenuePolicy(), NOW), Source.NAT
    )
    assert (finding.state, finding.reason) == (state, reason)
    if state is OK:
        assert finding.message == "核酸阴性，采样 0 小时前"


BEIJING = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("sampled", "now", "message"),
    [
        # naive on either side means UTC
        (datetime(2022, 3, 1, 2, 0), datetime(2022, 3, 1, 22, 0, tzinfo=UTC), "核酸阴性，采样 20 小时前"),
        (
            datetime(2022, 3, 1, 10, 0, tzinfo=BEIJING),
            datetime(2022, 3, 1, 22, 0),
            "核酸阴性，采样 20 小时前",
        ),
        (datetime(2022, 3, 1, 2, 0), datetime(2022, 3, 1, 22, 0), "核酸阴性，采样 20 小时前"),
        (
            datetime(2022, 3, 1, 10, 0, tzinfo=BEIJING),
            datetime(2022, 3, 1, 22, 0, tzinfo=UTC),
            "核酸阴性，采样 20 小时前",
        ),
        # the same zone across a DST change: the wall clock says 48 h, the real age is 49 h
        (
            datetime(2022, 10, 29, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")),
            datetime(2022, 10, 31, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")),
            "核酸 49 小时前，超过 48 小时",
        ),
        # and the other way: 48 h on the wall clock is 47 h, inside the window
        (
            datetime(2022, 3, 26, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")),
            datetime(2022, 3, 28, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")),
            "核酸阴性，采样 47 小时前",
        ),
    ],
)
def test_nat_age_across_naive_and_aware_datetimes(sampled: datetime, now: datetime, message: str) -> None:
    verdict = evaluate(clean_snapshot(nat_sampled_at=sampled), VenuePolicy(nat_window_hours=48), now)
    assert finding_for(verdict, Source.NAT).message == message


def test_nat_at_the_ends_of_the_calendar_does_not_overflow() -> None:
    earliest = datetime.min.replace(tzinfo=timezone(timedelta(hours=14)))
    latest = datetime.max.replace(tzinfo=timezone(timedelta(hours=-14)))
    old = evaluate(clean_snapshot(nat_sampled_at=earliest), VenuePolicy(), latest)
    assert finding_for(old, Source.NAT).reason == "nat_too_old"
    future = evaluate(clean_snapshot(nat_sampled_at=latest), VenuePolicy(), earliest)
    assert finding_for(future, Source.NAT).reason == "nat_in_future"


def test_nat_with_an_absurd_window_does_not_overflow() -> None:
    snapshot = clean_snapshot(nat_sampled_at=datetime(1, 1, 1))
    huge = evaluate(snapshot, VenuePolicy(nat_window_hours=10**30), datetime(9999, 1, 1))
    assert finding_for(huge, Source.NAT).state is OK
    negative = evaluate(clean_snapshot(), VenuePolicy(nat_window_hours=-1), NOW)
    assert finding_for(negative, Source.NAT).reason == "nat_too_old"


# --- travel card --------------------------------------------------------------------------------

TRAVEL_CASES = [
    (TravelStatus.NORMAL, True, OK, "travel_normal", "行程卡正常"),
    (TravelStatus.NORMAL, False, OK, "travel_normal", "行程卡正常"),
    (TravelStatus.ABNORMAL, True, REVIEW, "travel_abnormal", "行程卡异常，请人工核验"),
    (TravelStatus.ABNORMAL, False, OK, "travel_abnormal", "行程卡异常（本场所不要求查验）"),
    (TravelStatus.UNVERIFIED, True, REVIEW, "travel_unverified", "行程卡未核验，请人工核验"),
    (TravelStatus.UNVERIFIED, False, OK, "travel_unverified", "行程卡未核验（本场所不要求查验）"),
]


@pytest.mark.parametrize(("travel", "required", "state", "reason", "message"), TRAVEL_CASES)
def test_travel(travel: TravelStatus, required: bool, state: FindingState, reason: str, message: str) -> None:
    verdict = evaluate(clean_snapshot(travel=travel), VenuePolicy(travel_card_required=required), NOW)
    check(verdict, Source.TRAVEL, state, reason, message)
    assert verdict.level is (VerdictLevel.PASS if state is OK else VerdictLevel.REVIEW)


# --- temperature --------------------------------------------------------------------------------

TEMPERATURE_CASES = [
    # reading, threshold, state, reason, message
    (36.5, 37.3, OK, "temperature_normal", "体温 36.5 °C"),
    (36.0, 37.3, OK, "temperature_normal", "体温 36.0 °C"),
    (37.29, 37.3, OK, "temperature_normal", "体温 37.29 °C"),
    (37.3, 37.3, FAIL, "temperature_fever", "体温 37.3 °C，达到 37.3 °C"),
    (37.5, 37.3, FAIL, "temperature_fever", "体温 37.5 °C，超过 37.3 °C"),
    (37.5, 38.0, OK, "temperature_normal", "体温 37.5 °C"),
    (38.0, 38.0, FAIL, "temperature_fever", "体温 38.0 °C，达到 38.0 °C"),
    (35.0, 37.3, OK, "temperature_normal", "体温 35.0 °C"),
    (35.0, 35.0, FAIL, "temperature_fever", "体温 35.0 °C，达到 35.0 °C"),
    (43.0, 37.3, FAIL, "temperature_fever", "体温 43.0 °C，超过 37.3 °C"),
    (34.99, 37.3, UNKNOWN, "temperature_implausible", "体温读数异常，请复测"),
    (43.01, 37.3, UNKNOWN, "temperature_implausible", "体温读数异常，请复测"),
    (0.0, 37.3, UNKNOWN, "temperature_implausible", "体温读数异常，请复测"),
    (math.nan, 37.3, UNKNOWN, "temperature_implausible", "体温读数异常，请复测"),
    (math.inf, 37.3, UNKNOWN, "temperature_implausible", "体温读数异常，请复测"),
    (-math.inf, 37.3, UNKNOWN, "temperature_implausible", "体温读数异常，请复测"),
]


@pytest.mark.parametrize(("reading", "threshold", "state", "reason", "message"), TEMPERATURE_CASES)
def test_temperature(
    reading: float, threshold: float, state: FindingState, reason: str, message: str
) -> None:
    verdict = evaluate(clean_snapshot(temperature=reading), VenuePolicy(fever_threshold=threshold), NOW)
    check(verdict, Source.TEMPERATURE, state, reason, message)
    expected = {OK: VerdictLevel.PASS, FAIL: VerdictLevel.DENY, UNKNOWN: VerdictLevel.REVIEW}[state]
    assert verdict.level is expected


def test_no_temperature_finding_without_a_reading() -> None:
    verdict = evaluate(clean_snapshot(temperature=None), VenuePolicy(), NOW)
    assert tuple(f.source for f in verdict.findings) == SOURCE_ORDER


# --- combining findings -------------------------------------------------------------------------

LEVEL_CASES = [
    # snapshot changes, expected level
    ({}, VerdictLevel.PASS),
    ({"temperature": 36.6}, VerdictLevel.PASS),
    ({"code_colour": CodeColour.UNKNOWN, "nat_result": NatResult.POSITIVE}, VerdictLevel.DENY),
    ({"code_colour": CodeColour.UNKNOWN, "temperature": 38.5}, VerdictLevel.DENY),
    ({"code_colour": CodeColour.UNKNOWN, "travel": TravelStatus.ABNORMAL}, VerdictLevel.CANNOT_VERIFY),
    ({"code_colour": CodeColour.NONE, "nat_result": NatResult.POSITIVE}, VerdictLevel.DENY),
    ({"travel": TravelStatus.ABNORMAL, "temperature": 50.0}, VerdictLevel.REVIEW),
    ({"nat_sampled_at": NOW + timedelta(days=1)}, VerdictLevel.REVIEW),
    ({"code_colour": CodeColour.RED, "nat_sampled_at": None, "nat_result": None}, VerdictLevel.DENY),
    ({"vaccination": Vaccination.UNKNOWN, "travel": TravelStatus.UNVERIFIED}, VerdictLevel.REVIEW),
]


@pytest.mark.parametrize(("changes", "level"), LEVEL_CASES)
def test_level_combines_findings(changes: dict[str, Any], level: VerdictLevel) -> None:
    policy = VenuePolicy(vaccination_required=VaccinationRequirement.FULL)
    assert evaluate(clean_snapshot(**changes), policy, NOW).level is level


def test_cannot_verify_helper() -> None:
    verdict = cannot_verify("trust_list_expired", "信任列表已过期，无法离线核验")
    assert verdict.level is VerdictLevel.CANNOT_VERIFY
    assert verdict.findings == (
        Finding(
            source=Source.HEALTH_CODE,
            state=UNKNOWN,
            reason="trust_list_expired",
            message="信任列表已过期，无法离线核验",
        ),
    )
    assert cannot_verify("x", "y", Source.NAT).findings[0].source is Source.NAT


@pytest.mark.parametrize(
    ("level", "colour", "words"),
    [
        (VerdictLevel.PASS, "#1e9e4a", "通行"),
        (VerdictLevel.REVIEW, "#e67e00", "人工核验"),
        (VerdictLevel.DENY, "#d0312d", "禁止通行"),
        (VerdictLevel.CANNOT_VERIFY, "#7a7a7a", "无法核验"),
    ],
)
def test_verdict_colour_and_words(level: VerdictLevel, colour: str, words: str) -> None:
    verdict = Verdict(level=level)
    assert (verdict.colour, verdict.words) == (colour, words)


@pytest.mark.parametrize(
    "model",
    [
        clean_snapshot(temperature=37.25),
        clean_snapshot(
            nat_sampled_at=datetime(2022, 3, 1, 10, 0), nat_result=None, code_colour=CodeColour.NONE
        ),
        clean_snapshot(nat_sampled_at=datetime(2022, 3, 1, 10, 0, tzinfo=BEIJING)),
        VenuePolicy(),
        VenuePolicy(
            nat_window_hours=None,
            vaccination_required=VaccinationRequirement.BOOSTER,
            travel_card_required=False,
            fever_threshold=37.0,
            yellow_action=VerdictLevel.REVIEW,
            missing_code_action=VerdictLevel.CANNOT_VERIFY,
            auto_clear_seconds=30,
            masking=MaskingLevel.STRICT,
        ),
        evaluate(clean_snapshot(temperature=38.0, travel=TravelStatus.ABNORMAL), VenuePolicy(), NOW),
        cannot_verify("offline_document", "离线，无法核验证件"),
    ],
)
def test_models_round_trip_through_json(model: HealthSnapshot | VenuePolicy | Verdict) -> None:
    again = type(model).model_validate_json(model.model_dump_json())
    assert again == model
    if isinstance(model, HealthSnapshot) and model.nat_sampled_at is not None:
        assert isinstance(again, HealthSnapshot)
        assert again.nat_sampled_at is not None
        assert again.nat_sampled_at.utcoffset() == model.nat_sampled_at.utcoffset()


# --- properties ---------------------------------------------------------------------------------

fixed_offsets = st.builds(
    timezone,
    st.timedeltas(min_value=-timedelta(hours=23, minutes=59), max_value=timedelta(hours=23, minutes=59)),
)
any_datetimes = st.one_of(
    st.datetimes(),
    st.datetimes(timezones=st.timezones()),
    st.datetimes(timezones=fixed_offsets),
)
snapshots = st.builds(
    HealthSnapshot,
    code_colour=st.sampled_from(CodeColour),
    vaccination=st.sampled_from(Vaccination),
    nat_sampled_at=st.none() | any_datetimes,
    nat_result=st.none() | st.sampled_from(NatResult),
    travel=st.sampled_from(TravelStatus),
    temperature=st.none() | st.floats() | st.floats(min_value=34.0, max_value=44.0),
)
policies = st.builds(
    VenuePolicy,
    nat_window_hours=st.none() | st.sampled_from([24, 48, 72, 168]) | st.integers(),
    vaccination_required=st.sampled_from(VaccinationRequirement),
    travel_card_required=st.booleans(),
    fever_threshold=st.floats(min_value=35.0, max_value=42.0),
    yellow_action=st.sampled_from(VerdictLevel),
    missing_code_action=st.sampled_from(VerdictLevel),
)
REASON = re.compile(r"^[a-z]+(_[a-z]+)+$")


@given(snapshots, policies, any_datetimes)
def test_evaluate_never_raises_and_gives_one_finding_per_source_in_order(
    snapshot: HealthSnapshot, policy: VenuePolicy, now: datetime
) -> None:
    verdict = evaluate(snapshot, policy, now)
    expected = SOURCE_ORDER if snapshot.temperature is None else (*SOURCE_ORDER, Source.TEMPERATURE)
    assert tuple(f.source for f in verdict.findings) == expected
    for finding in verdict.findings:
        assert REASON.match(finding.reason), finding.reason
        assert finding.message
        assert finding.reason.startswith(
            {Source.HEALTH_CODE: "code_"}.get(finding.source, finding.source.value.split("_")[0])
        )


@given(snapshots, policies, any_datetimes)
def test_evaluate_is_deterministic(snapshot: HealthSnapshot, policy: VenuePolicy, now: datetime) -> None:
    assert evaluate(snapshot, policy, now) == evaluate(snapshot.model_copy(), policy.model_copy(), now)


@given(
    snapshots,
    policies,
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    st.timezones(),
)
def test_the_zone_now_is_written_in_does_not_matter(
    snapshot: HealthSnapshot, policy: VenuePolicy, now: datetime, zone: ZoneInfo
) -> None:
    assert evaluate(snapshot, policy, now) == evaluate(snapshot, policy, now.astimezone(zone))


@given(snapshots, policies, any_datetimes)
def test_level_follows_from_findings(snapshot: HealthSnapshot, policy: VenuePolicy, now: datetime) -> None:
    verdict = evaluate(snapshot, policy, now)
    states = [f.state for f in verdict.findings]
    if snapshot.code_colour is CodeColour.RED or snapshot.nat_result is NatResult.POSITIVE:
        assert verdict.level is VerdictLevel.DENY
    assert (verdict.level is VerdictLevel.DENY) == (FAIL in states)
    if verdict.level is VerdictLevel.PASS:
        assert all(state is OK for state in states)
    if verdict.level is VerdictLevel.CANNOT_VERIFY:
        assert finding_for(verdict, Source.HEALTH_CODE).state is UNKNOWN
    if all(state is OK for state in states):
        assert verdict.level is VerdictLevel.PASS


@given(
    st.sampled_from([24, 48, 72, 168]),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=8)),
    st.datetimes(
        timezones=st.one_of(st.none(), fixed_offsets),
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
    ),
)
def test_negative_nat_is_ok_exactly_within_the_window(window: int, age: timedelta, now: datetime) -> None:
    snapshot = clean_snapshot(nat_sampled_at=now - age)
    finding = finding_for(evaluate(snapshot, VenuePolicy(nat_window_hours=window), now), Source.NAT)
    inside = age.days * 86_400 * 10**6 + age.seconds * 10**6 + age.microseconds <= window * 3600 * 10**6
    assert finding.state is (OK if inside else REVIEW)
    hours = (age.days * 86_400 + age.seconds) // 3600
    assert str(hours) in finding.message
