"""The kiosk PIN: a salted scrypt hash in the settings file, and the lock-out after wrong tries.

Only the hash is stored ("scrypt$n$r$p$salt$hash", base64 without padding issues), never the
PIN. A PIN is 4 to 8 digits, so the hash alone cannot stop a patient attacker with the file:
scrypt makes each guess cost ~0.1 s and 16 MiB, and the station itself allows five tries a
minute (PinAttempts). No Qt here: the rules are tested without a screen.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable

SCHEME = "scrypt"
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MAX_MEMORY = 64 * 1024 * 1024  # a hand-edited file with a huge n fails instead of eating memory

PIN_PATTERN = re.compile(r"[0-9]{4,8}")
MAX_WRONG_TRIES = 5
LOCK_SECONDS = 60.0


class InvalidPin(ValueError):
    """The PIN is not 4 to 8 digits."""

    code = "bad_pin_format"
    message = "PIN 必须是 4 到 8 位数字"


def is_valid_pin(pin: str) -> bool:
    return PIN_PATTERN.fullmatch(pin) is not None


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES, maxmem=MAX_MEMORY)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str) -> str:
    """The stored form of a new PIN, with a fresh random salt. Raises InvalidPin."""
    if not is_valid_pin(pin):
        raise InvalidPin(InvalidPin.message)
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"{SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, stored_hash: str) -> bool:
    """True when `pin` is the PIN behind `stored_hash`; False for any other PIN and for a
    stored value that is empty or malformed (a broken file must not unlock the kiosk)."""
    if not is_valid_pin(pin):
        return False
    parts = stored_hash.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return False
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return False
    if not salt or len(expected) != HASH_BYTES:
        return False
    try:
        digest = _scrypt(pin, salt, n, r, p)
    except (ValueError, OverflowError, MemoryError):  # n not a power of two, too much memory, ...
        return False
    return hmac.compare_digest(digest, expected)


class PinAttempts:
    """Five wrong PINs lock PIN entry for a minute; a right one resets the count.

    The clock is injectable (tests); it is monotonic so changing the system time does not
    end a lock early.
    """

    def __init__(
        self,
        *,
        max_wrong: int = MAX_WRONG_TRIES,
        lock_seconds: float = LOCK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_wrong = max_wrong
        self.lock_seconds = lock_seconds
        self.clock = clock
        self.wrong = 0
        self.locked_until: float | None = None

    def seconds_locked(self) -> int:
        """Whole seconds until PIN entry opens again (0: open now)."""
        if self.locked_until is None:
            return 0
        left = self.locked_until - self.clock()
        if left <= 0:
            self.locked_until = None
            self.wrong = 0
            return 0
        return max(1, int(left + 0.999))

    def record(self, ok: bool) -> None:
        if ok:
            self.wrong, self.locked_until = 0, None
            return
        self.wrong += 1
        if self.wrong >= self.max_wrong:
            self.locked_until = self.clock() + self.lock_seconds

    @property
    def tries_left(self) -> int:
        return max(0, self.max_wrong - self.wrong)
