"""The embedded backend process's start (issue 18 §3): what it imports before it announces its
port. The GUI waits for that announcement on a first start, so the backend imports only what
serving needs; everything else loads when a request first needs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shoumen_gui.embedded import SERVE_FLAG, backend_command
from shoumen_server.app import START_ROUTERS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# `python -m shoumen_gui --embedded-backend DB`, as backend_command spawns it, with the modules
# it had imported written to a file when it exits (after its announcement: a superset of what
# it had imported when it announced). A None entry is a module blocked from importing.
SCRIPT = """
import atexit, gc, json, os, runpy, sys

def dump():
    with open(os.environ["MODULES_FILE"], "w") as out:
        json.dump(sorted(name for name, module in sys.modules.items() if module is not None), out)
    with open(os.environ["MODULES_FILE"] + ".gc", "w") as out:
        json.dump({"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}, out)

atexit.register(dump)
runpy.run_module("shoumen_gui", run_name="__main__", alter_sys=True)
"""


def start_backend(db_path: Path, modules_file: Path) -> tuple[dict[str, object], set[str]]:
    command = backend_command(db_path)
    assert command[1:3] == ["-m", "shoumen_gui"] and SERVE_FLAG in command  # the real command
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MODULES_FILE": str(modules_file)}
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, *command[3:]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None and process.stdin is not None
    line = process.stdout.readline()
    _out, err = process.communicate(input="", timeout=60)  # it stops when its stdin closes
    assert process.returncode == 0, err[-2000:]
    return json.loads(line), set(json.loads(modules_file.read_text()))


def loaded(modules: set[str], *names: str) -> list[str]:
    return sorted(name for name in names if name in modules or any(m.startswith(name + ".") for m in modules))


def test_the_backend_process_imports_none_of_the_guis_modules(tmp_path: Path) -> None:
    answer, modules = start_backend(tmp_path / "data" / "server.db", tmp_path / "modules.json")
    assert answer["first_run"] is True
    # It is routed in __main__ before shoumen_gui.app: not the GUI's settings, paths, TLS, Qt.
    assert loaded(modules, "PySide6", "shoumen_gui.app", "shoumen_gui.settings", "shoumen_gui.paths") == []


def test_a_first_start_creates_the_database_without_alembic(tmp_path: Path) -> None:
    answer, modules = start_backend(tmp_path / "data" / "server.db", tmp_path / "modules.json")
    assert answer["first_run"] is True
    assert loaded(modules, "alembic") == []
    again, modules = start_backend(tmp_path / "data" / "server.db", tmp_path / "modules.json")
    assert again["first_run"] is False
    assert loaded(modules, "alembic") == []  # at the head already


def test_the_backend_process_imports_what_only_some_requests_need_when_they_come(tmp_path: Path) -> None:
    # The start-up's routers are in at once (app.START_ROUTERS); the other routers and the visitor
    # pages come in at the first request none of those answers (create_app(later_routers=True),
    # tests/server/test_router_order.py), and these load at their own first use: the venue
    # code's QR image (qrcode, Pillow), the visitor pages' templates (Jinja2), a webhook SMS
    # gateway's HTTP client (httpx; the demo sends no SMS).
    _answer, modules = start_backend(tmp_path / "data" / "server.db", tmp_path / "modules.json")
    routers = {name.split(".")[2] for name in modules if name.startswith("shoumen_server.routers.")}
    assert routers == set(START_ROUTERS)
    assert loaded(modules, "shoumen_server.visitor", "qrcode", "PIL", "jinja2", "httpx") == []


def test_the_backend_process_starts_without_garbage_collection_then_collects(tmp_path: Path) -> None:
    # The collector scanned the start's ~190k objects ~300 times (~0.25 s); it is off while
    # starting, the start's objects are frozen after the announcement, and it is on again.
    modules_file = tmp_path / "modules.json"
    start_backend(tmp_path / "data" / "server.db", modules_file)
    state = json.loads(Path(f"{modules_file}.gc").read_text())
    assert state["enabled"] is True
    assert state["frozen"] > 100_000  # FastAPI, SQLAlchemy, pydantic and the app's objects
