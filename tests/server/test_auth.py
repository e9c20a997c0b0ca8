"""SMS-code login: format checks, rate limits, expiry, wrong tries, tokens, logout, /me."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from shoumen_server.logins import user_for_phone
from shoumen_server.models import User
from tests.server.conftest import Server

PHONE = "13800138000"


def test_login_me_logout(server: Server) -> None:
    headers = server.login(PHONE, device_name="南门平板")
    r = server.client.get("/api/v1/me", headers=headers)
    assert r.status_code == 200
    body = r.json()
    assert body["user"]["phone_masked"] == "138****8000"
    assert body["venues"] == []
    assert server.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    r = server.client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "session_expired"


def test_bad_phone_is_rejected_with_a_stable_code(server: Server) -> None:
    for phone in ["12345", "23800138000", "1380013800a", "138001380001"]:
        r = server.client.post("/api/v1/auth/sms-code", json={"phone": phone})
        assert r.status_code == 422, phone
        assert r.json()["error"]["code"] == "bad_phone"
        assert "手机号码" in r.json()["error"]["message"]


def test_sms_rate_limits(server: Server) -> None:
    assert server.client.post("/api/v1/auth/sms-code", json={"phone": PHONE}).status_code == 200
    r = server.client.post("/api/v1/auth/sms-code", json={"phone": PHONE})
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "sms_too_frequent"
    server.clock.advance(seconds=60)
    assert server.client.post("/api/v1/auth/sms-code", json={"phone": PHONE}).status_code == 200
    for _ in range(8):
        server.clock.advance(seconds=61)
        assert server.client.post("/api/v1/auth/sms-code", json={"phone": PHONE}).status_code == 200
    server.clock.advance(seconds=61)
    r = server.client.post("/api/v1/auth/sms-code", json={"phone": PHONE})
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "sms_daily_limit"


def test_code_expires_after_five_minutes(server: Server) -> None:
    server.client.post("/api/v1/auth/sms-code", json={"phone": PHONE})
    code = server.sms.latest_code(PHONE)
    server.clock.advance(seconds=301)
    r = server.client.post("/api/v1/auth/login", json={"phone": PHONE, "code": code})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "sms_code_expired"


def test_code_dies_after_five_wrong_tries(server: Server) -> None:
    server.client.post("/api/v1/auth/sms-code", json={"phone": PHONE})
    code = server.sms.latest_code(PHONE)
    assert code is not None
    wrong = "000000" if code != "000000" else "111111"
    codes = []
    for _ in range(5):
        r = server.client.post("/api/v1/auth/login", json={"phone": PHONE, "code": wrong})
        codes.append(r.json()["error"]["code"])
    assert codes == ["sms_code_wrong"] * 4 + ["sms_code_locked"]
    r = server.client.post("/api/v1/auth/login", json={"phone": PHONE, "code": code})
    assert r.json()["error"]["code"] == "sms_code_locked"


def test_code_is_single_use_and_token_expires(server: Server) -> None:
    server.client.post("/api/v1/auth/sms-code", json={"phone": PHONE})
    code = server.sms.latest_code(PHONE)
    r = server.client.post("/api/v1/auth/login", json={"phone": PHONE, "code": code})
    assert r.status_code == 200
    token = r.json()["token"]
    r = server.client.post("/api/v1/auth/login", json={"phone": PHONE, "code": code})
    assert r.status_code == 422
    headers = {"Authorization": f"Bearer {token}"}
    server.clock.advance(hours=server.settings.token_ttl_hours, seconds=1)
    assert server.client.get("/api/v1/me", headers=headers).status_code == 401


def test_refresh_gives_a_new_token_and_retires_the_old(server: Server) -> None:
    headers = server.login(PHONE)
    r = server.client.post("/api/v1/auth/refresh", headers=headers)
    assert r.status_code == 200
    new = {"Authorization": f"Bearer {r.json()['token']}"}
    assert server.client.get("/api/v1/me", headers=new).status_code == 200
    assert server.client.get("/api/v1/me", headers=headers).status_code == 401


def test_demo_mode_reveals_the_code_and_normal_mode_does_not(server: Server) -> None:
    r = server.client.post("/api/v1/auth/sms-code", json={"phone": PHONE})
    assert r.json()["demo_code"] is None


def test_missing_or_garbage_token(server: Server) -> None:
    assert server.client.get("/api/v1/me").json()["error"]["code"] == "not_authenticated"
    r = server.client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401


def test_unknown_route_answers_json_error(server: Server) -> None:
    r = server.client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "http_404"


class _LookupMissesOnce:
    """A session whose first user lookup answers "no such user": what a request sees when a
    second first-login of the same phone commits between its lookup and its insert."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._missed = False

    def scalar(self, statement: Any) -> Any:
        if not self._missed:
            self._missed = True
            return None
        return self._session.scalar(statement)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def test_two_first_logins_of_one_phone_share_one_user(server: Server) -> None:
    """The loser of the race for the unique phone reads the winner's user instead of a 500."""
    server.login(PHONE)  # the winner: the user exists, committed
    ctx = server.client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        winner = session.scalar(select(User).where(User.phone == PHONE))
        assert winner is not None
        loser = user_for_phone(_LookupMissesOnce(session), PHONE, server.clock())  # type: ignore[arg-type]
        assert loser.id == winner.id  # the insert hit the unique phone, and was rolled back
        session.commit()  # the request's own transaction is still usable
        assert session.scalar(select(func.count()).select_from(User).where(User.phone == PHONE)) == 1
