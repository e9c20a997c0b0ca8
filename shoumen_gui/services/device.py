"""设备绑定 on the station's side (issue 18 §1), Qt-free: enrolling with an owner's code, the
device credential in the OS keyring (memory only when there is none, and the station says so),
its daily rotation, and the owner's calls (codes, the list of stations, 解除绑定).

A station on its device credential sends `Authorization: Device <token>`; the server lets it
check, sync, pull and report its gate for its one checkpoint, nothing else.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from importlib import metadata
from typing import Final, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from shoumen_core.devices import (
    APP_VERSION_HEADER,
    DEVICE_SCHEME,
    PENDING_HEADER,
    DeviceCredential,
    DeviceOut,
    DeviceSelf,
    EnrolmentIn,
    EnrolmentOut,
    EnrolRequest,
    normalise_enrolment_code,
)
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.credentials import CredentialStore
from shoumen_gui.services.errors import ServerRejected, ServiceError

log = logging.getLogger("shoumen.gui.device")

ROTATE_EVERY: Final = timedelta(days=1)
REVOKED_CODES: Final = frozenset({"device_revoked", "device_unknown"})
_DEVICES = TypeAdapter(list[DeviceOut])
_M = TypeVar("_M", bound=BaseModel)


def app_version() -> str:
    try:
        return metadata.version("shoumen")
    except metadata.PackageNotFoundError:
        return "dev"


class InvalidEnrolmentCode(ServiceError):
    """What was typed or scanned cannot be an enrolment code: refused before any request."""

    default_code = "enrol_code_invalid"
    default_message = "绑定码应为 8 位字母和数字（例如 K7QX-M2PA），请核对后重新输入"


def is_revoked(error: Exception) -> bool:
    """The server no longer knows this station's credential: revoked by the owner, or gone."""
    return isinstance(error, ServiceError) and error.server_code in REVOKED_CODES


class DeviceCredentialStore:
    """The station's device credential (with where it is enrolled) in the OS keyring, one per
    backend. Call from the ordered keyring lane only (tasks.run_serial): a clear after a
    revocation must never land after a new enrolment's save."""

    def __init__(self, backend_key: str) -> None:
        self._store = CredentialStore(account=f"device:{backend_key}")

    @property
    def persistent(self) -> bool:
        return self._store.persistent

    def save(self, credential: DeviceCredential) -> bool:
        """True when the OS keyring took it; False: memory only (enrol again after a restart)."""
        return self._store.save(credential.model_dump_json())

    def load(self) -> DeviceCredential | None:
        text = self._store.load()
        if not text:
            return None
        try:
            return DeviceCredential.model_validate_json(text)
        except ValidationError:
            log.warning("stored device credential unreadable; dropped")
            self._store.clear()
            return None

    def clear(self) -> None:
        self._store.clear()


def use_device(api: ApiClient, credential: DeviceCredential) -> None:
    """Every request of `api` from now on goes as this station."""
    api.token = credential.token
    api.token_scheme = DEVICE_SCHEME
    # Both keys set once here and only re-assigned later: the dict never changes size while
    # worker threads copy it into their requests.
    api.extra_headers[APP_VERSION_HEADER] = app_version()
    api.extra_headers.setdefault(PENDING_HEADER, "0")


def report_pending(api: ApiClient, pending: int) -> None:
    """The checks not yet uploaded, sent with the next requests (the server keeps it at most once a
    minute) so the owner sees a station that is falling behind."""
    if PENDING_HEADER in api.extra_headers:
        api.extra_headers[PENDING_HEADER] = str(max(0, pending))


def leave_device(api: ApiClient) -> None:
    api.token = None
    api.token_scheme = "Bearer"
    api.extra_headers.pop(APP_VERSION_HEADER, None)
    api.extra_headers.pop(PENDING_HEADER, None)


def rotation_due(credential: DeviceCredential, now: datetime) -> bool:
    return now - credential.rotated_at >= ROTATE_EVERY


class DeviceService:
    """Typed calls of /devices and /venues/{id}/enrolments|devices; for worker threads."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    # ---- the station ------------------------------------------------------------------------

    def enrol(self, text: str) -> DeviceCredential:
        code = normalise_enrolment_code(text)
        if code is None:
            raise InvalidEnrolmentCode()
        body = EnrolRequest(code=code, app_version=app_version()).model_dump(mode="json")
        return _model(DeviceCredential, self.api.request_json("POST", "/devices/enrol", json=body))

    def me(self) -> DeviceSelf:
        return _model(DeviceSelf, self.api.request_json("GET", "/devices/me"))

    def rotate(self) -> DeviceCredential:
        return _model(DeviceCredential, self.api.request_json("POST", "/devices/rotate"))

    # ---- the owner --------------------------------------------------------------------------

    def create_enrolment(self, venue_id: int, checkpoint_id: int, name: str) -> EnrolmentOut:
        body = EnrolmentIn(checkpoint_id=checkpoint_id, name=name).model_dump(mode="json")
        answer = self.api.request_json("POST", f"/venues/{venue_id}/enrolments", json=body)
        return _model(EnrolmentOut, answer)

    def devices(self, venue_id: int) -> list[DeviceOut]:
        try:
            return _DEVICES.validate_python(self.api.request_json("GET", f"/venues/{venue_id}/devices"))
        except ValidationError as exc:
            raise ServerRejected("服务器返回了无法识别的数据", code="bad_response") from exc

    def revoke(self, venue_id: int, device_id: int) -> DeviceOut:
        return _model(
            DeviceOut, self.api.request_json("POST", f"/venues/{venue_id}/devices/{device_id}/revoke")
        )


def _model(model: type[_M], data: object) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ServerRejected("服务器返回了无法识别的数据", code="bad_response") from exc
