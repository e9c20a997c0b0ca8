"""Python's cyclic garbage is collected on the GUI thread, never on a worker that happens to
allocate (shoumen_gui/gc_collector.py; the app installs it in run_gui, the suite in conftest)."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from shoumen_gui.gc_collector import GuiThreadCollector


def test_garbage_made_on_the_gui_thread_is_collected_there_even_when_a_worker_allocates(
    qtbot: QtBot, gui_thread_collector: GuiThreadCollector
) -> None:
    assert not gc.isenabled()
    died_on: list[str] = []

    class Node:
        def __init__(self) -> None:
            self.me = self  # a reference cycle: only the collector frees it

        def __del__(self) -> None:
            died_on.append(threading.current_thread().name)

    Node()
    # A worker allocates far past the first generation's threshold: with automatic collection
    # the cycle would be freed on this thread.
    kept: list[list[object]] = []
    worker = threading.Thread(target=lambda: kept.extend([] for _ in range(100_000)), name="worker")
    worker.start()
    worker.join()
    assert died_on == []
    qtbot.waitUntil(lambda: died_on != [], timeout=5_000)  # the collector's timer, GUI thread
    assert died_on == [threading.main_thread().name]
    kept.clear()
