# mypy: allow-untyped-calls
"""Issue 17 §1: the camera loop lives in scanning/ (no Qt) behind a worker whose signals the
view connects to; the running workers belong to the application, not to a module global.

The camera device is the one thing faked (FakeCamera behaves like cv2.VideoCapture); the
video is a real mp4v file in the backend's demo-codes format, decoded by the real decoder.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import shoumen_gui.scanning
import shoumen_gui.ui.scan_view
from shoumen_gui import pyside_fixes
from shoumen_gui.scanning import CameraSource
from shoumen_gui.scanning.loop import ScanConfig, ScanEvent, ScanHit, ScanLoop, ScanState
from shoumen_gui.scanning.testframes import make_frame, sample_personal_code
from shoumen_gui.ui.scan_worker import ScanWorker, ScanWorkers, stop_all_scanners
from shoumen_server.demo_codes import qr_matrix, write_video
from tests.gui.scanning.fakes import FakeCamera

pyside_fixes.apply()  # the worker emits previews from Python (see test_scan_view.py)


@pytest.fixture(scope="module")
def codes() -> list[str]:
    return [sample_personal_code(i) for i in range(2)]


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory, codes: list[str]) -> Path:
    path = tmp_path_factory.mktemp("video") / "gate.mp4"
    write_video(path, [qr_matrix(code) for code in codes])
    return path


@pytest.fixture(autouse=True)
def _workers_stopped(qtbot: QtBot) -> Iterator[None]:
    yield
    assert stop_all_scanners()


def test_the_loop_reads_a_video_on_a_plain_thread_without_qt(video: Path, codes: list[str]) -> None:
    hits: list[ScanHit] = []
    events: list[ScanEvent] = []
    loop = ScanLoop(
        ScanConfig(camera=None, video=video, realtime=False), on_hit=hits.append, on_state=events.append
    )
    thread = threading.Thread(target=loop.run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    assert [hit.text for hit in hits] == codes
    assert [event.state for event in events] == [ScanState.SCANNING, ScanState.ENDED]
    assert events[-1].detail.endswith("gate.mp4")


def test_the_loop_stops_while_waiting_for_a_missing_camera(codes: list[str]) -> None:
    camera = FakeCamera([make_frame(codes[0], size=(640, 480))])
    camera.plugged_in = False
    waiting = threading.Event()
    loop = ScanLoop(
        ScanConfig(
            camera=None,
            source_factory=lambda: CameraSource(0, capture_factory=camera.factory),
            retry=True,
            retry_seconds=30.0,  # stop() must not wait for the retry
        ),
        on_state=lambda event: waiting.set() if event.state is ScanState.NO_CAMERA else None,
    )
    thread = threading.Thread(target=loop.run)
    thread.start()
    assert waiting.wait(10)
    loop.stop()
    thread.join(5)
    assert not thread.is_alive()


def test_the_worker_signals_reads_states_and_previews_from_a_fake_camera(
    qtbot: QtBot, codes: list[str]
) -> None:
    camera = FakeCamera([make_frame(codes[0], size=(1280, 720))])
    worker = ScanWorker(
        ScanConfig(
            camera=None, source_factory=lambda: CameraSource(0, capture_factory=camera.factory), retry=True
        )
    )
    ScanWorkers.of().add(worker)
    states: list[tuple[str, str]] = []
    hits: list[ScanHit] = []
    previews: list[tuple[int, int]] = []
    on_gui_thread: list[bool] = []

    def preview(image: object) -> None:
        on_gui_thread.append(threading.current_thread() is threading.main_thread())
        previews.append((image.width(), image.height()))  # type: ignore[attr-defined]
        worker.preview_shown()

    worker.state_changed.connect(lambda state, message: states.append((state, message)))
    worker.hit.connect(hits.append)
    worker.preview.connect(preview)
    worker.start()
    qtbot.waitUntil(lambda: bool(hits) and len(previews) >= 2, timeout=10_000)
    assert [hit.text for hit in hits] == [codes[0]]
    assert previews[0] == (480, 270)  # downscaled on the worker
    assert states[0][0] == ScanState.SCANNING.value and states[0][1].startswith("正在扫码")
    assert all(on_gui_thread)
    with qtbot.waitSignal(worker.finished, timeout=5_000):
        worker.stop()
    qtbot.waitUntil(lambda: ScanWorkers.of().running() == [], timeout=5_000)


def test_a_stopped_view_hands_its_worker_to_the_application_until_it_ends(
    qtbot: QtBot, codes: list[str]
) -> None:
    """Replaces the module-global _LIVE set: the workers belong to the application object, and
    one stopped without waiting is still known (and waited for) until its thread ended."""
    camera = FakeCamera([make_frame(codes[0], size=(640, 480))])
    view = shoumen_gui.ui.scan_view.ScanView()
    qtbot.addWidget(view)
    view.set_config(
        ScanConfig(
            camera=None, source_factory=lambda: CameraSource(0, capture_factory=camera.factory), retry=True
        )
    )
    view.start()
    qtbot.waitUntil(lambda: view.state is ScanState.SCANNING, timeout=10_000)
    worker = view.worker
    assert worker is not None and worker in ScanWorkers.of().running()
    view.stop()  # not waiting: the GUI thread goes on
    assert not view.running
    assert stop_all_scanners()
    assert not worker.is_running()
    qtbot.waitUntil(lambda: worker not in ScanWorkers.of()._workers, timeout=5_000)
    assert not hasattr(shoumen_gui.ui.scan_view, "_LIVE")


def test_scanning_imports_no_qt() -> None:
    folder = Path(shoumen_gui.scanning.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(name.startswith(("PySide6", "shiboken6", "shoumen_gui.ui")) for name in names), (
                path
            )
