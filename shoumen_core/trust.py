"""Signed trust lists (DESIGN §3): the issuers' keys, signed by a root key the app pins.

A trust list decides which personal codes verify offline, so a device must not take one only
because it came over the connection: an attacker key slipped into it would make forged codes
pass at the gate with no network at all. The list therefore travels in a signed envelope::

    {"format": "SMTL1",
     "root_public_key": <base64url raw 32-byte Ed25519 key of the root>,
     "body": <base64url of the canonical JSON of the TrustList, version included>,
     "signature": <base64url Ed25519 by the root over "SMTL1.<root_public_key>.<body>">,
     "endorsements": [<RootEndorsement>, ...]}

The signature covers the exact characters sent, so the verifier never re-encodes anything and
no JSON canonicalisation can differ between signer and verifier; the root's public key is inside
the signed message, so a list cannot be relabelled with another root.

Rotating the root: the old root signs the new root's public key (a ``RootEndorsement``,
"SMRE1.<old>.<new>.<epoch seconds>"). A device pinned to the old root accepts a list signed by
the new one only through such an endorsement chain starting at its pin; the app then replaces its
pin with the new root, so the old one (and any endorsement it signs later) is no longer enough.

Verifying raises only ``TrustListError`` subclasses for bad input: ``code`` is stable, ``message``
Chinese (the station's status bar shows it), ``detail`` an English hint for logs and tests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shoumen_core.codes import SigningKey, TrustList, _to_epoch, _utc, b64url_decode, b64url_encode

TRUST_LIST_FORMAT: Final = "SMTL1"
ENDORSEMENT_FORMAT: Final = "SMRE1"
MAX_ENDORSEMENTS: Final = 8  # a device may have missed this many root rotations, no more
MAX_SIGNED_LIST_LENGTH: Final = 512 * 1024  # a few thousand issuer keys; bounds parsing work

_KEEPS_OLD: Final = "（离线核验仍用上一版）"


# ---------------------------------------------------------------------------- errors


class TrustListError(ValueError):
    """A trust list the device refuses. The previously stored list stays in use."""

    code: str = "trust_list_refused"
    default_message: str = "信任列表无效，已拒绝" + _KEEPS_OLD

    def __init__(self, message: str | None = None, *, detail: str | None = None) -> None:
        self.message: str = message or self.default_message
        self.detail: str | None = detail
        super().__init__(self.message if detail is None else f"{self.message} ({detail})")


class MalformedTrustList(TrustListError):
    code = "trust_list_malformed"
    default_message = "信任列表格式无效，已拒绝" + _KEEPS_OLD


class UnsignedTrustList(TrustListError):
    code = "trust_list_unsigned"
    default_message = "信任列表没有签名，已拒绝" + _KEEPS_OLD


class BadTrustListSignature(TrustListError):
    code = "trust_list_bad_signature"
    default_message = "信任列表签名无效，已拒绝" + _KEEPS_OLD


class UnknownTrustRoot(TrustListError):
    code = "trust_root_unknown"
    default_message = "信任列表的根密钥与本机记录的不一致，已拒绝" + _KEEPS_OLD + "，请联系管理员"


class OlderTrustList(TrustListError):
    code = "trust_list_older"
    default_message = "信任列表比本机已有的旧，已拒绝" + _KEEPS_OLD


# ---------------------------------------------------------------------------- keys


def _raw_public_key(value: str) -> bytes:
    raw = b64url_decode(value)
    if len(raw) != 32:
        raise ValueError("a root public key is 32 raw bytes")
    return raw


def root_public_key(root: SigningKey) -> str:
    """The root's public half as pinned and sent (base64url of the raw 32 bytes)."""
    return b64url_encode(root.public_bytes())


def root_key_id(public_key: str) -> str:
    """A short fingerprint naming a root in logs, messages and the CLI (not a secret)."""
    return "root-" + hashlib.sha256(_raw_public_key(public_key)).hexdigest()[:16]


def _verify(public_key: str, signature: str, message: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(_raw_public_key(public_key))
        key.verify(b64url_decode(signature), message.encode("ascii"))
    except (InvalidSignature, ValueError):
        return False
    return True


# ---------------------------------------------------------------------------- models


class RootEndorsement(BaseModel):
    """The old root vouching for its successor: one step of a root rotation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    old_root_public_key: str
    new_root_public_key: str
    endorsed_at: datetime
    signature: str

    @field_validator("old_root_public_key", "new_root_public_key")
    @classmethod
    def _key(cls, value: str) -> str:
        _raw_public_key(value)
        return value

    @field_validator("endorsed_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return _utc(value)

    def message(self) -> str:
        return _endorsement_message(self.old_root_public_key, self.new_root_public_key, self.endorsed_at)

    def is_valid(self) -> bool:
        return _verify(self.old_root_public_key, self.signature, self.message())


def _endorsement_message(old: str, new: str, at: datetime) -> str:
    return f"{ENDORSEMENT_FORMAT}.{old}.{new}.{_to_epoch(at)}"


class SignedTrustList(BaseModel):
    """The envelope as it crosses the wire and as the device stores it (after verifying)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["SMTL1"] = TRUST_LIST_FORMAT
    root_public_key: str
    body: str = Field(max_length=MAX_SIGNED_LIST_LENGTH)
    signature: str = Field(max_length=128)
    endorsements: tuple[RootEndorsement, ...] = Field(default=(), max_length=MAX_ENDORSEMENTS)

    @field_validator("root_public_key")
    @classmethod
    def _key(cls, value: str) -> str:
        _raw_public_key(value)
        return value

    @property
    def root_key_id(self) -> str:
        return root_key_id(self.root_public_key)

    def signed_message(self) -> str:
        return f"{TRUST_LIST_FORMAT}.{self.root_public_key}.{self.body}"

    def payload(self) -> TrustList:
        """The list inside, WITHOUT checking the signature: only for an envelope that
        ``verify_trust_list`` accepted before (e.g. read back from the device's own store)."""
        try:
            return TrustList.model_validate_json(b64url_decode(self.body))
        except ValueError as exc:  # ValidationError is a ValueError
            raise MalformedTrustList(detail="body is not a trust list") from exc

    def to_json(self) -> str:
        return self.model_dump_json()


@dataclass(frozen=True)
class VerifiedTrustList:
    envelope: SignedTrustList
    trust_list: TrustList
    root_public_key: str  # the root that signed it
    endorsed: bool  # True: that root is not pinned but an endorsement chain from a pinned one leads to it

    @property
    def version(self) -> int:
        return self.trust_list.version

    def is_newer_than(self, current: TrustList | None) -> bool:
        """A higher version, or the same version issued later (a refresh of the same keys)."""
        if current is None:
            return True
        if self.version != current.version:
            return self.version > current.version
        return self.trust_list.issued_at > current.issued_at


# ---------------------------------------------------------------------------- signing


def canonical_body(trust_list: TrustList) -> str:
    data = trust_list.model_dump(mode="json")
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return b64url_encode(text.encode("ascii"))


def sign_trust_list(
    trust_list: TrustList, root: SigningKey, endorsements: Sequence[RootEndorsement] = ()
) -> SignedTrustList:
    """The server's side: the list signed by the current root, with the recent endorsements."""
    public = root_public_key(root)
    body = canonical_body(trust_list)
    message = f"{TRUST_LIST_FORMAT}.{public}.{body}"
    signature = b64url_encode(root.private_key.sign(message.encode("ascii")))
    return SignedTrustList(
        root_public_key=public,
        body=body,
        signature=signature,
        endorsements=tuple(endorsements)[-MAX_ENDORSEMENTS:],
    )


def endorse_root(old_root: SigningKey, new_root_public_key: str, endorsed_at: datetime) -> RootEndorsement:
    """The cross-signature of a root rotation: the old root signs the new root's public key."""
    old = root_public_key(old_root)
    at = _utc(endorsed_at).replace(microsecond=0)
    message = _endorsement_message(old, new_root_public_key, at)
    return RootEndorsement(
        old_root_public_key=old,
        new_root_public_key=new_root_public_key,
        endorsed_at=at,
        signature=b64url_encode(old_root.private_key.sign(message.encode("ascii"))),
    )


# ---------------------------------------------------------------------------- verifying


def parse_signed_trust_list(text: str | bytes) -> SignedTrustList:
    """Structure only; an unsigned list (a bare TrustList, as servers sent before) is named so."""
    if len(text) > MAX_SIGNED_LIST_LENGTH + 4096:
        raise MalformedTrustList(detail="too long")
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise MalformedTrustList(detail="not json") from exc
    if not isinstance(data, dict):
        raise MalformedTrustList(detail="not an object")
    if "signature" not in data:
        raise UnsignedTrustList(detail="no signature")
    try:
        return SignedTrustList.model_validate(data)
    except ValidationError as exc:
        raise MalformedTrustList(detail="bad envelope") from exc


def _reach(root: str, pinned: Collection[str], endorsements: Sequence[RootEndorsement]) -> bool:
    """True if ``root`` is pinned or an endorsement chain from a pinned root leads to it."""
    reachable = set(pinned)
    grew = True
    while root not in reachable and grew:  # at most MAX_ENDORSEMENTS rounds: each adds a key
        grew = False
        for endorsement in endorsements:
            old, new = endorsement.old_root_public_key, endorsement.new_root_public_key
            if old in reachable and new not in reachable and endorsement.is_valid():
                reachable.add(new)
                grew = True
    return root in reachable


def verify_trust_list(
    text: str | bytes, pinned_roots: Collection[str], *, min_version: int | None = None
) -> VerifiedTrustList:
    """Accept a signed trust list only from a pinned root (or one a pinned root endorsed).

    Order: structure -> unsigned -> root pinned or endorsed (``UnknownTrustRoot``) -> the
    root's signature over the body (``BadTrustListSignature``) -> the body parses -> version
    not below ``min_version`` (``OlderTrustList``). An equal version is not refused here: the
    caller decides whether it is a refresh (``VerifiedTrustList.is_newer_than``).
    """
    envelope = parse_signed_trust_list(text)
    root = envelope.root_public_key
    if not pinned_roots:
        raise UnknownTrustRoot(detail="no root pinned")
    if not _reach(root, pinned_roots, envelope.endorsements):
        raise UnknownTrustRoot(detail=f"{envelope.root_key_id} is neither pinned nor endorsed")
    if not _verify(root, envelope.signature, envelope.signed_message()):
        raise BadTrustListSignature(detail=f"signature by {envelope.root_key_id} does not verify")
    trust_list = envelope.payload()
    if min_version is not None and trust_list.version < min_version:
        raise OlderTrustList(detail=f"version {trust_list.version} < {min_version}")
    return VerifiedTrustList(
        envelope=envelope,
        trust_list=trust_list,
        root_public_key=root,
        endorsed=root not in pinned_roots,
    )
