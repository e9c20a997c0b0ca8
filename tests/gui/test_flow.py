# mypy: allow-untyped-calls
"""From start to the workbench on the real embedded backend: login, pickers, keyring, session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from shoumen_core.timeutil import utcnow
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.session import EXPIRES_META_KEY
from shoumen_gui.settings import SettingsStore
from shoumen_gui.ui.flow import BackendChoice, login_with_demo_code
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, OWNER_PHONE, SHOP_OWNER_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find, lazy_pages_built, log_in, log_out, type_id, verdict, wait_for_page


def test_guard_logs_in_and_picks_a_checkpoint(
    qtbot: QtBot,
    make_station_app: MakeApp,
    memory_keyring: MemoryKeyring,
) -> None:
    app = make_station_app()
    app.start()
    window = app.window
    assert window.current_page is window.login
    log_in(qtbot, window, GUARD_PHONE)
    wait_for_page(qtbot, window, "checkpointPicker")
    # The hospital has three gates; this guard works at one venue, so no venue picker.
    names = sorted(b.text() for b in window.checkpoint_picker.buttons)
    assert names == ["北门", "南门", "急诊"]
    assert not find(window, QPushButton, "checkpointPickerBack").isVisible()
    north = next(b for b in window.checkpoint_picker.buttons if b.text() == "北门")
    with qtbot.waitSignal(app.flow.ready, timeout=20_000) as blocker:
        click(qtbot, window, north.objectName())
    assert blocker.args == ["workbench"]
    assert window.current_page.objectName() == "workbench"
    assert find(window, QLabel, "demoBadge").text() == "本机演示"
    assert find(window, QLabel, "demoBadge").isVisible()
    assert find(window, QLabel, "syncCheckpoint").text() == "新昌县人民医院 · 北门"
    assert not find(window, QLabel, "keyringBanner").isVisible()  # the token is in the keyring
    qtbot.waitUntil(lambda: find(window, QLabel, "syncOnline").text() == "● 在线", timeout=10_000)
    saved = SettingsStore(app.paths.settings_file).load()
    assert saved.checkpoint_id == int(north.objectName().removeprefix("checkpoint_"))
    assert list(memory_keyring.store.values()) == [app.api.token]
    # Start-up built none of the owner's or supervisor's pages (issue 18 §3).
    assert lazy_pages_built(window) == []


def test_person_with_two_venues_picks_one(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
) -> None:
    # The hospital's owner adds the shop's owner as staff: now he works at two venues.
    with ApiClient(embedded.url) as owner:
        login_with_demo_code(owner, OWNER_PHONE)
        hospital = owner.auth.me().venues[0]
        owner.request_json(
            "POST", f"/venues/{hospital.venue_id}/staff", json={"name": "刘老板", "phone": SHOP_OWNER_PHONE}
        )
    app = make_station_app()
    app.start()
    window = app.window
    log_in(qtbot, window, SHOP_OWNER_PHONE)
    wait_for_page(qtbot, window, "venuePicker")
    texts = sorted(b.text() for b in window.venue_picker.buttons)
    assert texts == ["南明街道便民超市（初始管理员）", "新昌县人民医院（子管理员）"]
    click(qtbot, window, f"venue_{hospital.venue_id}")
    wait_for_page(qtbot, window, "checkpointPicker")
    # Back to the venues, then the shop: one checkpoint, straight to the workbench.
    click(qtbot, window, "checkpointPickerBack")
    wait_for_page(qtbot, window, "venuePicker")
    shop = next(b for b in window.venue_picker.buttons if "超市" in b.text())
    with qtbot.waitSignal(app.flow.ready, timeout=20_000):
        click(qtbot, window, shop.objectName())
    assert find(window, QLabel, "workbenchTitle").text().startswith("南明街道便民超市")


def test_token_in_the_keyring_resumes_the_session(
    qtbot: QtBot,
    make_station_app: MakeApp,
    memory_keyring: MemoryKeyring,
) -> None:
    first = make_station_app(demo_login=GUARD_PHONE)
    first.start()
    assert first.window.current_page is first.window.workbench
    old_token = first.api.token
    first.flow.shutdown()

    second = make_station_app()  # a restart: same data folder, same keyring, no --demo-login
    with qtbot.waitSignal(second.flow.ready, timeout=20_000) as blocker:
        second.flow.start()
    assert blocker.args == ["workbench"]  # no login page, no picker: the stored token, the last gate
    assert second.api.token == old_token  # 12 h left: no refresh needed yet
    assert second.flow.expires_at == first.flow.expires_at
    assert (
        find(second.window, QLabel, "syncCheckpoint").text()
        == find(first.window, QLabel, "syncCheckpoint").text()
    )
    second.flow.shutdown()

    # Next start with under an hour left: the token is refreshed before the workbench opens.
    soon = utcnow() + timedelta(minutes=30)
    second.cache.set_meta(EXPIRES_META_KEY, soon.isoformat())
    third = make_station_app()
    with qtbot.waitSignal(third.flow.ready, timeout=20_000):
        third.flow.start()
    assert third.api.token not in (None, old_token)
    assert third.flow.expires_at is not None and third.flow.expires_at > soon + timedelta(hours=10)
    assert list(memory_keyring.store.values()) == [third.api.token]


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_the_app_says_so_calmly(qtbot: QtBot, make_station_app: MakeApp) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    banner = find(app.window, QLabel, "keyringBanner")
    assert banner.isVisible()
    assert "重启程序后需要重新登录" in banner.text()
    assert "闸机密钥" in banner.text()  # the gate's secrets live in the same keyring
    assert app.flow.credentials.persistent is False


def test_session_is_refreshed_when_less_than_an_hour_is_left(
    qtbot: QtBot,
    make_station_app: MakeApp,
    memory_keyring: MemoryKeyring,
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    flow = app.flow
    assert flow.expires_at is not None
    assert flow.refresh_if_due(now=flow.expires_at - timedelta(hours=2)) is False
    old_token, old_expiry = app.api.token, flow.expires_at
    assert flow.refresh_if_due(now=flow.expires_at - timedelta(minutes=50)) is True
    qtbot.waitUntil(lambda: flow.expires_at != old_expiry, timeout=10_000)
    assert app.api.token != old_token
    assert flow.expires_at > utcnow() + timedelta(hours=11)
    token = app.api.token  # stored on the keyring lane after the answer: waited for, not assumed
    qtbot.waitUntil(lambda: list(memory_keyring.store.values()) == [token], timeout=10_000)


def test_logout_forgets_the_token(
    qtbot: QtBot,
    make_station_app: MakeApp,
    memory_keyring: MemoryKeyring,
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    log_out(qtbot, app.window)
    assert app.window.current_page is app.window.login
    qtbot.waitUntil(lambda: not memory_keyring.store, timeout=10_000)
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=10_000)
    assert app.api.token is None


def test_restart_while_the_server_is_down_still_checks_offline(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
) -> None:
    remote = BackendChoice.remote(embedded.url)  # the backend as a remote server (--server URL)
    first = make_station_app(demo_login=GUARD_PHONE, backend=remote)
    first.start()
    first.flow.shutdown()
    embedded.backend.stop()

    patient = {"push_delay": 0.05, "pull_interval": 30.0, "max_backoff": 60.0}  # the real back-off
    second = make_station_app(backend=remote, sync_options=patient)
    with qtbot.waitSignal(second.flow.ready, timeout=20_000) as blocker:
        second.flow.start()
    assert blocker.args == ["workbench"]  # from the cached session and venue, no server needed
    window = second.window
    assert not find(window, QLabel, "demoBadge").isVisible()  # not the embedded backend
    qtbot.waitUntil(lambda: find(window, QLabel, "syncOnline").text() == "○ 离线", timeout=10_000)
    type_id(qtbot, window, DEMO_PATHS_BY_KEY["green_fresh"].number)
    assert verdict(window) == "无法核验"
    # Counted at once, although the sync engine is waiting out its back-off.
    qtbot.waitUntil(lambda: find(window, QLabel, "syncPending").text() == "待同步 1", timeout=500)


def test_expired_session_sends_the_guard_to_log_in_and_keeps_the_checks(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    window = app.window
    with ApiClient(embedded.url, token=app.api.token) as same_session:
        same_session.auth.logout()  # e.g. signed out from another device: the token is dead now
    type_id(qtbot, window, DEMO_PATHS_BY_KEY["green_fresh"].number)
    record = window.workbench.result_panel.result
    assert record is not None  # judged offline, committed locally
    wait_for_page(qtbot, window, "loginPage")
    assert find(window, QLabel, "loginError").text() == "登录已失效，请重新登录"
    qtbot.waitUntil(lambda: not memory_keyring.store, timeout=5_000)  # cleared on the ordered lane
    assert record.record_id not in embedded.server_checks()

    log_in(qtbot, window, GUARD_PHONE)
    wait_for_page(qtbot, window, "checkpointPicker")
    click(qtbot, window, window.checkpoint_picker.buttons[0].objectName())
    wait_for_page(qtbot, window, "workbench")
    qtbot.waitUntil(lambda: record.record_id in embedded.server_checks(), timeout=15_000)


def test_a_plain_http_server_on_another_machine_is_refused_at_start(
    qtbot: QtBot, make_station_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13 §3: `--server http://…` (not loopback) stops at the start page with a clear
    message, before any request could carry the token or the trust list in clear."""
    monkeypatch.delenv("SHOUMEN_ALLOW_PLAIN_HTTP", raising=False)
    app = make_station_app(backend=BackendChoice.remote("http://shoumen.example.invalid:8000"))
    with qtbot.waitSignal(app.flow.startup_failed, timeout=5_000) as blocker:
        app.flow.start()
    assert "https://" in blocker.args[0] and "明文" in blocker.args[0]
    assert app.window.current_page is app.window.startup
    assert find(app.window, QLabel, "startupMessage").text() == blocker.args[0]
    assert find(app.window, QPushButton, "startupRetry").isVisible()
    assert app.flow.api is None and app.flow.cache is None  # no client, no cache for that server
