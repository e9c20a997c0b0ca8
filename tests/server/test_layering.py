"""Routers authorise, modules query (issue 17 §4; docs/ARCHITECTURE.md, "shoumen_server").

A router parses the request, checks who may do it (the role checks of `deps`), calls a module
and shapes the answer. It runs no SQL of its own: no `select()`/`text()`, no session
`execute`/`scalar`/`get`/`add`/... — that is what the modules under shoumen_server/ are for.
A router may end the unit of work early (`commit`/`rollback`), e.g. so an audit entry stands
even if the download fails. Query modules take a Session and plain values, never the request,
so they import neither FastAPI nor the request plumbing (`deps`) nor a router.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from shoumen_server.deps import CurrentCaller, Db
from tests.server.conftest import Server

SERVER = Path(__file__).resolve().parents[2] / "shoumen_server"

# No router is exempt: the lookup's and the push's SQL live in lookup_watch.py, ingest.py and
# venue_admin.py like everyone else's (a name here needs a reason beside it).
EXEMPT: set[str] = set()

ROUTERS = sorted(
    p
    for p in [
        *(SERVER / "routers").glob("*.py"),
        SERVER / "visitor" / "routes.py",
        SERVER / "visitor" / "pages.py",
    ]
    if p.name != "__init__.py" and p.relative_to(SERVER).as_posix() not in EXEMPT
)

# What makes or runs a statement on a session.
SESSION_METHODS = frozenset(
    {
        "execute",
        "scalar",
        "scalars",
        "get",
        "add",
        "add_all",
        "delete",
        "merge",
        "flush",
        "query",
        "refresh",
        "begin_nested",
        "connection",
        "get_bind",
    }
)
SESSION_TYPES = frozenset({"Db", "ReadDb", "Session"})
SESSION_NAMES = frozenset({"db", "read", "session"})

# Modules that still take the request's ServerContext (from deps) instead of plain values
# (devices.py: enrolment, issue 18 §1, imports it for its annotations only).
CONTEXT_TAKERS = {"health.py", "sms_codes.py", "devices.py"}
# The web layer itself: the app, the request plumbing (query arguments, the hot requests' own
# routes too), error and metrics handlers.
WEB_LAYER = {
    "app.py",
    "deps.py",
    "errors.py",
    "middleware.py",
    "metrics.py",
    "client_address.py",
    "query_args.py",
    "fast_routes.py",
}


def _rel(path: Path) -> str:
    return path.relative_to(SERVER).as_posix()


def _session_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set(SESSION_NAMES)
    arguments = function.args
    for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        if arg.annotation is not None and ast.unparse(arg.annotation).strip("'\"") in SESSION_TYPES:
            names.add(arg.arg)
    return names


def queries_in(source: str) -> Iterator[str]:
    """Where `source` (a router's text) runs SQL itself: "line: what"."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "sqlalchemy" or alias.name.startswith("sqlalchemy."):
                    yield f"{node.lineno}: import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            # Only the Session type may come in, for annotations.
            if node.module == "sqlalchemy" or (
                node.module.startswith("sqlalchemy.") and node.module != "sqlalchemy.orm"
            ):
                yield f"{node.lineno}: from {node.module} import ..."
            elif node.module == "sqlalchemy.orm":
                for alias in node.names:
                    if alias.name != "Session":
                        yield f"{node.lineno}: from sqlalchemy.orm import {alias.name}"
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        sessions = _session_names(function)
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in sessions
                and node.func.attr in SESSION_METHODS
            ):
                yield f"{node.lineno}: {node.func.value.id}.{node.func.attr}()"


@pytest.mark.parametrize("path", ROUTERS, ids=_rel)
def test_routers_authorise_modules_query(path: Path) -> None:
    found = sorted(set(queries_in(path.read_text(encoding="utf-8"))))
    assert not found, f"{_rel(path)} runs SQL itself (move it into a module): {found}"


def test_the_rule_finds_sql_in_a_router() -> None:
    """The checker itself: what it must catch, and what it must let through."""
    caught = list(
        queries_in(
            "from sqlalchemy import select\n"
            "def route(venue_id: int, db: Db, other: ReadDb) -> None:\n"
            "    db.execute(select(Venue))\n"
            "    other.get(Venue, venue_id)\n"
            "    db.add(Venue())\n"
        )
    )
    assert [line.split(": ", 1)[1] for line in caught] == [
        "from sqlalchemy import ...",
        "db.execute()",
        "other.get()",
        "db.add()",
    ]
    allowed = (
        "from sqlalchemy.orm import Session\n"
        "def route(db: Db, query: dict) -> None:\n"
        "    query.get('x')\n"
        "    db.commit()\n"
    )
    assert list(queries_in(allowed)) == []


def _direct_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            out.add(node.module)
    return out


MODULES = sorted(
    p
    for p in SERVER.glob("*.py")
    if p.name not in WEB_LAYER | CONTEXT_TAKERS | {"__init__.py", "__main__.py", "cli.py", "multiworker.py"}
)


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_query_modules_do_not_depend_on_the_web_layer(path: Path) -> None:
    web = {
        name
        for name in _direct_imports(path)
        if name.split(".")[0] in {"fastapi", "starlette"}
        or name == "shoumen_server.deps"
        or name.startswith("shoumen_server.routers")
    }
    assert not web, f"{_rel(path)} imports the web layer: {sorted(web)}"


def test_the_caller_is_loaded_in_the_routes_own_session(server: Server) -> None:
    """Routes change `caller.user` / `caller.token` directly (no merge): the caller dependency
    and the route share the one request session."""
    app = server.client.app
    seen: dict[str, bool] = {}

    @app.get("/api/v1/test-layering-probe")  # type: ignore[attr-defined]
    def probe(caller: CurrentCaller, db: Db) -> dict[str, bool]:
        seen["same"] = caller.user in db and caller.token in db and isinstance(db, Session)
        return seen

    headers = server.login("13800138000")
    r = server.client.get("/api/v1/test-layering-probe", headers=headers)
    assert r.status_code == 200, r.text
    assert seen == {"same": True}
