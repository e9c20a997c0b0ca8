"""设备绑定 (issue 18 §1) on both backends: an owner's enrolment code, a station's device
credential, its scope (the device row of the authorisation matrix, DESIGN §5), rotation and
revocation; guessing codes is limited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shoumen_core.devices import (
    CODE_ALPHABET,
    CODE_LENGTH,
    QR_PREFIX,
    normalise_enrolment_code,
)
from shoumen_server import devices as device_rules
from shoumen_server.models import AuditEntry, Device, Enrolment
from tests.server.conftest import Server
from tests.server.fixtures_sync import add_checkpoint, anomaly, check, checkpoint_ids, db, push
from tests.server.journeys import add_staff, error_code, make_supervisor, register_venue

API = "/api/v1"
OWNER, OTHER_OWNER, STAFF = "13900000001", "13900000002", "13900000003"
UNKNOWN_ID = "330624198503121020"  # valid check digit, not in the registry


def enrolment(
    server: Server, venue_id: int, owner: dict[str, str], checkpoint_id: int, name: str = "东门闸机"
) -> Any:
    return server.client.post(
        f"{API}/venues/{venue_id}/enrolments",
        json={"checkpoint_id": checkpoint_id, "name": name},
        headers=owner,
    )


def enrol(server: Server, code: str, version: str = "1.8.0") -> Any:
    return server.client.post(f"{API}/devices/enrol", json={"code": code, "app_version": version})


def enrolled(server: Server, venue_id: int, owner: dict[str, str], checkpoint_id: int) -> tuple[int, str]:
    """(device id, credential) of a freshly enrolled station."""
    r = enrolment(server, venue_id, owner, checkpoint_id)
    assert r.status_code == 201, r.text
    r = enrol(server, r.json()["code"])
    assert r.status_code == 201, r.text
    return r.json()["device_id"], r.json()["token"]


def device_headers(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Device {token}", **extra}


@pytest.fixture
def station(server: Server) -> tuple[Server, int, dict[str, str], int, dict[str, str]]:
    """(server, venue, owner headers, checkpoint, device headers)."""
    venue_id, owner = register_venue(server, OWNER)
    checkpoint = checkpoint_ids(server, venue_id)[0]
    _device_id, token = enrolled(server, venue_id, owner, checkpoint)
    return server, venue_id, owner, checkpoint, device_headers(token)


def test_an_owner_enrols_a_station_which_checks_syncs_and_pulls_on_its_credential(station: Any) -> None:
    server, venue_id, _owner, checkpoint, device = station
    r = server.client.post(
        f"{API}/venues/{venue_id}/lookup",
        json={"document": {"number": UNKNOWN_ID}, "checkpoint_id": checkpoint},
        headers=device,
    )
    assert r.status_code == 200, r.text
    record = check(venue_id, checkpoint_id=checkpoint, gate_opened=True)
    r = push(server, device, [record])
    assert r.status_code == 200 and r.json()["rejected"] == [], r.text
    r = server.client.get(f"{API}/sync/pull", params={"venue_id": venue_id}, headers=device)
    assert r.status_code == 200, r.text
    assert r.json()["my_role"] == "device" and r.json()["trust_list"]
    assert r.json()["personal_counts"] == []
    me = server.client.get(f"{API}/devices/me", headers=device).json()
    assert (me["venue_id"], me["checkpoint_id"], me["name"]) == (venue_id, checkpoint, "东门闸机")
    with db(server) as session:
        audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "lookup")).one()
        assert audited.device_name.startswith("设备#")


def test_the_enrolment_code_is_short_and_the_qr_carries_it(server: Server) -> None:
    venue_id, owner = register_venue(server, OWNER)
    r = enrolment(server, venue_id, owner, checkpoint_ids(server, venue_id)[0])
    assert r.status_code == 201, r.text
    body = r.json()
    assert normalise_enrolment_code(body["code"]) == body["qr_payload"].removeprefix(QR_PREFIX)
    assert len(body["code"].replace("-", "")) == CODE_LENGTH
    assert all(c in CODE_ALPHABET for c in body["code"].replace("-", ""))
    # Scanned (the QR) or typed with spaces and small letters: the same code.
    assert enrol(server, body["code"].lower().replace("-", " ")).status_code == 201
    with db(server) as session:
        row = session.scalars(select(Enrolment)).one()
        assert body["code"].replace("-", "") not in row.code_hash  # only a keyed hash is kept


def test_enrolment_code_expires_after_ten_minutes(server: Server) -> None:
    venue_id, owner = register_venue(server, OWNER)
    code = enrolment(server, venue_id, owner, checkpoint_ids(server, venue_id)[0]).json()["code"]
    server.clock.advance(minutes=10, seconds=1)
    assert error_code(enrol(server, code)) == "enrol_code_invalid"


def test_enrolment_code_is_single_use(server: Server) -> None:
    venue_id, owner = register_venue(server, OWNER)
    code = enrolment(server, venue_id, owner, checkpoint_ids(server, venue_id)[0]).json()["code"]
    assert enrol(server, code).status_code == 201
    assert error_code(enrol(server, code)) == "enrol_code_invalid"
    with db(server) as session:
        assert len(session.scalars(select(Device)).all()) == 1


def test_guessing_enrolment_codes_is_rate_limited(server: Server) -> None:
    venue_id, owner = register_venue(server, OWNER)
    real = enrolment(server, venue_id, owner, checkpoint_ids(server, venue_id)[0]).json()["code"]
    capacity = int(device_rules.ENROL_PER_CLIENT[0])
    for i in range(capacity):
        assert error_code(enrol(server, f"2222{i + 2:04d}".replace("0", "2").replace("1", "3"))) == (
            "enrol_code_invalid"
        )
    # The address is out of tries: even the right code waits (guesses cost the guesser).
    r = enrol(server, real)
    assert error_code(r) == "enrol_rate_limited", r.text
    server.clock.advance(minutes=2)
    assert enrol(server, real).status_code == 201


def test_codes_of_the_wrong_shape_are_refused_without_a_lookup(server: Server) -> None:
    assert error_code(enrol(server, "ABC")) == "enrol_code_invalid"
    assert error_code(enrol(server, "OOOO-IIII")) == "enrol_code_invalid"  # letters outside the alphabet


def test_only_the_owner_makes_enrolment_codes_and_sees_devices(server: Server) -> None:
    venue_id, owner = register_venue(server, OWNER)
    staff = add_staff(server, venue_id, owner, STAFF)
    checkpoint = checkpoint_ids(server, venue_id)[0]
    assert error_code(enrolment(server, venue_id, staff, checkpoint)) == "owner_only"
    assert error_code(server.client.get(f"{API}/venues/{venue_id}/devices", headers=staff)) == "owner_only"
    other_venue, other_owner = register_venue(server, OTHER_OWNER, name="另一个场所")
    assert error_code(enrolment(server, other_venue, other_owner, checkpoint)) == "bad_checkpoint"
    supervisor = make_supervisor(server, "13900000009", "330624")
    assert error_code(enrolment(server, venue_id, supervisor, checkpoint)) == "not_venue_staff"


def test_rotation_gives_a_new_credential_and_retires_the_old_on_first_use(station: Any) -> None:
    server, venue_id, _owner, _checkpoint, device = station
    r = server.client.post(f"{API}/devices/rotate", headers=device)
    assert r.status_code == 200, r.text
    new = device_headers(r.json()["token"])
    # Until the new one is used, the old one still works (the answer may have been lost).
    assert server.client.get(f"{API}/devices/me", headers=device).status_code == 200
    assert server.client.get(f"{API}/devices/me", headers=new).status_code == 200
    assert error_code(server.client.get(f"{API}/devices/me", headers=device)) == "device_unknown"
    with db(server) as session:
        row = session.scalars(select(Device)).one()
        assert row.previous_hash is None and venue_id == row.venue_id


def test_a_rotated_out_credential_dies_after_its_grace(station: Any) -> None:
    server, _venue_id, _owner, _checkpoint, device = station
    assert server.client.post(f"{API}/devices/rotate", headers=device).status_code == 200
    server.clock.advance(seconds=device_rules.PREVIOUS_GRACE.total_seconds() + 1)
    assert error_code(server.client.get(f"{API}/devices/me", headers=device)) == "device_unknown"


def test_a_revoked_station_stops_at_its_next_request_and_hears_why(station: Any) -> None:
    server, venue_id, owner, checkpoint, device = station
    listed = server.client.get(f"{API}/venues/{venue_id}/devices", headers=owner).json()
    r = server.client.post(f"{API}/venues/{venue_id}/devices/{listed[0]['id']}/revoke", headers=owner)
    assert r.status_code == 200 and r.json()["revoked_at"], r.text
    for response in (
        push(server, device, [check(venue_id, checkpoint_id=checkpoint)]),
        server.client.get(f"{API}/sync/pull", params={"venue_id": venue_id}, headers=device),
        server.client.get(f"{API}/venues/{venue_id}/stats", headers=device),  # not a device route either
    ):
        assert response.status_code == 401
        assert error_code(response) == "device_revoked"
        assert response.json()["error"]["message"] == device_rules.DEVICE_REVOKED_MESSAGE


def test_the_owner_sees_last_seen_version_and_pending_checks(station: Any) -> None:
    server, venue_id, owner, _checkpoint, device = station
    server.clock.advance(minutes=5)
    headers = {**device, "X-Shoumen-Version": "1.9.0", "X-Shoumen-Pending": "7"}
    server.client.get(f"{API}/sync/pull", params={"venue_id": venue_id}, headers=headers)
    [row] = server.client.get(f"{API}/venues/{venue_id}/devices", headers=owner).json()
    assert (row["app_version"], row["pending_checks"], row["name"]) == ("1.9.0", 7, "东门闸机")
    assert row["last_seen_at"].startswith(server.clock.now.strftime("%Y-%m-%dT%H:%M"))


def test_last_seen_is_not_a_write_per_request(station: Any) -> None:
    server, venue_id, _owner, _checkpoint, device = station
    server.clock.advance(minutes=5)
    first = {**device, "X-Shoumen-Pending": "3"}
    server.client.get(f"{API}/sync/pull", params={"venue_id": venue_id}, headers=first)
    server.clock.advance(seconds=10)
    server.client.get(
        f"{API}/sync/pull", params={"venue_id": venue_id}, headers={**device, "X-Shoumen-Pending": "4"}
    )
    with db(server) as session:
        assert session.scalars(select(Device.pending_checks)).one() == 3


# ---- the device row of the authorisation matrix ----------------------------------------------

DEVICE_ROUTES = {
    ("POST", "/api/v1/venues/{venue_id}/lookup"),
    ("POST", "/api/v1/sync/push"),
    ("GET", "/api/v1/sync/pull"),
    ("GET", "/api/v1/devices/me"),
    ("POST", "/api/v1/devices/rotate"),
}
# Open to anyone (no login): a device header changes nothing there.
PUBLIC_ROUTES = {
    ("POST", "/api/v1/auth/sms-code"),
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/info"),
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/ready"),
    ("GET", "/api/v1/trust-list"),
    ("GET", "/api/v1/sealing-key"),
    ("POST", "/api/v1/devices/enrol"),
}


def _api_routes(server: Server) -> list[tuple[str, str]]:
    """Every method and path of the API, from its OpenAPI document (the routers are included
    lazily, so app.routes does not list them)."""
    paths = server.client.get(f"{API}/openapi.json").json()["paths"]
    return [
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if path.startswith(API + "/")
    ]


def test_a_device_credential_reaches_no_other_route(station: Any) -> None:
    """Every /api/v1 route outside the device's list answers 403 device_forbidden: staff
    admin, full details, export, stats, venue edits, supervisor views, a person's session."""
    server, venue_id, _owner, _checkpoint, device = station
    checked = []
    for method, path in _api_routes(server):
        if (method, path) in DEVICE_ROUTES | PUBLIC_ROUTES:
            continue
        url = path
        for name in ("venue_id", "user_id", "checkpoint_id", "device_id"):
            url = url.replace("{" + name + "}", str(venue_id))
        url = url.replace("{region_code}", "330624").replace(
            "{anomaly_id}", "0190b1a2-0000-7000-8000-000000000000"
        )
        r = server.client.request(method, url, headers=device, json={})
        assert r.status_code == 403 and error_code(r) == "device_forbidden", (method, path, r.text)
        checked.append(path)
    for needed in ("/full-details", "/export", "/staff", "/stats", "/enrolments", "/auth/refresh", "/me"):
        assert any(p.endswith(needed) for p in checked), (needed, checked)


def test_a_device_stays_at_its_own_venue_and_checkpoint(station: Any) -> None:
    server, venue_id, owner, checkpoint, device = station
    other_checkpoint = add_checkpoint(server, venue_id, owner, "西门")
    other_venue, _other_owner = register_venue(server, OTHER_OWNER, name="另一个场所")
    lookup = {"document": {"number": UNKNOWN_ID}}
    for venue, body in ((venue_id, {**lookup, "checkpoint_id": other_checkpoint}), (other_venue, lookup)):
        r = server.client.post(f"{API}/venues/{venue}/lookup", json=body, headers=device)
        assert error_code(r) == "device_forbidden", r.text
    r = server.client.get(f"{API}/sync/pull", params={"venue_id": other_venue}, headers=device)
    assert error_code(r) == "device_forbidden"
    mine = check(venue_id, checkpoint_id=checkpoint)
    elsewhere = [check(venue_id, checkpoint_id=other_checkpoint), check(other_venue)]
    r = push(server, device, [mine, *elsewhere], anomalies=[anomaly(other_venue)])
    assert r.json()["accepted"] == [mine["id"]], r.text
    assert {x["code"] for x in r.json()["rejected"]} == {"device_forbidden"}
    assert len(r.json()["rejected"]) == 3


def test_a_person_token_still_reaches_everything_it_did(station: Any) -> None:
    server, venue_id, owner, _checkpoint, _device = station
    assert server.client.get(f"{API}/venues/{venue_id}/staff", headers=owner).status_code == 200
    assert server.client.get(f"{API}/sync/pull", params={"venue_id": venue_id}, headers=owner).json()[
        "my_role"
    ] == ("owner")


def test_unknown_device_credential_is_refused(server: Server) -> None:
    r = server.client.get(f"{API}/devices/me", headers=device_headers("smd_nonsense"))
    assert r.status_code == 401 and error_code(r) == "device_unknown"
    _venue_id, owner = register_venue(server, OWNER)
    r = server.client.get(f"{API}/devices/me", headers=owner)
    assert error_code(r) == "device_forbidden"  # a person is not a device


def test_a_stations_lookups_do_not_spend_its_owners_lookup_tokens(station: Any) -> None:
    server, venue_id, owner, checkpoint, device = station
    add_checkpoint(server, venue_id, owner, "西门")  # the venue's bucket is sized by its gates
    body = {"document": {"number": UNKNOWN_ID}, "checkpoint_id": checkpoint}
    url = f"{API}/venues/{venue_id}/lookup"
    burst = server.settings.lookup_staff_burst
    for _ in range(burst):
        assert server.client.post(url, json=body, headers=device).status_code == 200
    assert error_code(server.client.post(url, json=body, headers=device)) == "lookup_rate_limited"
    assert server.client.post(url, json=body, headers=owner).status_code == 200


def test_enrolment_codes_are_purged_a_day_after_they_expire(station: Any) -> None:
    from shoumen_server.retention import purge

    server, venue_id, owner, checkpoint, _device = station
    assert enrolment(server, venue_id, owner, checkpoint).status_code == 201  # never used
    ctx = server.client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        assert purge(session, server.clock() + timedelta(hours=23), server.settings).enrolments == 0
        assert purge(session, server.clock() + timedelta(days=1, minutes=11), server.settings).enrolments == 2
    with db(server) as session:
        assert session.scalars(select(Enrolment)).all() == []
        assert len(session.scalars(select(Device)).all()) == 1  # the station itself stays
