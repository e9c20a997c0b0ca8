"""CheckService without a backend: classification, every offline verdict path, bad input."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shoumen_core.codes import SigningKey, b64url_decode, unseal, venue_code_url
from shoumen_core.identity import DocumentKind, id_check_digit, make_resident_id
from shoumen_core.policy import (
    CodeColour,
    FindingState,
    NatResult,
    TravelStatus,
    Vaccination,
    VaccinationRequirement,
    VenuePolicy,
    VerdictLevel,
)
from shoumen_core.schemas import CheckMethod, ManualDecision
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.checks import (
    CheckContext,
    CheckService,
    InputKind,
    ResultSource,
    classify,
)
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.services.errors import InputRejected
from tests.gui.services.conftest import (
    CHECKPOINT_ID,
    NOW,
    USER_ID,
    VENUE_ID,
    FakeClock,
    Issuer,
    green,
    pull_response,
)

ID_NUMBER = make_resident_id("330624", date(1985, 3, 12), 101)
VENUE_URL = venue_code_url("https://shoumen.example.cn", 12, 3, b"s" * 32)


# ---- classification -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (ID_NUMBER, InputKind.DOCUMENT),
        (f"  {ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:]}\r\n", InputKind.DOCUMENT),
        ("３３０６２４" + ID_NUMBER[6:], InputKind.DOCUMENT),  # a Chinese IME's full-width digits
        ("E12345678", InputKind.DOCUMENT),
        ("H12345678", InputKind.DOCUMENT),
        (VENUE_URL, InputKind.VENUE_CODE),
        ("", InputKind.UNKNOWN),
        ("   ", InputKind.UNKNOWN),
        ("hello", InputKind.UNKNOWN),
        ("https://example.com/some/page", InputKind.UNKNOWN),
        ("张三", InputKind.UNKNOWN),
        ("SMHC1." + "A" * 3000, InputKind.UNKNOWN),  # oversized: never parsed
        ("SMHC1.x.y", InputKind.PERSONAL_CODE),  # the shape says code; verifying refuses it
    ],
)
def test_classify(text: str, kind: InputKind) -> None:
    assert classify(text) is kind


def test_classify_a_real_code(issuer: Issuer) -> None:
    assert classify(issuer.code(green()) + "\n") is InputKind.PERSONAL_CODE


# ---- verdict paths with the signed snapshot -------------------------------------------------


@pytest.mark.parametrize(
    ("snapshot", "level", "reason"),
    [
        (green(), VerdictLevel.PASS, "code_green"),
        (green(nat_hours=49), VerdictLevel.REVIEW, "nat_too_old"),
        (green(code_colour=CodeColour.RED), VerdictLevel.DENY, "code_red"),
        (green(code_colour=CodeColour.YELLOW), VerdictLevel.DENY, "code_yellow"),
        (green(code_colour=CodeColour.NONE), VerdictLevel.REVIEW, "code_missing"),
        (green(nat_result=NatResult.POSITIVE), VerdictLevel.DENY, "nat_positive"),
        (green(travel=TravelStatus.ABNORMAL), VerdictLevel.REVIEW, "travel_abnormal"),
    ],
)
def test_offline_snapshot_paths(
    offline_service: CheckService, issuer: Issuer, snapshot: object, level: VerdictLevel, reason: str
) -> None:
    result = offline_service.check_text(issuer.code(snapshot))  # type: ignore[arg-type]
    assert result.level is level
    assert result.source is ResultSource.OFFLINE_SNAPSHOT
    assert reason in {f.reason for f in result.findings}
    assert result.needs_manual_decision is (level in (VerdictLevel.REVIEW, VerdictLevel.CANNOT_VERIFY))
    assert result.masked_name == "张*"
    assert result.nat_window_hours == 48
    stored = offline_service.cache.check(result.record_id)
    assert stored is not None
    assert stored.state == "pending"
    assert stored.record.offline is True
    assert stored.record.level is level
    assert stored.record.person_ref == "ref-0001"
    assert stored.record.method is CheckMethod.SCAN
    assert stored.record.checkpoint_id == CHECKPOINT_ID


def test_the_venue_policy_from_the_cache_decides(cache: LocalCache, issuer: Issuer, clock: FakeClock) -> None:
    policy = VenuePolicy(
        yellow_action=VerdictLevel.REVIEW,
        nat_window_hours=72,
        vaccination_required=VaccinationRequirement.BOOSTER,
    )
    cache.apply_pull(VENUE_ID, pull_response(issuer, policy=policy), NOW, user_id=USER_ID)
    service = CheckService(cache, None, Connectivity(online=False), clock)
    service.set_context(CheckContext(VENUE_ID, None, USER_ID, "dev"))
    yellow = service.check_text(
        issuer.code(green(code_colour=CodeColour.YELLOW, vaccination=Vaccination.BOOSTER))
    )
    assert yellow.level is VerdictLevel.REVIEW
    nat_60h = service.check_text(issuer.code(green(nat_hours=60, vaccination=Vaccination.BOOSTER)))
    assert nat_60h.level is VerdictLevel.PASS
    assert nat_60h.nat_window_hours == 72
    not_boosted = service.check_text(issuer.code(green()))
    assert not_boosted.level is VerdictLevel.REVIEW
    assert "vaccination_insufficient" in {f.reason for f in not_boosted.findings}


def test_a_fever_at_the_door_denies(offline_service: CheckService, issuer: Issuer) -> None:
    result = offline_service.check_text(issuer.code(green()), temperature=37.8)
    assert result.level is VerdictLevel.DENY
    assert "temperature_fever" in {f.reason for f in result.findings}
    assert offline_service.cache.check(result.record_id).record.temperature == 37.8  # type: ignore[union-attr]


# ---- grey: nothing to verify against ---------------------------------------------------------


def test_stale_trust_list_is_grey(offline_service: CheckService, issuer: Issuer, clock: FakeClock) -> None:
    code = issuer.code(green(), issued_at=NOW + timedelta(days=7, hours=1))
    clock.advance(days=7, hours=2)  # past the list's valid_until, the code itself still valid
    result = offline_service.check_text(code)
    assert result.level is VerdictLevel.CANNOT_VERIFY
    assert result.source is ResultSource.OFFLINE_UNVERIFIED
    assert [f.reason for f in result.findings] == ["stale_trust_list"]
    assert result.needs_manual_decision
    assert result.masked_name == ""  # nothing unverified is shown
    assert result.headline.startswith("无法核验")


def test_no_trust_list_is_grey(cache: LocalCache, issuer: Issuer, clock: FakeClock) -> None:
    service = CheckService(cache, None, Connectivity(online=False), clock)
    service.set_context(CheckContext(VENUE_ID, None, USER_ID, "dev"))
    result = service.check_text(issuer.code(green()))
    assert result.level is VerdictLevel.CANNOT_VERIFY
    assert [f.reason for f in result.findings] == ["no_trust_list"]


def test_unknown_issuer_offline_is_grey(offline_service: CheckService, issuer: Issuer) -> None:
    stranger = SigningKey.generate("k9")
    result = offline_service.check_text(issuer.code(green(), key=stranger))
    assert result.level is VerdictLevel.CANNOT_VERIFY
    assert [f.reason for f in result.findings] == ["unknown_key"]


def test_grey_with_fever_still_denies(
    offline_service: CheckService, issuer: Issuer, clock: FakeClock
) -> None:
    code = issuer.code(green(), issued_at=NOW + timedelta(days=7, hours=1))
    clock.advance(days=7, hours=2)
    result = offline_service.check_text(code, temperature=38.5)
    assert result.level is VerdictLevel.DENY


# ---- documents offline -----------------------------------------------------------------------


def test_offline_document_is_sealed_masked_and_grey(
    offline_service: CheckService, issuer: Issuer, tmp_path: Path
) -> None:
    seen: list[uuid.UUID] = []
    offline_service.on_committed.append(lambda record_id: seen.append(record_id))
    result = offline_service.check_text(ID_NUMBER)
    assert result.level is VerdictLevel.CANNOT_VERIFY
    assert result.method is CheckMethod.DOCUMENT
    assert result.source is ResultSource.OFFLINE_UNVERIFIED
    assert result.needs_manual_decision
    assert [f.message for f in result.findings] == ["离线状态无法核验证件，请人工决定"]
    assert result.masked_id == ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:]
    assert seen == [result.record_id]
    stored = offline_service.cache.check(result.record_id)
    assert stored is not None and stored.record.sealed_document is not None
    # Only the backend can read the number back.
    assert unseal(b64url_decode(stored.record.sealed_document), issuer.sealing_private) == ID_NUMBER.encode()
    offline_service.cache.close()
    for file in tmp_path.glob("cache.db*"):
        assert ID_NUMBER.encode() not in file.read_bytes()


def test_offline_document_strict_masking(cache: LocalCache, issuer: Issuer, clock: FakeClock) -> None:
    from shoumen_core.policy import MaskingLevel

    cache.apply_pull(VENUE_ID, pull_response(issuer, policy=VenuePolicy(masking=MaskingLevel.STRICT)), NOW)
    service = CheckService(cache, None, Connectivity(online=False), clock)
    service.set_context(CheckContext(VENUE_ID, None, USER_ID, "dev"))
    result = service.check_document(ID_NUMBER, DocumentKind.RESIDENT_ID)
    assert result.masked_id == ID_NUMBER[:4] + "*" * 12 + ID_NUMBER[-2:]


def test_manual_decision_is_recorded(offline_service: CheckService) -> None:
    result = offline_service.check_document(ID_NUMBER)
    nudged: list[uuid.UUID] = []
    offline_service.on_committed.append(nudged.append)
    offline_service.record_manual_decision(result.record_id, ManualDecision.ADMIT)
    stored = offline_service.cache.check(result.record_id)
    assert stored is not None and stored.record.manual_decision is ManualDecision.ADMIT
    assert nudged == [result.record_id]


def test_committed_before_the_result_is_returned(offline_service: CheckService, issuer: Issuer) -> None:
    found: list[bool] = []
    offline_service.on_committed.append(
        lambda rid: found.append(offline_service.cache.check(rid) is not None)
    )
    offline_service.check_text(issuer.code(green()))
    assert found == [True]


def test_a_check_needs_a_context(cache: LocalCache, issuer: Issuer) -> None:
    service = CheckService(cache, None, Connectivity(online=False))
    with pytest.raises(RuntimeError):
        service.check_text(issuer.code(green()))


# ---- bad input -------------------------------------------------------------------------------


def _tampered(code: str) -> str:
    prefix, payload, signature = code.split(".")
    flipped = "B" if signature[10] != "B" else "C"
    return f"{prefix}.{payload}.{signature[:10]}{flipped}{signature[11:]}"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda i: "", "empty"),
        (lambda i: " \t\r\n", "empty"),
        (lambda i: VENUE_URL, "venue_code_given"),
        (lambda i: "hello world", "unknown_input"),
        (lambda i: "张三李四", "unknown_input"),
        (lambda i: "x" * 5000, "too_long"),
        (lambda i: "SMHC1." + "A" * 3000, "too_long"),
        (lambda i: i.code(green())[:60], "malformed_code"),  # truncated
        (lambda i: i.code(green()) + "张", "malformed_code"),  # non-ASCII tail
        (lambda i: _tampered(i.code(green())), "bad_signature"),
        (lambda i: i.code(green(), issued_at=NOW - timedelta(days=2)), "code_expired"),
        (lambda i: i.code(green(), issued_at=NOW + timedelta(hours=1)), "code_not_yet_valid"),
        (lambda i: ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"), "bad_checksum"),
        (lambda i: ID_NUMBER[:12], "bad_length"),
        (lambda i: "200624" + ID_NUMBER[6:17] + id_check_digit("200624" + ID_NUMBER[6:17]), "bad_region"),
    ],
)
def test_bad_input_is_rejected_with_a_reason(
    offline_service: CheckService, issuer: Issuer, make: Callable[[Issuer], str], code: str
) -> None:
    before = offline_service.cache.pending_count()
    with pytest.raises(InputRejected) as caught:
        offline_service.check_text(make(issuer))
    assert caught.value.code == code
    assert caught.value.message and not caught.value.message.isascii()  # a Chinese message
    assert offline_service.cache.pending_count() == before  # nothing was recorded


def test_wrong_check_digit_says_so(offline_service: CheckService) -> None:
    with pytest.raises(InputRejected) as caught:
        offline_service.check_document(ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"))
    assert "校验" in caught.value.message


_TEXTS = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="0123456789Xx ", max_size=25),
    st.builds(lambda s: "SMHC1." + s, st.text(max_size=200)),
    st.builds(
        lambda a, b: f"SMHC1.{a}.{b}", st.text("ABCxyz-_012", max_size=80), st.text("AQ-_z", max_size=90)
    ),
    st.builds(lambda s: "https://shoumen.example.cn/v/" + s, st.text(max_size=40)),
    st.text(alphabet=st.characters(codec="ascii"), min_size=2000, max_size=2100),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXTS)
def test_arbitrary_text_never_raises_anything_but_input_rejected(
    offline_service: CheckService, text: str
) -> None:
    classify(text)
    try:
        result = offline_service.check_text(text)
    except InputRejected as exc:
        assert exc.code and exc.message
    else:
        assert result.level in VerdictLevel
        assert offline_service.cache.check(result.record_id) is not None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.text(max_size=80), kind=st.none() | st.sampled_from(DocumentKind))
def test_arbitrary_document_input_never_raises_anything_but_input_rejected(
    offline_service: CheckService, number: str, kind: DocumentKind | None
) -> None:
    try:
        result = offline_service.check_document(number, kind)
    except InputRejected as exc:
        assert exc.code
    else:
        assert result.level is VerdictLevel.CANNOT_VERIFY
        assert all(f.state is FindingState.UNKNOWN for f in result.findings)


def test_a_temperature_the_server_would_refuse_is_never_committed(
    offline_service: CheckService, issuer: Issuer
) -> None:
    """Issue 16 §3: the station and the server share one range (shoumen_core.temperature)."""
    before = offline_service.cache.pending_count()
    for celsius in (50.0, 29.0, float("nan")):
        with pytest.raises(InputRejected) as caught:
            offline_service.check_text(issuer.code(green()), temperature=celsius)
        assert caught.value.code == "bad_temperature"
        with pytest.raises(InputRejected):
            offline_service.check_document("330624198503121012", None, celsius)
    assert offline_service.cache.pending_count() == before
