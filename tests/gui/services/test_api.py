"""ApiClient: typed answers from the real backend, and the mapping of failures to error types."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from shoumen_core.schemas import StatsScope
from shoumen_core.timeutil import local_day, utcnow
from shoumen_core.trust import parse_signed_trust_list
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.errors import (
    OfflineError,
    PermissionDenied,
    RateLimited,
    ServerBusy,
    ServerRejected,
    ServiceError,
    SessionExpired,
)
from tests.gui.services.live_server import GUARD_PHONE, OWNER_PHONE, LiveServer, start_live_server
from tests.ports import free_port


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path_factory.mktemp("api"))
    yield server
    server.close()


def test_info_records_the_server_date(live: LiveServer) -> None:
    api = live.api()
    before = utcnow().replace(microsecond=0)
    info = api.server.info()
    assert info.demo_mode and info.epoch
    assert api.last_server_date is not None and api.last_local_date is not None
    assert before - timedelta(seconds=1) <= api.last_server_date <= utcnow()


def test_login_me_refresh_logout(live: LiveServer) -> None:
    api = live.api()
    sms = api.auth.request_sms_code(GUARD_PHONE)
    assert sms.sent and sms.demo_code
    login = api.auth.login(GUARD_PHONE, sms.demo_code, "测试工作站")
    assert api.token == login.token
    me = api.auth.me()
    assert me.user.id == login.user.id and me.venues[0].venue_id == live.hospital_id
    old = api.token
    refreshed = api.auth.refresh()
    assert api.token == refreshed.token != old
    api.auth.logout()
    assert api.token is None
    with pytest.raises(SessionExpired) as caught:
        live.api(token=refreshed.token).auth.me()
    assert caught.value.code == "session_expired" and caught.value.status == 401


def test_stats_abnormal_trust_list_and_generic_requests(live: LiveServer) -> None:
    api = live.login(OWNER_PHONE)
    day = local_day(utcnow())
    stats = api.stats.day(live.hospital_id, day, StatsScope.UNIT)
    assert stats.venue_id == live.hospital_id and stats.counts.day == day
    checkpoint = live.checkpoint_ids(live.hospital_id)[0]
    assert api.stats.day(live.hospital_id, day, StatsScope.UNIT, checkpoint).checkpoint_id == checkpoint
    assert api.stats.abnormal(live.hospital_id, day, StatsScope.PERSONAL).items == []
    trust = parse_signed_trust_list(api.trust.trust_list()).payload()
    assert trust.is_fresh(utcnow())
    staff = api.request_json("GET", f"/venues/{live.hospital_id}/staff")
    assert isinstance(staff, list) and len(staff) >= 3


def test_error_types_from_the_real_backend(live: LiveServer) -> None:
    guard = live.login(GUARD_PHONE)
    with pytest.raises(PermissionDenied) as forbidden:
        guard.request_json("GET", f"/venues/{live.hospital_id}/staff")
    assert forbidden.value.code == "owner_only" and forbidden.value.status == 403
    with pytest.raises(ServerRejected) as missing:
        guard.request_json("GET", "/no/such/thing")
    assert missing.value.code == "http_404" and missing.value.message
    with pytest.raises(ServerRejected) as invalid:
        guard.auth.request_sms_code("12")
    assert invalid.value.status == 422 and invalid.value.code and not invalid.value.message.isascii()
    with pytest.raises(SessionExpired):
        live.api().auth.me()


def test_unreachable_and_silent_servers_are_offline() -> None:
    port = free_port()  # nobody listens there
    with ApiClient(f"http://127.0.0.1:{port}") as api, pytest.raises(OfflineError) as refused:
        api.server.info()
    assert refused.value.code == "offline" and refused.value.message == "无法连接服务器，已切换到离线模式"
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        with (
            ApiClient(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.2) as api,
            pytest.raises(OfflineError) as timed_out,
        ):
            api.server.info()
    assert "超时" in timed_out.value.message


def _client(status: int, body: bytes, headers: dict[str, str] | None = None) -> ApiClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers=headers or {"content-type": "application/json"})

    return ApiClient("http://backend.test", transport=httpx.MockTransport(answer))


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (500, b'{"error": {"code": "internal_error", "message": "x"}}', ServerRejected, "server_error"),
        (502, b"<html>bad gateway</html>", OfflineError, "offline"),
        (503, b"", ServerBusy, "server_busy"),
        (504, b"", OfflineError, "offline"),
        (
            429,
            b'{"error": {"code": "sms_too_frequent", "message": "\\u592a\\u5feb"}}',
            RateLimited,
            "sms_too_frequent",
        ),
        (429, b"", RateLimited, "rate_limited"),
        (409, b"not json", ServerRejected, "http_409"),
        (403, b"{}", PermissionDenied, "forbidden"),
        (401, b"", SessionExpired, "session_expired"),
        (200, b'{"unexpected": true}', ServerRejected, "bad_response"),
        (200, b"<html>captive portal</html>", ServerRejected, "bad_response"),
    ],
)
def test_failure_mapping(status: int, body: bytes, kind: type[ServiceError], code: str) -> None:
    with _client(status, body) as api, pytest.raises(kind) as caught:
        api.server.info()
    assert type(caught.value) is kind
    assert caught.value.code == code and caught.value.message


@pytest.mark.parametrize(
    ("retry_after", "seconds"),
    [("3", 3.0), ("0.5", 0.5), ("7200", 60.0), ("soon", 3.0), ("-1", 3.0), (None, 3.0)],
)
def test_database_unavailable_is_server_busy_with_its_retry_after(
    retry_after: str | None, seconds: float
) -> None:
    headers = {"content-type": "application/json"}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    body = b'{"error": {"code": "database_unavailable", "message": "x"}}'
    with _client(503, body, headers) as api, pytest.raises(ServerBusy) as caught:
        api.server.info()
    assert isinstance(caught.value, OfflineError)  # a check judges offline on it, as before
    assert caught.value.retry_after == seconds and caught.value.server_code == "database_unavailable"


def test_date_header_parsing() -> None:
    body = b'{"server_time": "2026-11-20T02:00:00Z", "epoch": "e", "demo_mode": false}'
    with _client(
        200, body, {"content-type": "application/json", "date": "Fri, 20 Nov 2026 02:00:07 GMT"}
    ) as api:
        api.server.info()
        assert api.last_server_date == datetime(2026, 11, 20, 2, 0, 7, tzinfo=UTC)
    with _client(200, body, {"content-type": "application/json", "date": "garbage"}) as api:
        api.server.info()
        assert api.last_server_date is None


def test_token_is_sent_as_bearer(tmp_path: Path) -> None:
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(204)

    with ApiClient("http://backend.test", token="t1", transport=httpx.MockTransport(answer)) as api:
        api.request_json("POST", "/x")
        api.token = None
        assert api.request_json("POST", "/x") is None
    assert seen == ["Bearer t1", None]


def test_a_request_racing_a_refresh_is_sent_again_with_the_new_token(live: LiveServer) -> None:
    """The sync thread pushes while the flow refreshes: the push carried the token the refresh
    just revoked. The server refuses it (401, nothing done); the client sends it once more."""
    real = httpx.HTTPTransport()
    me_requests: list[str | None] = []
    api: ApiClient | None = None

    class RefreshFirst(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/me"):
                me_requests.append(request.headers.get("authorization"))
                if len(me_requests) == 1:
                    assert api is not None
                    api.auth.refresh()  # "another thread": revokes the token this request carries
            return real.handle_request(request)

        def close(self) -> None:
            real.close()

    with ApiClient(live.url, transport=RefreshFirst()) as client:
        api = client
        code = client.auth.request_sms_code(GUARD_PHONE).demo_code
        assert code
        old = client.auth.login(GUARD_PHONE, code).token
        me = client.auth.me()
        assert me.user.phone_masked
        assert me_requests == [f"Bearer {old}", f"Bearer {client.token}"]
        assert client.token != old
        # A token that was simply revoked (no refresh on this client) is not retried.
        with ApiClient(live.url, token=old) as stale, pytest.raises(SessionExpired):
            stale.auth.me()
