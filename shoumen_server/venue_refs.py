"""Per-venue person references (DESIGN §3: codes and lookups cannot be joined across venues).

The registry's `person_ref` (16 hex digits, random) is the server's own name for a person.
A lookup answers with a venue's form of it instead: AES-SIV (deterministic authenticated
encryption) of the reference's 8 bytes, with the venue id as associated data, in base64url
(32 characters, like the column). So:

- one person always gets the same reference at one venue (distinct-person counts work), and a
  different, unlinkable one at every other venue;
- only the server can turn it back (`registry_ref`), and only for the venue it was made for:
  another venue's reference does not open (its tag fails), so it cannot be replayed elsewhere.

The server stores registry references (checks, audit) and turns the venue form back at ingest
(`registry_refs`), so a check pushed with the online answer's reference and one pushed with an
offline-verified personal code's (which carries the registry reference) count as one person,
and 查看完整信息 still finds the person. A reference that is neither form (a code from another
issuer) gets a keyed hash per venue: stable at that venue, joinable nowhere else.

The key is derived from the lookup key (`KeyStore.keyed_hash`), so no new key has to be kept.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from shoumen_core.schemas import CheckRecordIn
from shoumen_server.keys import KeyStore

_REGISTRY_REF = re.compile(r"[0-9a-f]{16}")
_VENUE_REF = re.compile(r"[A-Za-z0-9_-]{32}")
HASHED = "~"  # outside the base64url alphabet: a keyed hash never looks like a venue reference
_HASHED_REF = re.compile(r"~[0-9a-f]{31}")


@lru_cache(maxsize=8)
def _cipher(key: bytes) -> AESSIV:
    return AESSIV(key)


def _aead(keys: KeyStore) -> AESSIV:
    return _cipher(bytes.fromhex(keys.keyed_hash("venue_ref_key", "aes-siv")))


def _venue_ad(venue_id: int) -> list[bytes]:
    return [b"shoumen-venue-ref-v1", str(venue_id).encode("ascii")]


def venue_ref(keys: KeyStore, venue_id: int, person_ref: str) -> str:
    """The venue's form of a registry reference (what a lookup at that venue answers)."""
    if _REGISTRY_REF.fullmatch(person_ref):
        sealed = _aead(keys).encrypt(bytes.fromhex(person_ref), _venue_ad(venue_id))
        return base64.urlsafe_b64encode(sealed).decode("ascii")
    return HASHED + keys.keyed_hash("venue_ref", f"{venue_id}|{person_ref}")[:31]


def registry_ref(keys: KeyStore, venue_id: int, ref: str) -> str | None:
    """The registry reference behind a venue form made for `venue_id`, or None if `ref` is not one."""
    if not _VENUE_REF.fullmatch(ref):
        return None
    try:
        plain = _aead(keys).decrypt(base64.urlsafe_b64decode(ref), _venue_ad(venue_id))
    except (InvalidTag, binascii.Error, ValueError):
        return None
    return plain.hex()


def stored_ref(keys: KeyStore, venue_id: int, ref: str | None) -> str | None:
    """What the server stores for a reference a device pushed for a check at `venue_id`: the
    registry reference (from either form); a keyed hash kept as it is; anything else hashed."""
    if not ref or len(ref) > 32 or "\x00" in ref:
        return ref  # ingest refuses what cannot be stored (bad_record); nothing to turn
    if _REGISTRY_REF.fullmatch(ref):
        return ref
    found = registry_ref(keys, venue_id, ref)
    if found is not None:
        return found
    if _HASHED_REF.fullmatch(ref):
        return ref
    return venue_ref(keys, venue_id, ref)


def registry_refs(keys: KeyStore, records: Sequence[CheckRecordIn]) -> list[CheckRecordIn]:
    """Pushed check records with their person references as the server stores them."""
    out: list[CheckRecordIn] = []
    for record in records:
        wanted = stored_ref(keys, record.venue_id, record.person_ref)
        out.append(
            record if wanted == record.person_ref else record.model_copy(update={"person_ref": wanted})
        )
    return out
