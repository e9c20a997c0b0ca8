"""The routers' order (app.ROUTERS): the start-up's first, and no route depending on it.

FastAPI (0.16x) builds a router's routes — their dependencies and pydantic adapters — the first
time a request is matched through that router, and every router is under the same /api/v1
prefix, so a request is matched through each router before its own. A station's start asks
/auth (login, /me) and /sync (the first pull) before anything else: with those routers first,
a fresh backend's first pull no longer builds the venues, staff and other routers on the way
(issue 18 §3). That is only safe if no route answers a path another router's route would: then
the order changes which route is built when, never which route answers.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute, _EffectiveRouteContext
from starlette.routing import compile_path
from starlette.testclient import TestClient

from shoumen_server import app as app_module
from shoumen_server.app import API_PREFIX, ROUTERS
from shoumen_server.routers import auth, sync
from shoumen_server.visitor import router as visitor_router
from tests.server.conftest import Server
from tests.server.journeys import register_venue

PARAM = re.compile(r"{[^}]+}")


def api_routes() -> list[tuple[str, set[str], re.Pattern[str], int]]:
    """(template, methods, regex, which router) of every route of the API's routers (the
    visitor pages' router stays last, its own order untouched)."""
    out = []
    for index, router in enumerate(ROUTERS):
        for route in router.routes:
            assert isinstance(route, APIRoute)
            template = API_PREFIX + route.path
            regex, _format, _convertors = compile_path(template)
            out.append((template, set(route.methods), regex, index))
    return out


def test_no_route_answers_a_path_of_another_routers_so_their_order_is_free() -> None:
    routes = api_routes()
    assert len(routes) > 40  # every router's routes, not an empty walk
    overlaps = []
    for template, methods, _regex, router in routes:
        for sample in (PARAM.sub("1", template), PARAM.sub("a", template)):
            answering = [
                other
                for other, m, regex, other_router in routes
                if other_router != router and methods & m and regex.fullmatch(sample)
            ]
            if answering:
                overlaps.append((template, sample, answering))
    assert overlaps == []
    assert not any(template.startswith("/api/") for template in visitor_templates())


def visitor_templates() -> list[str]:
    return [route.path for route in visitor_router.routes if isinstance(route, APIRoute)]


def test_the_start_ups_routers_come_first() -> None:
    assert ROUTERS[:2] == [auth.router, sync.router]


def test_a_fresh_apps_me_and_first_pull_build_only_the_start_ups_routers(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted, not timed: the routes FastAPI builds for /me and a station's first pull."""
    venue_id, headers = register_venue(server)
    real = _EffectiveRouteContext.from_api_route
    built: list[str] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(kwargs["original_route"].path)
        return real(*args, **kwargs)

    monkeypatch.setattr(_EffectiveRouteContext, "from_api_route", counting)
    app = app_module.create_app(server.settings, sms=server.sms, clock=server.clock)  # nothing built yet
    with TestClient(app) as client:
        assert client.get(f"{API_PREFIX}/me", headers=headers).status_code == 200
        r = client.get(f"{API_PREFIX}/sync/pull", params={"venue_id": venue_id}, headers=headers)
        assert r.status_code == 200, r.text
    app.state.engine.dispose()
    start_ups = {route.path for router in (auth.router, sync.router) for route in router.routes}
    app_level = {f"{API_PREFIX}/health", f"{API_PREFIX}/ready", f"{API_PREFIX}/info", "/metrics"}
    assert built and set(built) <= start_ups | app_level, sorted(built)
