"""The HTTP client of the backend API (`/api/v1`), used from worker threads only.

`ApiClient` is the one transport (connection pool, token, the server's Date, error mapping);
each resource the station uses has a typed client on it — `api.server`, `api.auth`,
`api.checks`, `api.sync`, `api.stats`, `api.anomalies`, `api.trust` — and the owner's and
supervisor's resources have theirs in services/admin.py. The REST paths live in those clients
only (the UI names none: tests/gui/test_layering.py).

Every typed call returns a `shoumen_core.schemas` model or raises a `services.errors` type:
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
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from shoumen_core.schemas import (
    AbnormalList,
    AnomalyIn,
    AnomalyOut,
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
from shoumen_gui.services.tls import Verify, certificate_error, for_url

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
        # "Bearer" for a person's session, "Device" for an enrolled station's credential
        # (services/device.py); extra headers go with every request (a station's version).
        self.token_scheme = "Bearer"
        self.extra_headers: dict[str, str] = {}
        self._clock = clock
        self._lock = threading.Lock()
        self.last_server_date: datetime | None = None
        self.last_local_date: datetime | None = None  # our clock when that Date header arrived
        self._client = httpx.Client(
            base_url=self.base_url + API_PREFIX,
            timeout=split_timeout(timeout),
            transport=transport,
            verify=for_url(self.base_url, verify),
            headers={
                "Accept": "application/json",
                "User-Agent": "shoumen-station/1",
                "Accept-Language": self.accept_language,
            },
        )
        # One typed client per resource, all over this transport (stateless: thread-safe).
        self.server = ServerClient(self)
        self.auth = AuthClient(self)
        self.checks = ChecksClient(self)
        self.sync = SyncClient(self)
        self.stats = StatsClient(self)
        self.anomalies = AnomaliesClient(self)
        self.trust = TrustClient(self)

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

    def request_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Any endpoint under /api/v1 (path like "/venues/3/staff"); None for an empty answer.
        For the typed clients (and tests that set up data); the UI never calls it."""
        response = self.send(method, path, json=json, params=params, timeout=timeout)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ServerRejected("服务器返回了无法识别的数据", code="bad_response") from exc

    def send_model(
        self,
        model: type[_M],
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> _M:
        """One call whose answer is `model` (a bad answer -> ServerRejected "bad_response")."""
        return self._model(model, self.send(method, path, json=json, params=params, timeout=timeout))

    # ---- plumbing ----------------------------------------------------------------------

    def send(
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
            headers = {"Authorization": f"{self.token_scheme} {used}"} if used else {}
            headers.update(self.extra_headers)
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
        raise error_for(response)

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


def error_for(response: httpx.Response) -> ServiceError:
    """The typed error of an unsuccessful answer (shared by every client of the server)."""
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


# ---- one typed client per resource ----------------------------------------------------------


class ServerClient:
    """/info: the server's identity, version and demo flag (no login needed)."""

    def __init__(self, transport: ApiClient) -> None:
        self._t = transport

    def info(self, timeout: float | None = None) -> ServerInfo:
        return self._t.send_model(ServerInfo, "GET", "/info", timeout=timeout)


class AuthClient:
    """The staff session: SMS code, login, refresh, logout, /me. Login and refresh set the
    transport's token; logout clears it."""

    def __init__(self, transport: ApiClient) -> None:
        self._t = transport

    def request_sms_code(self, phone: str) -> SmsCodeResponse:
        body = SmsCodeRequest(phone=phone).model_dump(mode="json")
        return self._t.send_model(SmsCodeResponse, "POST", "/auth/sms-code", json=body)

    def login(self, phone: str, code: str, device_name: str = "") -> LoginResponse:
        body = LoginRequest(phone=phone, code=code, device_name=device_name).model_dump(mode="json")
        response = self._t.send_model(LoginResponse, "POST", "/auth/login", json=body)
        self._t.token = response.token
        return response

    def refresh(self) -> LoginResponse:
        response = self._t.send_model(LoginResponse, "POST", "/auth/refresh")
        self._t.token = response.token
        return response

    def logout(self) -> None:
        try:
            self._t.send("POST", "/auth/logout")
        finally:
            self._t.token = None

    def me(self) -> MeResponse:
        return self._t.send_model(MeResponse, "GET", "/me")


class ChecksClient:
    """The lookup of a personal code or document number (read-only, audited on the server)."""

    def __init__(self, transport: ApiClient) -> None:
        self._t = transport

    def lookup(self, venue_id: int, req: LookupRequest, timeout: float = LOOKUP_TIMEOUT) -> LookupResponse:
        body = req.model_dump(mode="json", exclude_none=True)
        path = f"/venues/{venue_id}/lookup"
        return self._t.send_model(LookupResponse, "POST", path, json=body, timeout=timeout)


class SyncClient:
    """Outbox push and cursor pull (DESIGN §4)."""

    def __init__(self, transport: ApiClient) -> None:
        self._t = transport

    def push(self, req: PushRequest) -> PushResponse:
        return self._t.send_model(PushResponse, "POST", "/sync/push", json=req.model_dump(mode="json"))

    def pull(self, venue_id: int, cursor: str) -> PullResponse:
        params = {"venue_id": venue_id, "cursor": cursor}
        return self._t.send_model(PullResponse, "GET", "/sync/pull", params=params)


class StatsClient:
    """One venue's day: counts (unit or personal scope) and the abnormal drill-down."""

    def __init__(self, transport: ApiClient) -> None:
        self._t = transport

    def day(
        self, venue_id: int, day: date, scope: StatsScope, checkpoint_id: int | None = None
    ) -> StatsResponse:
        params: dict[str, Any] = {"date": day.isoformat(), "scope": scope.value}
        if checkpoint_id is not None:
            params["checkpoint_id"] = checkpoint_id
        return self._t.send_model(StatsResponse, "GET", f"/venues/{venue_id}/stats", params=params)

    def abnormal(self, venue_id: int, day: date, scope: StatsScope) -> AbnormalList:
        # findings: the reasons as codes with args, for the screen's language (a server that
        # predates them ignores the question and answers the Chinese reasons only).
        params = {"date": day.isoformat(), "scope": scope.value, "findings": "true"}
        return self._t.send_model(AbnormalList, "GET", f"/venues/{venue_id}/abnormal", params=params)


class AnomaliesClient:
    """核查登记 on the server (new ones go through the sync push; this is the online edit)."""

    def __init__(self, transport: ApiClient) -> None:
        self._t = transport

    def get(self, venue_id: int, anomaly_id: uuid.UUID) -> AnomalyOut:
        """The server's current version (masked)."""
        return self._t.send_model(AnomalyOut, "GET", _anomaly_path(venue_id, anomaly_id))

    def put(self, anomaly: AnomalyIn) -> AnomalyOut:
        """The edit against `anomaly.base_version`; 409 version_conflict when it is not current."""
        path = _anomaly_path(anomaly.venue_id, anomaly.id)
        return self._t.send_model(AnomalyOut, "PUT", path, json=anomaly.model_dump(mode="json"))


def _anomaly_path(venue_id: int, anomaly_id: uuid.UUID) -> str:
    return f"/venues/{venue_id}/anomalies/{anomaly_id}"


class TrustClient:
    """The signed trust list."""

    def __init__(self, transport: ApiClient) -> None:
        self._t = transport

    def trust_list(self) -> str:
        """The trust list as the server sent it (TrustList JSON), to be parsed by the caller."""
        return self._t.send("GET", "/trust-list").text
