"""Fixtures of the Qt tests: keyrings, task managers, and a live embedded backend.

QT_QPA_PLATFORM=offscreen is set in tests/conftest.py before Qt loads. The embedded backend is
the app's own (shoumen_gui.embedded): a migrated, demo-seeded SQLite database made once per
session and copied for each test, served by uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import gc
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, func, select

from shoumen_gui.embedded import EmbeddedBackend
from shoumen_gui.gc_collector import GuiThreadCollector
from shoumen_gui.paths import AppPaths
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.settings import SettingsStore
from shoumen_gui.station import Station
from shoumen_gui.tasks import ImmediateTaskManager, TaskManager
from shoumen_gui.ui.flow import BackendChoice, SessionFlow
from shoumen_gui.ui.main_window import MainWindow
from shoumen_server.models import Check

GUARD_PHONE = "13900000002"  # 李保安: staff of the demo hospital (three checkpoints)
OWNER_PHONE = "13900000001"  # 张店主: owner of the demo hospital
SHOP_OWNER_PHONE = "13900000004"  # 刘老板: owner of the demo shop (one checkpoint)

# Fast sync for tests: push at once, retry quickly after the backend comes back.
FAST_SYNC = {"push_delay": 0.05, "pull_interval": 30.0, "max_backoff": 0.5}


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An OS keyring stand-in that keeps passwords in a dict."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not stored")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The real "no backend" keyring of a headless Linux machine."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def tasks(qtbot: QtBot) -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()
    manager.deleteLater()


@pytest.fixture
def immediate_tasks(qtbot: QtBot) -> Iterator[TaskManager]:
    """Runs every task on the calling thread at once (Picard's test pool)."""
    manager = ImmediateTaskManager()
    yield manager
    manager.shutdown()
    manager.deleteLater()


@pytest.fixture(scope="package", autouse=True)
def gui_thread_collector(qapp: QApplication) -> Iterator[GuiThreadCollector]:
    """As the app does (app.run_gui): Python's garbage is collected on the GUI thread only, so a
    test's leftover widgets and timers never die on a worker (shoumen_gui/gc_collector.py).
    Package scope: the server tests after tests/gui run with Python's own collection again."""
    collector = GuiThreadCollector(qapp)
    yield collector
    collector.close()


@pytest.fixture(autouse=True)
def collect_after_each_test(gui_thread_collector: GuiThreadCollector) -> Iterator[None]:
    yield
    gc.collect()  # what the test left behind goes now, here, on the GUI thread


@pytest.fixture(scope="session")
def embedded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated and demo-seeded once per session by the app's own embedded set-up."""
    path = tmp_path_factory.mktemp("embedded-template") / "embedded-server.db"
    EmbeddedBackend(path).prepare_database()
    return path


def copy_embedded(template: Path, path: Path) -> None:
    """A copy of the embedded template database at `path` with its key folder: the secrets
    are not in the database (the folder's 0700 and the files' 0600 come along)."""
    shutil.copyfile(template, path)
    shutil.copytree(EmbeddedBackend(template).key_dir, EmbeddedBackend(path).key_dir)


@dataclass(frozen=True)
class ServerCheck:
    level: str
    manual_decision: str | None
    offline: bool
    checkpoint_id: int | None


@dataclass
class LiveBackend:
    backend: EmbeddedBackend

    @property
    def url(self) -> str:
        return self.backend.url

    def server_checks(self) -> dict[uuid.UUID, ServerCheck]:
        """Every check row in the server's database, read with SQL (not through the API)."""
        engine = create_engine(self.backend.database_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    select(Check.id, Check.level, Check.manual_decision, Check.offline, Check.checkpoint_id)
                ).all()
        finally:
            engine.dispose()
        return {row[0]: ServerCheck(row[1], row[2], bool(row[3]), row[4]) for row in rows}

    def count_checks(self) -> int:
        engine = create_engine(self.backend.database_url)
        try:
            with engine.connect() as conn:
                return int(conn.scalar(select(func.count()).select_from(Check)) or 0)
        finally:
            engine.dispose()


@pytest.fixture
def embedded(embedded_template: Path, tmp_path: Path) -> Iterator[LiveBackend]:
    path = tmp_path / "server" / "embedded-server.db"
    path.parent.mkdir()
    copy_embedded(embedded_template, path)
    # Tests log the same demo accounts in many times: no SMS rate limit (the app's own 60 s
    # countdown is still there, it is the client's).
    backend = EmbeddedBackend(
        path,
        server_options={
            "sms_min_interval_seconds": 0,
            "sms_max_per_day": 1000,
            "sms_max_per_client_hour": 100_000,
        },
    )
    backend.start()
    yield LiveBackend(backend)
    backend.close()


@pytest.fixture
def app_paths(tmp_path: Path) -> AppPaths:
    return AppPaths.in_folder(tmp_path / "station").ensure()


@dataclass
class StationApp:
    """The app's window and session flow on a live backend, as main() wires them."""

    window: MainWindow
    flow: SessionFlow
    tasks: TaskManager
    paths: AppPaths
    qtbot: QtBot

    def start(self) -> None:
        with self.qtbot.waitSignal(self.flow.ready, timeout=20_000):
            self.flow.start()

    @property
    def api(self) -> ApiClient:
        assert self.flow.api is not None
        return self.flow.api

    @property
    def cache(self) -> LocalCache:
        assert self.flow.cache is not None
        return self.flow.cache

    @property
    def station(self) -> Station:
        assert self.flow.station is not None
        return self.flow.station

    def close(self) -> None:
        self.flow.shutdown()
        self.tasks.shutdown()
        if self.flow.cache is not None:
            self.flow.cache.close()
        if self.flow.api is not None:
            self.flow.api.close()


MakeApp = Callable[..., StationApp]


@pytest.fixture
def make_station_app(qtbot: QtBot, app_paths: AppPaths, embedded: LiveBackend) -> Iterator[MakeApp]:
    made: list[StationApp] = []

    def make(
        *,
        demo_login: str | None = None,
        backend: BackendChoice | None = None,
        sync_options: dict[str, float] | None = None,
    ) -> StationApp:
        tasks = TaskManager()
        store = SettingsStore(app_paths.settings_file)
        window = MainWindow(tasks, device_name="pytest")
        qtbot.addWidget(window)
        choice = backend or BackendChoice.local(embedded.backend)
        flow = SessionFlow(
            window,
            tasks,
            app_paths,
            store,
            store.load(),
            choice,
            demo_login=demo_login,
            sync_options=sync_options or FAST_SYNC,
        )
        station_app = StationApp(window, flow, tasks, app_paths, qtbot)
        made.append(station_app)
        window.show()
        return station_app

    yield make
    for station_app in made:
        station_app.close()
