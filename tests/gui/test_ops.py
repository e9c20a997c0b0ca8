# mypy: allow-untyped-calls
"""ops/: operations declare their lane; widgets only say what follows (issue 17 §1)."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

import shoumen_gui.ui
from shoumen_gui.ops import Lane, Op, operation
from shoumen_gui.ops import checkpoint as checkpoint_ops
from shoumen_gui.ops import local as local_ops
from shoumen_gui.ops import session as session_ops
from shoumen_gui.tasks import TaskManager

UI = Path(shoumen_gui.ui.__file__).parent
# What only an operation may call: a widget that calls these picks a lane itself.
LANE_PICKERS = {"run", "run_serial", "run_gate", "submit"}


def _direct_task_calls(source: str, where: str = "") -> list[str]:
    """`<x>.tasks.run(...)`, `tasks.run_serial(...)`, ... anywhere in one module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in LANE_PICKERS:
            continue
        owner = node.func.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if name == "tasks":
            found.append(f"{where}:{node.lineno}: {name}.{node.func.attr}")
    return found


def test_widgets_do_not_pick_a_thread_lane() -> None:
    """Code under ui/ (and station.py, the facade widgets talk to) runs operations
    (ops.*(...).success(...).run(tasks)); calling the task manager directly would choose a lane
    at the call site again."""
    offenders = [
        hit
        for path in [*sorted(UI.rglob("*.py")), UI.parent / "station.py"]
        for hit in _direct_task_calls(path.read_text(encoding="utf-8"), str(path.relative_to(UI.parent)))
    ]
    assert offenders == []


def test_the_lane_check_sees_a_direct_call() -> None:
    sample = "def f(self):\n    self.tasks.run_serial(lambda: 1)\n    station.tasks.run(g)\n    tasks.run_gate(h)\n"
    assert len(_direct_task_calls(sample)) == 3
    assert _direct_task_calls("op.run(self.tasks, self)\npipeline.run(source)\n") == []


def test_the_stored_session_is_written_on_one_ordered_lane() -> None:
    """Save, clear and resume share the KEYRING lane (one thread, in order); requests do not."""
    keyring_ops = (session_ops.keep, session_ops.forget, session_ops.resume)
    assert {op.lane for op in keyring_ops} == {Lane.KEYRING}  # type: ignore[attr-defined]
    assert local_ops.write_gate_secrets.lane is Lane.KEYRING  # type: ignore[attr-defined]
    assert session_ops.login.lane is Lane.NETWORK  # type: ignore[attr-defined]
    assert session_ops.refresh.lane is Lane.NETWORK  # type: ignore[attr-defined]
    assert session_ops.open_cache.lane is Lane.CACHE  # type: ignore[attr-defined]
    assert checkpoint_ops.check_text.lane is Lane.CACHE  # type: ignore[attr-defined]
    assert checkpoint_ops.gate_after_verdict.lane is Lane.GATE  # type: ignore[attr-defined]


def test_an_ordered_lane_keeps_the_order_however_slow_the_first(qtbot: QtBot, tasks: TaskManager) -> None:
    release = threading.Event()
    done: list[str] = []

    def slow() -> str:
        release.wait(30)
        return "clear"

    Op(slow, Lane.KEYRING).success(done.append).run(tasks)
    Op(lambda: "save", Lane.KEYRING).success(done.append).run(tasks)
    Op(lambda: "request", Lane.NETWORK).success(done.append).run(tasks)
    qtbot.waitUntil(lambda: done == ["request"], timeout=5_000)  # the pool does not wait
    release.set()
    qtbot.waitUntil(lambda: done == ["request", "clear", "save"], timeout=5_000)


def test_a_deleted_widget_gets_no_answer(qtbot: QtBot, tasks: TaskManager) -> None:
    """A dialog closed while its request was out: the callbacks are dropped, not run on a
    deleted widget."""
    widget = QWidget()
    release = threading.Event()
    answers: list[object] = []

    def request() -> int:
        release.wait(30)
        return 1

    Op(request, Lane.NETWORK).success(answers.append).failure(answers.append).run(tasks, widget)
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget), timeout=5_000)
    release.set()
    qtbot.waitUntil(lambda: tasks.idle, timeout=5_000)
    assert answers == []


def test_failure_goes_to_the_failure_callback_and_success_gets_the_result(
    qtbot: QtBot, tasks: TaskManager
) -> None:
    @operation(Lane.WORK)
    def divide(a: int, b: int) -> float:
        return a / b

    results: list[object] = []
    divide(6, 3).success(results.append).failure(results.append).run(tasks)
    qtbot.waitUntil(lambda: results == [2.0], timeout=5_000)
    divide(1, 0).success(results.append).failure(results.append).run(tasks)
    qtbot.waitUntil(lambda: len(results) == 2, timeout=5_000)
    assert isinstance(results[1], ZeroDivisionError)


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)
