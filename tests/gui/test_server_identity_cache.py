# mypy: allow-untyped-calls
"""Issue 14 §4: pending checks follow the server, not the way its URL is written.

The whole app on the live embedded backend, reached as a remote server first as
http://127.0.0.1:PORT and then as http://localhost:PORT: the same server (its /info server_id),
so the same cache file, and the check made offline under the first URL reaches the server
under the second. A second, separately made backend is a different server: switching to it with
unsynced checks asks first, and those checks stay pending for the first server.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from shoumen_gui.embedded import EmbeddedBackend
from shoumen_gui.paths import AppPaths
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.server_identity import DIRECTORY_FILE, ServerDirectory, url_cache_key
from shoumen_gui.ui.flow import BackendChoice
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring, StationApp
from tests.gui.helpers import find, type_id, verdict

GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number


def localhost(url: str) -> str:
    assert url.startswith("http://127.0.0.1:")
    return url.replace("127.0.0.1", "localhost")


def check_offline(qtbot: QtBot, app: StationApp, backend: EmbeddedBackend) -> uuid.UUID:
    """Stop the server, check a visitor (judged offline, pending), close the app."""
    backend.stop()
    type_id(qtbot, app.window, GREEN)
    result = app.window.workbench.result_panel.result
    assert result is not None and result.source != "online"
    qtbot.waitUntil(lambda: app.cache.pending_count() == 1, timeout=5_000)
    app.close()
    return result.record_id


def start_on(make_station_app: MakeApp, url: str) -> StationApp:
    app = make_station_app(demo_login=GUARD_PHONE, backend=BackendChoice.remote(url))
    app.start()
    return app


def test_the_same_server_under_another_url_keeps_its_cache_and_syncs_the_pending_check(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    app_paths: AppPaths,
    memory_keyring: MemoryKeyring,
) -> None:
    first = start_on(make_station_app, embedded.url)
    first_cache = first.cache.path
    pending = check_offline(qtbot, first, embedded.backend)
    embedded.backend.start()

    second = start_on(make_station_app, localhost(embedded.url))
    assert second.window.current_page is second.window.workbench
    assert second.cache.path == first_cache  # the server's file, not one named after the new URL
    notice = second.flow.server_notice
    assert notice is not None and notice.isVisible() and notice.objectName() == "serverNotice"
    assert "同一台服务器" in notice.text() and embedded.url in notice.text()
    qtbot.waitUntil(lambda: pending in embedded.server_checks(), timeout=20_000)
    qtbot.waitUntil(lambda: second.cache.pending_count() == 0, timeout=10_000)
    assert not any(
        p.name == f"cache-{url_cache_key(localhost(embedded.url))}.db" for p in app_paths.data_dir.iterdir()
    )
    directory = ServerDirectory.load(app_paths.data_dir)
    assert directory.urls[embedded.url] == directory.urls[localhost(embedded.url)] == directory.last
    notice.accept()


def test_an_older_cache_named_after_the_url_has_its_unsynced_checks_moved_over(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    app_paths: AppPaths,
    memory_keyring: MemoryKeyring,
) -> None:
    """A file an earlier version (or a first start offline) named after http://localhost:PORT
    holds a pending check, while this server's cache is already the 127.0.0.1 one."""
    first = start_on(make_station_app, embedded.url)
    type_id(qtbot, first.window, GREEN)
    assert verdict(first.window) == "通行"
    server_cache = first.cache.path
    stray_check = first.cache.check(first.window.workbench.result_panel.result.record_id)  # type: ignore[union-attr]
    assert stray_check is not None
    first.close()
    old_file = app_paths.data_dir / f"cache-{url_cache_key(localhost(embedded.url))}.db"
    old = LocalCache.open(old_file)
    moved_record = stray_check.record.model_copy(update={"id": uuid.uuid4(), "offline": True})
    old.add_check(moved_record, stray_check.user_id)
    old.close()

    second = start_on(make_station_app, localhost(embedded.url))
    assert second.cache.path == server_cache
    notice = second.flow.server_notice
    assert notice is not None and "另有 1 条" in notice.text()
    qtbot.waitUntil(lambda: moved_record.id in embedded.server_checks(), timeout=20_000)
    old = LocalCache.open(old_file)
    try:
        assert old.pending_count() == 0 and old.check(moved_record.id) is None  # moved, not copied
    finally:
        old.close()
    notice.accept()


@pytest.fixture
def other_server(tmp_path: Path) -> Iterator[EmbeddedBackend]:
    """Another server: its own database, so its own server_id."""
    path = tmp_path / "other-server" / "embedded-server.db"
    path.parent.mkdir()
    backend = EmbeddedBackend(path, server_options={"sms_min_interval_seconds": 0, "sms_max_per_day": 1000})
    backend.start()
    yield backend
    backend.close()


def test_a_different_server_asks_first_and_never_drops_the_unsynced_checks(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    other_server: EmbeddedBackend,
    app_paths: AppPaths,
    memory_keyring: MemoryKeyring,
) -> None:
    first = start_on(make_station_app, embedded.url)
    first_cache = first.cache.path
    pending = check_offline(qtbot, first, embedded.backend)
    embedded.backend.start()

    second = make_station_app(demo_login=GUARD_PHONE, backend=BackendChoice.remote(other_server.url))
    second.flow.start()
    qtbot.waitUntil(lambda: second.flow.server_change_dialog is not None, timeout=20_000)
    dialog = second.flow.server_change_dialog
    assert dialog is not None and dialog.isVisible() and "1 条记录未上传" in dialog.text()
    find(dialog, QPushButton, "serverChangeStay").click()
    assert second.window.current_page is second.window.startup
    problem = [label.text() for label in second.window.startup.findChildren(QLabel)]
    assert any("未切换服务器" in text for text in problem)
    assert second.flow.cache is None  # nothing opened, nothing moved

    with qtbot.waitSignal(second.flow.ready, timeout=20_000):
        second.window.startup.retry.click()
        qtbot.waitUntil(lambda: second.flow.server_change_dialog is not None, timeout=20_000)
        box = second.flow.server_change_dialog
        assert isinstance(box, QMessageBox)
        find(box, QPushButton, "serverChangeSwitch").click()
    assert second.cache.path != first_cache
    second.close()
    kept = LocalCache.open(first_cache)
    try:
        kept_check = kept.check(pending)
        assert kept_check is not None and kept_check.state == "pending"  # still there, still pending
    finally:
        kept.close()
    assert pending not in embedded.server_checks()

    # The first server again: its cache, and the pending check goes where it belongs.
    third = start_on(make_station_app, embedded.url)
    assert third.cache.path == first_cache
    qtbot.waitUntil(lambda: pending in embedded.server_checks(), timeout=20_000)
    assert (app_paths.data_dir / DIRECTORY_FILE).exists()
