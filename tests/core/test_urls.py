"""classify_url: whether a visitor's phone can open the URL a venue code points at."""

from __future__ import annotations

import pytest

from shoumen_core.urls import MAX_URL_LENGTH, UrlReach, classify_url

TOKEN = "/v/1.0.AbCdEfGhIjKlMnOpQrStUv"


@pytest.mark.parametrize(
    "url",
    [
        "https://shoumen.example.gov.cn",
        "https://shoumen.example.gov.cn/",
        "https://shoumen.example.gov.cn:8443/prefix",
        f"https://shoumen.example.gov.cn{TOKEN}",
        "HTTPS://Shoumen.Example.COM.",  # case and the root dot do not change the host
        "https://xn--fiqs8s.xn--fiqs8s",  # an IDN in its ASCII form
        "https://8.8.8.8",
        "https://172.32.0.1",  # just outside 172.16/12
        "https://[2400:3200::1]",
    ],
)
def test_a_public_https_url_is_public(url: str) -> None:
    assert classify_url(url) is UrlReach.PUBLIC


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",  # the old default of --public-base-url
        f"http://127.0.0.1:43117{TOKEN}",  # the embedded backend's random port
        "https://127.8.9.10",
        "https://127.1",  # the short forms browsers read as 127.0.0.1
        "https://2130706433",
        "https://0x7f.0.0.1",
        "https://[::1]:8000",
        "https://[::ffff:127.0.0.1]",
        "https://0.0.0.0",
        "https://localhost",
        "https://LOCALHOST.",
        "https://shoumen.localhost",
    ],
)
def test_a_loopback_url_is_loopback(url: str) -> None:
    assert classify_url(url) is UrlReach.LOOPBACK


@pytest.mark.parametrize(
    "url",
    [
        "https://10.1.2.3",
        "https://172.16.0.1",
        "https://172.31.255.254",
        "https://192.168.1.10",
        "http://192.168.1.10",  # private is the worse of the two problems
        "https://169.254.10.20",  # link-local
        "https://100.64.0.1",  # carrier-grade NAT
        "https://[fc00::1]",
        "https://[fd12:3456::1]",
        "https://[fe80::1%25eth0]",  # link-local with a zone
        "https://shoumen",  # one label: an intranet name
        "https://shoumen.local",
        "https://shoumen.corp.internal",
        "https://gate.home.arpa",
    ],
)
def test_a_private_url_is_private(url: str) -> None:
    assert classify_url(url) is UrlReach.PRIVATE


def test_plain_http_to_a_public_host_is_plain_http() -> None:
    assert classify_url(f"http://shoumen.example.gov.cn{TOKEN}") is UrlReach.PLAIN_HTTP


@pytest.mark.parametrize(
    "url",
    [
        "",
        "shoumen.example.gov.cn",
        "ftp://shoumen.example.gov.cn",
        "javascript:alert(1)",
        "https://",
        "https://user:secret@shoumen.example.gov.cn",
        "https://shoumen.example.gov.cn/?next=evil",
        "https://shoumen.example.gov.cn/#x",
        "https://shoumen.example.gov.cn:99999",
        "https://shoumen example.gov.cn",
        "https://shoumen.example.gov.cn\n",
        "https://例子.中国",
        "https://a..b",
        "https://256.256.256.256",
        "https://[::g]",
        "https://" + "a" * MAX_URL_LENGTH + ".cn",
    ],
)
def test_what_no_poster_can_carry_is_invalid(url: str) -> None:
    assert classify_url(url) is UrlReach.INVALID
