# mypy: allow-untyped-calls
"""tasks.py: work runs off the GUI thread, results come back on it, database work is serial."""

from __future__ import annotations

import functools
import sys
import threading
from types import TracebackType

import pytest
from pytestqt.qtbot import QtBot

from shoumen_gui.tasks import ImmediateTaskManager, TaskManager


def test_work_runs_on_a_worker_and_the_callback_on_the_gui_thread(qtbot: QtBot, tasks: TaskManager) -> None:
    ran_on: list[threading.Thread] = []
    delivered_on: list[threading.Thread] = []
    results: list[int] = []

    def work() -> int:
        ran_on.append(threading.current_thread())
        return 42

    def done(value: int) -> None:
        delivered_on.append(threading.current_thread())
        results.append(value)

    tasks.run(work, done)
    assert not tasks.idle
    qtbot.waitUntil(lambda: results == [42], timeout=5000)
    assert ran_on[0] is not threading.main_thread()
    assert delivered_on == [threading.main_thread()]
    assert tasks.idle


def test_failure_goes_to_the_failure_callback(qtbot: QtBot, tasks: TaskManager) -> None:
    errors: list[Exception] = []

    def work() -> None:
        raise ValueError("boom")

    tasks.run(work, lambda _: pytest.fail("no success expected"), errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5000)
    assert isinstance(errors[0], ValueError)


def test_failure_without_a_handler_is_a_bug_for_the_excepthook(
    qtbot: QtBot, tasks: TaskManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[BaseException] = []

    def hook(_t: type[BaseException], exc: BaseException, _tb: TracebackType | None) -> None:
        seen.append(exc)

    monkeypatch.setattr(sys, "excepthook", hook)

    def work() -> None:
        raise KeyError("nobody handles me")

    tasks.run(work)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert isinstance(seen[0], KeyError)


def test_serial_work_runs_in_order_on_one_thread(qtbot: QtBot, tasks: TaskManager) -> None:
    order: list[int] = []
    threads: set[int] = set()
    gate = threading.Event()

    def job(n: int) -> int:
        if n == 0:
            gate.wait(5)  # the first job is slow; the others must still wait for it
        threads.add(threading.get_ident())
        order.append(n)
        return n

    delivered: list[int] = []
    for n in range(6):
        tasks.run_serial(functools.partial(job, n), delivered.append)
    gate.set()
    qtbot.waitUntil(lambda: len(delivered) == 6, timeout=5000)
    assert order == list(range(6))
    assert delivered == list(range(6))
    assert len(threads) == 1


def test_call_in_gui_from_another_thread(qtbot: QtBot, tasks: TaskManager) -> None:
    seen: list[threading.Thread] = []
    worker = threading.Thread(
        target=lambda: tasks.call_in_gui(lambda: seen.append(threading.current_thread()))
    )
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert seen == [threading.main_thread()]


def test_after_shutdown_work_is_dropped(qtbot: QtBot) -> None:
    manager = TaskManager()
    assert manager.shutdown()
    ran: list[int] = []

    def work() -> None:
        ran.append(1)

    manager.run(work)
    manager.run_serial(work)
    assert ran == []
    assert manager.idle
    manager.deleteLater()


def test_immediate_manager_runs_at_once(immediate_tasks: TaskManager) -> None:
    results: list[str] = []
    errors: list[Exception] = []
    immediate_tasks.run(lambda: "now", results.append)
    immediate_tasks.run_serial(lambda: str(1 / 0), results.append, errors.append)
    immediate_tasks.call_in_gui(lambda: results.append("gui"))
    assert results == ["now", "gui"]
    assert isinstance(errors[0], ZeroDivisionError)
    assert isinstance(immediate_tasks, ImmediateTaskManager) and immediate_tasks.idle


@pytest.mark.parametrize("fails", [False, True])
def test_the_worker_never_lets_go_of_the_last_reference_to_a_callback(
    qtbot: QtBot, tasks: TaskManager, monkeypatch: pytest.MonkeyPatch, fails: bool
) -> None:
    """A callback (a panel's bound method, its timers) must die on the GUI thread. The worker's
    closure once held it too; when the GUI thread let go first — a widget closed while its
    request ran — the worker's thread destroyed it: "Timers cannot be stopped from another
    thread", and at times a crash in Qt. Here the worker thread outlives the delivery on purpose."""
    started: list[object] = []
    monkeypatch.setattr(tasks._pool, "start", started.append)  # the work, run by hand below

    died_on: list[str] = []

    class Callback:
        def __call__(self, _value: object) -> None:
            pass

        def __del__(self) -> None:
            died_on.append(threading.current_thread().name)

    def work() -> int:
        if fails:
            raise ValueError("refused")
        return 1

    callback = Callback()
    tasks.run(work, callback, callback)
    del callback
    [runnable] = started
    started.clear()
    release = threading.Event()

    def worker() -> None:
        nonlocal runnable
        runnable()  # type: ignore[operator]
        release.wait(10)  # the GUI thread has run the callback and let go of it by now
        del runnable

    thread = threading.Thread(target=worker, name="worker")
    thread.start()
    qtbot.waitUntil(lambda: tasks.idle, timeout=5_000)
    release.set()
    thread.join(5)
    assert died_on == [threading.main_thread().name]
