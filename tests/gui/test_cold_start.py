"""Start-up order (issue 18 §3): the window is up and says the backend is starting while the
embedded backend's process is still coming up, and it becomes usable once the backend answers;
a kept session's workbench opens before the backend serves, and is checked once it does."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from shoumen_core.timeutil import utcnow
from shoumen_gui.embedded import EmbeddedBackendError, EmbeddedProcess
from shoumen_gui.station import Station
from shoumen_gui.ui.flow import BackendChoice
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, MakeApp, MemoryKeyring, StationApp, copy_embedded
from tests.gui.helpers import click, find, type_id, verdict, wait_for_page

GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number


@pytest.fixture
def held_path(embedded_template: Path, tmp_path: Path) -> Path:
    """A copy of the seeded database for the app's backend process."""
    path = tmp_path / "held" / "embedded-server.db"
    path.parent.mkdir()
    copy_embedded(embedded_template, path)
    return path


@pytest.fixture
def held_backend(held_path: Path) -> Iterator[EmbeddedProcess]:
    """The app's backend process, held before it serves and announces itself until the test
    releases it (so "not ready yet" is a fact, not a race)."""
    backend = EmbeddedProcess(held_path, hold=True)
    backend.spawn()
    yield backend
    backend.close()


def synced_since(station: Station, since: datetime) -> bool:
    status = station.last_status
    return status is not None and status.last_sync_at is not None and status.last_sync_at >= since


def test_the_window_is_usable_while_the_backend_process_starts_and_works_once_it_is_up(
    qtbot: QtBot, make_station_app: MakeApp, held_backend: EmbeddedProcess, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE, backend=BackendChoice.local(held_backend))
    window = app.window
    app.flow.start()

    # The GUI thread is not waiting for the backend: its event loop runs, and the window says
    # plainly what is going on.
    ticked: list[bool] = []
    QTimer.singleShot(0, lambda: ticked.append(True))
    qtbot.waitUntil(lambda: bool(ticked), timeout=2_000)
    assert window.current_page is window.startup
    assert find(window, QLabel, "startupMessage").text() == "正在启动本机演示服务…"
    assert not held_backend.ready

    with qtbot.waitSignal(app.flow.ready, timeout=30_000) as ready:
        held_backend.release()
    assert ready.args == ["workbench"]
    assert held_backend.ready and app.flow.api is not None
    assert app.flow.api.base_url == held_backend.url
    type_id(qtbot, window, GREEN)
    assert verdict(window) == "通行"


def test_a_backend_process_that_cannot_start_is_a_clear_error(tmp_path: Path) -> None:
    # A database path inside a file: the process cannot make its folder and says why.
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    backend = EmbeddedProcess(blocker / "embedded-server.db")
    try:
        with pytest.raises(EmbeddedBackendError):
            backend.start(timeout=60)
        assert not backend.ready
    finally:
        backend.close()


def kept_session(qtbot: QtBot, make_station_app: MakeApp, path: Path) -> StationApp:
    """A first start on the backend process at `path` (logged in, at the demo gate), closed as
    the app closes: the token stays in the keyring, /me in the cache."""
    backend = EmbeddedProcess(path)
    app = make_station_app(demo_login=GUARD_PHONE, backend=BackendChoice.local(backend))
    app.start()
    assert app.window.current_page is app.window.workbench
    app.flow.shutdown()
    backend.close()
    return app


@contextlib.contextmanager
def restarted_on_held_backend(
    qtbot: QtBot, make_station_app: MakeApp, path: Path
) -> Iterator[tuple[StationApp, EmbeddedProcess, list[object]]]:
    """The app started again (no --demo-login) on a backend process held before it serves:
    the app, the backend, and what the flow's first `ready` said."""
    backend = EmbeddedProcess(path, hold=True)
    try:
        app = make_station_app(backend=BackendChoice.local(backend))
        with qtbot.waitSignal(app.flow.ready, timeout=20_000) as ready:
            app.flow.start()
        yield app, backend, ready.args or []
    finally:
        backend.close()


def test_a_kept_session_opens_the_workbench_before_the_backend_serves(
    qtbot: QtBot, make_station_app: MakeApp, held_path: Path, memory_keyring: MemoryKeyring
) -> None:
    first = kept_session(qtbot, make_station_app, held_path)
    token = first.api.token

    since = utcnow()
    with restarted_on_held_backend(qtbot, make_station_app, held_path) as (app, backend, ready):
        # The workbench is up while the backend process has not served a single request.
        assert ready == ["workbench"] and not backend.ready
        assert app.window.current_page is app.window.workbench
        assert app.api.base_url == backend.url and app.api.token == token
        assert not synced_since(app.station, since)

        backend.release()
        # Once it serves: the station's first round, and the session asked of the server.
        qtbot.waitUntil(lambda: backend.ready and synced_since(app.station, since), timeout=30_000)
        qtbot.waitUntil(lambda: not app.flow._verify_when_up, timeout=10_000)
        assert app.window.current_page is app.window.workbench
        type_id(qtbot, app.window, GREEN)
        assert verdict(app.window) == "通行"


def test_a_kept_session_the_backend_no_longer_knows_ends_at_the_login_page(
    qtbot: QtBot, make_station_app: MakeApp, held_path: Path, memory_keyring: MemoryKeyring
) -> None:
    kept_session(qtbot, make_station_app, held_path)
    [account] = list(memory_keyring.store)
    memory_keyring.store[account] = "a-token-the-server-never-issued"

    with restarted_on_held_backend(qtbot, make_station_app, held_path) as (app, backend, ready):
        assert ready == ["workbench"]  # from the keyring and the cache, as any kept session

        backend.release()
        # The backend refuses it: the station closes and the guard is asked to log in again.
        qtbot.waitUntil(lambda: app.window.current_page is app.window.login, timeout=30_000)
        assert find(app.window, QLabel, "loginError").text() == "登录已失效，请重新登录"
        assert app.flow.station is None
        qtbot.waitUntil(lambda: memory_keyring.store == {}, timeout=10_000)


def test_a_backend_that_dies_under_a_kept_sessions_workbench_leaves_it_checking_offline(
    qtbot: QtBot, make_station_app: MakeApp, held_path: Path, memory_keyring: MemoryKeyring
) -> None:
    kept_session(qtbot, make_station_app, held_path)
    with restarted_on_held_backend(qtbot, make_station_app, held_path) as (app, backend, ready):
        assert ready == ["workbench"]
        process = backend._process
        assert process is not None
        process.kill()  # before it ever served

        qtbot.waitUntil(lambda: app.flow.backend_notice is not None, timeout=30_000)
        notice = app.flow.backend_notice
        assert notice is not None and notice.isVisible()
        assert notice.text().startswith("本机演示服务无法启动：")
        # The post stays open on the workbench and checks go on from the cache.
        assert app.window.current_page is app.window.workbench and not app.flow.connectivity.online
        type_id(qtbot, app.window, GREEN)
        assert verdict(app.window) != ""


def test_a_first_start_shows_the_login_page_before_the_backend_serves(
    qtbot: QtBot, make_station_app: MakeApp, held_backend: EmbeddedProcess, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(backend=BackendChoice.local(held_backend))  # nobody logged in here
    with qtbot.waitSignal(app.flow.ready, timeout=20_000) as ready:
        app.flow.start()
    assert ready.args == ["login"] and not held_backend.ready
    hint = find(app.window, QLabel, "demoAccountsHint")
    assert not hint.isVisible()  # the backend names its demo accounts when it serves

    # A person types a phone and asks for a code: the request waits for the backend.
    phone_field = find(app.window, QLineEdit, "loginPhone")
    qtbot.keyClicks(phone_field, GUARD_PHONE)
    click(qtbot, app.window, "loginGetCode")
    held_backend.release()
    banner = find(app.window, QLabel, "demoCodeBanner")
    qtbot.waitUntil(banner.isVisible, timeout=30_000)
    qtbot.waitUntil(hint.isVisible, timeout=10_000)
    assert GUARD_PHONE in hint.text()
    match = re.fullmatch(r"演示验证码：(\d{6})", banner.text())
    assert match, banner.text()
    qtbot.keyClicks(find(app.window, QLineEdit, "loginCode"), match.group(1))
    click(qtbot, app.window, "loginSubmit")
    wait_for_page(qtbot, app.window, "checkpointPicker")  # the hospital's three gates
