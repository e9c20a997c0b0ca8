"""Staff (子管理员): add, list, authorise, revoke, delete — and that revocation bites on the
member's very next request — plus the role table of DESIGN §5 for the staff endpoints."""

from __future__ import annotations

from sqlalchemy import select

from shoumen_server.deps import ServerContext
from shoumen_server.models import AuditEntry
from tests.server.conftest import Server
from tests.server.journeys import (
    API,
    REGION,
    ROLES,
    add_staff,
    config_version,
    error_code,
    make_supervisor,
    register_venue,
    role_actors,
    user_id_of,
)


def _staff_url(venue_id: int, user_id: int | None = None, action: str = "") -> str:
    url = f"{API}/venues/{venue_id}/staff"
    if user_id is not None:
        url += f"/{user_id}"
    return f"{url}/{action}" if action else url


def test_add_staff_creates_the_user_and_lists_owner_first(server: Server) -> None:
    venue_id, owner = register_venue(server)
    # An existing user with a name of their own, who registered before being added.
    earlier = server.login("13900000007")
    version = config_version(server, venue_id)

    r = server.client.post(
        _staff_url(venue_id), json={"name": "李四", "phone": "139 0000 0002"}, headers=owner
    )
    assert r.status_code == 201, r.text
    li = r.json()
    assert (li["name"], li["phone_masked"], li["role"], li["state"]) == (
        "李四",
        "139****0002",
        "staff",
        "authorised",
    )
    r = server.client.post(_staff_url(venue_id), json={"name": "周七", "phone": "13900000007"}, headers=owner)
    assert r.status_code == 201, r.text
    assert r.json()["user_id"] == user_id_of(server, earlier)
    assert config_version(server, venue_id) == version + 2

    staff = server.login("13900000002")
    me = server.client.get(f"{API}/me", headers=staff).json()
    assert me["user"]["id"] == li["user_id"]
    assert me["user"]["name"] == "李四"
    assert [(m["venue_id"], m["role"], m["state"]) for m in me["venues"]] == [
        (venue_id, "staff", "authorised")
    ]
    # The new staff member checks at once: the venue's policy is theirs to read.
    assert server.client.get(f"{API}/venues/{venue_id}/policy", headers=staff).status_code == 200

    rows = server.client.get(_staff_url(venue_id), headers=owner).json()
    assert [(row["role"], row["phone_masked"]) for row in rows] == [
        ("owner", "139****0001"),
        ("staff", "139****0007"),  # by user id: 13900000007 existed before 13900000002
        ("staff", "139****0002"),
    ]


def test_add_staff_errors(server: Server) -> None:
    venue_id, owner = register_venue(server)
    add_staff(server, venue_id, owner, "13900000002")
    make_supervisor(server, "13700000001", REGION)
    version = config_version(server, venue_id)
    for body, status, code in [
        ({"name": "李四", "phone": "13900000002"}, 409, "staff_exists"),
        ({"name": "我自己", "phone": "13900000001"}, 409, "cannot_add_self"),
        ({"name": "王科员", "phone": "13700000001"}, 409, "supervisor_not_member"),
        ({"name": "李四", "phone": "1390000000"}, 422, "bad_phone"),
        ({"name": "", "phone": "13900000003"}, 422, "invalid_request"),
        ({"phone": "13900000003"}, 422, "invalid_request"),
    ]:
        r = server.client.post(_staff_url(venue_id), json=body, headers=owner)
        assert (r.status_code, error_code(r)) == (status, code), body
    assert config_version(server, venue_id) == version
    assert len(server.client.get(_staff_url(venue_id), headers=owner).json()) == 2


def test_staff_of_one_venue_can_be_added_to_another(server: Server) -> None:
    venue_a, owner_a = register_venue(server)
    venue_b, owner_b = register_venue(server, "13900000004")
    staff = add_staff(server, venue_a, owner_a, "13900000002")
    add_staff(server, venue_b, owner_b, "13900000002", name="另一个名字")
    me = server.client.get(f"{API}/me", headers=staff).json()
    assert me["user"]["name"] == "李四"  # the name the person first got is kept
    assert {m["venue_id"] for m in me["venues"]} == {venue_a, venue_b}


def test_revoke_authorise_delete_take_effect_on_the_next_request(server: Server) -> None:
    venue_id, owner = register_venue(server)
    staff = add_staff(server, venue_id, owner, "13900000002")
    staff_id = user_id_of(server, staff)
    policy = f"{API}/venues/{venue_id}/policy"
    assert server.client.get(policy, headers=staff).status_code == 200
    version = config_version(server, venue_id)

    r = server.client.post(_staff_url(venue_id, staff_id, "revoke"), headers=owner)
    assert r.status_code == 200, r.text
    assert (r.json()["user_id"], r.json()["state"]) == (staff_id, "revoked")
    r = server.client.get(policy, headers=staff)
    assert (r.status_code, error_code(r)) == (403, "staff_revoked")
    assert config_version(server, venue_id) == version + 1
    # Revoking again changes nothing and gives devices nothing to pull.
    assert (
        server.client.post(_staff_url(venue_id, staff_id, "revoke"), headers=owner).json()["state"]
        == "revoked"
    )
    assert config_version(server, venue_id) == version + 1

    r = server.client.post(_staff_url(venue_id, staff_id, "authorise"), headers=owner)
    assert (r.status_code, r.json()["state"]) == (200, "authorised")
    assert server.client.get(policy, headers=staff).status_code == 200
    assert config_version(server, venue_id) == version + 2

    assert server.client.delete(_staff_url(venue_id, staff_id), headers=owner).status_code == 204
    r = server.client.get(policy, headers=staff)
    assert (r.status_code, error_code(r)) == (403, "not_venue_staff")
    assert config_version(server, venue_id) == version + 3
    assert [row["role"] for row in server.client.get(_staff_url(venue_id), headers=owner).json()] == ["owner"]
    assert server.client.get(f"{API}/me", headers=staff).json()["venues"] == []

    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.venue_id == venue_id).order_by(AuditEntry.id)
        ).all()
    assert actions == ["staff_add", "staff_revoke", "staff_revoke", "staff_authorise", "staff_delete"]


def test_owner_cannot_be_revoked_or_deleted_and_unknown_staff_is_not_found(server: Server) -> None:
    venue_id, owner = register_venue(server)
    owner_id = user_id_of(server, owner)
    other_venue, other_owner = register_venue(server, "13900000004")
    outsider = user_id_of(server, add_staff(server, other_venue, other_owner, "13900000005"))
    version = config_version(server, venue_id)
    for method, url, status, code in [
        ("POST", _staff_url(venue_id, owner_id, "revoke"), 409, "cannot_remove_owner"),
        ("DELETE", _staff_url(venue_id, owner_id), 409, "cannot_remove_owner"),
        ("POST", _staff_url(venue_id, outsider, "revoke"), 404, "staff_not_found"),
        ("POST", _staff_url(venue_id, outsider, "authorise"), 404, "staff_not_found"),
        ("DELETE", _staff_url(venue_id, outsider), 404, "staff_not_found"),
        ("DELETE", _staff_url(venue_id, 999999), 404, "staff_not_found"),
        ("DELETE", _staff_url(venue_id, 0), 422, "invalid_request"),
        ("POST", _staff_url(venue_id, owner_id, "promote"), 404, "http_404"),
    ]:
        r = server.client.request(method, url, headers=owner)
        assert (r.status_code, error_code(r)) == (status, code), url
    # Authorising the owner is harmless: the owner is always authorised.
    r = server.client.post(_staff_url(venue_id, owner_id, "authorise"), headers=owner)
    assert (r.status_code, r.json()["role"], r.json()["state"]) == (200, "owner", "authorised")
    assert config_version(server, venue_id) == version
    # The other venue's staff member was untouched.
    rows = server.client.get(_staff_url(other_venue), headers=other_owner).json()
    assert [(row["user_id"], row["state"]) for row in rows][1:] == [(outsider, "authorised")]


# ---- the role table (DESIGN §5): only the owner manages staff ---------------------------------

OWNER_ONLY_CODES = {
    "staff": (403, "owner_only"),
    "revoked": (403, "staff_revoked"),
    "other_staff": (403, "not_venue_staff"),
    "sup_in": (403, "not_venue_staff"),
    "sup_out": (403, "not_venue_staff"),
    "anonymous": (401, "not_authenticated"),
}


# In this order on one set-up; in each row the owner, who succeeds, acts last.
STAFF_ENDPOINTS = [("list", 200), ("add", 201), ("authorise", 200), ("revoke", 200), ("delete", 204)]


def test_role_table_for_staff_endpoints(server: Server) -> None:
    actors = role_actors(server)
    v = actors.venue_id
    # A staff member of its own to act upon, so that the acting roles stay what they are.
    r = server.client.post(
        _staff_url(v), json={"name": "对象", "phone": "13900000009"}, headers=actors.headers["owner"]
    )
    target = r.json()["user_id"]
    phones = iter(f"1360000{n:04d}" for n in range(100))
    failures = []
    for endpoint, owner_status in STAFF_ENDPOINTS:
        for role in [*ROLES[1:], "owner"]:
            headers = actors.headers[role]
            if endpoint == "list":
                r = server.client.get(_staff_url(v), headers=headers)
            elif endpoint == "add":
                r = server.client.post(
                    _staff_url(v), json={"name": "新人", "phone": next(phones)}, headers=headers
                )
            elif endpoint == "delete":
                r = server.client.delete(_staff_url(v, target), headers=headers)
            else:
                r = server.client.post(_staff_url(v, target, endpoint), headers=headers)
            expected = (owner_status, None) if role == "owner" else OWNER_ONLY_CODES[role]
            if (r.status_code, error_code(r)) != expected:
                failures.append(
                    f"{endpoint} as {role}: expected {expected}, got {r.status_code} {r.text[:120]}"
                )
    assert not failures, "\n".join(failures)
    # The refused requests changed nothing; the owner's addition stays, the target is deleted.
    rows = server.client.get(_staff_url(v), headers=actors.headers["owner"]).json()
    assert [(row["user_id"], row["state"]) for row in rows[:3]] == [
        (user_id_of(server, actors.headers["owner"]), "authorised"),
        (actors.staff_user_id, "authorised"),
        (actors.revoked_user_id, "revoked"),
    ]
    assert [(row["phone_masked"], row["state"]) for row in rows[3:]] == [("136****0006", "authorised")]
