"""The HTTP client of the backend API (`/api/v1`), used from worker threads only.

Every method returns a `shoumen_core.schemas` model or raises a `services.errors` type:
transport errors and timeouts -> OfflineError; 401 -> SessionExpired; 403 -> PermissionDenied;
429 -> RateLimited (e.g. "lookup_rate_limited"); other 4xx -> ServerRejected with the server's code and message; 5xx -> ServerRejected
"server_error", except 503 (the server is up, its database is not; also a proxy's "no backend")
-> ServerBusy with the Retry-After, and 502/504 (a proxy with no backend behind it) -> OfflineError.
A server certificate that does not verify -> CertificateUntrusted (an OfflineError with its own
words); `verify` says which CA to trust (services/tls.py) and is never turned off.

Time-outs are split: connecting (TCP and TLS handshake) may take CONNECT_TIMEOUT, the answer
READ_TIMEOUT (LOOKUP_TIMEOUT for a lookup, PROBE_TIMEOUT for the /info probe). The figures are
sized for 4G, see bench/bench_flaky_link.py and docs/PERFORMANCE.md: a TCP+TLS 1.3 connect is two
round trips (60-300 ms on 4G), a lookup one more plus ~10 ms of server work.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from shoumen_core.schemas import (
    AbnormalList,
    LoginRequest,
    LoginResponse,
    LookupRequest,
    LookupResponse,
    MeResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    ServerInfo,
    SmsCodeRequest,
    SmsCodeResponse,
    StatsResponse,
    StatsScope,
)
from shoumen_core.timeutil import utcnow
from shoumen_gui.services.errors import (
    CertificateUntrusted,
    OfflineError,
    PermissionDenied,
    RateLimited,
    ServerBusy,
    ServerRejected,
    ServiceError,
    SessionExpired,
)
from shoumen_gui.services.tls import Verify, certificate_error

log = logging.getLogger("shoumen.gui.api")

API_PREFIX: Final = "/api/v1"
# Two round trips of a poor 4G link (~300 ms) with room to spare, and under the kernel's 1 s
# SYN retransmission: when a SYN is lost, a fresh attempt answers sooner than waiting for it.
CONNECT_TIMEOUT: Final = 0.8
# One lookup attempt: the answer of a healthy 4G link comes in 50-300 ms; a stall longer than
# 1 s is a lost request, and the check service retries it within its 2 s budget (checks.py).
LOOKUP_TIMEOUT: Final = 1.0
PROBE_TIMEOUT: Final = 1.5  # /info while offline: tiny answer, no database
READ_TIMEOUT: Final = 10.0  # push (100 rows), pull, stats: bigger bodies, slower server work
BUSY_RETRY_DEFAULT: Final = 3.0  # a 503 without a usable Retry-After
BUSY_RETRY_MAX: Final = 60.0
_UNREACHABLE_STATUSES: Final = frozenset({502, 504})

_M = TypeVar("_M", bound=BaseModel)


def _paths() -> dict[str, str]:
    """The endpoint paths, in one place so a router move is a one-line change."""
    return {
        "info": "/info",
        "sms_code": "/auth/sms-code",
        "login": "/auth/login",
        "refresh": "/auth/refresh",
        "logout": "/auth/logout",
        "me": "/me",
        "lookup": "/venues/{venue_id}/lookup",
        "push": "/sync/push",
        "pull": "/sync/pull",
        "stats": "/venues/{venue_id}/stats",
        "abnormal": "/venues/{venue_id}/abnormal",
        "trust_list": "/trust-list",
    }


PATHS: Final = _paths()


class ApiClient:
    """A thin typed wrapper over one `httpx.Client` (thread-safe; connections are pooled)."""

    # The language of the server's messages (issue 17 §5): set once at start from the app's
    # language (app.install_translator), before any client is made.
    accept_language = "zh-CN"

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = READ_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], datetime] = utcnow,
        verify: Verify = True,
    ) -> None:
        """`verify`: services.tls.server_verify(ca_file). A `transport` brings its own
        verification (httpx ignores `verify` then): tests only."""
        self.base_url = base_url.rstrip("/")
        self.verify = verify  # kept for the other clients made towards this server (export, kiosk)
        self._token = token
        self._clock = clock
        self._lock = threading.Lock()
        self.last_server_date: datetime | None = None
        self.last_local_date: datetime | None = None  # our clock when that Date header arrived
        self._client = httpx.Client(
            base_url=self.base_url + API_PREFIX,
            timeout=split_timeout(timeout),
            transport=transport,
            verify=verify,
            headers={
                "Accept": "application/json",
                "User-Agent": "shoumen-station/1",
                "Accept-Language": self.accept_language,
            },
        )

    # ---- session -----------------------------------------------------------------------

    @property
    def token(self) -> str | None:
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        self._token = value

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---- typed endpoints ---------------------------------------------------------------

    def info(self, timeout: float | None = None) -> ServerInfo:
        return self._model(ServerInfo, self._send("GET", PATHS["info"], timeout=timeout))

    def request_sms_code(self, phone: str) -> SmsCodeResponse:
        body = SmsCodeRequest(phone=phone).model_dump(mode="json")
        return self._model(SmsCodeResponse, self._send("POST", PATHS["sms_code"], json=body))

    def login(self, phone: str, code: str, device_name: str = "") -> LoginResponse:
        body = LoginRequest(phone=phone, code=code, device_name=device_name).model_dump(mode="json")
        response = self._model(LoginResponse, self._send("POST", PATHS["login"], json=body))
        self._token = response.token
        return response

    def refresh(self) -> LoginResponse:
        response = self._model(LoginResponse, self._send("POST", PATHS["refresh"]))
        self._token = response.token
        return response

    def logout(self) -> None:
        try:
            self._send("POST", PATHS["logout"])
        finally:
            self._token = None

    def me(self) -> MeResponse:
        return self._model(MeResponse, self._send("GET", PATHS["me"]))

    def lookup(self, venue_id: int, req: LookupRequest, timeout: float = LOOKUP_TIMEOUT) -> LookupResponse:
        path = PATHS["lookup"].format(venue_id=venue_id)
        body = req.model_dump(mode="json", exclude_none=True)
        return self._model(LookupResponse, self._send("POST", path, json=body, timeout=timeout))

    def push(self, req: PushRequest) -> PushResponse:
        body = req.model_dump(mode="json")
        return self._model(PushResponse, self._send("POST", PATHS["push"], json=body))

    def pull(self, venue_id: int, cursor: str) -> PullResponse:
        params = {"venue_id": venue_id, "cursor": cursor}
        return self._model(PullResponse, self._send("GET", PATHS["pull"], params=params))

    def stats(
        self, venue_id: int, day: date, scope: StatsScope, checkpoint_id: int | None = None
    ) -> StatsResponse:
        params: dict[str, Any] = {"date": day.isoformat(), "scope": scope.value}
        if checkpoint_id is not None:
            params["checkpoint_id"] = checkpoint_id
        path = PATHS["stats"].format(venue_id=venue_id)
        return self._model(StatsResponse, self._send("GET", path, params=params))

    def abnormal(self, venue_id: int, day: date, scope: StatsScope) -> AbnormalList:
        params = {"date": day.isoformat(), "scope": scope.value}
        path = PATHS["abnormal"].format(venue_id=venue_id)
        return self._model(AbnormalList, self._send("GET", path, params=params))

    def trust_list(self) -> str:
        """The trust list as the server sent it (TrustList JSON), to be parsed by the caller."""
        return self._send("GET", PATHS["trust_list"]).text

    def request_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Any endpoint under /api/v1 (path like "/venues/3/staff"); None for an empty answer."""
        response = self._send(method, path, json=json, params=params, timeout=timeout)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ServerRejected("服务器返回了无法识别的数据", code="bad_response") from exc

    # ---- plumbing ----------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        extra: dict[str, Any] = {} if timeout is None else {"timeout": split_timeout(timeout)}
        for _attempt in range(2):
            used = self._token
            headers = {"Authorization": f"Bearer {used}"} if used else {}
            try:
                response = self._client.request(
                    method, path, json=json, params=params, headers=headers, **extra
                )
            except httpx.TimeoutException as exc:
                raise OfflineError("服务器响应超时，已切换到离线模式", code="offline") from exc
            except httpx.TransportError as exc:
                raise transport_error(exc) from exc
            self._note_date(response)
            if response.is_success:
                return response
            # A refresh on another thread revoked the token this request carried (the server
            # rejects it before doing anything): send it once more with the new token.
            if response.status_code != 401 or self._token is None or self._token == used:
                break
        raise _error_for(response)

    def _note_date(self, response: httpx.Response) -> None:
        header = response.headers.get("date")
        if not header:
            return
        try:
            server_date = parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return
        if server_date.tzinfo is None:
            server_date = server_date.replace(tzinfo=UTC)
        with self._lock:
            self.last_server_date = server_date.astimezone(UTC)
            self.last_local_date = self._clock()

    @staticmethod
    def _model(model: type[_M], response: httpx.Response) -> _M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            log.warning("unexpected %s answer (%d errors)", model.__name__, exc.error_count())
            raise ServerRejected("服务器返回了无法识别的数据", code="bad_response") from exc


def transport_error(exc: httpx.TransportError) -> OfflineError:
    """No answer: a refused certificate says so in its own words; anything else is offline."""
    untrusted: CertificateUntrusted | None = certificate_error(exc)
    if untrusted is not None:
        log.warning("server certificate refused (%s)", untrusted.code)
        return untrusted
    return OfflineError()


def split_timeout(read: float) -> httpx.Timeout:
    """`read` seconds for each wait on the answer (and to write or get a pooled connection),
    at most CONNECT_TIMEOUT to connect: a dead route fails fast, a slow answer still comes."""
    return httpx.Timeout(read, connect=min(CONNECT_TIMEOUT, read))


def retry_after_seconds(response: httpx.Response) -> float:
    """The Retry-After header in seconds (the delta form; a date or garbage -> the default)."""
    try:
        seconds = float(response.headers.get("retry-after", ""))
    except ValueError:
        return BUSY_RETRY_DEFAULT
    if seconds != seconds or seconds < 0:  # NaN or negative
        return BUSY_RETRY_DEFAULT
    return min(seconds, BUSY_RETRY_MAX)


def _error_body(response: httpx.Response) -> tuple[str | None, str | None]:
    try:
        data = response.json()
    except ValueError:
        return None, None
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return None, None
    code, message = error.get("code"), error.get("message")
    return (code if isinstance(code, str) else None, message if isinstance(message, str) else None)


def _error_for(response: httpx.Response) -> ServiceError:
    status = response.status_code
    code, message = _error_body(response)
    if status == 401:
        return SessionExpired(message, status=status, server_code=code)
    if status == 403:
        return PermissionDenied(message, code=code, status=status, server_code=code)
    if status == 429:
        return RateLimited(message, code=code, status=status, server_code=code)
    if status == 503:
        return ServerBusy(retry_after=retry_after_seconds(response), server_code=code)
    if status in _UNREACHABLE_STATUSES:
        return OfflineError(status=status, server_code=code)
    if status >= 500:
        return ServerRejected(status=status, server_code=code)
    return ServerRejected(
        message or "请求被服务器拒绝", code=code or f"http_{status}", status=status, server_code=code
    )
