"""`/metrics` (issue 15 §3): Prometheus figures with bounded, PII-free labels, for loopback only.

In one process here (both backends); tests/server/test_workers.py checks that two workers'
figures are added up.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shoumen_server.app import create_app
from shoumen_server.settings import ServerSettings
from tests.server.conftest import Server
from tests.server.fixtures_sync import check, push
from tests.server.journeys import API, error_code, register_venue

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
LOOPBACK = ("127.0.0.1", 50000)


def scraper(server: Server, peer: tuple[str, int] = LOOPBACK) -> TestClient:
    """A client of the test app connecting from `peer` (the fixture's client is "testclient")."""
    return TestClient(server.client.app, client=peer)


def samples(server: Server) -> tuple[Samples, str]:
    r = scraper(server).get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    parsed = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(r.text)
        for sample in family.samples
    }
    return parsed, r.text


def delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_metrics_label_routes_by_template_never_by_raw_path(server: Server) -> None:
    venue_id, owner = register_venue(server)
    before, _ = samples(server)
    phone_path = f"{API}/no-such-thing/13812345678"
    assert server.client.get(phone_path).status_code == 404
    assert server.client.get(f"{API}/venues/{venue_id}", headers=owner).status_code == 200
    assert server.client.get(f"{API}/venues/0000{venue_id}", headers=owner).status_code == 200
    after, body = samples(server)
    venue_route = "/api/v1/venues/{venue_id}"
    assert (
        delta(before, after, "shoumen_http_responses_total", method="GET", route=venue_route, status="200")
        == 2
    )
    assert (
        delta(before, after, "shoumen_http_request_duration_seconds_count", method="GET", route=venue_route)
        == 2
    )
    assert (
        delta(before, after, "shoumen_http_responses_total", method="GET", route="<unmatched>", status="404")
        == 1
    )
    labels = {value for (_name, pairs) in after for _key, value in pairs}
    assert not any(
        "13812345678" in value or "0000" in value or value.endswith(f"/{venue_id}") for value in labels
    )
    assert "13812345678" not in body


def test_metrics_count_lookups_rate_limits_sms_and_pushed_rows(server: Server) -> None:
    before, _ = samples(server)
    venue_id, owner = register_venue(server)  # one SMS code sent
    for status in (200, 429):  # the second within the phone's 60 s interval
        r = server.client.post("/api/v1/auth/sms-code", json={"phone": "13900000001"})
        assert r.status_code == status, r.text
    r = server.client.post(
        f"{API}/venues/{venue_id}/lookup", json={"document": {"number": "330624198503121020"}}, headers=owner
    )
    assert r.status_code == 200, r.text
    ok, other = check(venue_id), check(venue_id + 1000)  # a venue the caller does not staff
    r = push(server, owner, [ok, other])
    assert r.status_code == 200 and len(r.json()["rejected"]) == 1, r.text
    after, body = samples(server)
    assert (
        delta(before, after, "shoumen_sms_sends_total", provider="dev", purpose="login", outcome="sent") == 2
    )
    assert delta(before, after, "shoumen_rate_limited_total", route="/api/v1/auth/sms-code") == 1
    assert delta(before, after, "shoumen_lookups_total", outcome="answered") == 1
    assert delta(before, after, "shoumen_pushed_rows_total", kind="check", outcome="accepted") == 1
    assert delta(before, after, "shoumen_pushed_rows_total", kind="check", outcome="rejected") == 1
    assert "13900000001" not in body and ok["id"] not in body and ok["person_ref"] not in body


def test_metrics_count_sms_provider_failures_by_code(database_url: str, key_dir: Any) -> None:
    class Refusing:
        name = "refusing"

        def send_code(self, phone: str, code: str, purpose: str = "login") -> None:
            from shoumen_server.sms import SmsSendError

            raise SmsSendError(code="sms_invalid_phone", status=422)

    settings = ServerSettings(database_url=database_url, key_dir=str(key_dir))
    app = create_app(settings, sms=Refusing())
    try:
        client = TestClient(app, client=LOOPBACK)
        text_before = client.get("/metrics").text
        assert client.post(f"{API}/auth/sms-code", json={"phone": "13900000007"}).status_code == 422
        text_after = client.get("/metrics").text
    finally:
        app.state.engine.dispose()
    line = 'shoumen_sms_sends_total{outcome="sms_invalid_phone",provider="refusing",purpose="login"}'
    count_before = next((float(x.split()[-1]) for x in text_before.splitlines() if x.startswith(line)), 0.0)
    assert any(
        x.startswith(line) and float(x.split()[-1]) == count_before + 1 for x in text_after.splitlines()
    )


def test_metrics_count_database_errors_by_driver_class(server: Server) -> None:
    before, _ = samples(server)
    engine = server.client.app.state.engine  # type: ignore[attr-defined]
    with pytest.raises(DBAPIError), engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))
    after, _ = samples(server)
    errors = {key: value for key, value in after.items() if key[0] == "shoumen_database_errors_total"}
    assert sum(errors.values()) - sum(v for k, v in before.items() if k in errors) == 1, errors


@pytest.mark.parametrize(
    ("peer", "headers"),
    [
        (("203.0.113.9", 40000), {}),  # from outside
        (("testclient", 50000), {}),  # not an address at all
        (LOOPBACK, {"X-Forwarded-For": "203.0.113.9"}),  # nginx on this machine, for the internet
        (LOOPBACK, {"X-Real-IP": "203.0.113.9"}),
        (LOOPBACK, {"Forwarded": "for=203.0.113.9"}),
    ],
)
def test_metrics_are_refused_to_anyone_but_the_allowed_peers(
    server: Server, peer: tuple[str, int], headers: dict[str, str]
) -> None:
    r = scraper(server, peer).get("/metrics", headers=headers)
    assert r.status_code == 403 and error_code(r) == "metrics_forbidden"
    assert "shoumen_" not in r.text and "监控指标" in r.json()["error"]["message"]


def test_metrics_allow_names_the_scraper_networks(database_url: str, key_dir: Any) -> None:
    settings = ServerSettings(database_url=database_url, key_dir=str(key_dir), metrics_allow=("10.8.0.0/24",))
    app = create_app(settings)
    try:
        assert TestClient(app, client=("10.8.0.5", 1)).get("/metrics").status_code == 200
        assert TestClient(app, client=LOOPBACK).get("/metrics").status_code == 403
    finally:
        app.state.engine.dispose()
    with pytest.raises(ValueError, match="SHOUMEN_METRICS_ALLOW"):
        ServerSettings(metrics_allow=("not-a-network",))
