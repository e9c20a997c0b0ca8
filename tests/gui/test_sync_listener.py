"""Issue 17 §1: a station's sync engine listens to connectivity only while it runs. Every post
switch or re-login used to leave the stopped engine subscribed, counting the outbox (a cache
query) at every change of connectivity, for the rest of the run."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from shoumen_gui.ops import Lane, Op
from tests.gui.conftest import GUARD_PHONE, MakeApp, MemoryKeyring, StationApp
from tests.gui.helpers import click, wait_for_page


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # a failing test never leaves the cache lane blocked


def _pick_a_checkpoint(qtbot: QtBot, app: StationApp) -> None:
    wait_for_page(qtbot, app.window, "checkpointPicker")
    with qtbot.waitSignal(app.flow.ready, timeout=20_000):
        click(qtbot, app.window, app.window.checkpoint_picker.buttons[0].objectName())


def test_switching_posts_leaves_no_stopped_engine_listening(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    listeners = app.flow.connectivity.listeners
    at_work = len(listeners)  # the app's own and the open station's engine
    for _ in range(3):
        app.flow.switch_post()
        _pick_a_checkpoint(qtbot, app)
        qtbot.waitUntil(lambda: app.tasks.idle, timeout=10_000)  # the old station's stop ran
    assert len(listeners) == at_work
    app.flow.switch_post()  # at the picker: no station, no engine listening
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=10_000)
    assert len(listeners) == at_work - 1


def test_a_station_closed_while_it_opened_leaves_no_engine_listening(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring, release: threading.Event
) -> None:
    """The guard picks a gate and, before it opened (a slow disk), goes back to the picker:
    close() found no engine yet; the one the opening built must not stay subscribed."""
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    app.flow.switch_post()
    wait_for_page(qtbot, app.window, "checkpointPicker")
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=10_000)
    listeners = app.flow.connectivity.listeners
    without_station = len(listeners)

    Op(lambda: release.wait(30), Lane.CACHE).run(app.tasks)  # the cache lane is busy
    click(qtbot, app.window, app.window.checkpoint_picker.buttons[0].objectName())
    wait_for_page(qtbot, app.window, "startupPage")
    app.flow.switch_post()  # closed before its opening ran
    wait_for_page(qtbot, app.window, "checkpointPicker")
    release.set()
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=20_000)
    assert len(listeners) == without_station
