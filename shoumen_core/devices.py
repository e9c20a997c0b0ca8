"""设备绑定 (issue 18 §1): the enrolment code, its QR payload and the API models of devices.

An owner makes a short code for one checkpoint; a station redeems it (typed, or scanned from
the QR) for a device credential scoped to that venue and checkpoint. The code's alphabet leaves
out 0/O, 1/I/L so that it survives being read aloud and typed; it is shown in two groups of
four ("K7QX-M2PA"), and whatever separators or case a person types are ignored.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Annotated, Final

from pydantic import Field, StringConstraints

from shoumen_core.schemas import Model, RequestModel

CODE_ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH: Final = 8  # 31^8 ≈ 8.5e11 (39 bits): guessing is bounded by the server's limits
QR_PREFIX: Final = "SMENROL1."
ENROLMENT_MINUTES: Final = 10
MAX_DEVICE_NAME: Final = 30
MAX_APP_VERSION: Final = 32
_SEPARATORS = re.compile(r"[\s\-_.·]+")

# How a device credential is sent: `Authorization: Device <token>` (a person's is `Bearer`).
DEVICE_SCHEME: Final = "Device"
APP_VERSION_HEADER: Final = "X-Shoumen-Version"
PENDING_HEADER: Final = "X-Shoumen-Pending"


def new_enrolment_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_enrolment_code(text: str) -> str | None:
    """The code in a typed text or a scanned QR payload, or None when it cannot be one (wrong
    length or a letter outside the alphabet): refused before it costs the server anything."""
    value = text.strip()
    if value.upper().startswith(QR_PREFIX):
        value = value[len(QR_PREFIX) :]
    value = _SEPARATORS.sub("", value).upper()
    if len(value) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in value):
        return None
    return value


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def qr_payload(code: str) -> str:
    """What the owner's screen shows as a QR code (ASCII: zbar garbles anything else)."""
    return QR_PREFIX + code


DeviceName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_DEVICE_NAME)
]


class EnrolmentIn(RequestModel):
    checkpoint_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    name: DeviceName


class EnrolmentOut(Model):
    id: int
    venue_id: int
    checkpoint_id: int
    name: str
    code: str  # shown once, to the owner who made it; the server keeps only a keyed hash
    qr_payload: str
    expires_at: datetime


class EnrolRequest(RequestModel):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    app_version: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_APP_VERSION)] = ""


class DeviceSelf(Model):
    """What a station knows about itself (GET /devices/me): where it is enrolled."""

    device_id: int
    name: str
    venue_id: int
    venue_name: str
    checkpoint_id: int
    checkpoint_name: str
    rotated_at: datetime


class DeviceCredential(DeviceSelf):
    """The answer to an enrolment or a rotation: the credential itself, shown only here."""

    token: str


class DeviceOut(Model):
    """One enrolled station, as its owner sees it in 场所管理 → 设备."""

    id: int
    name: str
    checkpoint_id: int
    checkpoint_name: str
    created_at: datetime
    last_seen_at: datetime | None
    app_version: str
    pending_checks: int
    revoked_at: datetime | None
