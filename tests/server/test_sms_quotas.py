"""Issue 13 §4: SMS abuse and lock-outs, on both backends.

The public visitor page and the staff login count separately, so the page can never lock a
guard out; each purpose has a limit per phone, per client address and for everyone per hour;
the client address comes from a proxy header only when the peer is a configured proxy. And
§2's last point: SMS code hashes are keyed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.requests import Request

from shoumen_server.client_address import client_address
from shoumen_server.deps import ServerContext
from shoumen_server.models import SmsCode
from shoumen_server.settings import ServerSettings
from tests.server.conftest import Server
from tests.server.journeys import API, register_venue

STAFF_PHONE = "13900000001"
PROXY = "10.0.0.5"


def ctx_of(server: Server) -> ServerContext:
    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    return ctx


def configure(server: Server, **changes: Any) -> None:
    ctx = ctx_of(server)
    ctx.settings = dataclasses.replace(ctx.settings, **changes)


def client_from(server: Server, address: str, **kwargs: Any) -> TestClient:
    return TestClient(server.client.app, client=(address, 40000), **kwargs)


def ask(client: TestClient, phone: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    r = client.post(f"{API}/auth/sms-code", json={"phone": phone}, headers=headers or {})
    return r.status_code, "" if r.status_code == 200 else r.json()["error"]["code"]


class VisitorPage:
    """The public venue-code page in one browser: phone number in, SMS code out."""

    def __init__(self, server: Server, url: str, address: str = "203.0.113.7") -> None:
        self.client = TestClient(server.client.app, base_url="https://testserver", client=(address, 40000))
        self.path = "/" + url.split("/", 3)[3]

    def request_code(self, phone: str) -> Any:
        self.client.cookies.clear()  # a fresh browser each time: no pending phone
        page = self.client.get(self.path)
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        return self.client.post(
            f"{self.path}/sms", data={"csrf": csrf, "phone": phone}, follow_redirects=False
        )


@pytest.fixture
def venue_url(server: Server) -> str:
    venue_id, owner = register_venue(server, owner_phone="13900000099")
    r = server.client.get(f"{API}/venues/{venue_id}/code", headers=owner)
    assert r.status_code == 200, r.text
    url: str = r.json()["url"]
    return url


def test_visitor_page_quota_never_locks_staff_out(server: Server, venue_url: str) -> None:
    """Finding: anyone could spend a phone's ten daily codes through the public page and lock
    a guard, owner or supervisor out of the staff app for a day."""
    page = VisitorPage(server, venue_url)
    for _ in range(server.settings.sms_max_per_day):
        assert page.request_code(STAFF_PHONE).status_code == 303
        server.clock.advance(seconds=61)
    refused = page.request_code(STAFF_PHONE)
    assert refused.status_code == 429 and "今日验证码发送次数已达上限" in refused.text
    headers = server.login(STAFF_PHONE)  # the staff login of that phone still works
    assert server.client.get(f"{API}/me", headers=headers).status_code == 200


def test_per_phone_limits_count_per_purpose(server: Server, venue_url: str) -> None:
    assert ask(server.client, STAFF_PHONE) == (200, "")
    assert ask(server.client, STAFF_PHONE) == (429, "sms_too_frequent")
    # A visitor-page code a second later is another purpose: not "too frequent".
    assert VisitorPage(server, venue_url).request_code(STAFF_PHONE).status_code == 303


def test_client_limit_per_address_and_purpose(server: Server, venue_url: str) -> None:
    configure(server, sms_max_per_client_hour=3)
    one, other = client_from(server, "198.51.100.1"), client_from(server, "198.51.100.2")
    for i in range(3):
        assert ask(one, f"1370000000{i}") == (200, "")
    status, code = ask(one, "13700000009")
    assert (status, code) == (429, "sms_client_limit")
    r = one.post(f"{API}/auth/sms-code", json={"phone": "13700000009"})
    assert "请一小时后再试" in r.json()["error"]["message"]
    assert ask(other, "13700000009") == (200, "")  # another address is not held back
    # The visitor page from the same address has its own count.
    assert (
        VisitorPage(server, venue_url, address="198.51.100.1").request_code("13700000008").status_code == 303
    )
    server.clock.advance(minutes=61)
    assert ask(one, "13700000007") == (200, "")


def test_client_address_is_stored_only_as_a_keyed_hash(server: Server) -> None:
    assert ask(client_from(server, "198.51.100.77"), STAFF_PHONE) == (200, "")
    with ctx_of(server).sessions() as session:
        row = session.scalars(select(SmsCode)).one()
    assert row.client_hash is not None and "198.51.100.77" not in row.client_hash
    assert row.client_hash != hashlib.sha256(b"198.51.100.77").hexdigest()
    assert row.client_hash == ctx_of(server).keys.sms_hash("client|login", "198.51.100.77")


def test_global_hourly_budget_per_purpose(server: Server, venue_url: str) -> None:
    """Finding: thirty codes to thirty phones went out in 0.2 s, with no overall budget."""
    configure(server, sms_max_per_hour_visitor=5, sms_max_per_client_hour=1000)
    page = VisitorPage(server, venue_url)
    for i in range(5):
        assert page.request_code(f"1370000001{i}").status_code == 303
    refused = page.request_code("13700000019")
    assert refused.status_code == 429 and "验证码发送繁忙" in refused.text
    # The staff login has its own budget: the page's spending does not touch it.
    assert ask(server.client, STAFF_PHONE) == (200, "")
    configure(server, sms_max_per_hour_login=1)
    assert ask(server.client, "13900000002") == (429, "sms_global_limit")
    server.clock.advance(minutes=61)
    assert page.request_code("13700000019").status_code == 303
    assert ask(server.client, "13900000002") == (200, "")


def test_sms_code_hash_is_keyed(server: Server) -> None:
    """Finding: codes were stored as bare sha256(phone|code): a dumped row gives its code up
    in 10^6 tries."""
    assert ask(server.client, STAFF_PHONE) == (200, "")
    code = server.sms.latest_code(STAFF_PHONE)
    assert code is not None
    with ctx_of(server).sessions() as session:
        row = session.scalars(select(SmsCode)).one()
    assert row.code_hash != hashlib.sha256(f"{STAFF_PHONE}|{code}".encode()).hexdigest()
    assert row.code_hash == ctx_of(server).keys.sms_hash("code", f"login|{STAFF_PHONE}|{code}")
    r = server.client.post(f"{API}/auth/login", json={"phone": STAFF_PHONE, "code": code})
    assert r.status_code == 200, r.text


def test_proxy_header_is_believed_only_from_a_configured_proxy(server: Server) -> None:
    configure(server, sms_max_per_client_hour=1)
    behind = client_from(server, PROXY)
    # Not configured: the header is the client's own words, and the peer is the address.
    assert ask(behind, "13700000001", {"X-Forwarded-For": "198.51.100.1"}) == (200, "")
    assert ask(behind, "13700000002", {"X-Forwarded-For": "198.51.100.2"}) == (429, "sms_client_limit")
    configure(server, trusted_proxies=("10.0.0.0/24",))
    assert ask(behind, "13700000003", {"X-Forwarded-For": "198.51.100.3"}) == (200, "")
    assert ask(behind, "13700000004", {"X-Forwarded-For": "198.51.100.4"}) == (200, "")
    # A client writing its own X-Forwarded-For gets the proxy's append after it: still itself.
    spoofed = {"X-Forwarded-For": "192.0.2.99, 198.51.100.3"}
    assert ask(behind, "13700000005", spoofed) == (429, "sms_client_limit")
    # A peer outside the configured proxies is not believed, whatever it sends.
    outsider = client_from(server, "198.51.100.50")
    assert ask(outsider, "13700000006", {"X-Forwarded-For": "192.0.2.1"}) == (200, "")
    assert ask(outsider, "13700000007", {"X-Forwarded-For": "192.0.2.2"}) == (429, "sms_client_limit")


def _request(peer: str, headers: dict[str, str]) -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": (peer, 1234),
    }
    return Request(scope)


@pytest.mark.parametrize(
    ("peer", "headers", "settings", "expected"),
    [
        ("198.51.100.1", {"X-Forwarded-For": "192.0.2.1"}, {}, "198.51.100.1"),
        (PROXY, {"X-Forwarded-For": "192.0.2.1"}, {"trusted_proxies": (PROXY,)}, "192.0.2.1"),
        (
            PROXY,
            {"X-Forwarded-For": "6.6.6.6, 192.0.2.1, 10.0.0.9"},
            {"trusted_proxies": ("10.0.0.0/8",)},
            "192.0.2.1",
        ),
        (PROXY, {"X-Forwarded-For": "not-an-ip"}, {"trusted_proxies": (PROXY,)}, PROXY),
        (PROXY, {}, {"trusted_proxies": (PROXY,)}, PROXY),
        (
            PROXY,
            {"X-Real-IP": "192.0.2.8"},
            {"trusted_proxies": (PROXY,), "client_ip_header": "x-real-ip"},
            "192.0.2.8",
        ),
        ("198.51.100.1", {"X-Real-IP": "192.0.2.8"}, {"client_ip_header": "x-real-ip"}, "198.51.100.1"),
        ("2001:db8:1:2:3:4:5:6", {}, {}, "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.4", {}, {}, "192.0.2.4"),
    ],
)
def test_client_address(peer: str, headers: dict[str, str], settings: dict[str, Any], expected: str) -> None:
    assert client_address(_request(peer, headers), ServerSettings(**settings)) == expected
