"""Start-up order (issue 18 §3): the window is up and says the backend is starting while the
embedded backend's process is still coming up, and it becomes usable once the backend answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from shoumen_gui.embedded import EmbeddedBackendError, EmbeddedProcess
from shoumen_gui.ui.flow import BackendChoice
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, MakeApp, MemoryKeyring, copy_embedded
from tests.gui.helpers import find, type_id, verdict

GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number


@pytest.fixture
def held_backend(embedded_template: Path, tmp_path: Path) -> Iterator[EmbeddedProcess]:
    """The app's backend process on a copy of the seeded database, held before it announces
    itself until the test releases it (so "not ready yet" is a fact, not a race)."""
    path = tmp_path / "held" / "embedded-server.db"
    path.parent.mkdir()
    copy_embedded(embedded_template, path)
    backend = EmbeddedProcess(path, hold=True)
    backend.spawn()
    yield backend
    backend.close()


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
    assert not held_backend.ready and app.flow.api is None

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
