from __future__ import annotations

import dataclasses
import pickle
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shoumen_core.identity import (
    COMPOUND_SURNAMES,
    DEFAULT_MASK_POLICY,
    DOCUMENT_KIND_NAMES,
    MASK_POLICIES,
    MIN_MASKED_CHARS,
    Document,
    DocumentKind,
    InvalidDocument,
    MaskPolicy,
    Sex,
    id_check_digit,
    make_resident_id,
    mask_document,
    mask_name,
    mask_number,
    parse_document,
)
from shoumen_core.policy import MaskingLevel

TODAY = date(2024, 6, 1)

# Written out again here rather than imported, so the tests check the module's table.
MAINLAND_PROVINCES = (
    [str(c) for c in range(11, 16)]
    + [str(c) for c in range(21, 24)]
    + [str(c) for c in range(31, 38)]
    + [str(c) for c in range(41, 47)]
    + [str(c) for c in range(50, 55)]
    + [str(c) for c in range(61, 66)]
    + ["71"]
)
HMT_REGIONS = ["810000", "820000", "830000"]


def reference_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 written the other way: the check value c makes sum + c ≡ 1 (mod 11)."""
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def with_check(first17: str) -> str:
    return first17 + reference_check_digit(first17)


def with_wrong_check(first17: str) -> str:
    right = reference_check_digit(first17)
    return first17 + ("0" if right != "0" else "1")


def parse(text: str, kind: DocumentKind | None = None) -> Document:
    return parse_document(text, kind, today=TODAY)


def error_of(text: str, kind: DocumentKind | None = None) -> InvalidDocument:
    with pytest.raises(InvalidDocument) as info:
        parse(text, kind)
    return info.value


# --- the checksum ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("11010519491231002", "X"),  # GB 11643-1999 sample
        ("44052418800101001", "4"),  # GB 11643-1999 sample
    ],
)
def test_check_digit_of_published_samples(first17: str, check: str) -> None:
    assert id_check_digit(first17) == check
    assert reference_check_digit(first17) == check


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_digit_matches_reference(first17: str) -> None:
    assert id_check_digit(first17) == reference_check_digit(first17)


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100A", "١" * 17])
def test_check_digit_needs_17_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        id_check_digit(bad)


def test_make_resident_id() -> None:
    assert make_resident_id("110105", date(1949, 12, 31), 2) == "11010519491231002X"
    with pytest.raises(ValueError):
        make_resident_id("11010", date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        make_resident_id("11010A", date(1990, 1, 1), 1)
    for seq in (-1, 1000):
        with pytest.raises(ValueError):
            make_resident_id("110105", date(1990, 1, 1), seq)


# --- valid documents ---------------------------------------------------------------------

VALID_CASES: list[tuple[str, DocumentKind | None, Document]] = [
    (
        "11010519491231002X",
        None,
        Document(DocumentKind.RESIDENT_ID, "11010519491231002X", date(1949, 12, 31), Sex.FEMALE, "110105"),
    ),
    (
        " 11010519491231002x\t",
        None,
        Document(DocumentKind.RESIDENT_ID, "11010519491231002X", date(1949, 12, 31), Sex.FEMALE, "110105"),
    ),
    (
        "110105 19491231 002x",
        DocumentKind.RESIDENT_ID,
        Document(DocumentKind.RESIDENT_ID, "11010519491231002X", date(1949, 12, 31), Sex.FEMALE, "110105"),
    ),
    (
        "１１０１０５１９４９１２３１００２ｘ",  # full-width, as a Chinese IME types it
        None,
        Document(DocumentKind.RESIDENT_ID, "11010519491231002X", date(1949, 12, 31), Sex.FEMALE, "110105"),
    ),
    (
        "110105491231002",  # first-generation 15 digits, upgraded
        None,
        Document(DocumentKind.RESIDENT_ID, "11010519491231002X", date(1949, 12, 31), Sex.FEMALE, "110105"),
    ),
    (
        "330624850615123",
        DocumentKind.RESIDENT_ID,
        Document(
            DocumentKind.RESIDENT_ID, with_check("33062419850615123"), date(1985, 6, 15), Sex.MALE, "330624"
        ),
    ),
    (
        with_check("33062420000229001"),
        None,
        Document(
            DocumentKind.RESIDENT_ID, with_check("33062420000229001"), date(2000, 2, 29), Sex.MALE, "330624"
        ),
    ),
    (
        with_check("71000019900101002"),
        None,
        Document(
            DocumentKind.RESIDENT_ID, with_check("71000019900101002"), date(1990, 1, 1), Sex.FEMALE, "710000"
        ),
    ),
    (
        with_check("81000019850615101"),
        None,
        Document(
            DocumentKind.HMT_RESIDENCE_PERMIT,
            with_check("81000019850615101"),
            date(1985, 6, 15),
            Sex.MALE,
            "810000",
        ),
    ),
    (
        with_check("82000020010910204"),
        DocumentKind.HMT_RESIDENCE_PERMIT,
        Document(
            DocumentKind.HMT_RESIDENCE_PERMIT,
            with_check("82000020010910204"),
            date(2001, 9, 10),
            Sex.FEMALE,
            "820000",
        ),
    ),
    (
        # Under RESIDENT_ID an HMT permit is accepted and reported as what it is.
        with_check("83000019770303033"),
        DocumentKind.RESIDENT_ID,
        Document(
            DocumentKind.HMT_RESIDENCE_PERMIT,
            with_check("83000019770303033"),
            date(1977, 3, 3),
            Sex.MALE,
            "830000",
        ),
    ),
    (
        with_check("93184019800101008"),
        None,
        Document(
            DocumentKind.FOREIGN_PERMANENT_ID, with_check("93184019800101008"), date(1980, 1, 1), Sex.FEMALE
        ),
    ),
    (
        with_check("91125019921130017"),
        DocumentKind.FOREIGN_PERMANENT_ID,
        Document(
            DocumentKind.FOREIGN_PERMANENT_ID, with_check("91125019921130017"), date(1992, 11, 30), Sex.MALE
        ),
    ),
    ("H12345678", None, Document(DocumentKind.HK_MACAO_PASS, "H12345678")),
    ("m1234567890", None, Document(DocumentKind.HK_MACAO_PASS, "M1234567890")),
    ("H 1234 5678", DocumentKind.HK_MACAO_PASS, Document(DocumentKind.HK_MACAO_PASS, "H12345678")),
    ("12345678", None, Document(DocumentKind.TAIWAN_PASS, "12345678")),
    ("87654321", DocumentKind.TAIWAN_PASS, Document(DocumentKind.TAIWAN_PASS, "87654321")),
    ("E12345678", None, Document(DocumentKind.PASSPORT, "E12345678")),
    ("g12345678", None, Document(DocumentKind.PASSPORT, "G12345678")),
    ("EA1234567", None, Document(DocumentKind.PASSPORT, "EA1234567")),
    ("E12345678", DocumentKind.PASSPORT, Document(DocumentKind.PASSPORT, "E12345678")),
    ("x1234", DocumentKind.PASSPORT, Document(DocumentKind.PASSPORT, "X1234")),
    ("533380006", DocumentKind.PASSPORT, Document(DocumentKind.PASSPORT, "533380006")),
    ("ab 12cd34 ef", DocumentKind.PASSPORT, Document(DocumentKind.PASSPORT, "AB12CD34EF")),
    ("A" * 17, DocumentKind.PASSPORT, Document(DocumentKind.PASSPORT, "A" * 17)),
]


@pytest.mark.parametrize(("text", "kind", "expected"), VALID_CASES)
def test_valid_documents(text: str, kind: DocumentKind | None, expected: Document) -> None:
    assert parse(text, kind) == expected


def test_today_defaults_to_the_real_date() -> None:
    future = date.today() + timedelta(days=2)
    number = make_resident_id("330624", future, 1)
    with pytest.raises(InvalidDocument) as info:
        parse_document(number)
    assert info.value.code == "bad_birth_date"
    assert (
        parse_document(make_resident_id("330624", date.today() - timedelta(days=2), 1)).kind == "resident_id"
    )


def test_born_today_is_accepted() -> None:
    assert parse(make_resident_id("330624", TODAY, 1)).birth_date == TODAY


# --- errors ------------------------------------------------------------------------------

ERROR_CASES: list[tuple[str, DocumentKind | None, str, str | None]] = [
    ("", None, "empty", "请输入证件号码"),
    ("   \u3000 ", DocumentKind.RESIDENT_ID, "empty", "请输入证件号码"),
    # format before length, length before region, region before date, date before checksum
    ("11010519491231002A", None, "bad_format", "身份证号码只能包含数字，最后一位可以是 X"),
    ("1101051949123100X2", None, "bad_format", None),
    ("1101A", DocumentKind.RESIDENT_ID, "bad_format", None),
    ("110105-19491231-002X", None, "bad_format", None),
    ("11010519491231002", None, "bad_length", "已输入 17 位，身份证号码应为 18 位"),
    ("1101051949123100", DocumentKind.RESIDENT_ID, "bad_length", "已输入 16 位，身份证号码应为 18 位"),
    ("1101051949123100X", None, "bad_length", "已输入 17 位，身份证号码应为 18 位"),
    ("1" * 19, None, "bad_length", "已输入 19 位，身份证号码应为 18 位"),
    ("110105491231002X", DocumentKind.RESIDENT_ID, "bad_length", None),
    ("11010549123100", DocumentKind.RESIDENT_ID, "bad_length", None),
    (with_wrong_check("00010519991399002"), None, "bad_region", "身份证号码的地区代码不存在：000105"),
    (with_wrong_check("16010519991399002"), DocumentKind.RESIDENT_ID, "bad_region", None),
    (with_wrong_check("72010519991399002"), DocumentKind.RESIDENT_ID, "bad_region", None),
    (with_check("91184019800101008"), DocumentKind.RESIDENT_ID, "bad_region", None),
    (with_check("81100019850615101"), None, "bad_region", None),
    (with_check("82000119850615101"), DocumentKind.RESIDENT_ID, "bad_region", None),
    (with_check("11010519491231002"), DocumentKind.HMT_RESIDENCE_PERMIT, "bad_region", None),
    (with_check("11010519491231002"), DocumentKind.FOREIGN_PERMANENT_ID, "bad_region", None),
    ("000105491231002", None, "bad_region", None),
    ("810000491231002", DocumentKind.RESIDENT_ID, "bad_region", None),
    (with_wrong_check("11010519900230002"), None, "bad_birth_date", "出生日期不存在：1990-02-30"),
    (with_check("11010519000229002"), None, "bad_birth_date", "出生日期不存在：1900-02-29"),
    (with_check("11010519901301002"), None, "bad_birth_date", "出生日期不存在：1990-13-01"),
    (with_check("11010519900100002"), None, "bad_birth_date", None),
    (with_check("11010500000101002"), None, "bad_birth_date", None),
    ("440524188001010014", None, "bad_birth_date", "出生日期早于 1900 年：1880-01-01"),  # GB sample
    (with_check("11010518991231002"), None, "bad_birth_date", None),
    (with_check("11010520240602002"), None, "bad_birth_date", "出生日期晚于今天：2024-06-02"),
    (with_check("81000020300101002"), None, "bad_birth_date", None),
    (with_check("91184020300101002"), None, "bad_birth_date", None),
    ("110105490230002", None, "bad_birth_date", "出生日期不存在：1949-02-30"),
    (with_wrong_check("11010519491231002"), None, "bad_checksum", "身份证号码校验位错误，请核对后重新输入"),
    ("11010519491231002X", DocumentKind.HMT_RESIDENCE_PERMIT, "bad_region", None),
    (with_wrong_check("81000019850615101"), None, "bad_checksum", "居住证号码校验位错误，请核对后重新输入"),
    (with_wrong_check("81000019850615101"), DocumentKind.RESIDENT_ID, "bad_checksum", None),
    (with_wrong_check("93184019800101008"), None, "bad_checksum", None),
    # passes and passports
    ("H1234567", DocumentKind.HK_MACAO_PASS, "bad_length", None),
    (
        "M123456789",
        None,
        "bad_length",
        "已输入 9 位数字，港澳居民来往内地通行证号码应为 H 或 M 加 8 位或 10 位数字",
    ),
    ("H123456789012", None, "bad_length", None),
    ("E12345678", DocumentKind.HK_MACAO_PASS, "bad_format", None),
    ("H1234567A", DocumentKind.HK_MACAO_PASS, "bad_format", None),
    (
        "1234567",
        DocumentKind.TAIWAN_PASS,
        "bad_length",
        "已输入 7 位，台湾居民来往大陆通行证号码应为 8 位数字",
    ),
    ("123456789", DocumentKind.TAIWAN_PASS, "bad_length", None),
    ("1234567A", DocumentKind.TAIWAN_PASS, "bad_format", None),
    ("1234", DocumentKind.PASSPORT, "bad_length", None),
    ("A" * 18, DocumentKind.PASSPORT, "bad_length", None),
    ("E1234-5678", DocumentKind.PASSPORT, "bad_format", "护照号码只能包含字母和数字"),
    ("护照E12345678", DocumentKind.PASSPORT, "bad_format", None),
    ("E123456", None, "bad_length", None),
    ("EAB1234567", None, "bad_format", None),
    ("AB12CD34EF", None, "bad_format", "无法识别的证件号码，请核对后重新输入"),
    ("张三", None, "bad_format", None),
]


@pytest.mark.parametrize(("text", "kind", "code", "message"), ERROR_CASES)
def test_errors(text: str, kind: DocumentKind | None, code: str, message: str | None) -> None:
    error = error_of(text, kind)
    assert error.code == code
    assert str(error) == error.message
    if message is not None:
        assert error.message == message


def test_invalid_document_is_a_value_error_that_pickles() -> None:
    error = error_of("11010519491231002")
    assert isinstance(error, ValueError)
    assert error.kind == DocumentKind.RESIDENT_ID
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message, copy.kind, str(copy)) == (
        error.code,
        error.message,
        error.kind,
        str(error),
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("11010519491231002X", DocumentKind.RESIDENT_ID),
        ("110105491231002", DocumentKind.RESIDENT_ID),
        (with_check("81000019850615101"), DocumentKind.HMT_RESIDENCE_PERMIT),
        (with_check("82000019850615101"), DocumentKind.HMT_RESIDENCE_PERMIT),
        (with_check("83000019850615101"), DocumentKind.HMT_RESIDENCE_PERMIT),
        (with_check("93184019800101008"), DocumentKind.FOREIGN_PERMANENT_ID),
        ("H12345678", DocumentKind.HK_MACAO_PASS),
        ("M1234567890", DocumentKind.HK_MACAO_PASS),
        ("12345678", DocumentKind.TAIWAN_PASS),
        ("G12345678", DocumentKind.PASSPORT),
        ("D1234567", DocumentKind.PASSPORT),
    ],
)
def test_kind_detection(text: str, kind: DocumentKind) -> None:
    assert parse(text).kind == kind
    assert parse(text, kind).kind == kind


def test_kind_names_are_complete() -> None:
    assert set(DOCUMENT_KIND_NAMES) == set(DocumentKind)
    assert DOCUMENT_KIND_NAMES[DocumentKind.RESIDENT_ID] == "居民身份证"


# --- properties of the resident ID -------------------------------------------------------

regions = st.builds(
    lambda province, rest: province + rest,
    st.sampled_from(MAINLAND_PROVINCES),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))
seqs = st.integers(min_value=0, max_value=999)


@given(regions, births, seqs)
def test_every_valid_id_parses(region: str, birth: date, seq: int) -> None:
    number = with_check(f"{region}{birth:%Y%m%d}{seq:03d}")
    assert make_resident_id(region, birth, seq) == number
    document = parse(number)
    assert document == Document(
        DocumentKind.RESIDENT_ID, number, birth, Sex.MALE if seq % 2 else Sex.FEMALE, region
    )
    assert parse(number.lower().center(24), DocumentKind.RESIDENT_ID) == document


@given(st.sampled_from(HMT_REGIONS), births, seqs)
def test_every_valid_hmt_permit_parses(region: str, birth: date, seq: int) -> None:
    document = parse(make_resident_id(region, birth, seq))
    assert (document.kind, document.birth_date, document.region_code) == (
        DocumentKind.HMT_RESIDENCE_PERMIT,
        birth,
        region,
    )


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), seqs)
def test_legacy_id_upgrades(birth: date, seq: int) -> None:
    document = parse(f"330624{birth:%y%m%d}{seq:03d}")
    assert document.number == with_check(f"330624{birth:%Y%m%d}{seq:03d}")
    assert (document.birth_date, document.sex) == (birth, Sex.MALE if seq % 2 else Sex.FEMALE)


@given(
    st.sampled_from([*MAINLAND_PROVINCES, "81", "82", "83"]),
    births,
    seqs,
    st.integers(min_value=0, max_value=17),
    st.sampled_from("0123456789X"),
)
def test_changing_any_single_character_is_rejected(
    province: str, birth: date, seq: int, position: int, replacement: str
) -> None:
    region = province + ("0000" if province in ("81", "82", "83") else "0102")
    number = make_resident_id(region, birth, seq)
    assume(replacement != number[position])
    assume(replacement != "X" or position == 17)
    changed = number[:position] + replacement + number[position + 1 :]
    for kind in (None, DocumentKind.RESIDENT_ID):
        with pytest.raises(InvalidDocument):
            parse(changed, kind)


# --- Document ----------------------------------------------------------------------------


def test_document_is_frozen_and_slotted() -> None:
    document = parse("11010519491231002X")
    with pytest.raises(dataclasses.FrozenInstanceError):
        document.number = "1"  # type: ignore[misc]
    assert not hasattr(document, "__dict__")


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1990, 6, 15), date(2020, 6, 14), 29),
        (date(1990, 6, 15), date(2020, 6, 15), 30),
        (date(1990, 6, 15), date(1990, 6, 15), 0),
        (date(1990, 12, 31), date(1991, 1, 1), 0),
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 28), 3),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
        (date(2000, 3, 1), date(2004, 2, 29), 3),
    ],
)
def test_age_on(born: date, on: date, age: int) -> None:
    assert parse(make_resident_id("330624", born, 5)).age_on(on) == age


def reference_age(born: date, on: date) -> int:
    """Count the birthdays passed; a 29 February birthday falls on 1 March in common years."""
    years = 0
    while True:
        year = born.year + years + 1
        try:
            birthday = born.replace(year=year)
        except ValueError:
            birthday = date(year, 3, 1)
        if birthday > on:
            return years
        years += 1


@given(births, st.integers(min_value=0, max_value=120 * 366))
def test_age_on_matches_reference(born: date, days_later: int) -> None:
    on = born + timedelta(days=days_later)
    assert Document(DocumentKind.RESIDENT_ID, "x", born).age_on(on) == reference_age(born, on)


def test_age_on_without_birth_date_or_before_birth() -> None:
    assert parse("E12345678").age_on(TODAY) is None
    with pytest.raises(ValueError):
        parse("11010519491231002X").age_on(date(1949, 12, 30))


# --- masking -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马光", "司马*"),
        ("欧阳", "欧*"),
        ("张", "*"),
        ("", ""),
        ("  李四 ", "李*"),
        ("John Smith", "J*********"),
        ("买买提·艾力", "买*****"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@given(st.text(min_size=0, max_size=12).map(str.strip).filter(lambda s: "*" not in s))
def test_mask_name_reveals_only_a_short_prefix(name: str) -> None:
    masked = mask_name(name)
    assert len(masked) == len(name)
    shown = len(masked.rstrip("*"))
    assert masked == name[:shown] + "*" * (len(name) - shown)
    assert shown <= 2
    assert shown < len(name) or name == ""


@given(st.sampled_from(sorted(COMPOUND_SURNAMES)), st.text(alphabet="娜明华", min_size=1, max_size=3))
def test_mask_name_keeps_compound_surnames(surname: str, given_name: str) -> None:
    assert mask_name(surname + given_name) == surname + "*" * len(given_name)


@pytest.mark.parametrize(
    ("number", "policy", "masked"),
    [
        ("330624199001011234", "standard", "330624********1234"),
        ("330624199001011234", "strict", "3306************34"),
        ("11010519491231002X", "standard", "110105********002X"),
        ("H1234567890", "standard", "H1********0"),
        ("H1234567890", "strict", "H123*****90"),
        ("E12345678", "standard", "E1******8"),
        ("12345678", "standard", "1******8"),
        ("12345678", "strict", "1******8"),
        ("AB", "standard", "**"),
        ("", "standard", ""),
    ],
)
def test_mask_document(number: str, policy: str, masked: str) -> None:
    assert mask_document(number, MASK_POLICIES[policy]) == masked


def test_mask_policies_match_masking_levels() -> None:
    assert set(MASK_POLICIES) == {level.value for level in MaskingLevel}
    assert all(name == policy.name for name, policy in MASK_POLICIES.items())
    assert MASK_POLICIES[MaskingLevel.STRICT] == MaskPolicy("strict", 4, 2)
    assert DEFAULT_MASK_POLICY is MASK_POLICIES["standard"]
    assert mask_document("330624199001011234") == mask_number("330624199001011234")


def test_mask_number_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        mask_number("330624199001011234", -1, 4)


NUMBER_CHARS = "0123456789ABX"


@given(
    st.text(alphabet=NUMBER_CHARS, max_size=24),
    st.integers(min_value=0, max_value=8),
    st.integers(min_value=0, max_value=8),
)
def test_mask_number_never_reveals_more_than_allowed(number: str, head: int, tail: int) -> None:
    masked = mask_number(number, head, tail)
    n = len(number)
    assert len(masked) == n
    shown_head = n - len(masked.lstrip(NUMBER_CHARS))
    shown_tail = n - len(masked.rstrip(NUMBER_CHARS))
    if shown_head == n:  # nothing starred: only possible for an empty number
        assert n == 0
        return
    stars = n - shown_head - shown_tail
    assert masked == number[:shown_head] + "*" * stars + number[n - shown_tail :]
    assert shown_head <= head
    assert shown_tail <= tail
    assert stars >= MIN_MASKED_CHARS or shown_head + shown_tail <= n // 3


@given(st.text(alphabet="0123456789X", min_size=1, max_size=20), st.sampled_from(sorted(MASK_POLICIES)))
def test_mask_document_obeys_policy(number: str, policy_name: str) -> None:
    policy = MASK_POLICIES[policy_name]
    masked = mask_document(number, policy)
    assert sum(c != "*" for c in masked) <= policy.number_head + policy.number_tail
    assert "*" in masked
