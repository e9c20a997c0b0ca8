"""API messages follow the request's Accept-Language (issue 17 §5), on both backends: the same
JSON error shape, the message in English when asked for, Chinese when not (or unknown)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.server.conftest import Server
from tests.server.fixtures_sync import check, push
from tests.server.journeys import API, register_venue

EN = {"Accept-Language": "en-US,en;q=0.9"}


def error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    return body["error"]


def test_api_errors_answer_in_the_requested_language(server: Server) -> None:
    client = server.client
    chinese = client.get(f"{API}/me")
    assert chinese.status_code == 401
    assert error(chinese) == {"code": "not_authenticated", "message": "请先登录"}
    assert chinese.headers["content-language"] == "zh-CN"
    assert "accept-language" in chinese.headers["vary"].lower()

    english = client.get(f"{API}/me", headers=EN)
    assert english.status_code == 401
    assert error(english) == {"code": "not_authenticated", "message": "Please log in first"}
    assert english.headers["content-language"] == "en"

    for header, message in (
        ("zh;q=0.5, en;q=0.8", "Please log in first"),
        ("en;q=0.5, zh-CN;q=0.8", "请先登录"),
        ("fr-FR", "请先登录"),
        ("en;q=bogus", "请先登录"),
    ):
        r = client.get(f"{API}/me", headers={"Accept-Language": header})
        assert error(r)["message"] == message, header


def test_an_error_with_values_formats_them_in_english(server: Server) -> None:
    phone = "13900000009"
    assert server.client.post(f"{API}/auth/sms-code", json={"phone": phone}).status_code == 200
    body = {"phone": phone, "code": "000000", "device_name": "t"}
    if server.sms.latest_code(phone) == "000000":
        body["code"] = "111111"
    r = server.client.post(f"{API}/auth/login", json=body, headers=EN)
    assert r.status_code == 422
    assert error(r) == {"code": "sms_code_wrong", "message": "Wrong verification code; 4 attempts left"}
    r = server.client.post(f"{API}/auth/login", json=body)
    assert error(r) == {"code": "sms_code_wrong", "message": "验证码错误，还可尝试 3 次"}

    r = server.client.post(f"{API}/auth/sms-code", json={"phone": phone}, headers=EN)
    assert r.status_code == 429
    assert error(r)["code"] == "sms_too_frequent"
    assert error(r)["message"] == "Codes requested too often; try again in 60 s"


def test_validation_http_and_size_errors_answer_in_english(server: Server) -> None:
    client = server.client
    r = client.post(f"{API}/auth/sms-code", json={"phone": 5}, headers=EN)
    assert r.status_code == 422
    assert error(r)["message"] == "Invalid request parameter: phone number"
    r = client.post(f"{API}/auth/sms-code", json={"phone": 5})
    assert error(r)["message"] == "请求参数有误：手机号码"

    r = client.get(f"{API}/no-such-thing", headers=EN)
    assert r.status_code == 404 and error(r) == {"code": "http_404", "message": "No such endpoint"}
    r = client.delete(f"{API}/me", headers=EN)
    assert r.status_code == 405 and error(r)["message"] == "Method not allowed"

    big = b"{" + b" " * (server.settings.max_body_bytes + 10) + b"}"
    r = client.post(f"{API}/auth/sms-code", content=big, headers={**EN, "Content-Type": "application/json"})
    assert r.status_code == 413 and error(r)["message"] == "Request body too large"


def test_a_rejected_pushed_row_is_worded_in_english(server: Server) -> None:
    """The rejection is worded inside the route (in the thread pool): the request's language
    reaches it there."""
    venue_id, owner = register_venue(server)
    other_id, _ = register_venue(server, "13900000004", name="南明超市")
    r = push(server, {**owner, **EN}, [check(venue_id), check(other_id)])
    assert r.status_code == 200, r.text
    [rejected] = r.json()["rejected"]
    assert rejected["code"] == "not_venue_staff"
    assert rejected["message"] == "You are not a staff member of this venue"
    r = push(server, owner, [check(other_id)])
    assert r.json()["rejected"][0]["message"] == "您不是该场所的工作人员"


def test_an_unexpected_failure_is_worded_in_english(server: Server) -> None:
    app = server.client.app

    @app.get("/api/v1/test-boom")  # type: ignore[attr-defined]
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get(f"{API}/test-boom", headers=EN)
        assert r.status_code == 500
        assert error(r) == {
            "code": "internal_error",
            "message": "Internal server error; please try again later",
        }
        r = client.get(f"{API}/test-boom")
        assert error(r)["message"] == "服务器内部错误，请稍后重试"
