"""The enrolment code (设备绑定): made from an alphabet people read and type without mixing up
letters, found again in whatever a person types or a scanner reads."""

from __future__ import annotations

import pytest

from shoumen_core.devices import (
    CODE_ALPHABET,
    CODE_LENGTH,
    display_code,
    new_enrolment_code,
    normalise_enrolment_code,
    qr_payload,
)


def test_codes_use_only_the_unambiguous_alphabet() -> None:
    codes = {new_enrolment_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert not set("01IOL") & set(CODE_ALPHABET)


@pytest.mark.parametrize("typed", ["K7QX-M2PA", "k7qx m2pa", " K7QXM2PA ", "K7QX_M2PA", "SMENROL1.K7QXM2PA"])
def test_typed_or_scanned_forms_give_the_code(typed: str) -> None:
    assert normalise_enrolment_code(typed) == "K7QXM2PA"


@pytest.mark.parametrize("typed", ["", "K7QX", "K7QX-M2PA-9", "K7QX-M2P0", "O0O0-IIII", "K7QX-M2PÄ"])
def test_other_texts_are_no_code(typed: str) -> None:
    assert normalise_enrolment_code(typed) is None


def test_display_and_qr_forms_round_trip() -> None:
    code = new_enrolment_code()
    assert normalise_enrolment_code(display_code(code)) == code
    assert normalise_enrolment_code(qr_payload(code)) == code
    assert qr_payload(code).isascii()
