"""Signed trust lists (issue 13 §3): only a pinned root, or one it endorsed, can change the keys
a device trusts offline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from shoumen_core.codes import SigningKey, TrustList, b64url_decode, b64url_encode
from shoumen_core.trust import (
    MAX_ENDORSEMENTS,
    BadTrustListSignature,
    MalformedTrustList,
    OlderTrustList,
    SignedTrustList,
    TrustListError,
    UnknownTrustRoot,
    UnsignedTrustList,
    endorse_root,
    parse_signed_trust_list,
    root_key_id,
    root_public_key,
    sign_trust_list,
    verify_trust_list,
)

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
ISSUER = SigningKey.generate("k1")
ATTACKER = SigningKey.generate("evil")
ROOT = SigningKey.generate()
NEW_ROOT = SigningKey.generate()
PIN = [root_public_key(ROOT)]


def trust_list(*keys: SigningKey, version: int = 3, issued_at: datetime = T0) -> TrustList:
    return TrustList(
        keys=tuple(
            k.trusted_key(T0 - timedelta(days=30), T0 + timedelta(days=365)) for k in keys or (ISSUER,)
        ),
        issued_at=issued_at,
        valid_until=issued_at + timedelta(days=7),
        version=version,
    )


def test_a_signed_list_verifies_against_its_pinned_root() -> None:
    signed = sign_trust_list(trust_list(), ROOT)
    verified = verify_trust_list(signed.to_json(), PIN)
    assert verified.trust_list.keys == trust_list().keys
    assert verified.version == 3 and verified.root_public_key == PIN[0] and not verified.endorsed
    assert signed.root_key_id == root_key_id(PIN[0]) and signed.root_key_id.startswith("root-")
    assert signed.to_json().isascii()


def test_an_unsigned_list_is_refused() -> None:
    with pytest.raises(UnsignedTrustList) as caught:
        verify_trust_list(trust_list(ATTACKER).to_json(), PIN)
    assert caught.value.code == "trust_list_unsigned"
    assert "已拒绝" in caught.value.message and "上一版" in caught.value.message


def test_a_list_signed_by_an_attacker_root_is_refused() -> None:
    forged = sign_trust_list(trust_list(ISSUER, ATTACKER), ATTACKER)
    with pytest.raises(UnknownTrustRoot):
        verify_trust_list(forged.to_json(), PIN)


def test_a_list_relabelled_with_the_pinned_root_but_signed_by_another_key_is_refused() -> None:
    forged = sign_trust_list(trust_list(ISSUER, ATTACKER), ATTACKER)
    relabelled = forged.model_copy(update={"root_public_key": PIN[0]})
    with pytest.raises(BadTrustListSignature):
        verify_trust_list(relabelled.to_json(), PIN)


def test_a_tampered_body_is_refused() -> None:
    signed = sign_trust_list(trust_list(), ROOT)
    data = json.loads(b64url_decode(signed.body))
    data["keys"].append(ATTACKER.trusted_key(T0, T0 + timedelta(days=1)).model_dump(mode="json"))
    body = b64url_encode(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    with pytest.raises(BadTrustListSignature):
        verify_trust_list(signed.model_copy(update={"body": body}).to_json(), PIN)


def test_an_older_version_is_refused_and_an_equal_one_is_left_to_the_caller() -> None:
    old = sign_trust_list(trust_list(version=2), ROOT).to_json()
    with pytest.raises(OlderTrustList) as caught:
        verify_trust_list(old, PIN, min_version=3)
    assert caught.value.code == "trust_list_older"
    current = trust_list(version=3)
    same = verify_trust_list(sign_trust_list(current, ROOT).to_json(), PIN, min_version=3)
    assert not same.is_newer_than(current)
    refresh = verify_trust_list(
        sign_trust_list(trust_list(version=3, issued_at=T0 + timedelta(hours=1)), ROOT).to_json(),
        PIN,
        min_version=3,
    )
    assert refresh.is_newer_than(current)  # the same keys, issued later: a refresh, not a downgrade
    newer = verify_trust_list(sign_trust_list(trust_list(version=4, issued_at=T0), ROOT).to_json(), PIN)
    assert newer.is_newer_than(current)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{not json",
        "[]",
        '"x"',
        json.dumps({"signature": "x"}),
        json.dumps({"format": "SMTL2", "signature": ""}),
    ],
)
def test_garbage_is_malformed(text: str) -> None:
    with pytest.raises(MalformedTrustList):
        verify_trust_list(text, PIN)


def test_no_pinned_root_accepts_nothing() -> None:
    with pytest.raises(UnknownTrustRoot):
        verify_trust_list(sign_trust_list(trust_list(), ROOT).to_json(), [])


def test_errors_are_typed() -> None:
    for error in (
        UnsignedTrustList,
        BadTrustListSignature,
        UnknownTrustRoot,
        OlderTrustList,
        MalformedTrustList,
    ):
        assert issubclass(error, TrustListError) and issubclass(error, ValueError)
        assert error().code.startswith("trust_")


# ---- root rotation ----------------------------------------------------------------------------


def test_a_new_root_is_accepted_only_with_the_old_roots_endorsement() -> None:
    listed = trust_list(version=5)
    without = sign_trust_list(listed, NEW_ROOT)
    with pytest.raises(UnknownTrustRoot):
        verify_trust_list(without.to_json(), PIN)
    endorsement = endorse_root(ROOT, root_public_key(NEW_ROOT), T0)
    assert endorsement.is_valid()
    verified = verify_trust_list(sign_trust_list(listed, NEW_ROOT, [endorsement]).to_json(), PIN)
    assert verified.endorsed and verified.root_public_key == root_public_key(NEW_ROOT)
    # Pinned to the new root now, the old root's lists and endorsements no longer count.
    new_pin = [verified.root_public_key]
    with pytest.raises(UnknownTrustRoot):
        verify_trust_list(sign_trust_list(listed, ROOT).to_json(), new_pin)
    stolen = endorse_root(ROOT, root_public_key(ATTACKER), T0)
    with pytest.raises(UnknownTrustRoot):
        verify_trust_list(sign_trust_list(listed, ATTACKER, [endorsement, stolen]).to_json(), new_pin)


def test_an_endorsement_chain_is_followed_from_the_pin() -> None:
    third = SigningKey.generate()
    chain = [
        endorse_root(NEW_ROOT, root_public_key(third), T0 + timedelta(days=1)),  # order does not matter
        endorse_root(ROOT, root_public_key(NEW_ROOT), T0),
    ]
    verified = verify_trust_list(sign_trust_list(trust_list(), third, chain).to_json(), PIN)
    assert verified.root_public_key == root_public_key(third) and verified.endorsed


def test_an_endorsement_not_signed_by_the_old_root_is_refused() -> None:
    forged = endorse_root(ATTACKER, root_public_key(ATTACKER), T0).model_copy(
        update={"old_root_public_key": PIN[0]}
    )
    assert not forged.is_valid()
    with pytest.raises(UnknownTrustRoot):
        verify_trust_list(sign_trust_list(trust_list(), ATTACKER, [forged]).to_json(), PIN)
    later = endorse_root(ROOT, root_public_key(NEW_ROOT), T0)
    moved = later.model_copy(update={"endorsed_at": T0 + timedelta(days=1)})  # the date is signed too
    assert not moved.is_valid()


def test_endorsements_are_bounded() -> None:
    signed = sign_trust_list(trust_list(), ROOT, [endorse_root(ROOT, root_public_key(NEW_ROOT), T0)] * 20)
    assert len(signed.endorsements) == MAX_ENDORSEMENTS  # the signer keeps only the newest
    data = json.loads(signed.to_json())
    data["endorsements"] = data["endorsements"] * 3
    with pytest.raises(MalformedTrustList):
        parse_signed_trust_list(json.dumps(data))
    assert isinstance(parse_signed_trust_list(signed.to_json()), SignedTrustList)
