"""The app's layers, read from the source (no import, no screen): services/ and scanning/ import
no Qt (DESIGN §1), the REST paths live in the services' typed clients only (issue 17 §2), and no
service reaches for another module's private names."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import shoumen_gui

ROOT = Path(shoumen_gui.__file__).parent
QT_FREE = ("services", "scanning")
# The first segment of every path under /api/v1 the app calls (shoumen_server/routers/*).
REST_PATH = re.compile(r"^/(api/v1|venues|regions|auth|sync|me|info|trust-list|sealing-key)(/|$)")
TRANSPORT_CALLS = frozenset({"request_json", "send_model"})


def modules(*folders: str) -> Iterator[tuple[str, ast.Module]]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"))


def outside_services() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] != "services":
            yield str(relative), ast.parse(path.read_text(encoding="utf-8"))


def imported_modules(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):  # function-level imports too
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_services_and_scanning_import_no_qt_and_no_widgets() -> None:
    offenders = [
        f"{name}: {module}"
        for name, tree in modules(*QT_FREE)
        for module in imported_modules(tree)
        if module.split(".")[0] in {"PySide6", "shiboken6", "pytestqt"}
        or module.startswith(("shoumen_gui.ui", "shoumen_gui.tasks"))
    ]
    assert offenders == []


def test_the_moved_qt_free_modules_live_in_services() -> None:
    """ui/session.py, ui/anomaly_edit.py and ui/stats_data.py imported no Qt: they are services."""
    for name in ("session", "anomalies", "stats"):
        assert (ROOT / "services" / f"{name}.py").is_file()
    for old in ("ui/session.py", "ui/anomaly_edit.py", "ui/stats_data.py", "ui/venue/common.py"):
        assert not (ROOT / old).exists(), old


def test_no_rest_path_or_raw_request_outside_services() -> None:
    """The UI (and the station, the app) call typed clients; the paths are in services/ only."""
    offenders: list[str] = []
    for name, tree in outside_services():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and REST_PATH.match(node.value):
                offenders.append(f"{name}:{node.lineno}: path {node.value!r}")
            elif isinstance(node, ast.Attribute) and node.attr in TRANSPORT_CALLS:
                offenders.append(f"{name}:{node.lineno}: {node.attr}")
    assert offenders == []


def test_services_import_no_private_names() -> None:
    """services/admin.py imported api._error_for; the error mapping is now the transport's public
    api.error_for. (ui/supervisor and scanning/hardframes still share private names: not here.)"""
    offenders = [
        f"{name}: {node.module}.{alias.name}"
        for name, tree in modules("services")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("shoumen_")
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]
    assert offenders == []
