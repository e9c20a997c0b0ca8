"""The venue code page in English (issue 17 §5), on both backends: a phone that asks for English
(Accept-Language) gets every step in English — no Chinese on the page but the data (the venue's
and checkpoint's names, the masked name) and the link back to 中文 — and a visitor can switch
either way with the page's language link, which holds through the POST-redirect-GET steps.
The Chinese pages are test_visitor.py's, unchanged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shoumen_server.i18n import LANG_COOKIE
from tests.server.conftest import Server
from tests.server.journeys import API, register_venue
from tests.server.test_i18n import CJK
from tests.server.test_visitor import (
    GREEN_PHONE,
    NO_CODE_PHONE,
    Phone,
    add_demo_persons,
    error_code,
    path_of,
    set_cookies,
)

VENUE = "新昌县城关农贸市场"  # journeys.VENUE_DEFAULTS
CHECKPOINT = "大门"
SWITCH_TO_CHINESE = re.compile(r'<a id="lang-switch" href="[^"]*" lang="zh-CN" hreflang="zh-CN">中文</a>')
OPTION_VALUE = re.compile(r'<option value="[^"]*"')  # a form value (stored as it is), not text


def chinese_outside_data(html: str, *data: str) -> list[str]:
    """The Chinese of an English page that is not data: [] when the page is all English."""
    html = SWITCH_TO_CHINESE.sub("", html)
    html = OPTION_VALUE.sub("<option", html)
    for item in (VENUE, CHECKPOINT, *data):
        html = html.replace(item, "")
    return [line.strip() for line in html.splitlines() if CJK.search(line)]


def english_page(response: Any, *data: str) -> str:
    assert '<html lang="en">' in response.text
    assert response.headers["content-language"] == "en"
    assert chinese_outside_data(response.text, *data) == []
    assert SWITCH_TO_CHINESE.search(response.text)
    return str(response.text)


@pytest.fixture
def venue_url(server: Server) -> str:
    venue_id, owner = register_venue(server)
    r = server.client.get(f"{API}/venues/{venue_id}/checkpoints", headers=owner)
    checkpoint_id = r.json()[0]["id"]
    r = server.client.get(f"{API}/venues/{venue_id}/code?checkpoint_id={checkpoint_id}", headers=owner)
    url: str = r.json()["url"]
    add_demo_persons(server, GREEN_PHONE, NO_CODE_PHONE)
    return url


def phone_in(server: Server, url: str, accept_language: str) -> Phone:
    """A phone's browser at the venue code `url` (or path) that sends this Accept-Language."""
    client = TestClient(server.client.app, base_url="https://testserver")
    client.headers["Accept-Language"] = accept_language
    return Phone(server, client, url if url.startswith("/") else path_of(url))


@pytest.fixture
def english(server: Server, venue_url: str) -> Iterator[Phone]:
    phone = phone_in(server, venue_url, "en-US,en;q=0.9,zh-CN;q=0.5")
    yield phone
    phone.client.close()


def test_english_phone_checks_in_in_english(server: Server, english: Phone) -> None:
    page = english_page(english.open())
    assert "Verify your phone number" in page and "<title>Venue code self check-in · Shoumen</title>" in page

    r = english.post("sms", phone="12345")
    assert r.status_code == 422 and "Invalid phone number" in english_page(r)
    english.request_code(GREEN_PHONE)
    page = english_page(english.open(), "137****0001")
    assert "Enter the SMS code" in page and "The code was sent to" in page
    code = server.sms.latest_code(GREEN_PHONE) or ""
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    r = english.post("verify", code=wrong)
    assert r.status_code == 422 and "Wrong verification code; 4 attempts left" in english_page(
        r, "137****0001"
    )

    r = english.verify(GREEN_PHONE)
    assert r.status_code == 303
    result = english.open(r.headers["location"])
    page = english_page(result, "陈**")
    assert 'data-level="pass"' in page and 'id="verdict-words">Pass<' in page
    for label, value in (
        ("Health code", "Green"),
        ("Vaccination", "Fully vaccinated"),
        ("Travel card", "Normal"),
    ):
        assert re.search(rf"{label}</th><td>{value}</td>", page), label
    assert "NAT</th><td>Negative · sampled 10 h ago</td>" in page

    page = english_page(english.open(), "137****0001")  # later that day
    assert "is verified today; no code needed." in page
    page = english_page(english.open(f"{english.path}/my-code"), "陈**")
    assert "My health code" in page and "陈** (137****0001)" in page


def test_english_declaration_and_notes(server: Server, english: Phone) -> None:
    result = english.check_in_with_code(NO_CODE_PHONE)
    page = english_page(result, "欧阳**")
    assert "You have no local health code" in page and "Health code</th><td>Not applied for</td>" in page
    declare = re.search(r'href="([^"]+/declare)"', page)
    assert declare
    form = english_page(english.open(declare.group(1)))
    assert ">Train / high-speed rail</option>" in form and 'value="火车/高铁"' in form
    r = english.client.post(
        declare.group(1),
        data={"csrf": english.csrf(), "origin": "x", "arrival": "", "transport": "火箭", "phone": "1"},
        follow_redirects=False,
    )
    assert r.status_code == 422
    page = english_page(r)
    for field in ("origin", "arrival", "transport", "phone"):
        assert f'id="{field}-error"' in page, field
    assert "Choose how you travelled" in page and "Invalid phone number" in page

    other = phone_in(server, english.path, "en")
    other.request_code(GREEN_PHONE)
    r = other.post("no-sms")
    page = english_page(other.open(r.headers["location"]))
    assert 'id="verdict-words">Cannot verify<' in page and "The SMS check was not completed" in page
    other.client.close()


def test_english_error_pages(server: Server, english: Phone) -> None:
    token = english.path.rsplit("/", 1)[1]
    r = english.client.get(f"/v/{token[:-3]}")
    assert r.status_code == 404 and error_code(r) == "bad_venue_code"
    page = english_page(r)
    assert "This venue code is not valid or no longer in use; please ask the staff" in page
    assert "Error code: bad_venue_code" in page
    r = english.client.post(f"{english.path}/sms", data={"csrf": "0" * 32}, follow_redirects=False)
    assert r.status_code == 403 and "This page has expired; scan the venue code again" in english_page(r)


def test_the_language_link_switches_and_holds(server: Server, venue_url: str) -> None:
    chinese = phone_in(server, venue_url, "zh-CN,zh;q=0.9")
    try:
        page = chinese.open()
        assert '<html lang="zh-CN">' in page.text and "请验证手机号码" in page.text
        link = re.search(r'<a id="lang-switch" href="([^"]+)" lang="en" hreflang="en">English</a>', page.text)
        assert link and link.group(1) == f"{chinese.path}?lang=en"

        switched = chinese.open(link.group(1))
        english_page(switched)
        cookie = set_cookies(switched)[LANG_COOKIE]
        assert "HttpOnly" in cookie and "Path=/v/" in cookie and "Secure" in cookie
        # The phone still asks for Chinese; the choice holds through the POST and its redirect.
        r = chinese.post("sms", phone=GREEN_PHONE)
        assert r.status_code == 303
        page = english_page(chinese.open(), "137****0001")
        assert "Enter the SMS code" in page
        r = chinese.post("sms")  # refused at once (a code went out): answered on the POST
        assert r.status_code == 429
        assert "Codes requested too often" in english_page(r, "137****0001")

        for junk in ("fr", "zh%00", "x" * 300):  # not a language: the cookie's choice stands
            assert '<html lang="en">' in chinese.open(f"{chinese.path}?lang={junk}").text

        back = chinese.open(f"{chinese.path}?lang=zh")
        assert '<html lang="zh-CN">' in back.text and "请输入短信验证码" in back.text
        assert "请输入短信验证码" in chinese.open().text
    finally:
        chinese.client.close()


def test_chinese_stays_the_default(server: Server, venue_url: str) -> None:
    for header in ("", "fr-FR,de;q=0.9", "en;q=0"):
        phone = phone_in(server, venue_url, header)
        page = phone.open()
        assert '<html lang="zh-CN">' in page.text and page.headers["content-language"] == "zh-CN"
        assert "请验证手机号码" in page.text and "Verify your phone number" not in page.text
        phone.client.close()
