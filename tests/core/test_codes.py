from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shoumen_core.codes import (
    BadSignature,
    BadVenueCode,
    CodeError,
    CodeExpired,
    CodeLifetimeTooLong,
    CodeNotYetValid,
    MalformedCode,
    PersonalCode,
    SealError,
    SigningKey,
    StaleTrustList,
    TrustedKey,
    TrustList,
    UnknownKey,
    VenueCodeRef,
    generate_sealing_keypair,
    issue_personal_code,
    looks_like_venue_code,
    parse_venue_code,
    peek_personal_code,
    seal,
    unseal,
    venue_code_url,
    verify_personal_code,
)
from shoumen_core.policy import CodeColour, HealthSnapshot, NatResult, TravelStatus, Vaccination

T0 = datetime(2022, 5, 1, 8, 0, tzinfo=UTC)
KEY = SigningKey.generate()
OTHER_KEY = SigningKey.generate()
SNAPSHOT = HealthSnapshot(
    code_colour=CodeColour.GREEN,
    vaccination=Vaccination.BOOSTER,
    nat_sampled_at=T0 - timedelta(hours=20),
    nat_result=NatResult.NEGATIVE,
    travel=TravelStatus.NORMAL,
)
VENUE_SECRET = b"v" * 32
SEAL_PRIVATE, SEAL_PUBLIC = generate_sealing_keypair()


def trust_list(*keys: SigningKey, valid_until: datetime = T0 + timedelta(days=7)) -> TrustList:
    return TrustList(
        keys=tuple(k.trusted_key(T0 - timedelta(days=30), T0 + timedelta(days=365)) for k in keys),
        issued_at=T0 - timedelta(hours=1),
        valid_until=valid_until,
    )


TRUST = trust_list(KEY)


def issue(key: SigningKey = KEY, issued_at: datetime = T0, **kwargs: Any) -> str:
    return issue_personal_code(
        key=key,
        person_ref="p-42",
        masked_name="张*",
        masked_id="330624********1234",
        snapshot=kwargs.pop("snapshot", SNAPSHOT),
        issued_at=issued_at,
        **kwargs,
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed_code(payload: str, key: SigningKey = KEY) -> str:
    """A correctly signed code around an arbitrary payload text (to reach the payload checks)."""
    signed = f"SMHC1.{payload}"
    return f"{signed}.{b64(key.private_key.sign(signed.encode()))}"


def claims(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(base64.urlsafe_b64decode(issue().split(".")[1] + "==="))
    body.update(changes)
    return body


def code_from_claims(body: Any) -> str:
    return signed_code(b64(json.dumps(body).encode()))


# ---------------------------------------------------------------- personal code round trip


def test_round_trip_fields() -> None:
    code = issue()
    assert code.isascii()
    assert code.startswith("SMHC1.")
    result = verify_personal_code(code, TRUST, T0 + timedelta(hours=1))
    assert result == PersonalCode(
        key_id=KEY.key_id,
        person_ref="p-42",
        masked_name="张*",
        masked_id="330624********1234",
        code_colour=CodeColour.GREEN,
        vaccination=Vaccination.BOOSTER,
        nat_sampled_at=T0 - timedelta(hours=20),
        nat_result=NatResult.NEGATIVE,
        travel=TravelStatus.NORMAL,
        issued_at=T0,
        expires_at=T0 + timedelta(hours=24),
    )
    assert result.to_snapshot(36.6) == SNAPSHOT.model_copy(update={"temperature": 36.6})


def test_payload_is_compact_sorted_json_with_short_keys() -> None:
    body = base64.urlsafe_b64decode(issue().split(".")[1] + "===").decode("ascii")
    assert body == json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    assert set(json.loads(body)) == set("krndcvtagie")
    assert "\\u5f20*" in body


def test_surrounding_whitespace_is_ignored() -> None:
    assert verify_personal_code(f"  {issue()}\r\n", TRUST, T0).person_ref == "p-42"


def test_sub_second_times_are_floored_and_other_timezones_normalised() -> None:
    issued = datetime(2022, 5, 1, 16, 0, 0, 999_999, tzinfo=timezone(timedelta(hours=8)))
    result = verify_personal_code(issue(issued_at=issued, ttl=timedelta(hours=1)), TRUST, T0)
    assert result.issued_at == T0
    assert result.issued_at.tzinfo is UTC
    assert result.expires_at == T0 + timedelta(hours=1)


def test_missing_nat_round_trips_as_none() -> None:
    snapshot = HealthSnapshot(code_colour=CodeColour.NONE)
    result = verify_personal_code(issue(snapshot=snapshot), TRUST, T0)
    assert result.nat_sampled_at is None
    assert result.nat_result is None
    assert result.to_snapshot() == snapshot


def test_peek_decodes_without_a_trust_list() -> None:
    assert peek_personal_code(issue(OTHER_KEY)).key_id == OTHER_KEY.key_id
    with pytest.raises(MalformedCode):
        peek_personal_code("hello")


def test_issue_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="ttl"):
        issue(ttl=timedelta(0))
    with pytest.raises(ValueError, match="timezone-aware"):
        issue(issued_at=datetime(2022, 5, 1))
    naive_nat = HealthSnapshot(nat_sampled_at=datetime(2022, 5, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        issue(snapshot=naive_nat)
    with pytest.raises(ValueError, match="longer than"):
        issue_personal_code(
            key=KEY,
            person_ref="x" * 3000,
            masked_name="",
            masked_id="",
            snapshot=SNAPSHOT,
            issued_at=T0,
        )


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware") as info:
        verify_personal_code(issue(), TRUST, datetime(2022, 5, 1))
    assert not isinstance(info.value, CodeError)


# ---------------------------------------------------------------- time boundaries


def test_expiry_boundary() -> None:
    code = issue(ttl=timedelta(hours=24))
    assert verify_personal_code(code, TRUST, T0 + timedelta(hours=24)).issued_at == T0
    with pytest.raises(CodeExpired):
        verify_personal_code(code, TRUST, T0 + timedelta(hours=24, seconds=1))


def test_correctly_signed_code_valid_until_9999_is_refused() -> None:
    """Finding: a code signed with the issuer's key but valid until year 9999 passed; now any
    code valid for longer than the maximum lifetime (default 24 h) is refused, offline too."""
    forever = issue(ttl=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - T0)
    with pytest.raises(CodeLifetimeTooLong) as refused:
        verify_personal_code(forever, TRUST, T0 + timedelta(hours=1))
    assert refused.value.code == "code_lifetime_too_long" and "有效期" in refused.value.message
    assert verify_personal_code(issue(ttl=timedelta(hours=24)), TRUST, T0).issued_at == T0
    longer = issue(ttl=timedelta(hours=24, seconds=1))
    with pytest.raises(CodeLifetimeTooLong):
        verify_personal_code(longer, TRUST, T0)
    assert verify_personal_code(longer, TRUST, T0, max_lifetime=timedelta(hours=25)).issued_at == T0


def test_not_yet_valid_boundary_has_five_minutes_slack() -> None:
    code = issue()
    assert verify_personal_code(code, TRUST, T0 - timedelta(minutes=5)).issued_at == T0
    with pytest.raises(CodeNotYetValid):
        verify_personal_code(code, TRUST, T0 - timedelta(minutes=5, seconds=1))


def test_stale_trust_list_boundary() -> None:
    code = issue()
    stale_at = T0 + timedelta(minutes=10)
    tl = trust_list(KEY, valid_until=stale_at)
    assert tl.is_fresh(stale_at)
    assert verify_personal_code(code, tl, stale_at).person_ref == "p-42"
    assert not tl.is_fresh(stale_at + timedelta(seconds=1))
    with pytest.raises(StaleTrustList) as info:
        verify_personal_code(code, tl, stale_at + timedelta(seconds=1))
    assert info.value.code == "stale_trust_list"
    assert "信任列表已过期" in info.value.message


def test_stale_trust_list_wins_over_expired_code() -> None:
    code = issue(ttl=timedelta(hours=1))
    with pytest.raises(StaleTrustList):
        verify_personal_code(code, TRUST, T0 + timedelta(days=8))


# ---------------------------------------------------------------- keys and trust list


def test_unknown_key() -> None:
    with pytest.raises(UnknownKey) as info:
        verify_personal_code(issue(OTHER_KEY), TRUST, T0)
    assert info.value.code == "unknown_key"


def test_key_outside_its_window_at_issue_time_is_unknown() -> None:
    window = KEY.trusted_key(T0 + timedelta(days=1), T0 + timedelta(days=30))
    tl = TrustList(keys=(window,), issued_at=T0, valid_until=T0 + timedelta(days=60))
    with pytest.raises(UnknownKey):
        verify_personal_code(issue(issued_at=T0), tl, T0 + timedelta(hours=1))
    after = T0 + timedelta(days=31)
    with pytest.raises(UnknownKey):
        verify_personal_code(issue(issued_at=after), tl, after)
    inside = T0 + timedelta(days=2)
    assert verify_personal_code(issue(issued_at=inside), tl, inside).issued_at == inside


def test_key_rotation_both_keys_verify() -> None:
    tl = trust_list(KEY, OTHER_KEY)
    assert verify_personal_code(issue(KEY), tl, T0).key_id == KEY.key_id
    assert verify_personal_code(issue(OTHER_KEY), tl, T0).key_id == OTHER_KEY.key_id


def test_same_key_id_with_another_private_key_is_bad_signature() -> None:
    impostor = SigningKey.generate(KEY.key_id)
    with pytest.raises(BadSignature) as info:
        verify_personal_code(issue(impostor), TRUST, T0)
    assert info.value.code == "bad_signature"


def test_trust_list_json_round_trip_and_find() -> None:
    tl = trust_list(KEY, OTHER_KEY)
    again = TrustList.from_json(tl.to_json())
    assert again == tl
    found = again.find(OTHER_KEY.key_id)
    assert found is not None
    assert base64.urlsafe_b64decode(found.public_key + "=") == OTHER_KEY.public_bytes()
    assert again.find("nope") is None
    assert verify_personal_code(issue(OTHER_KEY), again, T0).key_id == OTHER_KEY.key_id


def test_trust_models_reject_naive_datetimes_bad_keys_and_duplicates() -> None:
    with pytest.raises(ValidationError):
        KEY.trusted_key(datetime(2022, 1, 1), T0)
    with pytest.raises(ValidationError):
        TrustList(keys=(), issued_at=datetime(2022, 1, 1), valid_until=T0)
    with pytest.raises(ValidationError):
        TrustedKey(key_id="a", public_key=b64(b"x" * 31), valid_from=T0, valid_until=T0)
    with pytest.raises(ValidationError):
        TrustedKey(key_id="a", public_key="not base64!", valid_from=T0, valid_until=T0)
    duplicate = KEY.trusted_key(T0, T0)
    with pytest.raises(ValidationError, match="duplicate"):
        TrustList(keys=(duplicate, duplicate), issued_at=T0, valid_until=T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        TRUST.is_fresh(datetime(2022, 5, 1))


def test_signing_key_pem_round_trip() -> None:
    restored = SigningKey.from_pem(KEY.key_id, KEY.to_pem())
    assert restored.public_bytes() == KEY.public_bytes()
    assert verify_personal_code(issue(restored), TRUST, T0).key_id == KEY.key_id
    assert len(SigningKey.generate().key_id) == 8
    assert SigningKey.generate("k2026").key_id == "k2026"
    x25519_pem = X25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="Ed25519"):
        SigningKey.from_pem("x", x25519_pem)


# ---------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    "text",
    [
        "",
        "SMHC1",
        "hello world",
        "SMHC1..",
        "SMHC2." + issue().split(".", 1)[1],
        issue() + ".extra",
        issue()[:-1],
        issue() + "A",
        "SMHC1.!!!!." + "A" * 86,
        "SMHC1." + issue().split(".")[1] + "=." + issue().split(".")[2],
        "https://example.org/v/1.0.AAAAAAAAAAAAAAAAAAAAAA",
    ],
)
def test_malformed_structure(text: str) -> None:
    with pytest.raises(MalformedCode) as info:
        verify_personal_code(text, TRUST, T0)
    assert info.value.code == "malformed_code"


def test_non_canonical_signature_base64_is_malformed() -> None:
    code = issue()
    last = code[-1]
    # 86 chars carry 516 bits for 512: the last character's low 4 bits must be zero.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    variant = alphabet[alphabet.index(last) | 1]
    assert variant != last
    with pytest.raises(MalformedCode):
        verify_personal_code(code[:-1] + variant, TRUST, T0)


def test_non_ascii_input_is_malformed() -> None:
    code = issue()
    with pytest.raises(MalformedCode):
        verify_personal_code(code[:20] + "张" + code[21:], TRUST, T0)
    with pytest.raises(MalformedCode):
        verify_personal_code("张三 330624199001011234", TRUST, T0)


def test_huge_garbage_is_rejected_fast() -> None:
    garbage = "SMHC1." + "A" * 100_000 + "." + "B" * 86
    # The work this thread does, not the wall clock: with the suite in parallel workers on two
    # cores the thread can wait longer than the bound for a core without doing anything.
    start = time.thread_time()
    with pytest.raises(MalformedCode):
        verify_personal_code(garbage, TRUST, T0)
    assert time.thread_time() - start < 0.05


def test_deeply_nested_json_is_malformed_not_recursion_error() -> None:
    with pytest.raises(MalformedCode):
        verify_personal_code(signed_code(b64(b"[" * 1400)), TRUST, T0)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(claims(i="1651392000"), id="issued-at-string"),
        pytest.param(claims(i=True), id="issued-at-bool"),
        pytest.param(claims(e=1651478400.5), id="expires-at-float"),
        pytest.param(claims(e=10**20), id="expires-at-huge"),
        pytest.param(claims(i=-5), id="issued-at-negative"),
        pytest.param(claims(e=1651392000 - 1), id="expires-before-issued"),
        pytest.param(claims(c="purple"), id="bad-colour"),
        pytest.param(claims(v=2), id="vaccination-int"),
        pytest.param(claims(a="maybe"), id="bad-nat-result"),
        pytest.param(claims(t="yesterday"), id="nat-time-string"),
        pytest.param(claims(g=None), id="travel-null"),
        pytest.param(claims(k=None), id="key-id-null"),
        pytest.param(claims(n=["张*"]), id="name-list"),
        pytest.param([1, 2, 3], id="array"),
        pytest.param("SMHC1", id="string"),
        *(
            pytest.param({k: v for k, v in claims().items() if k != key}, id=f"missing-{key}")
            for key in "krndcvtagie"
        ),
    ],
)
def test_missing_or_wrongly_typed_fields_are_malformed(body: Any) -> None:
    with pytest.raises(MalformedCode):
        verify_personal_code(code_from_claims(body), TRUST, T0)


def test_unknown_extra_fields_are_ignored() -> None:
    assert verify_personal_code(code_from_claims(claims(x=1)), TRUST, T0).person_ref == "p-42"


@pytest.mark.parametrize("payload", [b64(b"\xff\xfe{}"), b64(b"not json"), b64('{"k":"张"}'.encode())])
def test_payload_not_ascii_json_is_malformed(payload: str) -> None:
    with pytest.raises(MalformedCode):
        verify_personal_code(signed_code(payload), TRUST, T0)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (MalformedCode, "malformed_code"),
        (UnknownKey, "unknown_key"),
        (BadSignature, "bad_signature"),
        (CodeExpired, "code_expired"),
        (CodeNotYetValid, "code_not_yet_valid"),
        (StaleTrustList, "stale_trust_list"),
        (BadVenueCode, "bad_venue_code"),
    ],
)
def test_error_classes_have_stable_codes_and_chinese_messages(error: type[CodeError], code: str) -> None:
    instance = error()
    assert isinstance(instance, CodeError)
    assert isinstance(instance, ValueError)
    assert instance.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in instance.message)
    assert error("自定义").message == "自定义"


# ---------------------------------------------------------------- properties

aware_datetimes = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
snapshots = st.builds(
    HealthSnapshot,
    code_colour=st.sampled_from(CodeColour),
    vaccination=st.sampled_from(Vaccination),
    nat_sampled_at=st.none() | aware_datetimes,
    nat_result=st.none() | st.sampled_from(NatResult),
    travel=st.sampled_from(TravelStatus),
)
CODE = issue()


@settings(deadline=None)
@given(
    snapshot=snapshots,
    name=st.text(max_size=30),
    masked_id=st.text(max_size=30),
    person_ref=st.text(max_size=40),
    issued_at=aware_datetimes,
)
def test_property_round_trip(
    snapshot: HealthSnapshot, name: str, masked_id: str, person_ref: str, issued_at: datetime
) -> None:
    code = issue_personal_code(
        key=KEY,
        person_ref=person_ref,
        masked_name=name,
        masked_id=masked_id,
        snapshot=snapshot,
        issued_at=issued_at,
    )
    assert code.isascii()
    tl = TrustList(
        keys=(KEY.trusted_key(datetime(1999, 1, 1, tzinfo=UTC), datetime(2101, 1, 1, tzinfo=UTC)),),
        issued_at=issued_at,
        valid_until=issued_at + timedelta(days=1),
    )
    result = verify_personal_code(code, tl, issued_at)
    assert (result.person_ref, result.masked_name, result.masked_id) == (person_ref, name, masked_id)
    floored = None if snapshot.nat_sampled_at is None else snapshot.nat_sampled_at.replace(microsecond=0)
    assert result.to_snapshot() == snapshot.model_copy(update={"nat_sampled_at": floored})
    assert result.issued_at == issued_at.replace(microsecond=0)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(position=st.integers(0, len(CODE) - 1), replacement=st.integers(0, 255))
def test_property_any_tampered_byte_fails(position: int, replacement: int) -> None:
    original = ord(CODE[position])
    if replacement == original:
        replacement = (replacement + 1) % 256
    tampered = CODE[:position] + chr(replacement) + CODE[position + 1 :]
    # A payload edit that lands on the key id (or on the issue time, so the key's window no
    # longer covers it) is caught as UnknownKey: the key is looked up before the signature.
    with pytest.raises((MalformedCode, BadSignature, UnknownKey)):
        verify_personal_code(tampered, TRUST, T0)


# ---------------------------------------------------------------- venue codes


def test_venue_code_round_trip() -> None:
    url = venue_code_url("https://shoumen.example.cn/", 17, 3, VENUE_SECRET)
    assert url.startswith("https://shoumen.example.cn/v/17.3.")
    assert len(url.rsplit(".", 1)[1]) == 22
    assert parse_venue_code(url, VENUE_SECRET) == VenueCodeRef(venue_id=17, checkpoint_id=3)
    token = url.rsplit("/", 1)[1]
    assert parse_venue_code(token, VENUE_SECRET) == VenueCodeRef(17, 3)
    assert parse_venue_code(f" {url}/?utm=poster#top\n", VENUE_SECRET) == VenueCodeRef(17, 3)
    bare = venue_code_url("http://10.0.0.2:8000/app", 5, None, VENUE_SECRET)
    assert bare.startswith("http://10.0.0.2:8000/app/v/5.0.")
    assert parse_venue_code(bare, VENUE_SECRET) == VenueCodeRef(5, None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "17.3",
        "17.3.AAAAAAAAAAAAAAAAAAAAAA",
        "017.3.AAAAAAAAAAAAAAAAAAAAAA",
        "ftp://x/v/" + venue_code_url("https://x", 17, 3, VENUE_SECRET).rsplit("/", 1)[1],
        "https://x/w/" + venue_code_url("https://x", 17, 3, VENUE_SECRET).rsplit("/", 1)[1],
        "张" + venue_code_url("https://x", 17, 3, VENUE_SECRET),
    ],
)
def test_bad_venue_codes(text: str) -> None:
    with pytest.raises(BadVenueCode) as info:
        parse_venue_code(text, VENUE_SECRET)
    assert info.value.message == "场所码无效或已被篡改"


def test_venue_code_from_another_secret_or_another_venue_is_rejected() -> None:
    url = venue_code_url("https://x", 17, 3, VENUE_SECRET)
    with pytest.raises(BadVenueCode):
        parse_venue_code(url, b"w" * 32)
    mac = url.rsplit(".", 1)[1]
    with pytest.raises(BadVenueCode):
        parse_venue_code(f"18.3.{mac}", VENUE_SECRET)


def test_venue_code_url_rejects_bad_arguments() -> None:
    for venue, checkpoint in [(0, None), (-1, 2), (1, 0), (10**18, None)]:
        with pytest.raises(ValueError, match="positive"):
            venue_code_url("https://x", venue, checkpoint, VENUE_SECRET)
    with pytest.raises(ValueError, match="secret"):
        venue_code_url("https://x", 1, None, b"")


def test_looks_like_venue_code() -> None:
    url = venue_code_url("https://x.example/shoumen", 9, None, VENUE_SECRET)
    assert looks_like_venue_code(url)
    assert looks_like_venue_code(url.replace("https", "HTTP") + "/")
    forged = url[:-3] + "abc"  # the app cannot check the MAC; the shape is enough to warn
    assert looks_like_venue_code(forged)
    assert not looks_like_venue_code(url.rsplit("/", 1)[1])
    assert not looks_like_venue_code("https://x.example/shoumen")
    assert not looks_like_venue_code("https://x.example/v/9.0")
    assert not looks_like_venue_code(url.replace("https", "ftp"))
    assert not looks_like_venue_code(issue())
    assert not looks_like_venue_code("330624199001011234")


VENUE_URL = venue_code_url("https://x.example", 1234, 56, VENUE_SECRET)
TOKEN_START = VENUE_URL.index("/v/") + 3


@given(position=st.integers(TOKEN_START, len(VENUE_URL) - 1), replacement=st.integers(0, 0x10FFFF))
def test_property_tampered_venue_token_fails(position: int, replacement: int) -> None:
    char = chr(replacement)
    if char == VENUE_URL[position] or 0xD800 <= replacement <= 0xDFFF:
        char = "A" if VENUE_URL[position] != "A" else "B"
    tampered = VENUE_URL[:position] + char + VENUE_URL[position + 1 :]
    with pytest.raises(BadVenueCode):
        parse_venue_code(tampered, VENUE_SECRET)


# ---------------------------------------------------------------- sealing


def test_seal_format_and_round_trip() -> None:
    sealed = seal(b"330624199001011234", SEAL_PUBLIC)
    assert sealed[0] == 0x01
    assert len(sealed) == 1 + 32 + 12 + 18 + 16
    assert b"330624" not in sealed
    assert unseal(sealed, SEAL_PRIVATE) == b"330624199001011234"
    assert seal(b"330624199001011234", SEAL_PUBLIC) != sealed


def test_unseal_with_another_key_or_truncated_fails() -> None:
    sealed = seal(b"secret", SEAL_PUBLIC)
    other_private, _ = generate_sealing_keypair()
    with pytest.raises(SealError):
        unseal(sealed, other_private)
    for cut in (0, 1, 44, 60, len(sealed) - 1):
        with pytest.raises(SealError):
            unseal(sealed[:cut], SEAL_PRIVATE)
    with pytest.raises(SealError):
        unseal(sealed + b"\x00", SEAL_PRIVATE)
    with pytest.raises(SealError):  # low-order ephemeral point: all-zero shared secret
        unseal(b"\x01" + bytes(32) + sealed[33:], SEAL_PRIVATE)


def test_seal_rejects_bad_keys() -> None:
    with pytest.raises(ValueError, match="32"):
        seal(b"x", b"short")
    with pytest.raises(ValueError, match="32") as info:
        unseal(seal(b"x", SEAL_PUBLIC), b"short")
    assert not isinstance(info.value, SealError)


@given(plaintext=st.binary(max_size=200))
def test_property_seal_round_trip(plaintext: bytes) -> None:
    assert unseal(seal(plaintext, SEAL_PUBLIC), SEAL_PRIVATE) == plaintext


SEALED = seal(b"330624199001011234", SEAL_PUBLIC)


@given(position=st.integers(0, len(SEALED) - 1), flip=st.integers(1, 255))
def test_property_any_tampered_sealed_byte_fails(position: int, flip: int) -> None:
    tampered = bytearray(SEALED)
    tampered[position] ^= flip
    with pytest.raises(SealError):
        unseal(bytes(tampered), SEAL_PRIVATE)
