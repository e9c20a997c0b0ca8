"""The visitor's self check-in page behind the venue code (`/v/<token>`), on both backends.

Each test drives the page like a phone's browser does: GET the page, POST its forms with the
CSRF token, follow the POST-redirect-GET. The SMS code comes from the development gateway.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from shoumen_core.codes import venue_code_url, verify_personal_code
from shoumen_core.schemas import CheckMethod
from shoumen_core.timeutil import local_day
from shoumen_server import ingest
from shoumen_server.deps import ServerContext
from shoumen_server.health import PersonData, add_person, phone_hash
from shoumen_server.keys import KeyStore
from shoumen_server.models import Check, CheckCount, Checkpoint, Venue
from shoumen_server.seed import demo_people
from shoumen_server.visitor import service
from shoumen_server.visitor.cookies import PASS_COOKIE, PENDING_COOKIE, local_midnight_after
from shoumen_server.visitor.csrf import CSRF_COOKIE
from tests.server.conftest import Server
from tests.server.journeys import API, add_staff, register_venue

GREEN_PHONE = "13700000001"  # demo path green_fresh: 陈建国, Zhejiang ID, green, NAT 10 h ago
NO_CODE_PHONE = "13700000009"  # demo path no_code: 欧阳娜娜, Sichuan ID, no local code
YELLOW_PHONE = "13700000007"
UNKNOWN_PHONE = "13812345678"  # not in the registry
JAR_DOMAIN = "testserver.local"  # where http.cookiejar files the test client's cookies
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
ERROR_CODE_RE = re.compile(r'id="error-page" data-code="([^"]+)"')


def ctx_of(server: Server) -> ServerContext:
    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    return ctx


def add_demo_persons(server: Server, *phones: str) -> dict[str, PersonData]:
    """The demo persons with these phones, registered with NAT times relative to the test clock."""
    ctx = ctx_of(server)
    wanted = {person.data.phone: person.data for person in demo_people(server.clock(), count=0)}
    chosen = {phone: wanted[phone] for phone in phones}
    with ctx.sessions.begin() as session:
        for data in chosen.values():
            add_person(session, ctx.keys, data, server.clock())
    return chosen


def error_code(response: Any) -> str | None:
    match = ERROR_CODE_RE.search(response.text)
    return match.group(1) if match else None


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@dataclass
class Phone:
    """One visitor's browser: its own cookie jar, on https like the real site."""

    server: Server
    client: TestClient
    path: str  # /v/<token>

    def open(self, path: str | None = None) -> Any:
        r = self.client.get(path or self.path, follow_redirects=False)
        assert r.status_code == 303 or "text/html" in r.headers["content-type"]
        return r

    def csrf(self) -> str:
        r = self.open()
        match = CSRF_RE.search(r.text)
        assert match, r.text
        return match.group(1)

    def post(self, action: str, **fields: str) -> Any:
        data = {"csrf": self.csrf(), **fields}
        return self.client.post(f"{self.path}/{action}", data=data, follow_redirects=False)

    def request_code(self, phone: str) -> Any:
        r = self.post("sms", phone=phone)
        assert r.status_code == 303, r.text
        return r

    def verify(self, phone: str) -> Any:
        code = self.server.sms.latest_code(phone)
        assert code is not None
        return self.post("verify", code=code)

    def check_in_with_code(self, phone: str) -> Any:
        """Phone, SMS code, verified: returns the result page (after the redirect)."""
        self.request_code(phone)
        r = self.verify(phone)
        assert r.status_code == 303, r.text
        assert "/r/" in r.headers["location"]
        return self.open(r.headers["location"])

    def at(self, path: str) -> Phone:
        return Phone(self.server, self.client, path)


@dataclass
class Place:
    venue_id: int
    checkpoint_id: int
    owner: dict[str, str]
    url: str  # the venue code of the checkpoint, as printed on the poster


@pytest.fixture
def place(server: Server) -> Place:
    venue_id, owner = register_venue(server)
    r = server.client.get(f"{API}/venues/{venue_id}/checkpoints", headers=owner)
    checkpoint_id = r.json()[0]["id"]
    r = server.client.get(f"{API}/venues/{venue_id}/code?checkpoint_id={checkpoint_id}", headers=owner)
    assert r.status_code == 200, r.text
    return Place(venue_id, checkpoint_id, owner, r.json()["url"])


def new_phone(server: Server, url: str) -> Phone:
    app = server.client.app
    return Phone(server, TestClient(app, base_url="https://testserver"), path_of(url))


@pytest.fixture
def phone(server: Server, place: Place) -> Iterator[Phone]:
    add_demo_persons(server, GREEN_PHONE, NO_CODE_PHONE, YELLOW_PHONE)
    visitor = new_phone(server, place.url)
    yield visitor
    visitor.client.close()


def checks(server: Server) -> list[Check]:
    with ctx_of(server).sessions() as session:
        return list(session.scalars(select(Check).order_by(Check.checked_at)))


def unit_counts(server: Server, place: Place) -> dict[str, Any]:
    day = local_day(server.clock()).isoformat()
    r = server.client.get(f"{API}/venues/{place.venue_id}/stats?date={day}&scope=unit", headers=place.owner)
    assert r.status_code == 200, r.text
    counts: dict[str, Any] = r.json()["counts"]
    return counts


def set_cookies(response: Any) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


# ---- the green visitor ----------------------------------------------------------------------


def test_green_visitor_checks_in_on_one_screen(server: Server, place: Place, phone: Phone) -> None:
    r = phone.open()
    assert r.status_code == 200
    assert "新昌县城关农贸市场" in r.text and 'id="send-code"' in r.text

    page = phone.check_in_with_code(GREEN_PHONE)
    assert page.status_code == 200
    text = page.text
    assert 'data-level="pass"' in text and "通行" in text
    assert "新昌县城关农贸市场" in text and 'id="checkpoint-name">大门<' in text
    assert "2026-11-20 10:0" in text  # the local time of the check
    for label, value in (("健康码", "绿码"), ("疫苗接种", "已完成全程接种"), ("行程卡", "正常")):
        assert re.search(rf"{label}</th><td>{value}</td>", text), label
    assert "核酸检测</th><td>阴性 · 采样 10 小时前</td>" in text
    assert "陈**" in text and "陈建国" not in text

    [check] = checks(server)
    assert check.method == CheckMethod.SELF.value
    assert check.user_id is None and check.venue_id == place.venue_id
    assert check.checkpoint_id == place.checkpoint_id
    assert check.level == "pass" and check.person_ref and check.masked_name == "陈**"
    assert check.phone_hash == phone_hash(ctx_of(server).keys, GREEN_PHONE)
    assert check.declaration_json is None


def test_the_check_counts_in_unit_stats_and_the_guards_pull(
    server: Server, place: Place, phone: Phone
) -> None:
    guard = add_staff(server, place.venue_id, place.owner, "13900000002")
    before = unit_counts(server, place)
    phone.check_in_with_code(GREEN_PHONE)
    after = unit_counts(server, place)
    assert after["checked"] == before["checked"] + 1 == 1
    assert after["passed"] == 1 and after["persons"] == 1
    assert sum(after["by_hour"]) == 1 and after["by_hour"][10] == 1  # 10:xx China time

    r = server.client.get(f"{API}/sync/pull?venue_id={place.venue_id}", headers=guard)
    assert r.status_code == 200, r.text
    today = r.json()["unit_counts"][0]
    assert today["day"] == "2026-11-20" and today["checked"] == 1 and today["passed"] == 1
    assert r.json()["personal_counts"][0]["checked"] == 0  # nobody's personal count: a self check-in

    with ctx_of(server).sessions() as session:
        rows = session.scalars(select(CheckCount).where(CheckCount.venue_id == place.venue_id)).all()
    assert [(row.user_key, row.checkpoint_key, row.level, row.n) for row in rows] == [
        (0, place.checkpoint_id, "pass", 1)
    ]


def test_no_personal_data_in_urls_or_cookies(server: Server, place: Place, phone: Phone) -> None:
    sent = phone.request_code(GREEN_PHONE)
    done = phone.verify(GREEN_PHONE)
    for response in (sent, done):
        assert GREEN_PHONE not in response.headers["location"]
        for header in response.headers.get_list("set-cookie"):
            assert GREEN_PHONE not in header
    page = phone.open(done.headers["location"])
    assert GREEN_PHONE not in str(page.url) and GREEN_PHONE not in page.text
    payload = phone.client.cookies[PASS_COOKIE].split(".")[0]
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert body["m"] == "137****0001" and GREEN_PHONE not in json.dumps(body)
    assert body["h"] == phone_hash(ctx_of(server).keys, GREEN_PHONE)


# ---- the day pass ---------------------------------------------------------------------------


def test_day_pass_cookie_is_httponly_lax_secure_until_midnight(
    server: Server, place: Place, phone: Phone
) -> None:
    phone.request_code(GREEN_PHONE)
    r = phone.verify(GREEN_PHONE)
    cookie = set_cookies(r)[PASS_COOKIE]
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes and "secure" in attributes
    assert attributes["samesite"].lower() == "samesite=lax"
    assert attributes["path"] == "Path=/v/"
    now = server.clock()
    until_midnight = int((local_midnight_after(now) - now).total_seconds())
    assert attributes["max-age"] == f"Max-Age={until_midnight}"
    assert 13 * 3600 < until_midnight <= 14 * 3600  # 10:00 -> 24:00 China time
    assert "expires=Fri, 20 Nov 2026 16:00:00 GMT" in cookie  # 00:00 on the 21st, China time
    assert PENDING_COOKIE in set_cookies(r) and "Max-Age=0" in set_cookies(r)[PENDING_COOKIE]


def test_plain_http_base_url_drops_the_secure_flag(server: Server, place: Place, phone: Phone) -> None:
    ctx = ctx_of(server)
    ctx.settings = dataclasses.replace(ctx.settings, public_base_url="http://venue.test")
    r = phone.open()
    assert "Secure" not in set_cookies(r)[CSRF_COOKIE]


def test_later_scans_that_day_need_no_code(server: Server, place: Place, phone: Phone) -> None:
    phone.check_in_with_code(GREEN_PHONE)
    sent = server.sms.sent_count
    # Another poster of the same venue (the venue-wide code), half an hour later.
    server.clock.advance(minutes=30)
    r = server.client.get(f"{API}/venues/{place.venue_id}/code", headers=place.owner)
    other = phone.at(path_of(r.json()["url"]))
    page = other.open()
    assert 'id="verified-note"' in page.text and "137****0001" in page.text
    r = other.post("checkin")
    assert r.status_code == 303
    result = other.open(r.headers["location"])
    assert 'data-level="pass"' in result.text
    assert server.sms.sent_count == sent  # no new SMS
    assert len(checks(server)) == 2
    assert unit_counts(server, place)["checked"] == 2
    assert unit_counts(server, place)["persons"] == 1  # the same person twice


def test_day_pass_ends_at_local_midnight(server: Server, place: Place, phone: Phone) -> None:
    phone.check_in_with_code(GREEN_PHONE)
    server.clock.advance(hours=13, minutes=55)  # 23:55 or so: still today
    assert 'id="verified-note"' in phone.open().text
    server.clock.advance(minutes=10)  # past midnight: the (still sent) cookie names yesterday
    page = phone.open()
    assert 'id="send-code"' in page.text and 'id="verified-note"' not in page.text
    r = phone.post("checkin")
    assert r.status_code == 303 and r.headers["location"] == phone.path  # back to the phone form
    assert len(checks(server)) == 1


def test_forged_day_pass_is_ignored(server: Server, place: Place, phone: Phone) -> None:
    phone.check_in_with_code(GREEN_PHONE)
    payload, mac = phone.client.cookies[PASS_COOKIE].split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    body["h"] = phone_hash(ctx_of(server).keys, YELLOW_PHONE)
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    phone.client.cookies.set(PASS_COOKIE, f"{forged}.{mac}", domain=JAR_DOMAIN, path="/v/")
    page = phone.open()
    assert 'id="send-code"' in page.text
    assert phone.post("checkin").headers["location"] == phone.path
    assert len(checks(server)) == 1


def test_change_phone_forgets_the_pass(server: Server, place: Place, phone: Phone) -> None:
    phone.check_in_with_code(GREEN_PHONE)
    r = phone.post("reset")
    assert r.status_code == 303
    cleared = set_cookies(r)
    assert "Max-Age=0" in cleared[PASS_COOKIE] and "Max-Age=0" in cleared[PENDING_COOKIE]
    assert 'id="send-code"' in phone.open().text


# ---- limits ---------------------------------------------------------------------------------


def test_a_double_tap_records_one_check(server: Server, place: Place, phone: Phone) -> None:
    first = phone.check_in_with_code(GREEN_PHONE)
    assert first.status_code == 200
    again = phone.post("checkin")
    [check] = checks(server)
    assert again.headers["location"].endswith(f"/r/{check.id}")  # the same result, shown again
    server.clock.advance(seconds=31)
    later = phone.post("checkin")
    assert later.status_code == 303 and not later.headers["location"].endswith(f"/r/{check.id}")
    assert len(checks(server)) == 2


def test_checks_per_phone_and_day_are_limited(
    server: Server, place: Place, phone: Phone, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "MAX_PER_DAY", 3)
    phone.check_in_with_code(GREEN_PHONE)
    for _ in range(2):
        server.clock.advance(seconds=31)
        assert phone.post("checkin").status_code == 303
    server.clock.advance(seconds=31)
    r = phone.post("checkin")
    assert r.status_code == 429 and error_code(r) == "checkin_daily_limit"
    assert "登记次数已达上限" in r.text
    assert len(checks(server)) == 3


def test_sms_rate_limits_show_on_the_page(server: Server, place: Place, phone: Phone) -> None:
    before = server.sms.sent_count  # the owner's login
    phone.request_code(GREEN_PHONE)
    r = phone.post("sms")  # 重新获取 at once
    assert r.status_code == 429 and "验证码发送过于频繁" in r.text
    assert 'id="verify"' in r.text  # still on the code step
    assert server.sms.sent_count == before + 1
    for _ in range(9):
        server.clock.advance(seconds=61)
        assert phone.post("sms").status_code == 303
    server.clock.advance(seconds=61)
    r = phone.post("sms", phone=GREEN_PHONE)
    assert r.status_code == 429 and "今日验证码发送次数已达上限" in r.text
    assert server.sms.sent_count == before + 10


# ---- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["", "12345", "1370000000a", "23700000001", "1" * 300])
def test_invalid_phone_is_refused_without_an_sms(
    server: Server, place: Place, phone: Phone, typed: str
) -> None:
    r = phone.post("sms", phone=typed)
    assert r.status_code == 422
    assert 'id="error"' in r.text and 'id="send-code"' in r.text
    assert server.sms.latest_code(GREEN_PHONE) is None


def test_wrong_sms_code_is_refused(server: Server, place: Place, phone: Phone) -> None:
    phone.request_code(GREEN_PHONE)
    good = server.sms.latest_code(GREEN_PHONE)
    assert good is not None
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    r = phone.post("verify", code=wrong)
    assert r.status_code == 422 and "验证码错误，还可尝试 4 次" in r.text
    assert PASS_COOKIE not in set_cookies(r)
    assert checks(server) == []
    r = phone.post("verify", code=good)  # the right one still works
    assert r.status_code == 303


def test_codes_work_only_for_what_they_were_sent_for(server: Server, place: Place, phone: Phone) -> None:
    """A visitor-page code never logs in to the staff app, and a staff login code never
    checks a visitor in."""
    phone.request_code(GREEN_PHONE)
    visitor_code = server.sms.latest_code(GREEN_PHONE)
    assert visitor_code is not None
    r = server.client.post("/api/v1/auth/login", json={"phone": GREEN_PHONE, "code": visitor_code})
    assert r.status_code == 422 and r.json()["error"]["code"] == "sms_code_expired"  # no live login code

    server.clock.advance(seconds=61)
    assert server.client.post("/api/v1/auth/sms-code", json={"phone": GREEN_PHONE}).status_code == 200
    login_code = server.sms.latest_code(GREEN_PHONE)
    assert login_code is not None and login_code != visitor_code
    r = phone.post("verify", code=login_code)
    assert r.status_code == 422 and PASS_COOKIE not in set_cookies(r)
    assert checks(server) == []
    r = phone.post("verify", code=visitor_code)  # its own code still works
    assert r.status_code == 303


def test_expired_pending_phone_asks_for_a_new_code(server: Server, place: Place, phone: Phone) -> None:
    phone.request_code(GREEN_PHONE)
    code = server.sms.latest_code(GREEN_PHONE)
    server.clock.advance(minutes=16)
    page = phone.open()
    assert 'id="send-code"' in page.text  # the pending phone is forgotten
    r = phone.post("verify", code=code or "")
    assert r.status_code == 422 and "验证码已过期" in r.text
    assert checks(server) == []


@pytest.mark.parametrize("action", ["sms", "verify", "checkin", "no-sms", "reset"])
def test_forms_need_the_csrf_token(server: Server, place: Place, phone: Phone, action: str) -> None:
    phone.open()  # the browser holds a CSRF cookie
    for token in ("", "0" * 32, "not-ascii-令牌"):
        r = phone.client.post(
            f"{phone.path}/{action}", data={"csrf": token, "phone": GREEN_PHONE}, follow_redirects=False
        )
        assert r.status_code == 403 and error_code(r) == "csrf_failed", token
        assert "页面已过期" in r.text
    fresh = TestClient(server.client.app, base_url="https://testserver")  # no CSRF cookie at all
    r = fresh.post(f"{phone.path}/{action}", data={"csrf": phone.csrf()}, follow_redirects=False)
    assert r.status_code == 403 and error_code(r) == "csrf_failed"
    assert server.sms.latest_code(GREEN_PHONE) is None and checks(server) == []


def test_every_page_is_strict_about_caching_and_scripts(server: Server, place: Place, phone: Phone) -> None:
    r = phone.open()
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "form-action 'self'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f'nonce="{nonce.group(1)}"' in r.text
    csrf = set_cookies(r)[CSRF_COOKIE]
    assert "HttpOnly" in csrf and "SameSite=lax" in csrf and "Secure" in csrf


# ---- tokens and venues ----------------------------------------------------------------------


def test_forged_and_damaged_tokens_get_a_chinese_404(server: Server, place: Place, phone: Phone) -> None:
    token = phone.path.rsplit("/", 1)[1]
    venue, checkpoint, mac = token.split(".")
    flipped = ("A" if mac[0] != "A" else "B") + mac[1:]
    secret = ctx_of(server).keys.venue_secret
    unknown_venue = path_of(venue_code_url("https://x.test", 999_999, None, secret))
    for path in (
        f"/v/{venue}.{checkpoint}.{flipped}",
        f"/v/{int(venue) + 1}.{checkpoint}.{mac}",
        f"/v/{venue}.0.{mac}",
        f"/v/{token[:-3]}",
        "/v/",
        "/v/%E4%BD%A0%E5%A5%BD",
        f"/v/{token}/nothing/here",
        f"/v/{token}.",
        unknown_venue,
    ):
        r = phone.client.get(path)
        assert r.status_code == 404, path
        assert "text/html" in r.headers["content-type"]
        assert "场所码无效或已失效，请向工作人员确认" in r.text, path
        assert "Traceback" not in r.text
    r = phone.client.post(f"/v/{venue}.{checkpoint}.{flipped}/sms", data={"csrf": phone.csrf()})
    assert r.status_code == 404 and error_code(r) == "bad_venue_code"


def test_inactive_venue_says_so(server: Server, place: Place, phone: Phone) -> None:
    csrf = phone.csrf()
    with ctx_of(server).sessions.begin() as session:
        venue = session.get(Venue, place.venue_id)
        assert venue is not None
        venue.active = False
    r = phone.open()
    assert r.status_code == 410 and error_code(r) == "venue_inactive"
    assert "该场所已停用场所码自助登记" in r.text
    r = phone.client.post(f"{phone.path}/sms", data={"csrf": csrf, "phone": GREEN_PHONE})
    assert r.status_code == 410 and server.sms.latest_code(GREEN_PHONE) is None


def test_removed_checkpoint_code_no_longer_works(server: Server, place: Place, phone: Phone) -> None:
    r = server.client.post(
        f"{API}/venues/{place.venue_id}/checkpoints", json={"name": "北门"}, headers=place.owner
    )
    assert r.status_code == 201
    r = server.client.delete(
        f"{API}/venues/{place.venue_id}/checkpoints/{place.checkpoint_id}", headers=place.owner
    )
    assert r.status_code == 204
    r = phone.open()
    assert r.status_code == 404 and error_code(r) == "checkpoint_not_found"


def test_a_checkpoint_of_another_venue_is_refused(server: Server, place: Place, phone: Phone) -> None:
    second, _ = register_venue(server, "13900000008", name="另一家超市")
    with ctx_of(server).sessions() as session:
        other = session.scalar(select(Checkpoint.id).where(Checkpoint.venue_id == second))
    assert other is not None
    # A genuine MAC over a (venue, checkpoint) pair that does not belong together.
    url = venue_code_url("https://x.test", place.venue_id, other, ctx_of(server).keys.venue_secret)
    r = phone.client.get(path_of(url))
    assert r.status_code == 404 and error_code(r) == "checkpoint_not_found"


# ---- 未收到验证码 ---------------------------------------------------------------------------


def test_no_sms_records_an_unverified_attempt_the_guard_sees(
    server: Server, place: Place, phone: Phone
) -> None:
    phone.request_code(GREEN_PHONE)
    r = phone.post("no-sms")
    assert r.status_code == 303
    page = phone.open(r.headers["location"])
    assert 'data-level="cannot_verify"' in page.text and "无法核验" in page.text
    assert 'id="unverified-note"' in page.text and "出示健康码或身份证" in page.text
    assert 'id="health-rows"' not in page.text

    [check] = checks(server)
    assert check.method == "self" and check.level == "cannot_verify"
    assert check.person_ref is None and check.user_id is None
    assert [f["reason"] for f in json.loads(check.findings_json)] == ["visitor_unverified"]
    day = local_day(server.clock()).isoformat()
    r = server.client.get(f"{API}/venues/{place.venue_id}/abnormal?date={day}", headers=place.owner)
    assert r.status_code == 200, r.text
    [item] = r.json()["items"]
    assert item["level"] == "cannot_verify" and "137****0001" in item["reasons"][0]
    assert unit_counts(server, place)["abnormal"] == 1


def test_code_arriving_after_no_sms_still_checks_in(server: Server, place: Place, phone: Phone) -> None:
    phone.request_code(GREEN_PHONE)
    phone.post("no-sms")
    r = phone.verify(GREEN_PHONE)  # within 30 s of the unverified attempt
    assert r.status_code == 303
    assert 'data-level="pass"' in phone.open(r.headers["location"]).text
    assert sorted(check.level for check in checks(server)) == ["cannot_verify", "pass"]


def test_no_sms_without_a_pending_phone_goes_back(server: Server, place: Place, phone: Phone) -> None:
    r = phone.post("no-sms")
    assert r.status_code == 303 and r.headers["location"] == phone.path
    assert checks(server) == []


# ---- 未申领 and the self-declaration ---------------------------------------------------------


def test_person_without_a_local_code_is_told_plainly(server: Server, place: Place, phone: Phone) -> None:
    page = phone.check_in_with_code(NO_CODE_PHONE)
    assert 'data-level="review"' in page.text
    assert 'id="code-missing-note"' in page.text and "您未申领本地健康码" in page.text
    assert "健康码</th><td>未申领</td>" in page.text
    assert "填写自主申报" in page.text and 'class="button" id="declare"' in page.text  # from another province
    [check] = checks(server)
    assert check.level == "review" and check.person_ref and check.masked_name == "欧阳**"
    assert "code_missing" in {f["reason"] for f in json.loads(check.findings_json)}


def test_unknown_phone_counts_as_no_local_code(server: Server, place: Place, phone: Phone) -> None:
    page = phone.check_in_with_code(UNKNOWN_PHONE)
    assert 'id="code-missing-note"' in page.text and 'data-level="review"' in page.text
    [check] = checks(server)
    assert check.person_ref is None and check.phone_hash == phone_hash(ctx_of(server).keys, UNKNOWN_PHONE)
    assert unit_counts(server, place)["persons"] == 1


def test_missing_code_level_follows_the_venue_policy(server: Server, place: Place, phone: Phone) -> None:
    r = server.client.put(
        f"{API}/venues/{place.venue_id}/policy", json={"missing_code_action": "deny"}, headers=place.owner
    )
    assert r.status_code == 200, r.text
    page = phone.check_in_with_code(NO_CODE_PHONE)
    assert 'data-level="deny"' in page.text and 'id="code-missing-note"' in page.text
    assert [check.level for check in checks(server)] == ["deny"]


def test_yellow_code_is_denied_and_shown(server: Server, place: Place, phone: Phone) -> None:
    page = phone.check_in_with_code(YELLOW_PHONE)
    assert 'data-level="deny"' in page.text and "禁止通行" in page.text
    assert (
        '<tr class="state-fail"><th><span class="dot" aria-hidden="true"></span>健康码</th><td>黄码</td>'
        in page.text
    )


def test_self_declaration_is_saved_with_the_check(server: Server, place: Place, phone: Phone) -> None:
    result = phone.check_in_with_code(NO_CODE_PHONE)
    declare_url = re.search(r'href="([^"]+/declare)"', result.text)
    assert declare_url
    form = phone.open(declare_url.group(1))
    assert form.status_code == 200 and 'id="submit-declaration"' in form.text
    action = declare_url.group(1)
    csrf = phone.csrf()

    r = phone.client.post(action, data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 422
    for field in ("origin", "arrival", "transport", "phone"):
        assert f'id="{field}-error"' in r.text, field
    r = phone.client.post(
        action,
        data={
            "csrf": csrf,
            "origin": "成都",
            "arrival": "2026-11-21T08:00",
            "transport": "火箭",
            "phone": "1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 422 and "抵达时间应在最近 30 天内" in r.text and 'value="成都"' in r.text

    fields = {"origin": "四川省成都市锦江区", "arrival": "2026-11-19T21:30", "transport": "火车/高铁"}
    r = phone.client.post(
        action, data={"csrf": csrf, **fields, "phone": "138 0013 8000"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == action.removesuffix("/declare")
    assert 'id="declared-note"' in phone.open(r.headers["location"]).text

    [check] = checks(server)
    assert check.declaration_json is not None
    saved = json.loads(check.declaration_json)
    assert saved["origin"] == "四川省成都市锦江区" and saved["transport"] == "火车/高铁"
    assert saved["arrival_at"] == "2026-11-19T13:30:00+00:00"  # 21:30 China time
    assert saved["contact_phone_masked"] == "138****8000"
    assert "13800138000" not in check.declaration_json
    keys = ctx_of(server).keys
    assert keys.decrypt(bytes.fromhex(saved["contact_phone_enc"])) == "13800138000"
    assert unit_counts(server, place)["checked"] == 1  # declaring does not count again


def test_local_visitor_is_not_pressed_to_declare(server: Server, place: Place, phone: Phone) -> None:
    page = phone.check_in_with_code(GREEN_PHONE)
    assert "省外来新？填写自主申报" in page.text and 'class="button" id="declare"' not in page.text


def test_results_are_only_for_the_browser_that_checked_in(server: Server, place: Place, phone: Phone) -> None:
    first = phone.request_code(GREEN_PHONE)
    assert first.status_code == 303
    r = phone.verify(GREEN_PHONE)
    result_path = r.headers["location"]
    stranger = new_phone(server, place.url)
    for path in (
        result_path,
        f"{result_path}/declare",
        f"{phone.path}/r/{uuid.uuid4()}",
        f"{phone.path}/r/x",
    ):
        r = stranger.open(path)
        assert r.status_code == 404 and error_code(r) == "check_not_found", path
    r = stranger.client.post(
        f"{result_path}/declare", data={"csrf": stranger.csrf(), "origin": "成都"}, follow_redirects=False
    )
    assert r.status_code == 404
    # The same check id under another venue's token is not found either.
    second, owner = register_venue(server, "13900000008", name="另一家超市")
    other_url = server.client.get(f"{API}/venues/{second}/code", headers=owner).json()["url"]
    r = phone.open(path_of(other_url) + "/r/" + result_path.rsplit("/", 1)[1])
    assert r.status_code == 404


# ---- 我的健康码 -----------------------------------------------------------------------------


def decode_qr(page: str) -> str:
    match = re.search(r'src="data:image/png;base64,([^"]+)"', page)
    assert match, page
    from io import BytesIO

    image = Image.open(BytesIO(base64.b64decode(match.group(1)))).convert("L")
    [result] = zxingcpp.read_barcodes(np.asarray(image))
    return str(result.text)


def test_my_code_is_a_personal_code_a_guard_can_verify(server: Server, place: Place, phone: Phone) -> None:
    phone.check_in_with_code(GREEN_PHONE)
    page = phone.open(f"{phone.path}/my-code")
    assert page.status_code == 200 and "我的健康码" in page.text and "陈**" in page.text
    code = decode_qr(page.text)
    assert code.startswith("SMHC1.")
    keys: KeyStore = ctx_of(server).keys
    trust = keys.trust_list(server.clock(), timedelta(days=7))
    verified = verify_personal_code(code, trust, server.clock())
    [check] = checks(server)
    assert verified.person_ref == check.person_ref
    assert verified.masked_name == "陈**"


def test_my_code_needs_a_verified_phone(server: Server, place: Place, phone: Phone) -> None:
    r = phone.open(f"{phone.path}/my-code")
    assert r.status_code == 303 and r.headers["location"] == phone.path


def test_my_code_for_a_phone_without_a_local_code(server: Server, place: Place, phone: Phone) -> None:
    phone.check_in_with_code(UNKNOWN_PHONE)
    page = phone.open(f"{phone.path}/my-code")
    assert 'id="no-personal-code"' in page.text and "data:image/png" not in page.text


def test_check_rows_are_counted_once_per_check(server: Server, place: Place, phone: Phone) -> None:
    """Every page view after the check reads; only the POSTs write."""
    result = phone.check_in_with_code(GREEN_PHONE)
    for _ in range(3):
        assert phone.open(result.url.path).status_code == 200
    with ctx_of(server).sessions() as session:
        assert session.scalar(select(func.count()).select_from(Check)) == 1


@pytest.mark.parametrize(
    "value",
    ["", "x", "a.b", "a.b.c", "!!!.???", "%C3%A9.%C3%A9", "A" * 5000, "eyJ2IjoiMSJ9.AAAA", "%00.%00"],
)
def test_garbage_cookies_are_ignored(server: Server, place: Place, phone: Phone, value: str) -> None:
    for name in (PASS_COOKIE, PENDING_COOKIE, CSRF_COOKIE):
        phone.client.cookies.set(name, value, domain=JAR_DOMAIN, path="/v/")
    page = phone.open()
    assert page.status_code == 200 and 'id="send-code"' in page.text
    assert phone.post("checkin").headers["location"] == phone.path
    assert phone.post("no-sms").headers["location"] == phone.path
    assert checks(server) == []


def test_an_unexpected_failure_is_a_calm_page_and_writes_nothing(
    server: Server, place: Place, phone: Phone, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone.request_code(GREEN_PHONE)
    real_store = ingest.store_checks

    def store_then_fail(db: Any, rows: list[dict[str, Any]]) -> list[uuid.UUID]:
        real_store(db, rows)  # the row and its counts are written, then something breaks
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service, "store_checks", store_then_fail)
    r = phone.verify(GREEN_PHONE)
    assert r.status_code == 500 and error_code(r) == "internal_error"
    assert "系统繁忙" in r.text and "disk on fire" not in r.text and "Traceback" not in r.text
    assert checks(server) == []  # rolled back: no check without its counts, nor counts without it
    assert unit_counts(server, place)["checked"] == 0
