# mypy: allow-untyped-calls
"""A station runs all day: the backend restarts under it and the session renews itself.

The workbench keeps checking while the server is down (judged offline, committed locally),
syncs what it checked once the server is back, and answers online again — no login, no
restart of the app. A token that falls due while the server is down is refreshed as soon as
the server answers again, not at the next timer tick.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from shoumen_core.timeutil import utcnow
from shoumen_gui.ui.flow import BackendChoice
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import find, type_id, verdict

GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number


def test_workbench_keeps_checking_through_a_backend_restart(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE, backend=BackendChoice.remote(embedded.url))
    app.start()
    window, token = app.window, app.api.token
    type_id(qtbot, window, GREEN)
    assert verdict(window) == "通行"

    embedded.backend.stop()
    type_id(qtbot, window, GREEN)
    offline = window.workbench.result_panel.result
    assert offline is not None and offline.source != "online"
    qtbot.waitUntil(lambda: find(window, QLabel, "syncOnline").text() == "○ 离线", timeout=10_000)
    qtbot.waitUntil(lambda: find(window, QLabel, "syncPending").text() == "待同步 1", timeout=5_000)

    embedded.backend.start()  # the same address, as a restarted server would be
    qtbot.waitUntil(lambda: offline.record_id in embedded.server_checks(), timeout=20_000)
    qtbot.waitUntil(lambda: find(window, QLabel, "syncPending").text() == "待同步 0", timeout=10_000)
    assert embedded.server_checks()[offline.record_id].offline is True
    type_id(qtbot, window, GREEN)
    assert verdict(window) == "通行"
    assert find(window, QLabel, "resultSource").text() == "在线核验"
    assert window.current_page is window.workbench and app.api.token == token  # same session


def test_a_token_due_during_an_outage_is_refreshed_when_the_backend_returns(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE, backend=BackendChoice.remote(embedded.url))
    app.start()
    flow, window, old = app.flow, app.window, app.api.token
    embedded.backend.stop()
    type_id(qtbot, window, GREEN)  # the check service notices: offline
    qtbot.waitUntil(lambda: not flow.connectivity.online, timeout=10_000)
    flow.expires_at = utcnow() + timedelta(minutes=40)  # due: less than an hour left
    assert flow.refresh_if_due() is True  # tried at once, fails: offline
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=10_000)  # the attempt failed...
    assert flow.refresh_if_due() is True  # ...and is not stuck "in flight"
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=10_000)
    assert app.api.token == old

    embedded.backend.start()
    # Nobody calls refresh_if_due now: coming back online does (the timer is 5 minutes away).
    qtbot.waitUntil(lambda: app.api.token != old, timeout=20_000)
    qtbot.waitUntil(lambda: flow.expires_at is not None and flow.expires_at > utcnow() + timedelta(hours=11))
    # Kept on the keyring lane after the new expiry is set: wait for the write, don't race it.
    qtbot.waitUntil(lambda: list(memory_keyring.store.values()) == [app.api.token], timeout=5_000)
    type_id(qtbot, window, GREEN)
    assert verdict(window) == "通行" and window.current_page is window.workbench
