"""Mainland mobile numbers: validation for SMS login and visitor check-in, masking for display."""

from __future__ import annotations

import re
import unicodedata

from shoumen_core.identity import mask_number

# 11 digits, 1 then 3-9; an optional +86 / 86 country code in front.
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9][0-9]{9})")
_SEPARATORS = re.compile(r"[\s\-]+")


class InvalidPhone(ValueError):
    """Not a mainland mobile number; `message` is for the user."""

    code = "bad_phone"
    message = "手机号码格式不正确"

    def __str__(self) -> str:
        return self.message


def normalise_phone(text: str) -> str:
    """The bare 11 digits of a mainland mobile ("+86 138-0013-8000" -> "13800138000")."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)  # full-width digits from a Chinese IME
    match = _MOBILE.fullmatch(_SEPARATORS.sub("", text))
    if match is None:
        raise InvalidPhone()
    return match.group(1)


def is_mainland_mobile(text: str) -> bool:
    try:
        normalise_phone(text)
    except InvalidPhone:
        return False
    return True


def mask_phone(text: str) -> str:
    """138****8000. Masking is for display and never fails: anything that is not a mainland
    mobile is masked as a plain number (at most 3 + 4 characters shown, fewer when short)."""
    try:
        number = normalise_phone(text)
    except InvalidPhone:
        number = _SEPARATORS.sub("", text)
    return mask_number(number, head=3, tail=4)
