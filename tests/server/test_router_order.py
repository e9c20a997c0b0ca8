"""The routers' order (app.ROUTER_NAMES): the start-up's first, and no route depending on it.

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
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import APIRouter
from fastapi.routing import APIRoute, _EffectiveRouteContext, _IncludedRouter
from prometheus_client.parser import text_string_to_metric_families
from starlette.routing import compile_path
from starlette.testclient import TestClient

from shoumen_server import app as app_module
from shoumen_server import cli, multiworker
from shoumen_server.app import API_PREFIX, ROUTER_NAMES, START_ROUTERS, api_routers
from shoumen_server.routers import auth, sync
from shoumen_server.visitor import router as visitor_router
from tests.server.conftest import Server
from tests.server.journeys import register_venue

PARAM = re.compile(r"{[^}]+}")


def api_routes() -> list[tuple[str, set[str], re.Pattern[str], int]]:
    """(template, methods, regex, which router) of every route of the API's routers (the
    visitor pages' router stays last, its own order untouched)."""
    out = []
    for index, router in enumerate(api_routers(ROUTER_NAMES)):
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
    assert api_routers(ROUTER_NAMES[:2]) == [auth.router, sync.router]
    assert ROUTER_NAMES[: len(START_ROUTERS)] == START_ROUTERS


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the routes FastAPI builds from now on (counted, not timed)."""
    real = _EffectiveRouteContext.from_api_route
    paths: list[str] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        paths.append(kwargs["original_route"].path)
        return real(*args, **kwargs)

    monkeypatch.setattr(_EffectiveRouteContext, "from_api_route", counting)
    return paths


def every_route_path() -> set[str]:
    """The path of every route of the API's routers (as FastAPI's builder names them)."""
    return {route.path for router in api_routers(ROUTER_NAMES) for route in router.routes}


def test_a_fresh_apps_me_and_first_pull_build_only_the_start_ups_routers(
    server: Server, built: list[str]
) -> None:
    """Counted, not timed: the routes FastAPI builds for /me and a station's first pull."""
    venue_id, headers = register_venue(server)
    built.clear()  # the test server's own
    app = app_module.create_app(server.settings, sms=server.sms, clock=server.clock)  # nothing built yet
    with TestClient(app) as client:
        assert client.get(f"{API_PREFIX}/me", headers=headers).status_code == 200
        r = client.get(f"{API_PREFIX}/sync/pull", params={"venue_id": venue_id}, headers=headers)
        assert r.status_code == 200, r.text
    app.state.engine.dispose()
    start_ups = {route.path for router in (auth.router, sync.router) for route in router.routes}
    app_level = {f"{API_PREFIX}/health", f"{API_PREFIX}/ready", f"{API_PREFIX}/info", "/metrics"}
    assert built and set(built) <= start_ups | app_level, sorted(built)


def test_a_served_app_builds_every_route_before_its_first_request(server: Server, built: list[str]) -> None:
    """serve's workers (build_routes_now): no request waits for FastAPI to build routes, so an
    owner's first statistics poll in a fresh worker does not stall the lookups beside it."""
    venue_id, headers = register_venue(server)
    built.clear()  # the test server's own
    app = app_module.create_app(server.settings, sms=server.sms, clock=server.clock)
    app_module.build_routes_now(app)
    assert every_route_path() <= set(built)
    built.clear()
    with TestClient(app) as client:
        assert client.get(f"{API_PREFIX}/me", headers=headers).status_code == 200
        assert client.get(f"{API_PREFIX}/venues/{venue_id}/stats", headers=headers).status_code == 200
        assert client.get(f"{API_PREFIX}/nothing-here", headers=headers).status_code == 404
    app.state.engine.dispose()
    assert built == []


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_builds_the_routes_before_it_serves(
    workers: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, built: list[str]
) -> None:
    """cmd_serve, in-process, with the server run replaced by a look at the app it would serve:
    uvicorn's (one process) or each gunicorn worker's (the factory, called as a worker would)."""
    for name in ("SHOUMEN_DEMO_MODE", "SHOUMEN_WORKERS", "PROMETHEUS_MULTIPROC_DIR"):
        monkeypatch.setenv(name, "")  # restored (unset) afterwards: serve sets the last itself
        monkeypatch.delenv(name)
    monkeypatch.setenv("SHOUMEN_SMS_PROVIDER", "log")
    monkeypatch.setenv("SHOUMEN_PUBLIC_BASE_URL", "https://shoumen.example.gov.cn")
    monkeypatch.setenv("SHOUMEN_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setattr(cli, "purge_periodically", lambda *_args: None)
    served: list[set[str]] = []

    def look(app: Any) -> None:
        served.append(set(built))
        app.state.engine.dispose()

    monkeypatch.setattr(uvicorn, "run", lambda app, **_options: look(app))
    monkeypatch.setattr(multiworker, "run_workers", lambda factory, **_options: look(factory()))
    args = cli.build_parser().parse_args(["serve", "--port", "0", "--workers", str(workers)])
    assert cli.cmd_serve(args) == 0
    assert len(served) == 1 and every_route_path() <= served[0]


def included(app: Any) -> set[int]:
    return {id(route.original_router) for route in app.router.routes if isinstance(route, _IncludedRouter)}


def ids(routers: list[APIRouter]) -> set[int]:
    return {id(router) for router in routers}


def test_later_routers_come_in_at_the_first_request_the_start_ups_do_not_answer(server: Server) -> None:
    """The embedded backend's app (create_app(later_routers=True)): the start-up's routers only,
    until a request none of them answers; that request is then answered by the router it was
    for, as in the app with every router (the metrics label it by its template too)."""
    venue_id, headers = register_venue(server)
    staff_path = f"{API_PREFIX}/venues/{venue_id}/staff"
    every = server.client  # the app with every router, for the answers to compare
    expected_staff = every.get(staff_path, headers=headers)
    expected_visitor = every.get("/v/not-a-venue-token")
    expected_missing = every.get(f"{API_PREFIX}/no-such-route")
    assert expected_staff.status_code == 200 and expected_missing.status_code == 404

    app = app_module.create_app(server.settings, sms=server.sms, clock=server.clock, later_routers=True)
    start_ups = ids(api_routers(START_ROUTERS))
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        assert included(app) == start_ups
        assert client.get(f"{API_PREFIX}/me", headers=headers).status_code == 200
        assert (
            client.get(f"{API_PREFIX}/sync/pull", params={"venue_id": venue_id}, headers=headers).status_code
            == 200
        )
        assert client.get(f"{API_PREFIX}/trust-list").status_code == 200
        assert included(app) == start_ups  # a station's start brings in nothing else

        staff = client.get(staff_path, headers=headers)
        assert (staff.status_code, staff.json()) == (200, expected_staff.json())
        assert included(app) == ids([*api_routers(ROUTER_NAMES), visitor_router])
        visitor = client.get("/v/not-a-venue-token")
        assert visitor.status_code == expected_visitor.status_code == 404
        assert (
            "<title>无法打开 · 守小门</title>" in visitor.text
            and "<title>无法打开 · 守小门</title>" in expected_visitor.text
        )
        missing = client.get(f"{API_PREFIX}/no-such-route")
        assert (missing.status_code, missing.json()) == (404, expected_missing.json())
        labels = {
            sample.labels.get("route")
            for family in text_string_to_metric_families(client.get("/metrics").text)
            for sample in family.samples
        }
        assert f"{API_PREFIX}/venues/{{venue_id}}/staff" in labels
    app.state.engine.dispose()


def test_the_openapi_document_of_an_app_with_later_routers_lists_every_route(server: Server) -> None:
    app = app_module.create_app(server.settings, sms=server.sms, clock=server.clock, later_routers=True)
    with TestClient(app) as client:
        paths = client.get(f"{API_PREFIX}/openapi.json").json()["paths"]
    app.state.engine.dispose()
    assert f"{API_PREFIX}/venues/{{venue_id}}/staff" in paths and f"{API_PREFIX}/me" in paths
    assert set(paths) == set(server.client.get(f"{API_PREFIX}/openapi.json").json()["paths"])


def test_no_start_up_route_shares_a_path_with_a_later_one() -> None:
    """A later router's path must reach the routers' 404 default, which brings the later routers
    in. A start-up route on the same path with other methods would answer it 405 first."""
    start_ups = [
        compile_path(API_PREFIX + route.path)[0]
        for router in api_routers(START_ROUTERS)
        for route in router.routes
        if isinstance(route, APIRoute)
    ]
    later = [
        API_PREFIX + route.path
        for router in api_routers(ROUTER_NAMES[len(START_ROUTERS) :])
        for route in router.routes
        if isinstance(route, APIRoute)
    ] + visitor_templates()
    assert len(start_ups) > 5 and len(later) > 30
    shadowed = [
        template
        for template in later
        for sample in (PARAM.sub("1", template), PARAM.sub("a", template))
        if any(regex.fullmatch(sample) for regex in start_ups)
    ]
    assert shadowed == []
