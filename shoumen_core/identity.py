"""Documents of a visitor: parsing and validating the numbers a guard types, and masking them.

The mainland resident ID (GB 11643-1999) and the two documents built on the same standard
(the 港澳台居民居住证 and the 2023 外国人永久居留身份证) are checked fully: region prefix,
birth date, ISO 7064 MOD 11-2 check digit. Passes and passports are checked by pattern only.

The GUI validates live while the guard types, so errors carry a stable `code` for the program
and a Chinese `message` for the guard, and a too-short number says how many digits are there.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class DocumentKind(StrEnum):
    RESIDENT_ID = "resident_id"
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"
    FOREIGN_PERMANENT_ID = "foreign_permanent_id"
    HK_MACAO_PASS = "hk_macao_pass"
    TAIWAN_PASS = "taiwan_pass"
    PASSPORT = "passport"


DOCUMENT_KIND_NAMES: dict[DocumentKind, str] = {
    DocumentKind.RESIDENT_ID: "居民身份证",
    DocumentKind.HMT_RESIDENCE_PERMIT: "港澳台居民居住证",
    DocumentKind.FOREIGN_PERMANENT_ID: "外国人永久居留身份证",
    DocumentKind.HK_MACAO_PASS: "港澳居民来往内地通行证",
    DocumentKind.TAIWAN_PASS: "台湾居民来往大陆通行证",
    DocumentKind.PASSPORT: "护照",
}

# How the messages name a document's number.
_NOUN: dict[DocumentKind, str] = {
    DocumentKind.RESIDENT_ID: "身份证号码",
    DocumentKind.HMT_RESIDENCE_PERMIT: "居住证号码",
    DocumentKind.FOREIGN_PERMANENT_ID: "永久居留身份证号码",
    DocumentKind.HK_MACAO_PASS: "港澳居民来往内地通行证号码",
    DocumentKind.TAIWAN_PASS: "台湾居民来往大陆通行证号码",
    DocumentKind.PASSPORT: "护照号码",
}


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class DocumentErrorCode(StrEnum):
    EMPTY = "empty"
    BAD_FORMAT = "bad_format"
    BAD_LENGTH = "bad_length"
    BAD_REGION = "bad_region"
    BAD_BIRTH_DATE = "bad_birth_date"
    BAD_CHECKSUM = "bad_checksum"


class InvalidDocument(ValueError):
    """A number the guard typed is not a valid document; `message` is for the guard."""

    def __init__(self, code: DocumentErrorCode, message: str, kind: DocumentKind | None = None) -> None:
        super().__init__(code, message, kind)
        self.code = code
        self.message = message
        self.kind = kind  # the kind the number was checked as, None when it was not recognised

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Document:
    kind: DocumentKind
    number: str  # normalised: uppercase, no spaces; a 15-digit ID is upgraded to 18
    birth_date: date | None = None
    sex: Sex | None = None
    region_code: str | None = None

    def age_on(self, d: date) -> int | None:
        """Full years on `d` (someone born on 29 February gets a year older on 1 March)."""
        if self.birth_date is None:
            return None
        born = self.birth_date
        if d < born:
            raise ValueError(f"{d} is before the birth date")
        return d.year - born.year - ((d.month, d.day) < (born.month, born.day))


# --- GB 11643 family ---------------------------------------------------------------------

# 2-digit province codes: the mainland, plus 71 Taiwan, 81 Hong Kong, 82 Macau, 83 (HMT permits).
MAINLAND_PROVINCE_CODES: frozenset[str] = frozenset(
    str(code)
    for first, last in ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71))
    for code in range(first, last + 1)
)
HMT_REGION_CODES: frozenset[str] = frozenset({"810000", "820000", "830000"})
PROVINCE_CODES: frozenset[str] = MAINLAND_PROVINCE_CODES | {code[:2] for code in HMT_REGION_CODES}

_WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))
_ZERO_OFFSET = ord("0") * sum(_WEIGHTS)
_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH_YEAR = 1900

_DIGITS = re.compile(r"[0-9]+")
_DIGITS_THEN_X = re.compile(r"[0-9]*X?")
_ALNUM = re.compile(r"[A-Z0-9]+")
_HK_MACAO_PASS = re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?")
_HK_MACAO_PREFIX = re.compile(r"[HM][0-9]*")
_CN_PASSPORT = re.compile(r"[A-Z]{1,2}[0-9]{7,8}")
_PASSPORT_LIKE = re.compile(r"[A-Z]{1,2}[0-9]+")
_FOREIGN_PASSPORT_LENGTHS = range(5, 18)


def id_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character ("0"-"9" or "X") of 17 ASCII digits."""
    if len(first17) != 17 or not _DIGITS.fullmatch(first17):
        raise ValueError("need exactly 17 ASCII digits")
    return _check_char(first17)


def _check_char(first17: str) -> str:
    """id_check_digit without the input check; hot: runs on every keystroke."""
    # The ASCII codes are the digits plus ord("0"); subtracting that once avoids 17 int() calls.
    total = sum(map(operator.mul, first17.encode("ascii"), _WEIGHTS)) - _ZERO_OFFSET
    return _CHECK_CHARS[total % 11]


def make_resident_id(region: str, birth: date, seq: int) -> str:
    """A well-formed 18-digit number (for the demo seed and tests); `region` is not checked."""
    if len(region) != 6 or not _DIGITS.fullmatch(region):
        raise ValueError("region must be 6 ASCII digits")
    if not 0 <= seq <= 999:
        raise ValueError("seq must be 0..999")
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    if len(first17) != 17:
        raise ValueError("birth year must have 4 digits")
    return first17 + id_check_digit(first17)


def _fail(code: DocumentErrorCode, message: str, kind: DocumentKind | None = None) -> InvalidDocument:
    return InvalidDocument(code, message, kind)


def _bad_birth_date(problem: str, digits: str, kind: DocumentKind) -> InvalidDocument:
    shown = f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"
    return _fail(DocumentErrorCode.BAD_BIRTH_DATE, f"{problem}：{shown}", kind)


def _birth_date(digits: str, kind: DocumentKind, today: date | None) -> date:
    """`digits` is YYYYMMDD."""
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise _bad_birth_date("出生日期不存在", digits, kind) from None
    if born.year < _EARLIEST_BIRTH_YEAR:
        raise _bad_birth_date("出生日期早于 1900 年", digits, kind)
    if born > (today or date.today()):
        raise _bad_birth_date("出生日期晚于今天", digits, kind)
    return born


def _sex(seq_digit: str) -> Sex:
    return Sex.MALE if int(seq_digit) % 2 else Sex.FEMALE


def _parse_gb11643(s: str, kind: DocumentKind, today: date | None) -> Document:
    """An 18-character number of the resident-ID family, checked as `kind`.

    Under RESIDENT_ID an 81/82/83 prefix is accepted and reported as HMT_RESIDENCE_PERMIT:
    the permit follows the same standard, and a guard types it in the same ID field.
    """
    noun = _NOUN[kind]
    if not _DIGITS_THEN_X.fullmatch(s):
        raise _fail(DocumentErrorCode.BAD_FORMAT, f"{noun}只能包含数字，最后一位可以是 X", kind)
    if len(s) != 18:
        raise _fail(DocumentErrorCode.BAD_LENGTH, f"已输入 {len(s)} 位，{noun}应为 18 位", kind)
    region: str | None = s[:6]
    if kind is DocumentKind.FOREIGN_PERMANENT_ID:
        if s[0] != "9":
            raise _fail(DocumentErrorCode.BAD_REGION, f"{noun}应以 9 开头", kind)
        region = None  # digits 2-6 code nationality and issuing place, not a mainland region
    else:
        if kind is DocumentKind.RESIDENT_ID and s[:2] not in MAINLAND_PROVINCE_CODES:
            if s[:2] not in PROVINCE_CODES:
                raise _fail(DocumentErrorCode.BAD_REGION, f"{noun}的地区代码不存在：{s[:6]}", kind)
            kind = DocumentKind.HMT_RESIDENCE_PERMIT
        if kind is DocumentKind.HMT_RESIDENCE_PERMIT and s[:6] not in HMT_REGION_CODES:
            raise _fail(
                DocumentErrorCode.BAD_REGION, f"{_NOUN[kind]}应以 810000、820000 或 830000 开头", kind
            )
    born = _birth_date(s[6:14], kind, today)
    if _check_char(s[:17]) != s[17]:
        raise _fail(DocumentErrorCode.BAD_CHECKSUM, f"{_NOUN[kind]}校验位错误，请核对后重新输入", kind)
    return Document(kind, s, born, _sex(s[16]), region)


def _parse_legacy_id(s: str, today: date | None) -> Document:
    """A 15-digit first-generation ID (YYMMDD of the 1900s, no check digit), upgraded to 18."""
    kind = DocumentKind.RESIDENT_ID
    if s[:2] not in MAINLAND_PROVINCE_CODES:
        raise _fail(DocumentErrorCode.BAD_REGION, f"身份证号码的地区代码不存在：{s[:6]}", kind)
    born = _birth_date("19" + s[6:12], kind, today)
    first17 = f"{s[:6]}19{s[6:]}"
    return Document(kind, first17 + _check_char(first17), born, _sex(s[14]), s[:6])


# --- pattern-only documents --------------------------------------------------------------


def _parse_hk_macao_pass(s: str) -> Document:
    kind = DocumentKind.HK_MACAO_PASS
    if _HK_MACAO_PASS.fullmatch(s):
        return Document(kind, s)
    if not _HK_MACAO_PREFIX.fullmatch(s):
        raise _fail(DocumentErrorCode.BAD_FORMAT, f"{_NOUN[kind]}应为 H 或 M 开头，后接数字", kind)
    raise _fail(
        DocumentErrorCode.BAD_LENGTH,
        f"已输入 {len(s) - 1} 位数字，{_NOUN[kind]}应为 H 或 M 加 8 位或 10 位数字",
        kind,
    )


def _parse_taiwan_pass(s: str) -> Document:
    kind = DocumentKind.TAIWAN_PASS
    if not _DIGITS.fullmatch(s):
        raise _fail(DocumentErrorCode.BAD_FORMAT, f"{_NOUN[kind]}只能包含数字", kind)
    if len(s) != 8:
        raise _fail(DocumentErrorCode.BAD_LENGTH, f"已输入 {len(s)} 位，{_NOUN[kind]}应为 8 位数字", kind)
    return Document(kind, s)


def _parse_passport(s: str) -> Document:
    """Chinese and foreign passports alike: 5-17 letters or digits."""
    kind = DocumentKind.PASSPORT
    if not _ALNUM.fullmatch(s):
        raise _fail(DocumentErrorCode.BAD_FORMAT, f"{_NOUN[kind]}只能包含字母和数字", kind)
    if len(s) not in _FOREIGN_PASSPORT_LENGTHS:
        raise _fail(
            DocumentErrorCode.BAD_LENGTH, f"已输入 {len(s)} 位，{_NOUN[kind]}应为 5 到 17 位字母或数字", kind
        )
    return Document(kind, s)


# --- entry point -------------------------------------------------------------------------


def normalise_document_number(text: str) -> str:
    """Drop all white space, fold full-width characters (a Chinese IME's "１２３ｘ"), uppercase."""
    s = "".join(text.split())
    if not s.isascii():
        s = "".join(unicodedata.normalize("NFKC", s).split())
    return s.upper()


def parse_document(text: str, kind: DocumentKind | None = None, *, today: date | None = None) -> Document:
    """Validate what the guard typed (or a wedge reader sent) and say what document it is.

    With `kind` the number is checked only as that kind (see `_parse_gb11643` for RESIDENT_ID
    and HMT permits); without it the kind is recognised from the shape. `today` (default:
    date.today()) is the day a birth date may not be after.
    """
    s = normalise_document_number(text)
    if not s:
        raise _fail(DocumentErrorCode.EMPTY, "请输入证件号码", kind)
    if kind is None:
        return _detect_and_parse(s, today)
    if kind is DocumentKind.RESIDENT_ID and len(s) == 15 and _DIGITS.fullmatch(s):
        return _parse_legacy_id(s, today)
    if kind in (
        DocumentKind.RESIDENT_ID,
        DocumentKind.HMT_RESIDENCE_PERMIT,
        DocumentKind.FOREIGN_PERMANENT_ID,
    ):
        return _parse_gb11643(s, kind, today)
    if kind is DocumentKind.HK_MACAO_PASS:
        return _parse_hk_macao_pass(s)
    if kind is DocumentKind.TAIWAN_PASS:
        return _parse_taiwan_pass(s)
    return _parse_passport(s)


def _detect_and_parse(s: str, today: date | None) -> Document:
    if len(s) == 18:
        if s[:2] in ("81", "82", "83"):
            return _parse_gb11643(s, DocumentKind.HMT_RESIDENCE_PERMIT, today)
        if s[0] == "9":
            return _parse_gb11643(s, DocumentKind.FOREIGN_PERMANENT_ID, today)
        return _parse_gb11643(s, DocumentKind.RESIDENT_ID, today)
    if _DIGITS_THEN_X.fullmatch(s):
        if _DIGITS.fullmatch(s):
            if len(s) == 15:
                return _parse_legacy_id(s, today)
            if len(s) == 8:
                return _parse_taiwan_pass(s)
        # Most likely a resident ID being typed: say how far along it is.
        return _parse_gb11643(s, DocumentKind.RESIDENT_ID, today)
    if _HK_MACAO_PASS.fullmatch(s):
        return Document(DocumentKind.HK_MACAO_PASS, s)
    if _CN_PASSPORT.fullmatch(s):
        return Document(DocumentKind.PASSPORT, s)
    if _HK_MACAO_PREFIX.fullmatch(s):
        return _parse_hk_macao_pass(s)
    if _PASSPORT_LIKE.fullmatch(s):
        raise _fail(
            DocumentErrorCode.BAD_LENGTH,
            f"已输入 {len(s)} 位，护照号码应为 1 到 2 个字母加 7 到 8 位数字",
            DocumentKind.PASSPORT,
        )
    raise _fail(DocumentErrorCode.BAD_FORMAT, "无法识别的证件号码，请核对后重新输入")


# --- masking -----------------------------------------------------------------------------

COMPOUND_SURNAMES: frozenset[str] = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
        "呼延",
        "澹台",
        "单于",
        "万俟",
        "闻人",
        "东郭",
        "太史",
        "申屠",
        "公冶",
        "赫连",
    ]
)

# Fewer hidden characters than this and the number is masked as "short" (a third shown).
MIN_MASKED_CHARS = 4


@dataclass(frozen=True, slots=True)
class MaskPolicy:
    name: str
    number_head: int
    number_tail: int


# Keys are the values of shoumen_core.policy.MaskingLevel.
MASK_POLICIES: dict[str, MaskPolicy] = {
    "standard": MaskPolicy("standard", number_head=6, number_tail=4),
    "strict": MaskPolicy("strict", number_head=4, number_tail=2),
}
DEFAULT_MASK_POLICY = MASK_POLICIES["standard"]


def mask_name(name: str) -> str:
    """Show the surname only: 张三 -> 张*, 欧阳娜娜 -> 欧阳**, 欧阳 -> 欧*, 张 -> *.

    Every name, Latin ones too, keeps its length and shows only a prefix: "John Smith" ->
    "J*********" (which word is the surname is unknowable, and the initial is enough to compare).
    """
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    shown = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:shown] + "*" * (len(name) - shown)


def mask_number(
    number: str, head: int = DEFAULT_MASK_POLICY.number_head, tail: int = DEFAULT_MASK_POLICY.number_tail
) -> str:
    """Keep `head` and `tail` characters, star the rest: 330624********1234.

    When that would hide fewer than MIN_MASKED_CHARS characters, at most a third of the number
    is shown instead (split between head and tail), so short numbers are not given away.
    """
    if head < 0 or tail < 0:
        raise ValueError("head and tail must not be negative")
    n = len(number)
    if n - head - tail < MIN_MASKED_CHARS:
        budget = n // 3
        short_tail = min(tail, budget // 2)
        head = min(head, budget - short_tail)
        tail = min(tail, budget - head)
    suffix = number[n - tail :] if tail else ""
    return number[:head] + "*" * (n - head - tail) + suffix


def mask_document(number: str, policy: MaskPolicy = DEFAULT_MASK_POLICY) -> str:
    """Mask a normalised document number (Document.number) as the venue's policy says."""
    return mask_number(number, policy.number_head, policy.number_tail)
