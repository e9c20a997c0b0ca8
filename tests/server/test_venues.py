"""Venues: registration (own and on behalf), editing, checkpoints, policy, the venue code, and
the role table of DESIGN §5 for every venue endpoint."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from shoumen_core.codes import parse_venue_code
from shoumen_core.policy import VaccinationRequirement, VenuePolicy, VerdictLevel
from shoumen_server.deps import ServerContext
from shoumen_server.models import Venue
from tests.server.conftest import Server
from tests.server.journeys import (
    API,
    OTHER_REGION,
    REGION,
    ROLES,
    add_staff,
    config_version,
    error_code,
    make_supervisor,
    register_venue,
    role_actors,
    user_id_of,
    venue_body,
)


def _ctx(server: Server) -> ServerContext:
    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    return ctx


def _checkpoint_ids(server: Server, venue_id: int, headers: dict[str, str]) -> dict[str, int]:
    r = server.client.get(f"{API}/venues/{venue_id}/checkpoints", headers=headers)
    assert r.status_code == 200, r.text
    return {row["name"]: row["id"] for row in r.json()}


# ---- registration ---------------------------------------------------------------------------


def test_register_venue_makes_the_caller_owner_with_one_gate(server: Server) -> None:
    headers = server.login("13900000001")
    body = venue_body(contact_phone="+86 139-0000-0009")
    r = server.client.post(f"{API}/venues", json=body, headers=headers)
    assert r.status_code == 201, r.text
    venue = r.json()
    assert venue["name"] == body["name"]
    assert venue["region_code"] == REGION
    assert venue["unit_type_name"] == "农贸/集贸市场"
    assert venue["contact_phone_masked"] == "139****0009"
    assert [c["name"] for c in venue["checkpoints"]] == ["大门"]
    assert VenuePolicy.model_validate(venue["policy"]) == VenuePolicy()

    me = server.client.get(f"{API}/me", headers=headers).json()
    assert me["user"]["name"] == ""  # registering a venue does not invent a name for the owner
    assert [(m["venue_id"], m["role"], m["state"]) for m in me["venues"]] == [
        (venue["id"], "owner", "authorised")
    ]
    with _ctx(server).sessions() as session:
        row = session.get(Venue, venue["id"])
        assert row is not None
        assert row.contact_phone == "13900000009"  # stored normalised
        assert row.created_by_user_id == me["user"]["id"]
        assert row.config_version == 1


def test_register_venue_rejects_bad_fields_with_stable_codes(server: Server) -> None:
    headers = server.login("13900000001")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"unit_type": "nightclub"}, "bad_unit_type"),
        ({"unit_type": ""}, "bad_unit_type"),
        ({"region_code": "990000"}, "bad_region"),  # no province 99
        ({"region_code": "100000"}, "bad_region"),
        ({"region_code": "710000"}, "bad_region"),  # Taiwan: no county codes of ours
        ({"region_code": "660101"}, "bad_region"),
        ({"contact_phone": "12345"}, "bad_phone"),
        ({"contact_phone": "0575-86021234"}, "bad_phone"),  # a landline is not a mobile
        ({"region_code": "33062"}, "invalid_request"),  # not 6 digits: the schema refuses it
        ({"name": "  "}, "invalid_request"),
        ({"address": ""}, "invalid_request"),
        ({"surprise": 1}, "invalid_request"),
    ]
    for override, code in cases:
        r = server.client.post(f"{API}/venues", json=venue_body(**override), headers=headers)
        assert r.status_code == 422, (override, r.text)
        assert r.json()["error"]["code"] == code, override
        assert r.json()["error"]["message"]
    assert server.client.get(f"{API}/me", headers=headers).json()["venues"] == []


def test_supervisor_registers_on_behalf_and_the_owner_takes_over_by_logging_in(server: Server) -> None:
    supervisor = make_supervisor(server, "13700000001", REGION)
    body = venue_body(owner_phone="13900000008", owner_name="张三", contact_phone="13900000008")
    r = server.client.post(f"{API}/venues/on-behalf", json=body, headers=supervisor)
    assert r.status_code == 201, r.text
    venue_id = r.json()["id"]
    assert [c["name"] for c in r.json()["checkpoints"]] == ["大门"]
    # The supervisor watches the venue, prints its code, but is no member of it.
    assert server.client.get(f"{API}/venues/{venue_id}", headers=supervisor).status_code == 200
    assert server.client.get(f"{API}/venues/{venue_id}/code", headers=supervisor).status_code == 200
    r = server.client.get(f"{API}/venues/{venue_id}/staff", headers=supervisor)
    assert (r.status_code, error_code(r)) == (403, "not_venue_staff")

    owner = server.login("13900000008")
    me = server.client.get(f"{API}/me", headers=owner).json()
    assert me["user"]["name"] == "张三"
    assert [(m["venue_id"], m["role"], m["state"]) for m in me["venues"]] == [
        (venue_id, "owner", "authorised")
    ]
    r = server.client.patch(f"{API}/venues/{venue_id}", json={"name": "张三小吃"}, headers=owner)
    assert r.status_code == 200, r.text
    with _ctx(server).sessions() as session:
        row = session.get(Venue, venue_id)
        assert row is not None
        assert row.created_by_user_id == user_id_of(server, supervisor)


def test_on_behalf_keeps_an_existing_owner_name_and_fills_an_empty_one(server: Server) -> None:
    supervisor = make_supervisor(server, "13700000001", REGION)
    named = server.login("13900000011")
    unnamed = server.login("13900000012")
    # The first registration names 13900000011; the second must not rename them.
    for phone, name in [("13900000011", "钱七"), ("13900000011", "别名"), ("13900000012", "孙八")]:
        body = venue_body(owner_phone=phone, owner_name=name, name=f"{name}的店")
        assert server.client.post(f"{API}/venues/on-behalf", json=body, headers=supervisor).status_code == 201
    assert server.client.get(f"{API}/me", headers=named).json()["user"]["name"] == "钱七"
    assert server.client.get(f"{API}/me", headers=unnamed).json()["user"]["name"] == "孙八"
    assert len(server.client.get(f"{API}/me", headers=named).json()["venues"]) == 2


def test_on_behalf_errors(server: Server) -> None:
    inside = make_supervisor(server, "13700000001", REGION)
    outside = make_supervisor(server, "13700000002", OTHER_REGION)
    _venue_id, owner = register_venue(server)
    ok = venue_body(owner_phone="13900000008", owner_name="张三")
    cases: list[tuple[dict[str, str], dict[str, Any], int, str]] = [
        (outside, ok, 403, "outside_region"),
        (owner, ok, 403, "supervisor_only"),
        (inside, {**ok, "owner_phone": "1390000000"}, 422, "bad_phone"),
        (inside, {**ok, "region_code": "990000"}, 422, "bad_region"),
        (inside, {**ok, "unit_type": "casino"}, 422, "bad_unit_type"),
        (inside, {**ok, "owner_name": ""}, 422, "invalid_request"),
        (inside, {**ok, "owner_phone": "13700000002"}, 409, "supervisor_not_member"),
        (inside, {**ok, "owner_phone": "13700000001"}, 409, "supervisor_not_member"),
        ({}, ok, 401, "not_authenticated"),
    ]
    for headers, body, status, code in cases:
        r = server.client.post(f"{API}/venues/on-behalf", json=body, headers=headers)
        assert (r.status_code, error_code(r)) == (status, code), (body, r.text)
    # Nothing was created by the refused requests: the would-be owner has no venue.
    assert server.client.get(f"{API}/me", headers=server.login("13900000008")).json()["venues"] == []


def test_unknown_venue_and_out_of_range_ids(server: Server) -> None:
    _venue_id, owner = register_venue(server)
    r = server.client.get(f"{API}/venues/999999", headers=owner)
    assert (r.status_code, error_code(r)) == (404, "venue_not_found")
    for bad in ["0", "-1", str(2**31), str(10**20), "abc"]:
        r = server.client.get(f"{API}/venues/{bad}", headers=owner)
        assert (r.status_code, error_code(r)) == (422, "invalid_request"), bad


# ---- editing --------------------------------------------------------------------------------


def test_patch_venue_changes_fields_and_bumps_the_config_version(server: Server) -> None:
    venue_id, owner = register_venue(server)
    before = config_version(server, venue_id)
    server.clock.advance(minutes=5)
    changes = {"name": "城关菜场", "unit_type": "supermarket", "contact_phone": "13900000099", "township": ""}
    r = server.client.patch(f"{API}/venues/{venue_id}", json=changes, headers=owner)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["name"], out["unit_type"], out["unit_type_name"], out["township"]) == (
        "城关菜场",
        "supermarket",
        "超市/便利店",
        "",
    )
    assert out["contact_phone_masked"] == "139****0099"
    assert out["address"] == venue_body()["address"]  # untouched
    assert config_version(server, venue_id) == before + 1
    with _ctx(server).sessions() as session:
        row = session.get(Venue, venue_id)
        assert row is not None
        assert row.updated_at == server.clock()

    # The same values again change nothing, so devices have nothing to pull.
    assert server.client.patch(f"{API}/venues/{venue_id}", json=changes, headers=owner).status_code == 200
    assert config_version(server, venue_id) == before + 1

    for body, code in [
        ({"unit_type": "zoo"}, "bad_unit_type"),
        ({"contact_phone": "110"}, "bad_phone"),
        ({"name": ""}, "invalid_request"),
        ({"region_code": OTHER_REGION}, "invalid_request"),  # a venue does not move region
    ]:
        r = server.client.patch(f"{API}/venues/{venue_id}", json=body, headers=owner)
        assert (r.status_code, error_code(r)) == (422, code), body
    assert config_version(server, venue_id) == before + 1


# ---- checkpoints ----------------------------------------------------------------------------


def test_checkpoints_add_rename_remove(server: Server) -> None:
    venue_id, owner = register_venue(server)
    url = f"{API}/venues/{venue_id}/checkpoints"
    version = config_version(server, venue_id)

    r = server.client.post(url, json={"name": " 南门 "}, headers=owner)
    assert r.status_code == 201, r.text
    south = r.json()["id"]
    assert r.json() == {"id": south, "name": "南门", "active": True}
    assert list(_checkpoint_ids(server, venue_id, owner)) == ["大门", "南门"]
    assert config_version(server, venue_id) == version + 1

    r = server.client.post(url, json={"name": "南门"}, headers=owner)
    assert (r.status_code, error_code(r)) == (409, "checkpoint_exists")
    r = server.client.post(url, json={"name": ""}, headers=owner)
    assert (r.status_code, error_code(r)) == (422, "invalid_request")
    r = server.client.post(url, json={"name": "门" * 31}, headers=owner)
    assert (r.status_code, error_code(r)) == (422, "invalid_request")

    r = server.client.patch(f"{url}/{south}", json={"name": "北门"}, headers=owner)
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "北门"
    assert config_version(server, venue_id) == version + 2
    r = server.client.patch(f"{url}/{south}", json={"name": "北门"}, headers=owner)
    assert r.status_code == 200  # renaming to its own name is a no-op
    assert config_version(server, venue_id) == version + 2
    r = server.client.patch(f"{url}/{south}", json={"name": "大门"}, headers=owner)
    assert (r.status_code, error_code(r)) == (409, "checkpoint_exists")

    assert server.client.delete(f"{url}/{south}", headers=owner).status_code == 204
    assert list(_checkpoint_ids(server, venue_id, owner)) == ["大门"]
    assert config_version(server, venue_id) == version + 3
    r = server.client.delete(f"{url}/{south}", headers=owner)
    assert (r.status_code, error_code(r)) == (404, "checkpoint_not_found")
    r = server.client.patch(f"{url}/{south}", json={"name": "西门"}, headers=owner)
    assert (r.status_code, error_code(r)) == (404, "checkpoint_not_found")

    gate = _checkpoint_ids(server, venue_id, owner)["大门"]
    r = server.client.delete(f"{url}/{gate}", headers=owner)
    assert (r.status_code, error_code(r)) == (409, "last_checkpoint")
    assert config_version(server, venue_id) == version + 3

    # A removed name comes back with its old id, so posters printed for it work again.
    r = server.client.post(url, json={"name": "北门"}, headers=owner)
    assert (r.status_code, r.json()["id"]) == (201, south)
    assert config_version(server, venue_id) == version + 4


def test_checkpoints_of_another_venue_are_not_found(server: Server) -> None:
    venue_id, owner = register_venue(server)
    other_id, other_owner = register_venue(server, "13900000004")
    theirs = _checkpoint_ids(server, other_id, other_owner)["大门"]
    url = f"{API}/venues/{venue_id}/checkpoints/{theirs}"
    for r in [
        server.client.patch(url, json={"name": "偷梁换柱"}, headers=owner),
        server.client.delete(url, headers=owner),
        server.client.get(f"{API}/venues/{venue_id}/code", params={"checkpoint_id": theirs}, headers=owner),
    ]:
        assert (r.status_code, error_code(r)) == (404, "checkpoint_not_found")
    assert _checkpoint_ids(server, other_id, other_owner) == {"大门": theirs}


# ---- policy ---------------------------------------------------------------------------------


def test_policy_read_and_replace(server: Server) -> None:
    venue_id, owner = register_venue(server)
    staff = add_staff(server, venue_id, owner, "13900000002")
    url = f"{API}/venues/{venue_id}/policy"
    r = server.client.get(url, headers=staff)
    assert r.status_code == 200
    assert VenuePolicy.model_validate(r.json()) == VenuePolicy()
    version = config_version(server, venue_id)

    new = VenuePolicy(
        nat_window_hours=72,
        vaccination_required=VaccinationRequirement.BOOSTER,
        fever_threshold=37.5,
        yellow_action=VerdictLevel.REVIEW,
    )
    r = server.client.put(url, json=new.model_dump(mode="json"), headers=owner)
    assert r.status_code == 200, r.text
    assert VenuePolicy.model_validate(r.json()) == new
    assert VenuePolicy.model_validate(server.client.get(url, headers=staff).json()) == new
    venue = server.client.get(f"{API}/venues/{venue_id}", headers=staff).json()
    assert VenuePolicy.model_validate(venue["policy"]) == new
    assert config_version(server, venue_id) == version + 1

    r = server.client.put(url, json={"nat_window_hours": None}, headers=owner)
    assert r.status_code == 200
    assert r.json()["nat_window_hours"] is None
    assert r.json()["fever_threshold"] == 37.3  # a PUT replaces the whole policy

    for body, code in [
        ({"nat_window_hours": 36}, "bad_nat_window"),
        ({"nat_window_hours": 0}, "bad_nat_window"),
        ({"fever_threshold": 45}, "invalid_request"),
        ({"yellow_action": "shrug"}, "invalid_request"),
    ]:
        r = server.client.put(url, json=body, headers=owner)
        assert (r.status_code, error_code(r)) == (422, code), body
    assert config_version(server, venue_id) == version + 2


# ---- venue code -----------------------------------------------------------------------------


def test_venue_code_names_venue_and_checkpoint_and_is_signed(server: Server) -> None:
    venue_id, owner = register_venue(server)
    staff = add_staff(server, venue_id, owner, "13900000002")
    gate = _checkpoint_ids(server, venue_id, owner)["大门"]
    secret = _ctx(server).keys.venue_secret
    for checkpoint_id in [None, gate]:
        params: dict[str, int] = {} if checkpoint_id is None else {"checkpoint_id": checkpoint_id}
        r = server.client.get(f"{API}/venues/{venue_id}/code", params=params, headers=staff)
        assert r.status_code == 200, r.text
        out = r.json()
        assert (out["venue_id"], out["checkpoint_id"]) == (venue_id, checkpoint_id)
        assert out["url"].startswith("https://shoumen.test/v/")
        ref = parse_venue_code(out["url"], secret)
        assert (ref.venue_id, ref.checkpoint_id) == (venue_id, checkpoint_id)

    bad_ids: list[int | str] = [0, "gate"]
    for bad in bad_ids:
        r = server.client.get(f"{API}/venues/{venue_id}/code", params={"checkpoint_id": bad}, headers=owner)
        assert (r.status_code, error_code(r)) == (422, "invalid_request")
    r = server.client.get(f"{API}/venues/{venue_id}/code", params={"checkpoint_id": 999999}, headers=owner)
    assert (r.status_code, error_code(r)) == (404, "checkpoint_not_found")


def _decode_png(content: bytes) -> tuple[str, tuple[int, int]]:
    image = Image.open(io.BytesIO(content))
    image.load()
    results = zxingcpp.read_barcodes(image.convert("L"))
    assert len(results) == 1
    return results[0].text, image.size


def test_venue_code_png_decodes_to_the_url(server: Server) -> None:
    venue_id, owner = register_venue(server)
    gate = _checkpoint_ids(server, venue_id, owner)["大门"]
    url = server.client.get(
        f"{API}/venues/{venue_id}/code", params={"checkpoint_id": gate}, headers=owner
    ).json()["url"]
    sizes: dict[int, int] = {}
    for scale in [None, 4, 8]:
        params: dict[str, int] = {"checkpoint_id": gate}
        if scale is not None:
            params["scale"] = scale
        r = server.client.get(f"{API}/venues/{venue_id}/code.png", params=params, headers=owner)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "image/png"
        text, (width, height) = _decode_png(r.content)
        assert text == url
        assert width == height
        sizes[scale or 10] = width
    # Width = (modules + 2 * 4 border) * scale, whatever the module count.
    modules = sizes[4] // 4 - 8
    assert sizes == {4: (modules + 8) * 4, 8: (modules + 8) * 8, 10: (modules + 8) * 10}
    for scale in [0, 41]:
        r = server.client.get(f"{API}/venues/{venue_id}/code.png", params={"scale": scale}, headers=owner)
        assert (r.status_code, error_code(r)) == (422, "invalid_request")


# ---- the role table (DESIGN §5) --------------------------------------------------------------

# Who may do what around venue A: expected (status, error code) per role.
READERS = {
    "owner": (200, None),
    "staff": (200, None),
    "revoked": (403, "staff_revoked"),
    "other_staff": (403, "not_venue_staff"),
    "sup_in": (200, None),
    "sup_out": (403, "not_venue_staff"),
    "anonymous": (401, "not_authenticated"),
}


def owner_only(success: int) -> dict[str, tuple[int, str | None]]:
    return {
        "owner": (success, None),
        "staff": (403, "owner_only"),
        "revoked": (403, "staff_revoked"),
        "other_staff": (403, "not_venue_staff"),
        "sup_in": (403, "not_venue_staff"),
        "sup_out": (403, "not_venue_staff"),
        "anonymous": (401, "not_authenticated"),
    }


Call = Callable[[TestClient, dict[str, str], int], Any]  # -> the test client's response
Expected = dict[str, tuple[int, str | None]]
Table = list[tuple[str, Call, Expected]]


def _read_table(base: str) -> Table:
    return [
        ("GET venue", lambda c, h, i: c.get(base, headers=h), READERS),
        ("GET checkpoints", lambda c, h, i: c.get(f"{base}/checkpoints", headers=h), READERS),
        ("GET policy", lambda c, h, i: c.get(f"{base}/policy", headers=h), READERS),
        ("GET code", lambda c, h, i: c.get(f"{base}/code", headers=h), READERS),
        ("GET code.png", lambda c, h, i: c.get(f"{base}/code.png", params={"scale": 1}, headers=h), READERS),
    ]


def _edit_table(base: str) -> Table:
    policy = VenuePolicy(nat_window_hours=24).model_dump(mode="json")
    return [
        ("PATCH venue", lambda c, h, i: c.patch(base, json={"name": f"新名{i}"}, headers=h), owner_only(200)),
        ("PUT policy", lambda c, h, i: c.put(f"{base}/policy", json=policy, headers=h), owner_only(200)),
    ]


def _checkpoint_table(base: str, spare: dict[str, int]) -> Table:
    return [
        (
            "POST checkpoint",
            lambda c, h, i: c.post(f"{base}/checkpoints", json={"name": f"新门{i}"}, headers=h),
            owner_only(201),
        ),
        (
            "PATCH checkpoint",
            lambda c, h, i: c.patch(
                f"{base}/checkpoints/{spare[ROLES[i]]}", json={"name": f"改{i}"}, headers=h
            ),
            owner_only(200),
        ),
        (
            "DELETE checkpoint",
            lambda c, h, i: c.delete(f"{base}/checkpoints/{spare[ROLES[i]]}", headers=h),
            owner_only(204),
        ),
    ]


def _register_table() -> Table:
    new_phones = iter(f"1360000{n:04d}" for n in range(100))

    def on_behalf(c: TestClient, h: dict[str, str], i: int) -> Any:
        body = venue_body(owner_phone=next(new_phones), owner_name="周九", name=f"代注册{i}")
        return c.post(f"{API}/venues/on-behalf", json=body, headers=h)

    members_may: Expected = {role: (201, None) for role in ("owner", "staff", "revoked", "other_staff")}
    return [
        (
            "POST venues",
            lambda c, h, i: c.post(f"{API}/venues", json=venue_body(name=f"自注册{i}"), headers=h),
            {
                **members_may,
                "sup_in": (403, "supervisor_use_on_behalf"),
                "sup_out": (403, "supervisor_use_on_behalf"),
                "anonymous": (401, "not_authenticated"),
            },
        ),
        (
            "POST venues/on-behalf",
            on_behalf,
            {
                **{role: (403, "supervisor_only") for role in members_may},
                "sup_in": (201, None),
                "sup_out": (403, "outside_region"),
                "anonymous": (401, "not_authenticated"),
            },
        ),
    ]


def _run_table(server: Server, headers: dict[str, dict[str, str]], table: Table) -> list[str]:
    failures = []
    for endpoint, call, expected in table:
        assert set(expected) == set(ROLES), endpoint
        for i, role in enumerate(ROLES):
            r = call(server.client, headers[role], i)
            got = (r.status_code, error_code(r))
            if got != expected[role]:
                failures.append(f"{endpoint} as {role}: expected {expected[role]}, got {got} {r.text[:120]}")
    return failures


@pytest.mark.parametrize("group", ["read", "edit", "checkpoints", "register"])
def test_role_table_for_venue_endpoints(server: Server, group: str) -> None:
    actors = role_actors(server)
    owner = actors.headers["owner"]
    base = f"{API}/venues/{actors.venue_id}"
    if group == "read":
        table = _read_table(base)
    elif group == "register":
        table = _register_table()
    elif group == "edit":
        table = _edit_table(base)
    else:
        # One spare checkpoint per role to rename and remove.
        spare = {
            role: server.client.post(
                f"{base}/checkpoints", json={"name": f"门-{role}"}, headers=owner
            ).json()["id"]
            for role in ROLES
        }
        table = _checkpoint_table(base, spare)
    failures = _run_table(server, actors.headers, table)
    assert not failures, "\n".join(failures)
    if group == "checkpoints":
        # The only removal that went through was the owner's.
        remaining = _checkpoint_ids(server, actors.venue_id, owner).values()
        assert [role for role in ROLES if spare[role] not in remaining] == ["owner"]
