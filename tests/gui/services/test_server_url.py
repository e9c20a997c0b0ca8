"""Issue 13 §3: a station refuses a plain-http server on another machine (the token and the
trust list would cross the network in clear); loopback and https are fine."""

from __future__ import annotations

import pytest

from shoumen_gui.services.server_url import (
    ALLOW_PLAIN_HTTP_ENV,
    BadServerUrl,
    InsecureServerUrl,
    check_server_url,
    is_loopback,
)


@pytest.mark.parametrize(
    "url",
    [
        "https://shoumen.example.gov.cn",
        "https://10.0.0.5:8443/",
        "http://127.0.0.1:8000",
        "http://127.8.9.10",
        "http://localhost:8000",
        "HTTP://LOCALHOST",
        "http://[::1]:8000",
    ],
)
def test_https_and_loopback_are_allowed(url: str) -> None:
    assert check_server_url(url, env={}) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://shoumen.example.gov.cn",
        "http://10.0.0.5:8000",
        "http://192.168.1.10",
        "http://[fe80::1]",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
        "http://0.0.0.0:8000",
    ],
)
def test_plain_http_to_another_machine_is_refused(url: str) -> None:
    with pytest.raises(InsecureServerUrl) as caught:
        check_server_url(url, env={})
    assert caught.value.code == "insecure_server_url"
    assert "https://" in caught.value.message and "明文" in caught.value.message


@pytest.mark.parametrize("url", ["", "shoumen.example.gov.cn", "ftp://x", "https://", "http://[::1"])
def test_not_a_url_is_refused(url: str) -> None:
    with pytest.raises(BadServerUrl):
        check_server_url(url, env={})


def test_test_labs_may_allow_plain_http_explicitly(caplog: pytest.LogCaptureFixture) -> None:
    assert check_server_url("http://10.0.0.5:8000", env={ALLOW_PLAIN_HTTP_ENV: "1"}) == "http://10.0.0.5:8000"
    assert ALLOW_PLAIN_HTTP_ENV in caplog.text  # never silent
    with pytest.raises(InsecureServerUrl):
        check_server_url("http://10.0.0.5:8000", env={ALLOW_PLAIN_HTTP_ENV: "yes"})


def test_loopback_names() -> None:
    assert is_loopback("foo.localhost") and is_loopback("::1") and not is_loopback("example.com")
