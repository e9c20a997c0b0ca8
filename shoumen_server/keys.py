"""The server's keys: created on migrate when absent, loaded once per process.

- signing: Ed25519, signs personal codes; its public half goes out in the trust list
- sealing: X25519, devices seal document numbers typed offline to it
- venue_mac: HMAC secret of venue-code tokens
- data: AES-GCM key for PII at rest (document numbers, names, phones)
- lookup: HMAC key for the keyed hashes that find a person without decrypting
- trust_root: Ed25519, signs the trust list; devices pin its public half (shoumen_server.trust_root)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from shoumen_core.codes import SigningKey, TrustedKey, TrustList, generate_sealing_keypair
from shoumen_server.models import ServerKey, ServerMeta
from shoumen_server.trust_root import bump_trust_list_version

SIGNING_KEY_LIFETIME = timedelta(days=365)


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _new_key(
    kind: str, now: datetime, secret: bytes, public: bytes | None = None, key_id: str = ""
) -> ServerKey:
    return ServerKey(
        kind=kind,
        key_id=key_id or f"{kind}-{secrets.token_hex(4)}",
        secret=secret,
        public=public,
        created_at=now,
        valid_until=None,
        active=True,
    )


def ensure_keys(session: Session, now: datetime) -> None:
    """Create every missing key and the database epoch. Idempotent."""
    kinds = set(session.scalars(select(ServerKey.kind).where(ServerKey.active)).all())
    if "signing" not in kinds:
        key = SigningKey.generate()
        row = _new_key("signing", now, key.to_pem(), key.public_bytes(), key.key_id)
        row.valid_until = now + SIGNING_KEY_LIFETIME
        session.add(row)
    if "sealing" not in kinds:
        private, public = generate_sealing_keypair()
        session.add(_new_key("sealing", now, private, public))
    if "trust_root" not in kinds:
        root = SigningKey.generate()
        session.add(
            _new_key("trust_root", now, root.to_pem(), root.public_bytes(), f"trust_root-{root.key_id}")
        )
    for kind in ("venue_mac", "data", "lookup"):
        if kind not in kinds:
            session.add(_new_key(kind, now, os.urandom(32)))
    if session.get(ServerMeta, "epoch") is None:
        session.add(ServerMeta(key="epoch", value=uuid.uuid4().hex))
    session.flush()


def rotate_signing_key(session: Session, now: datetime) -> str:
    """A new signing key becomes active; the old one stays trusted until its codes expire."""
    for row in session.scalars(select(ServerKey).where(ServerKey.kind == "signing", ServerKey.active)):
        row.active = False
        row.valid_until = now + timedelta(days=2)
    key = SigningKey.generate()
    row = _new_key("signing", now, key.to_pem(), key.public_bytes(), key.key_id)
    row.valid_until = now + SIGNING_KEY_LIFETIME
    session.add(row)
    bump_trust_list_version(session)
    session.flush()
    return key.key_id


@dataclass(frozen=True)
class KeyStore:
    signing: SigningKey
    trust_root: SigningKey
    trusted: tuple[TrustedKey, ...]
    sealing_private: bytes
    sealing_public: bytes
    venue_secret: bytes
    data_key: bytes
    lookup_key: bytes
    epoch: str

    @classmethod
    def load(cls, session: Session) -> KeyStore:
        rows = session.scalars(select(ServerKey).order_by(ServerKey.id)).all()
        active = {row.kind: row for row in rows if row.active}
        missing = {"signing", "sealing", "venue_mac", "data", "lookup", "trust_root"} - active.keys()
        if missing:
            raise RuntimeError(
                f"server keys missing ({', '.join(sorted(missing))}): run `shoumen-server migrate`"
            )
        signing_row = active["signing"]
        trusted = tuple(
            TrustedKey(
                key_id=row.key_id,
                public_key=b64u(row.public or b""),
                # Codes carry whole seconds: a code signed in the key's first second is valid.
                valid_from=row.created_at.replace(microsecond=0),
                valid_until=row.valid_until or (row.created_at + SIGNING_KEY_LIFETIME),
            )
            for row in rows
            if row.kind == "signing"
        )
        epoch = session.get(ServerMeta, "epoch")
        return cls(
            signing=SigningKey.from_pem(signing_row.key_id, signing_row.secret),
            trust_root=SigningKey.from_pem(active["trust_root"].key_id, active["trust_root"].secret),
            trusted=trusted,
            sealing_private=active["sealing"].secret,
            sealing_public=active["sealing"].public or b"",
            venue_secret=active["venue_mac"].secret,
            data_key=active["data"].secret,
            lookup_key=active["lookup"].secret,
            epoch=epoch.value if epoch else "",
        )

    def trust_list(self, now: datetime, validity: timedelta) -> TrustList:
        keys = tuple(k for k in self.trusted if k.valid_until > now)
        return TrustList(keys=keys, issued_at=now, valid_until=now + validity)

    def encrypt(self, plaintext: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + AESGCM(self.data_key).encrypt(nonce, plaintext.encode("utf-8"), None)

    def decrypt(self, blob: bytes) -> str:
        return AESGCM(self.data_key).decrypt(blob[:12], blob[12:], None).decode("utf-8")

    def keyed_hash(self, purpose: str, value: str) -> str:
        return hmac.new(self.lookup_key, f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """Bearer tokens are stored only as this hash."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()
