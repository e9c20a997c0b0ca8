from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shoumen_core.phone import InvalidPhone, is_mainland_mobile, mask_phone, normalise_phone


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("13800138000", "13800138000"),
        (" 13800138000 ", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("86-138-0013-8000", "13800138000"),
        ("8619912345678", "19912345678"),
        ("１３８００１３８０００", "13800138000"),  # full-width, from a Chinese IME
    ],
)
def test_valid_mobiles(text: str, number: str) -> None:
    assert normalise_phone(text) == number
    assert is_mainland_mobile(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "12800138000",  # second digit must be 3-9
        "10800138000",
        "23800138000",
        "1380013800",  # 10 digits
        "138001380000",  # 12 digits
        "+85213800138000",
        "+86",
        "+86 1380013800",
        "138.0013.8000",
        "1380013800O",  # letter O
        "+8613800138000+",
    ],
)
def test_invalid_mobiles(text: str) -> None:
    assert not is_mainland_mobile(text)
    with pytest.raises(InvalidPhone) as info:
        normalise_phone(text)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.code == "bad_phone"
    assert error.message == "手机号码格式不正确"
    assert str(error) == error.message


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("13800138000", "138****8000"),
        ("+86 139-1234-5678", "139****5678"),
        ("12345", "1****"),  # not a mobile: still masked, a third shown at most
        ("010-12345678", "010****5678"),
        ("", ""),
    ],
)
def test_mask_phone(text: str, masked: str) -> None:
    assert mask_phone(text) == masked


mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)


@given(
    mobiles,
    st.sampled_from(["", "86", "+86", "+86 ", "86-"]),
    st.lists(st.sampled_from([" ", "-", "\t"]), min_size=10, max_size=10),
)
def test_formatted_mobiles_normalise_back(number: str, prefix: str, separators: list[str]) -> None:
    spread = "".join(
        digit + (separators[i] if i < len(separators) and i % 3 == 2 else "")
        for i, digit in enumerate(number)
    )
    text = prefix + spread
    assert normalise_phone(text) == number
    assert mask_phone(text) == number[:3] + "****" + number[7:]


@given(st.text(alphabet="0123456789", max_size=15).filter(lambda s: len(s) not in (11, 13)))
def test_wrong_digit_counts_are_rejected(digits: str) -> None:
    assert not is_mainland_mobile(digits)
