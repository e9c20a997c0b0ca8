"""Reusable user journeys for server tests: register a venue, add staff, make a supervisor.

Every helper goes through the real HTTP API except `make_supervisor`: supervisors are
provisioned by the authority, not by an endpoint, so it inserts the user row directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from shoumen_server.deps import ServerContext
from shoumen_server.models import User
from tests.server.conftest import Server

API = "/api/v1"
REGION = "330624"  # 新昌县 (Xinchang, Zhejiang)
OTHER_REGION = "330683"  # 嵊州市, the neighbouring county

VENUE_DEFAULTS: dict[str, Any] = {
    "name": "新昌县城关农贸市场",
    "address": "浙江省绍兴市新昌县南明街道人民中路 1 号",
    "region_code": REGION,
    "township": "南明街道",
    "unit_type": "farmers_market",
    "contact_phone": "13900000001",
}


def venue_body(**overrides: Any) -> dict[str, Any]:
    """A valid VenueIn body; keyword arguments replace fields."""
    return {**VENUE_DEFAULTS, **overrides}


def register_venue(
    server: Server, owner_phone: str = "13900000001", *, approved: bool = True, **overrides: Any
) -> tuple[int, dict[str, str]]:
    """Log the owner in, register a venue (VenueIn fields may be overridden) and return
    (venue_id, owner_headers). The venue starts pending; unless `approved=False` it is then
    approved as a supervisor of its region would (test_approval.py drives that endpoint)."""
    headers = server.login(owner_phone)
    body = venue_body(contact_phone=owner_phone, **overrides)
    r = server.client.post(f"{API}/venues", json=body, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "pending", r.text
    venue_id: int = r.json()["id"]
    if approved:
        approve_in_db(server, venue_id)
    return venue_id, headers


def approve_in_db(server: Server, venue_id: int) -> None:
    """Mark the venue approved straight in the database (no supervisor needed)."""
    from shoumen_server.models import Venue

    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session, session.begin():
        venue = session.get(Venue, venue_id)
        assert venue is not None
        venue.status = "approved"


def add_staff(
    server: Server, venue_id: int, owner_headers: dict[str, str], phone: str, name: str = "李四"
) -> dict[str, str]:
    """The owner adds an (authorised) staff member; the member logs in. Returns their headers."""
    r = server.client.post(
        f"{API}/venues/{venue_id}/staff", json={"name": name, "phone": phone}, headers=owner_headers
    )
    assert r.status_code == 201, r.text
    return server.login(phone)


def make_supervisor(
    server: Server, phone: str, region_code: str, *, name: str = "王科员", region_name: str = "新昌县"
) -> dict[str, str]:
    """Insert a supervisor (township staff) of `region_code` and log them in."""
    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session, session.begin():
        session.add(
            User(
                phone=phone,
                name=name,
                is_supervisor=True,
                region_code=region_code,
                region_name=region_name,
                created_at=server.clock(),
            )
        )
    return server.login(phone)


def user_id_of(server: Server, headers: dict[str, str]) -> int:
    r = server.client.get(f"{API}/me", headers=headers)
    assert r.status_code == 200, r.text
    user_id: int = r.json()["user"]["id"]
    return user_id


def config_version(server: Server, venue_id: int) -> int:
    """The venue's config_version straight from the database (devices pull when it moves)."""
    from shoumen_server.models import Venue

    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        venue = session.get(Venue, venue_id)
        assert venue is not None
        return venue.config_version


@dataclass
class Actors:
    """Everyone of the DESIGN §5 role table around venue A (region REGION), plus venue B."""

    venue_id: int
    other_venue_id: int
    headers: dict[str, dict[str, str]]  # role name -> Authorization header ({} = anonymous)
    staff_user_id: int
    revoked_user_id: int


ROLES = ("owner", "staff", "revoked", "other_staff", "sup_in", "sup_out", "anonymous")


def role_actors(server: Server) -> Actors:
    """Venue A with its owner, an authorised and a revoked staff member; venue B (same region)
    with its own staff member; a supervisor of A's region and one of another; anonymous."""
    venue_id, owner = register_venue(server, "13900000001")
    staff = add_staff(server, venue_id, owner, "13900000002", "李四")
    revoked = add_staff(server, venue_id, owner, "13900000003", "王五")
    revoked_user_id = user_id_of(server, revoked)
    r = server.client.post(f"{API}/venues/{venue_id}/staff/{revoked_user_id}/revoke", headers=owner)
    assert r.status_code == 200, r.text
    other_venue_id, other_owner = register_venue(server, "13900000004", name="南明超市")
    other_staff = add_staff(server, other_venue_id, other_owner, "13900000005", "赵六")
    return Actors(
        venue_id=venue_id,
        other_venue_id=other_venue_id,
        headers={
            "owner": owner,
            "staff": staff,
            "revoked": revoked,
            "other_staff": other_staff,
            "sup_in": make_supervisor(server, "13700000001", REGION),
            "sup_out": make_supervisor(server, "13700000002", OTHER_REGION, region_name="嵊州市"),
            "anonymous": {},
        },
        staff_user_id=user_id_of(server, staff),
        revoked_user_id=revoked_user_id,
    )


def error_code(response: Any) -> str | None:
    """The stable error code of a non-2xx answer, None for a success."""
    if response.status_code < 400:
        return None
    code: str = response.json()["error"]["code"]
    return code


def assert_refused_in_english(response: Any, status: int, code: str) -> None:
    """A refusal with this status and code, worded in English (no Chinese), not to be cached."""
    assert response.status_code == status and error_code(response) == code, response.text
    message = response.json()["error"]["message"]
    assert message and not any("\u4e00" <= char <= "\u9fff" for char in message), message
    assert response.headers["cache-control"] == "no-store"


# The refusals both stations' fast routes hand to their FastAPI route (fast_routes.py).
FAST_ROUTE_REFUSALS = [
    ("no credentials", 401, "not_authenticated"),
    ("basic credentials", 401, "not_authenticated"),
    ("expired token", 401, "session_expired"),
    ("not json", 422, "invalid_request"),
    ("json list", 422, "invalid_request"),
    ("wrong field type", 422, "invalid_request"),
    ("text/plain body", 422, "invalid_request"),
    ("version header too long", 422, "invalid_request"),
    ("pending header too long", 422, "invalid_request"),
]


def refused_request(
    case: str, headers: dict[str, str], content: str, wrong_type: str
) -> tuple[dict[str, str], str]:
    """The headers and body of an ordinary request (English, JSON) changed to be refused for
    `case` (one of FAST_ROUTE_REFUSALS; others unchanged). `wrong_type`: a JSON body of the
    route's with a field of the wrong type."""
    headers = {**headers, "Accept-Language": "en", "Content-Type": "application/json"}
    if case == "no credentials":
        headers.pop("Authorization")
        content = wrong_type  # refused before the body is validated
    elif case == "basic credentials":
        headers["Authorization"] = "Basic eDp5"
    elif case == "expired token":
        headers["Authorization"] = "Bearer not-a-token"
    elif case == "not json":
        content = "{"
    elif case == "json list":
        content = "[]"
    elif case == "wrong field type":
        content = wrong_type
    elif case == "text/plain body":
        headers["Content-Type"] = "text/plain"
    elif case == "version header too long":
        headers["X-Shoumen-Version"] = "9" * 65
    elif case == "pending header too long":
        headers["X-Shoumen-Pending"] = "9" * 17
    return headers, content


def count_dependency_solving(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The dependants FastAPI solves from now on (a request on a route of its own, fast_routes.py,
    adds none)."""
    import fastapi.routing

    solved: list[object] = []
    real = fastapi.routing.solve_dependencies

    async def counted(*args: Any, **kwargs: Any) -> Any:
        solved.append(kwargs.get("dependant"))
        return await real(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    return solved
