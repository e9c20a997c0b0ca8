"""Signed codes that cross the wire (DESIGN §3): personal codes, venue codes, sealed documents.

Time rules: every datetime here must be timezone-aware; aware values are normalised to UTC and
naive ones are rejected with ``ValueError`` (a pydantic ``ValidationError`` on models), because
a guessed timezone would silently shift every verdict window. Times inside a personal code are
whole epoch seconds, so sub-second parts are dropped (floored) when a code is issued.

Verifying never raises anything but a ``CodeError`` subclass for bad input text; a ``ValueError``
for a naive ``now`` is a programming error, not bad input.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from shoumen_core.policy import CodeColour, HealthSnapshot, NatResult, TravelStatus, Vaccination

PERSONAL_PREFIX: Final = "SMHC1"
MAX_CODE_LENGTH: Final = 2048
NOT_YET_VALID_SLACK: Final = timedelta(minutes=5)
DEFAULT_TTL: Final = timedelta(hours=24)
MAX_LIFETIME: Final = timedelta(hours=24)  # issued_at to expires_at; longer codes are refused
_SIG_B64_LENGTH: Final = 86  # 64 bytes, base64url without padding
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_EPOCH: Final = 253402300799  # 9999-12-31T23:59:59Z


# ---------------------------------------------------------------------------- errors


class CodeError(ValueError):
    """A scanned or typed code that cannot be accepted. ``code`` is stable, ``message`` Chinese.

    ``detail`` is an optional English hint for logs and tests; it never contains personal data.
    """

    code: str = "invalid_code"
    default_message: str = "二维码无效"

    def __init__(self, message: str | None = None, *, detail: str | None = None) -> None:
        self.message: str = message or self.default_message
        self.detail: str | None = detail
        super().__init__(self.message if detail is None else f"{self.message} ({detail})")


class MalformedCode(CodeError):
    code = "malformed_code"
    default_message = "不是有效的个人健康码，请重新扫码"


class UnknownKey(CodeError):
    code = "unknown_key"
    default_message = "健康码签发方不在信任列表中，无法核验"


class BadSignature(CodeError):
    code = "bad_signature"
    default_message = "健康码签名无效，可能已被篡改"


class CodeExpired(CodeError):
    code = "code_expired"
    default_message = "健康码已过期，请刷新后重新出示"


class CodeLifetimeTooLong(CodeError):
    """Signed, but valid for longer than any code this system issues: whoever signed it holds
    a key they should not, or the issuer is broken. Either way the code is not believed."""

    code = "code_lifetime_too_long"
    default_message = "健康码有效期异常，无法核验"


class CodeNotYetValid(CodeError):
    code = "code_not_yet_valid"
    default_message = "健康码尚未生效，请检查本机时间是否准确"


class StaleTrustList(CodeError):
    code = "stale_trust_list"
    default_message = "信任列表已过期，无法离线核验，请联网同步"


class BadVenueCode(CodeError):
    code = "bad_venue_code"
    default_message = "场所码无效或已被篡改"


class SealError(ValueError):
    """A sealed blob that was damaged, tampered with or sealed to another key."""

    code: str = "bad_sealed_data"

    def __init__(self, detail: str = "") -> None:
        self.message: str = "加密数据已损坏或密钥不匹配"
        super().__init__(f"{self.message} ({detail})" if detail else self.message)


# ---------------------------------------------------------------------------- helpers


def _utc(value: datetime, name: str = "datetime") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _to_epoch(value: datetime) -> int:
    return (_utc(value) - _EPOCH) // timedelta(seconds=1)


def _from_epoch(value: int) -> datetime:
    return _EPOCH + timedelta(seconds=value)


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding; only the canonical encoding of a value is accepted.

    Rejecting non-canonical forms matters: otherwise the spare bits of the last character
    could be flipped without changing the decoded bytes, so a "tampered" code would verify.
    """
    if len(text) % 4 == 1:
        raise ValueError("impossible base64 length")
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc
    if b64url_encode(data) != text:
        raise ValueError("non-canonical base64url")
    return data


# ---------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class SigningKey:
    """An issuer's Ed25519 private key. Lives only on the server (or the demo seed)."""

    key_id: str
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls, key_id: str | None = None) -> SigningKey:
        return cls(key_id or secrets.token_hex(4), Ed25519PrivateKey.generate())

    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes_raw()

    def to_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @classmethod
    def from_pem(cls, key_id: str, data: bytes) -> SigningKey:
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("not an Ed25519 private key")
        return cls(key_id, key)

    def trusted_key(self, valid_from: datetime, valid_until: datetime) -> TrustedKey:
        """The public half as a trust-list entry."""
        return TrustedKey(
            key_id=self.key_id,
            public_key=b64url_encode(self.public_bytes()),
            valid_from=valid_from,
            valid_until=valid_until,
        )


class TrustedKey(BaseModel):
    """An issuer's public key and the window of issue times it is trusted for."""

    model_config = ConfigDict(frozen=True)

    key_id: str
    public_key: str  # base64url (no padding) of the raw 32-byte Ed25519 key
    valid_from: datetime
    valid_until: datetime

    @field_validator("valid_from", "valid_until")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return _utc(value)

    @field_validator("public_key")
    @classmethod
    def _raw_32(cls, value: str) -> str:
        if len(b64url_decode(value)) != 32:
            raise ValueError("public_key must be 32 raw bytes")
        return value

    def covers(self, moment: datetime) -> bool:
        return self.valid_from <= moment <= self.valid_until


class TrustList(BaseModel):
    """The public keys the app trusts offline, and the time past which it must not be used.

    Freshness is ``now <= valid_until`` only: a device clock that lags the server must not turn
    a just-pulled list into a grey verdict; clock skew is reported separately (DESIGN §4).
    Public-key objects are loaded once, at construction, so verifying does no key parsing.
    """

    model_config = ConfigDict(frozen=True)

    keys: tuple[TrustedKey, ...]
    issued_at: datetime
    valid_until: datetime
    # Monotonic per server: bumped whenever the set of issuer keys changes (or the root rotates).
    # A device refuses a list with a lower version than one it accepted (shoumen_core.trust).
    version: int = Field(default=0, ge=0, le=2**53)

    _loaded: dict[str, tuple[TrustedKey, Ed25519PublicKey]] = PrivateAttr(default_factory=dict)

    @field_validator("issued_at", "valid_until")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return _utc(value)

    @field_validator("keys")
    @classmethod
    def _unique_ids(cls, value: tuple[TrustedKey, ...]) -> tuple[TrustedKey, ...]:
        if len({key.key_id for key in value}) != len(value):
            raise ValueError("duplicate key_id in trust list")
        return value

    def model_post_init(self, context: Any, /) -> None:
        self._loaded = {
            key.key_id: (key, Ed25519PublicKey.from_public_bytes(b64url_decode(key.public_key)))
            for key in self.keys
        }

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> TrustList:
        return cls.model_validate_json(text)

    def find(self, key_id: str) -> TrustedKey | None:
        entry = self._loaded.get(key_id)
        return None if entry is None else entry[0]

    def is_fresh(self, now: datetime) -> bool:
        return _utc(now, "now") <= self.valid_until

    def _public_key(self, key_id: str) -> tuple[TrustedKey, Ed25519PublicKey] | None:
        return self._loaded.get(key_id)


# ---------------------------------------------------------------------------- personal code


class PersonalCode(BaseModel):
    """The decoded content of a personal code. Verified unless it came from ``peek``."""

    model_config = ConfigDict(frozen=True)

    key_id: str
    person_ref: str
    masked_name: str
    masked_id: str
    code_colour: CodeColour
    vaccination: Vaccination
    nat_sampled_at: datetime | None
    nat_result: NatResult | None
    travel: TravelStatus
    issued_at: datetime
    expires_at: datetime

    @field_validator("issued_at", "expires_at", "nat_sampled_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _utc(value)

    def to_snapshot(self, temperature: float | None = None) -> HealthSnapshot:
        return HealthSnapshot(
            code_colour=self.code_colour,
            vaccination=self.vaccination,
            nat_sampled_at=self.nat_sampled_at,
            nat_result=self.nat_result,
            travel=self.travel,
            temperature=temperature,
        )


def issue_personal_code(
    *,
    key: SigningKey,
    person_ref: str,
    masked_name: str,
    masked_id: str,
    snapshot: HealthSnapshot,
    issued_at: datetime,
    ttl: timedelta = DEFAULT_TTL,
) -> str:
    """Sign a snapshot into an ASCII ``SMHC1.<payload>.<sig>`` string."""
    if ttl <= timedelta(0):
        raise ValueError("ttl must be positive")
    issued = _to_epoch(issued_at)
    nat_at = None if snapshot.nat_sampled_at is None else _to_epoch(snapshot.nat_sampled_at)
    claims = {
        "k": key.key_id,
        "r": person_ref,
        "n": masked_name,
        "d": masked_id,
        "c": snapshot.code_colour.value,
        "v": snapshot.vaccination.value,
        "t": nat_at,
        "a": None if snapshot.nat_result is None else snapshot.nat_result.value,
        "g": snapshot.travel.value,
        "i": issued,
        "e": issued + ttl // timedelta(seconds=1),
    }
    body = json.dumps(claims, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    signed = f"{PERSONAL_PREFIX}.{b64url_encode(body.encode('ascii'))}"
    text = f"{signed}.{b64url_encode(key.private_key.sign(signed.encode('ascii')))}"
    if len(text) > MAX_CODE_LENGTH:
        raise ValueError(f"code longer than {MAX_CODE_LENGTH} characters")
    return text


def _split(text: str) -> tuple[str, str, bytes]:
    """Cheap structural checks before any JSON: returns (signed part, payload, signature)."""
    text = text.strip()
    if len(text) > MAX_CODE_LENGTH:
        raise MalformedCode(detail="too long")
    if not text.isascii():
        raise MalformedCode(detail="not ascii")
    parts = text.split(".")
    if len(parts) != 3 or parts[0] != PERSONAL_PREFIX:
        raise MalformedCode(detail="not an SMHC1 code")
    prefix, payload, signature = parts
    if not payload or len(signature) != _SIG_B64_LENGTH:
        raise MalformedCode(detail="bad part length")
    try:
        signature_bytes = b64url_decode(signature)
    except ValueError as exc:
        raise MalformedCode(detail="signature not base64url") from exc
    return f"{prefix}.{payload}", payload, signature_bytes


def _str(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str):
        raise MalformedCode(detail=f"field {name!r} missing or not a string")
    return value


def _optional_str(claims: dict[str, Any], name: str) -> str | None:
    if name in claims and claims[name] is None:
        return None
    return _str(claims, name)


def _epoch(claims: dict[str, Any], name: str) -> datetime:
    value = claims.get(name)
    if type(value) is not int or not 0 <= value <= _MAX_EPOCH:
        raise MalformedCode(detail=f"field {name!r} missing or not an epoch")
    return _from_epoch(value)


def _optional_epoch(claims: dict[str, Any], name: str) -> datetime | None:
    if name in claims and claims[name] is None:
        return None
    return _epoch(claims, name)


_E = TypeVar("_E")

# Plain dict lookups: calling an enum class by value costs about a microsecond each.
_COLOURS: Final = {member.value: member for member in CodeColour}
_VACCINATIONS: Final = {member.value: member for member in Vaccination}
_NAT_RESULTS: Final = {member.value: member for member in NatResult}
_TRAVEL: Final = {member.value: member for member in TravelStatus}


def _member(members: dict[str, _E], value: str, name: str) -> _E:
    try:
        return members[value]
    except KeyError:
        raise MalformedCode(detail=f"field {name!r} has an unknown value") from None


def _decode_claims(payload: str) -> PersonalCode:
    """Every field is required (nullable ones as null); unknown extra fields are ignored."""
    try:
        claims = json.loads(b64url_decode(payload).decode("ascii"))
    except (ValueError, RecursionError) as exc:  # RecursionError: deeply nested arrays
        raise MalformedCode(detail="payload not base64url ascii json") from exc
    if not isinstance(claims, dict):
        raise MalformedCode(detail="payload not an object")
    nat_raw = _optional_str(claims, "a")
    nat_result = None if nat_raw is None else _member(_NAT_RESULTS, nat_raw, "a")
    colour = _member(_COLOURS, _str(claims, "c"), "c")
    vaccination = _member(_VACCINATIONS, _str(claims, "v"), "v")
    travel = _member(_TRAVEL, _str(claims, "g"), "g")
    issued_at, expires_at = _epoch(claims, "i"), _epoch(claims, "e")
    if expires_at < issued_at:
        raise MalformedCode(detail="expires before issued")
    # Every field was type-checked above, so skip pydantic's validation on the hot path.
    return PersonalCode.model_construct(
        key_id=_str(claims, "k"),
        person_ref=_str(claims, "r"),
        masked_name=_str(claims, "n"),
        masked_id=_str(claims, "d"),
        code_colour=colour,
        vaccination=vaccination,
        nat_sampled_at=_optional_epoch(claims, "t"),
        nat_result=nat_result,
        travel=travel,
        issued_at=issued_at,
        expires_at=expires_at,
    )


def peek_personal_code(text: str) -> PersonalCode:
    """Decode WITHOUT verifying. Never base a verdict on the result; for diagnostics only."""
    _, payload, _ = _split(text)
    return _decode_claims(payload)


def verify_personal_code(
    text: str, trust_list: TrustList, now: datetime, max_lifetime: timedelta = MAX_LIFETIME
) -> PersonalCode:
    """Verify a scanned personal code offline.

    Order: structure -> payload -> trust-list freshness -> key known -> key trusted at the
    code's issue time (``UnknownKey`` otherwise: the issuer is not trusted for that code) ->
    signature -> lifetime at most ``max_lifetime`` -> not yet valid (5 min slack) -> expired
    (valid up to and including expires_at).
    """
    now = _utc(now, "now")
    signed, payload, signature = _split(text)
    code = _decode_claims(payload)
    if now > trust_list.valid_until:
        raise StaleTrustList()
    entry = trust_list._public_key(code.key_id)
    if entry is None:
        raise UnknownKey(detail="key id not in trust list")
    trusted, public_key = entry
    if not trusted.covers(code.issued_at):
        raise UnknownKey(detail="key not valid at issue time")
    try:
        public_key.verify(signature, signed.encode("ascii"))
    except InvalidSignature as exc:
        raise BadSignature() from exc
    if code.expires_at - code.issued_at > max_lifetime:
        raise CodeLifetimeTooLong()
    if now < code.issued_at - NOT_YET_VALID_SLACK:
        raise CodeNotYetValid()
    if now > code.expires_at:
        raise CodeExpired()
    return code


# ---------------------------------------------------------------------------- venue code


@dataclass(frozen=True)
class VenueCodeRef:
    venue_id: int
    checkpoint_id: int | None


_MAX_VENUE_ID: Final = 10**18
_VENUE_TOKEN = r"([1-9][0-9]{0,17})\.(0|[1-9][0-9]{0,17})\.([A-Za-z0-9_-]{22})"
_VENUE_TOKEN_RE: Final = re.compile(_VENUE_TOKEN, re.ASCII)
_VENUE_PATH_RE: Final = re.compile(r"/v/" + _VENUE_TOKEN + r"/?", re.ASCII)


def _venue_mac(secret: bytes, venue_id: int, checkpoint: int) -> str:
    if not secret:
        raise ValueError("venue-code secret must not be empty")
    message = f"SMVC1|{venue_id}|{checkpoint}".encode("ascii")
    return b64url_encode(hmac.new(secret, message, hashlib.sha256).digest()[:16])


def venue_code_url(base_url: str, venue_id: int, checkpoint_id: int | None, secret: bytes) -> str:
    """The URL printed on a venue's poster. Use a random secret of 32 bytes."""
    if not 0 < venue_id < _MAX_VENUE_ID or not (checkpoint_id is None or 0 < checkpoint_id < _MAX_VENUE_ID):
        raise ValueError("venue and checkpoint ids must be positive and below 10**18")
    checkpoint = checkpoint_id or 0
    token = f"{venue_id}.{checkpoint}.{_venue_mac(secret, venue_id, checkpoint)}"
    return f"{base_url.rstrip('/')}/v/{token}"


def _venue_match(text: str) -> re.Match[str] | None:
    text = text.strip()
    if len(text) > MAX_CODE_LENGTH or not text.isascii():
        return None
    if "/" not in text:
        return _VENUE_TOKEN_RE.fullmatch(text)
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    path = parts.path
    start = path.rfind("/v/")
    return None if start < 0 else _VENUE_PATH_RE.fullmatch(path, start)


def looks_like_venue_code(text: str) -> bool:
    """True for an http(s) URL ending in ``/v/<token>`` — the app has no secret to check more."""
    return "/" in text and _venue_match(text) is not None


def parse_venue_code(text_or_token: str, secret: bytes) -> VenueCodeRef:
    """Check a venue-code URL (or its bare token) and name the venue and checkpoint."""
    match = _venue_match(text_or_token)
    if match is None:
        raise BadVenueCode(detail="not a venue code")
    venue_id, checkpoint = int(match.group(1)), int(match.group(2))
    if not hmac.compare_digest(match.group(3), _venue_mac(secret, venue_id, checkpoint)):
        raise BadVenueCode(detail="mac mismatch")
    return VenueCodeRef(venue_id=venue_id, checkpoint_id=checkpoint or None)


# ---------------------------------------------------------------------------- sealing

_SEAL_VERSION: Final = 0x01
_SEAL_INFO: Final = b"shoumen-seal-v1"
_SEAL_HEADER: Final = 1 + 32 + 12
_SEAL_MIN: Final = _SEAL_HEADER + 16


def generate_sealing_keypair() -> tuple[bytes, bytes]:
    """A fresh X25519 key pair as (private raw 32 bytes, public raw 32 bytes)."""
    private = X25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


def _seal_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=None, info=_SEAL_INFO + ephemeral + recipient).derive(shared)


def seal(plaintext: bytes, recipient_public_key: bytes) -> bytes:
    """Encrypt to the backend's X25519 key: 0x01 | ephemeral pub (32) | nonce (12) | ct+tag."""
    if len(recipient_public_key) != 32:
        raise ValueError("recipient public key must be 32 raw bytes")
    ephemeral = X25519PrivateKey.generate()
    ephemeral_pub = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public_key))
    nonce = os.urandom(12)
    header = bytes([_SEAL_VERSION]) + ephemeral_pub + nonce
    key = _seal_key(shared, ephemeral_pub, recipient_public_key)
    return header + ChaCha20Poly1305(key).encrypt(nonce, plaintext, header)


def unseal(sealed: bytes, recipient_private_key: bytes) -> bytes:
    if len(recipient_private_key) != 32:
        raise ValueError("recipient private key must be 32 raw bytes")
    if len(sealed) < _SEAL_MIN or sealed[0] != _SEAL_VERSION:
        raise SealError("bad length or version")
    private = X25519PrivateKey.from_private_bytes(recipient_private_key)
    ephemeral_pub, nonce = sealed[1:33], sealed[33:_SEAL_HEADER]
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_pub))
        key = _seal_key(shared, ephemeral_pub, private.public_key().public_bytes_raw())
        return ChaCha20Poly1305(key).decrypt(nonce, sealed[_SEAL_HEADER:], sealed[:_SEAL_HEADER])
    except (InvalidTag, ValueError) as exc:  # ValueError: low-order ephemeral point
        raise SealError("authentication failed") from exc
