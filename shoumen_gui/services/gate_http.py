"""Gates driven over HTTP: a generic webhook and the Hikvision ISAPI door command.

Webhook: ``POST <url>`` with a JSON body (event, check id, checkpoint, verdict, manual, pulse
seconds, sent at); with a shared secret, the headers ``X-Shoumen-Secret`` (the secret) and
``X-Shoumen-Signature`` (``sha256=`` HMAC of the body) let the receiver refuse strangers. Any
2xx answer means opened.

Hikvision: ``PUT <base>/ISAPI/AccessControl/RemoteControl/door/<n>`` with digest
authentication and ``<RemoteControlDoor><cmd>open</cmd></RemoteControlDoor>``; opened when
the device answers 2xx and its ResponseStatus (if any) has statusCode 1 (OK).

Every network phase (connect, send, each read) is bounded by the configured timeout; a
timeout, a refused connection or any non-success answer leaves the gate closed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
import uuid
from collections.abc import Callable
from typing import Final

import httpx

from shoumen_core.policy import VerdictLevel
from shoumen_core.timeutil import utcnow
from shoumen_gui.services.gate import (
    AUTH_FAILED,
    DEVICE_ERROR,
    HTTP_ERROR,
    LINK_OK,
    OPENED_RESULT,
    TIMEOUT,
    UNREACHABLE,
    GateConfig,
    GateKind,
    GateResult,
    SecretLoader,
    load_secret,
)
from shoumen_gui.services.tls import for_url

log = logging.getLogger("shoumen.gui.gate")

SECRET_HEADER: Final = "X-Shoumen-Secret"
SIGNATURE_HEADER: Final = "X-Shoumen-Signature"
DOOR_OPEN_XML: Final = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<RemoteControlDoor><cmd>open</cmd></RemoteControlDoor>'
)
_STATUS_CODE: Final = re.compile(rb"<statusCode>\s*(\d+)\s*</statusCode>")
_LINK_OK_RESULT: Final = GateResult(False, True, LINK_OK, "闸机连接正常")


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def door_path(door: int) -> str:
    return f"/ISAPI/AccessControl/RemoteControl/door/{door}"


def _call(send: Callable[[], httpx.Response], success: Callable[[httpx.Response], bool]) -> GateResult:
    """Run one request; opened only on an answer `success` accepts."""
    try:
        response = send()
    except httpx.TimeoutException:
        log.warning("gate did not answer in time")
        return GateResult.no_response(TIMEOUT, "超时")
    except httpx.TransportError as exc:
        log.warning("gate unreachable (%s)", type(exc).__name__)
        return GateResult.no_response(UNREACHABLE, "无法连接")
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        log.warning("gate request failed (%s)", type(exc).__name__)
        return GateResult.no_response(DEVICE_ERROR)
    if response.status_code in (401, 403):
        log.warning("gate refused the credentials (HTTP %d)", response.status_code)
        return GateResult.no_response(AUTH_FAILED, "认证失败，请检查用户名、密码或密钥")
    if not response.is_success:
        log.warning("gate answered HTTP %d", response.status_code)
        return GateResult.no_response(HTTP_ERROR, f"HTTP {response.status_code}")
    if not success(response):
        return GateResult.no_response(DEVICE_ERROR, "设备拒绝执行")
    return OPENED_RESULT


class _HttpGate:
    def __init__(
        self,
        config: GateConfig,
        secret_loader: SecretLoader | None,
        transport: httpx.BaseTransport | None,
    ) -> None:
        self.config = config
        self._secret_loader = secret_loader
        self._client = httpx.Client(
            timeout=httpx.Timeout(config.timeout),
            transport=transport,
            follow_redirects=False,
            verify=for_url(config.url, True),  # an https webhook: the default roots
        )
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()


class WebhookGate(_HttpGate):
    kind = GateKind.WEBHOOK

    def __init__(
        self,
        config: GateConfig,
        secret_loader: SecretLoader | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(config, secret_loader, transport)

    def open_for(
        self,
        check_id: uuid.UUID | None,
        checkpoint_id: int | None,
        level: VerdictLevel,
        *,
        manual: bool = False,
    ) -> GateResult:
        body: dict[str, object] = {
            "event": "open",
            "check_id": None if check_id is None else str(check_id),
            "checkpoint_id": checkpoint_id,
            "verdict": level.value,
            "manual": manual,
            "pulse_seconds": self.config.pulse_seconds,
            "sent_at": utcnow().isoformat(),
        }
        return self._post(body, lambda _response: True)

    def test(self) -> GateResult:
        """A "test" event: the receiver answers 2xx and opens nothing."""
        outcome = self._post({"event": "test", "sent_at": utcnow().isoformat()}, lambda _response: True)
        return _LINK_OK_RESULT if outcome.opened else outcome

    def _post(self, body: dict[str, object], success: Callable[[httpx.Response], bool]) -> GateResult:
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json"}
        secret = load_secret(self.config.secret, self._secret_loader, "secret")
        if secret:
            headers[SECRET_HEADER] = secret
            headers[SIGNATURE_HEADER] = webhook_signature(secret, content)
        with self._lock:
            return _call(
                lambda: self._client.post(self.config.url, content=content, headers=headers), success
            )


class HikvisionGate(_HttpGate):
    kind = GateKind.HIKVISION

    def __init__(
        self,
        config: GateConfig,
        secret_loader: SecretLoader | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(config, secret_loader, transport)
        self._base = config.url.rstrip("/")
        self._auth: httpx.DigestAuth | None = None
        self._auth_password: str | None = None

    def open_for(
        self,
        check_id: uuid.UUID | None,
        checkpoint_id: int | None,
        level: VerdictLevel,
        *,
        manual: bool = False,
    ) -> GateResult:
        url = self._base + door_path(self.config.door)
        headers = {"Content-Type": "application/xml"}
        with self._lock:
            auth = self._digest()
            return _call(
                lambda: self._client.put(url, content=DOOR_OPEN_XML, headers=headers, auth=auth),
                _status_ok,
            )

    def test(self) -> GateResult:
        """GET the device information with the credentials: proves address and password."""
        with self._lock:
            auth = self._digest()
            outcome = _call(
                lambda: self._client.get(self._base + "/ISAPI/System/deviceInfo", auth=auth), _status_ok
            )
        return _LINK_OK_RESULT if outcome.opened else outcome

    def _digest(self) -> httpx.DigestAuth:
        """One DigestAuth per password, so its nonce is reused and later commands need one request."""
        password = load_secret(self.config.password, self._secret_loader, "password")
        if self._auth is None or password != self._auth_password:
            self._auth = httpx.DigestAuth(self.config.username, password)
            self._auth_password = password
        return self._auth


def _status_ok(response: httpx.Response) -> bool:
    """ISAPI answers <ResponseStatus> with statusCode 1 for OK; no status block counts as OK."""
    match = _STATUS_CODE.search(response.content[:4096])
    ok = match is None or match.group(1) == b"1"
    if not ok:
        log.warning(
            "gate device refused the command (statusCode %s)", match.group(1).decode() if match else "?"
        )
    return ok
