"""Which trust lists this station stores (DESIGN §3): signed by the pinned root, never older.

The pin is per server (the local cache is per server, so it lives in the cache's meta table):
- a server named in ``resources/trust_roots.json`` (the built-in pins of known deployments)
  must sign with one of the roots listed there;
- any other server (a ``--server`` set-up, the embedded demo backend) is pinned on first
  contact: the root of the first list that verifies is recorded (trust on first use);
- a recorded pin is never replaced silently: only a list signed by a new root that an
  endorsement chain from the pinned root leads to (shoumen_core.trust) moves the pin, once, and
  the move is logged and reported on the status bar. A changed root without a valid
  endorsement is refused, and the previous list stays in use.

Every path that stores a list goes through ``store_verified`` (cache.apply_pull and
cache.store_trust_list, which sync.py calls); a refusal is recorded in the meta table so the
status bar keeps saying so until a good list arrives.

Module-level functions over a connection the caller holds (inside its transaction), no Qt.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from shoumen_core.codes import TrustList
from shoumen_core.timeutil import as_utc
from shoumen_core.trust import (
    SignedTrustList,
    TrustListError,
    VerifiedTrustList,
    parse_signed_trust_list,
    root_key_id,
    verify_trust_list,
)

log = logging.getLogger("shoumen.gui.trust")

PIN_KEY: Final = "trust_root_pin"
REFUSAL_KEY: Final = "trust_list_refusal"
VERSION_KEY: Final = "trust_list_version"  # the highest version this device took from this server
BUILTIN_FILE: Final = "trust_roots.json"


@dataclass(frozen=True)
class RootPin:
    public_key: str  # base64url raw Ed25519
    source: str  # "builtin" | "first_contact" | "endorsed"
    pinned_at: datetime

    @property
    def root_id(self) -> str:
        return root_key_id(self.public_key)

    def to_json(self) -> str:
        return json.dumps(
            {
                "public_key": self.public_key,
                "source": self.source,
                "pinned_at": as_utc(self.pinned_at).isoformat(),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> RootPin:
        data = json.loads(text)
        return cls(str(data["public_key"]), str(data["source"]), datetime.fromisoformat(data["pinned_at"]))


@dataclass(frozen=True)
class TrustRefusal:
    code: str
    message: str  # Chinese, for the status bar
    at: datetime


# ---------------------------------------------------------------------------- built-in pins


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def builtin_roots(server_url: str | None, path: Path | None = None) -> tuple[str, ...]:
    """The root public keys built into the app for this server (by scheme, host and port);
    empty for a server not listed (it is pinned on first contact). A broken resource file is a
    packaging bug: it raises, rather than quietly falling back to trust on first use."""
    if not server_url:
        return ()
    if path is None:
        from shoumen_gui.paths import resources_dir

        path = resources_dir() / BUILTIN_FILE
    if not path.exists():
        return ()
    data = json.loads(path.read_text(encoding="utf-8"))
    wanted = _origin(server_url)
    roots: list[str] = []
    for deployment in data.get("deployments", []):
        if _origin(str(deployment["server_url"])) == wanted:
            roots.extend(str(key) for key in deployment["root_public_keys"])
    for key in roots:
        root_key_id(key)  # a malformed key in the file fails here, loudly
    return tuple(roots)


# ---------------------------------------------------------------------------- meta rows


def _get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _set(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value",
        (key, value),
    )


def read_pin(conn: sqlite3.Connection) -> RootPin | None:
    text = _get(conn, PIN_KEY)
    return None if text is None else RootPin.from_json(text)


def read_refusal(conn: sqlite3.Connection) -> TrustRefusal | None:
    text = _get(conn, REFUSAL_KEY)
    if text is None:
        return None
    data = json.loads(text)
    return TrustRefusal(str(data["code"]), str(data["message"]), datetime.fromisoformat(data["at"]))


def record_refusal(conn: sqlite3.Connection, error: TrustListError, now: datetime) -> None:
    log.warning("trust list refused: %s (%s)", error.code, error.detail or "")
    _set(
        conn,
        REFUSAL_KEY,
        json.dumps({"code": error.code, "message": error.message, "at": as_utc(now).isoformat()}),
    )


# ---------------------------------------------------------------------------- storing


def stored_trust_list(text: str | None) -> TrustList | None:
    """The list a venue row holds. Only signed envelopes are stored since lists are verified; a
    bare list stored by an older version of the app was never verified and is not used (offline
    checks are grey until the next sync brings a signed one)."""
    if text is None:
        return None
    try:
        return SignedTrustList.model_validate_json(text).payload()
    except (ValueError, TrustListError):
        return None


def _verify(
    text: str, pin: RootPin | None, builtin: Sequence[str], min_version: int
) -> tuple[VerifiedTrustList, str]:
    """Verify against the pin (else the built-in roots, else the list's own root on first
    contact); returns the list and the source of the pin to keep."""
    if pin is not None:
        return verify_trust_list(text, (pin.public_key,), min_version=min_version), "endorsed"
    if builtin:
        return verify_trust_list(text, builtin, min_version=min_version), "builtin"
    envelope = parse_signed_trust_list(text)  # unsigned or malformed fails before anything is pinned
    return verify_trust_list(text, (envelope.root_public_key,), min_version=min_version), "first_contact"


def store_verified(
    conn: sqlite3.Connection, venue_id: int, text: str, builtin: Sequence[str], now: datetime
) -> bool:
    """Verify ``text`` and store it on the venue's row if it is newer than the row's list.

    Returns True if stored, False if it verified but is not newer (a resend). Raises a
    ``TrustListError`` when refused; the caller records the refusal outside a rolled-back
    transaction, or with ``record_refusal`` inside one it commits.
    """
    row = conn.execute("SELECT trust_list_json FROM venues WHERE venue_id = ?", (venue_id,)).fetchone()
    current = None if row is None else stored_trust_list(row[0])
    pin = read_pin(conn)
    floor = int(_get(conn, VERSION_KEY) or 0)
    min_version = max(floor, current.version if current is not None else 0)
    verified, source = _verify(text, pin, builtin, min_version)
    if pin is None or pin.public_key != verified.root_public_key:
        # Verified against the pin alone, a different root can only have come through an
        # endorsement chain from it: that is the one way a recorded pin moves.
        new_pin = RootPin(verified.root_public_key, "endorsed" if verified.endorsed else source, now)
        _set(conn, PIN_KEY, new_pin.to_json())
        if pin is None:
            log.info("trust root %s pinned (%s)", new_pin.root_id, source)
        else:
            log.warning(
                "trust root %s replaced by %s, endorsed by the old root", pin.root_id, new_pin.root_id
            )
    conn.execute("DELETE FROM meta WHERE key = ?", (REFUSAL_KEY,))
    if verified.version > floor:
        _set(conn, VERSION_KEY, str(verified.version))
    if row is None or not verified.is_newer_than(current):
        return False
    conn.execute(
        "UPDATE venues SET trust_list_json = ? WHERE venue_id = ?", (verified.envelope.to_json(), venue_id)
    )
    return True


def forget_pin(conn: sqlite3.Connection) -> RootPin | None:
    """An administrator's deliberate reset (``shoumen --reset-trust-root``): the pin, the version
    floor and every stored list go, so the next list from the server is pinned afresh (trust on
    first use again). Offline checks are grey until then. Returns the pin that was forgotten."""
    pin = read_pin(conn)
    conn.execute("DELETE FROM meta WHERE key IN (?, ?, ?)", (PIN_KEY, VERSION_KEY, REFUSAL_KEY))
    conn.execute("UPDATE venues SET trust_list_json = NULL, cursor = ''")
    if pin is not None:
        log.warning("trust root %s forgotten by an administrator's reset", pin.root_id)
    return pin
