"""Python's cyclic garbage is collected on the GUI thread, never on a worker that happens to
allocate (shoumen_gui/gc_collector.py; the app installs it in run_gui, the suite in conftest)."""

from __future__ import annotations

import gc
import sys
import threading

from pytestqt.qtbot import QtBot

from shoumen_gui.gc_collector import GuiThreadCollector
from tests.gui.conftest import GUARD_PHONE, MakeApp


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


def test_start_up_objects_are_frozen_out_of_the_collectors_passes(
    gui_thread_collector: GuiThreadCollector,
) -> None:
    assert gc.get_freeze_count() == 0
    made_at_start = [[] for _ in range(10_000)]  # long-lived, as a window's objects are
    try:
        assert gui_thread_collector.freeze_start_up() >= len(made_at_start)
        # Nothing young is left for the next tick to scan: the start-up is out of its passes.
        assert gc.get_count()[0] < 100
        assert gc.get_freeze_count() >= len(made_at_start)
    finally:
        gc.unfreeze()  # the rest of the suite collects as usual


def test_the_workbench_says_when_the_scanning_modules_are_in(qtbot: QtBot, make_station_app: MakeApp) -> None:
    # The app freezes what the scanning preload imported (OpenCV, the decoders) when this comes.
    app = make_station_app(demo_login=GUARD_PHONE)
    with qtbot.waitSignal(app.window.workbench.scanning_loaded, timeout=30_000):
        app.start()
    assert "shoumen_gui.scanning.decoders" in sys.modules and "cv2" in sys.modules
