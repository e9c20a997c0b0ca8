"""Which certificates a client reads: none for a plain-http server (services/tls.for_url).

httpx builds an SSL context for every client, reading the default CA bundle (certifi) even for
an http:// URL; the session's client is made on the GUI thread at start-up, so that read sat on
the start's path. A plain-http client now gets a context that trusts no CA: it reads nothing,
and refuses a certificate should TLS turn up on that connection anyway.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.gate import GateConfig, GateKind, make_gate
from shoumen_gui.services.tls import certificate_error, for_url
from tests.deploy.front import https_server_of


@pytest.fixture
def bundle_reads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every CA bundle any SSL context loads from now on (certifi's, a CA file)."""
    reads: list[object] = []
    original = ssl.SSLContext.load_verify_locations

    def recorded(self: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        reads.append(args or kwargs)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", recorded)
    return reads


def test_clients_of_a_plain_http_server_read_no_certificate_bundle(bundle_reads: list[object]) -> None:
    api = ApiClient("http://127.0.0.1:9")
    make_gate(GateConfig(kind=GateKind.WEBHOOK, url="http://192.168.1.20/open")).close()
    make_gate(GateConfig(kind=GateKind.HIKVISION, url="http://192.168.1.64", username="admin")).close()
    api.close()
    assert bundle_reads == []

    # The same clients of https servers read the default roots: the recorder sees reads.
    ApiClient("https://shoumen.example.gov.cn").close()
    make_gate(GateConfig(kind=GateKind.WEBHOOK, url="https://relay.example.cn/open")).close()
    assert len(bundle_reads) == 2


def test_an_https_server_keeps_the_ca_the_app_was_given() -> None:
    own_ca = ssl.create_default_context()
    assert for_url("https://shoumen.example.gov.cn", own_ca) is own_ca
    assert for_url("HTTPS://shoumen.example.gov.cn", True) is True
    plain = for_url("HTTP://127.0.0.1:8000", own_ca)
    assert plain is not own_ca and isinstance(plain, ssl.SSLContext)
    assert plain.verify_mode == ssl.CERT_REQUIRED and plain.check_hostname
    assert plain.cert_store_stats()["x509_ca"] == 0


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[str]:
    with https_server_of("某个 CA", tmp_path) as url:
        yield url


def test_tls_on_a_plain_http_clients_connection_is_refused_not_trusted(tls_server: str) -> None:
    with (
        httpx.Client(verify=for_url("http://127.0.0.1:9", True), timeout=5) as client,
        pytest.raises(httpx.ConnectError) as raised,
    ):
        client.get(tls_server)
    refused = certificate_error(raised.value)
    assert refused is not None and refused.code == "certificate_untrusted"
