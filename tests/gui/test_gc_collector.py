"""Python's cyclic garbage is collected on the GUI thread, never on a worker that happens to
allocate (shoumen_gui/gc_collector.py; the app installs it in run_gui, the suite in conftest)."""

from __future__ import annotations

import gc
import sys
import threading

from PySide6.QtWidgets import QApplication
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


class _Cycle:
    """Garbage only a collection frees (a reference cycle); says when it dies."""

    def __init__(self, died: list[str], name: str) -> None:
        self.me = self
        self.died, self.name = died, name

    def __del__(self) -> None:
        self.died.append(self.name)


def test_nothing_is_collected_while_the_app_starts_until_its_objects_are_frozen(
    qtbot: QtBot, qapp: QApplication, gui_thread_collector: GuiThreadCollector
) -> None:
    # The app's collector waits for the start-up (app.run_gui: start_up_ms): a tick while the app
    # starts would scan everything made so far, on the GUI thread, before the workbench opens.
    gui_thread_collector._timer.stop()  # the suite's own collector must not tick meanwhile
    starting = GuiThreadCollector(qapp, interval_ms=20, start_up_ms=60_000)
    died: list[str] = []
    try:
        _Cycle(died, "while starting")
        kept = [[] for _ in range(2_000)]  # gen 0 well past its threshold
        qtbot.wait(300)  # fifteen of the ordinary ticks
        assert died == []
        starting.freeze_start_up()  # the app is up (the cycle above is frozen with the rest)
        _Cycle(died, "after")
        kept += [[] for _ in range(2_000)]
        qtbot.waitUntil(lambda: died == ["after"], timeout=2_000)  # the 20 ms ticks collect now
    finally:
        starting.close()
        gc.unfreeze()
        gui_thread_collector._timer.start()


def test_the_start_ups_wait_ends_by_itself_if_the_start_never_finishes(
    qtbot: QtBot, qapp: QApplication, gui_thread_collector: GuiThreadCollector
) -> None:
    gui_thread_collector._timer.stop()
    starting = GuiThreadCollector(qapp, interval_ms=20, start_up_ms=200)
    died: list[str] = []
    try:
        _Cycle(died, "never frozen")
        kept = [[] for _ in range(2_000)]
        qtbot.waitUntil(lambda: died == ["never frozen"], timeout=2_000)
        assert len(kept) == 2_000
    finally:
        starting.close()
        gui_thread_collector._timer.start()
