"""Guards in front of every route (issue 13 §5): a body over the limit is refused before it is
parsed, personal data is never cached, a session has an absolute lifetime, and adding a phone
as staff neither reveals nor renames the account behind it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from shoumen_server.models import User
from tests.server.conftest import Server
from tests.server.fixtures_sync import check, db, push_ok
from tests.server.journeys import API, register_venue

FIVE_MB = 5 * 1024 * 1024


def test_a_body_over_the_limit_is_refused_with_413_before_parsing(server: Server) -> None:
    # Unauthenticated and not even JSON: the limit answers first, nothing parses 5 MB.
    r = server.client.post(
        f"{API}/sync/push", content=b"x" * FIVE_MB, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "body_too_large"


def test_a_streamed_body_over_the_limit_is_refused_with_413(server: Server) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked, counted as it arrives
        yield b'{"device_id": "t", "checks": ['
        for _ in range(FIVE_MB // 65536):
            yield b" " * 65536
        yield b"]}"

    r = server.client.post(
        f"{API}/auth/sms-code", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "body_too_large"


def test_a_body_under_the_limit_is_served(server: Server) -> None:
    venue_id, owner = register_venue(server)
    push_ok(server, owner, [check(venue_id) for _ in range(100)])


def test_responses_with_personal_data_say_no_store(server: Server) -> None:
    venue_id, owner = register_venue(server)
    for path, params in (
        ("/me", {}),
        (f"/venues/{venue_id}/staff", {}),
        ("/sync/pull", {"venue_id": venue_id}),
        (f"/venues/{venue_id}/abnormal", {}),
        (f"/venues/{venue_id}/export", {"start": "2026-11-20", "end": "2026-11-20"}),
        (f"/venues/{venue_id}/anomalies", {}),
    ):
        r = server.client.get(f"{API}{path}", params=params, headers=owner)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["cache-control"] == "no-store", path
    r = server.client.post(
        f"{API}/venues/{venue_id}/lookup", json={"document": {"number": "1"}}, headers=owner
    )
    assert r.headers["cache-control"] == "no-store"
    r = server.client.post(f"{API}/venues/{venue_id}/full-details", json={}, headers=owner)
    assert r.headers["cache-control"] == "no-store"


def test_refresh_cannot_extend_a_session_past_its_absolute_lifetime(server: Server) -> None:
    headers = server.login("13900000001")
    max_days = server.settings.session_max_days
    assert max_days == 7
    for _ in range(max_days * 2 + 2):  # refresh twice a day, well inside every token's ttl
        server.clock.advance(hours=11)
        r = server.client.post(f"{API}/auth/refresh", headers=headers)
        if r.status_code != 200:
            break
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
    else:
        raise AssertionError("the session was refreshed for more than session_max_days")
    assert r.status_code == 401 and r.json()["error"]["code"] == "session_expired"
    assert server.client.get(f"{API}/me", headers=headers).status_code == 401
    # The last token it got ended at the session's limit, not 12 h after the last refresh.
    login = server.login("13900000001")
    assert server.client.get(f"{API}/me", headers=login).status_code == 200


def test_the_last_refresh_ends_at_the_session_limit(server: Server) -> None:
    limit = server.clock() + timedelta(days=7)  # the login happens a moment later
    headers = server.login("13900000001")
    while server.clock() + timedelta(hours=12) < limit:  # refreshed every 10 h: 12 h tokens
        server.clock.advance(hours=10)
        r = server.client.post(f"{API}/auth/refresh", headers=headers)
        assert r.status_code == 200, r.text
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
    expires = datetime.fromisoformat(r.json()["expires_at"])
    assert expires < server.clock() + timedelta(hours=12)  # cut short: the session's end
    assert limit <= expires <= limit + timedelta(minutes=5)


def test_adding_a_phone_that_has_an_account_does_not_reveal_or_rename_it(server: Server) -> None:
    venue_id, owner = register_venue(server, "13900000001")
    other_venue, other_owner = register_venue(server, "13900000009", name="另一个场所")
    # 13900000002 registered herself (a venue of her own) under her real name.
    register_venue(server, "13900000002", name="她的店")
    with db(server) as session:
        user = session.query(User).filter(User.phone == "13900000002").one()
        user.name = "王真名"
    r = server.client.post(
        f"{API}/venues/{venue_id}/staff", json={"name": "<b>x</b>", "phone": "13900000002"}, headers=owner
    )
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "<b>x</b>"
    assert "王真名" not in r.text
    listed = server.client.get(f"{API}/venues/{venue_id}/staff", headers=owner).json()
    assert "王真名" not in str(listed)
    pulled = server.client.get(f"{API}/sync/pull", params={"venue_id": venue_id}, headers=owner).json()
    assert "王真名" not in str(pulled["staff"])
    # A second owner names her differently; neither rename the account.
    r = server.client.post(
        f"{API}/venues/{other_venue}/staff",
        json={"name": "小王", "phone": "13900000002"},
        headers=other_owner,
    )
    assert r.json()["name"] == "小王"
    with db(server) as session:
        assert session.query(User).filter(User.phone == "13900000002").one().name == "王真名"
