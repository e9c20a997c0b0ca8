"""The camera loop's Qt side: scanning.ScanLoop on a thread, its callbacks as signals.

The loop itself (open, decode, retry a lost camera) is Qt-free in scanning/loop.py. Here: the
thread it runs on, the words the guard reads for each state, and the preview, converted to a
QImage on the loop's thread (downscaled; QImage, unlike QPixmap, may be made off the GUI
thread). A new picture is sent only once the last one was shown, so a slow GUI never builds a
queue of frames.

Running workers are kept by the application's ScanWorkers (a child of the QApplication, not a
module global): a worker outlives the view that stopped it until its thread has ended, and
stop_all_scanners() (at exit, in test teardown) stops and waits for all of them.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QImage

from shoumen_gui.scanning.loop import ScanConfig, ScanEvent, ScanLoop, ScanState

if TYPE_CHECKING:
    from shoumen_gui.scanning.frames import Frame

log = logging.getLogger("shoumen.gui.scan")

PREVIEW_WIDTH = 480
PREVIEW_FPS = 15.0


def _tr(text: str) -> str:
    return QCoreApplication.translate("ScanView", text)


def state_message(event: ScanEvent) -> str:
    """What the guard reads for a state of the loop (a reason in the app's language by its code)."""
    from shoumen_gui.ui.texts import code_words

    state, detail = event.state, event.detail
    if event.code and state in (ScanState.LOST, ScanState.NO_CAMERA, ScanState.ERROR):
        detail = code_words(event.code, detail)
    if state is ScanState.SCANNING:
        return _tr("摄像头已重新连接") if event.reconnected else _tr("正在扫码：{0}").format(detail)
    if state is ScanState.ENDED:
        return _tr("{0} 已播放完毕").format(detail)
    if state is ScanState.LOST:
        return _tr("{0}；正在等待摄像头重新连接，可先用证件录入").format(detail)
    if state is ScanState.NO_CAMERA:
        return _tr("{0}；可使用证件录入或扫码枪").format(detail)
    if state is ScanState.ERROR and not detail:
        return _tr("扫码功能出错，已停止；请使用证件录入")
    return detail


def to_qimage(image: Any, max_width: int = PREVIEW_WIDTH) -> QImage | None:
    """A grey, BGR or BGRA uint8 frame as an RGB QImage no wider than max_width (None if odd)."""
    import cv2
    import numpy as np

    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.size == 0:
        return None
    height, width = image.shape[:2]
    if width > max_width:
        size = (max_width, max(1, round(height * max_width / width)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    if image.ndim == 2:
        grey = np.ascontiguousarray(image)
        h, w = grey.shape
        return QImage(grey.data, w, h, grey.strides[0], QImage.Format.Format_Grayscale8).copy()
    channels = image.shape[2] if image.ndim == 3 else 0
    codes = {3: cv2.COLOR_BGR2RGB, 4: cv2.COLOR_BGRA2RGB}
    if channels not in codes:
        return None
    rgb = np.ascontiguousarray(cv2.cvtColor(image, codes[channels]))
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, rgb.strides[0], QImage.Format.Format_RGB888).copy()


class ScanWorker(QObject):
    """One ScanLoop on a thread of its own; signals reach receivers on the GUI thread queued."""

    hit = Signal(object)  # ScanHit
    preview = Signal(QImage)
    state_changed = Signal(str, str)  # ScanState value, message for the guard
    notice = Signal(str)  # e.g. the pyzbar -> zxing fallback
    finished = Signal(object)  # this worker: its thread is ending

    def __init__(self, config: ScanConfig, *, preview_width: int = PREVIEW_WIDTH) -> None:
        super().__init__()
        self.config = config
        self.preview_width = preview_width
        self.loop = ScanLoop(
            config,
            on_hit=self.hit.emit,
            on_state=lambda event: self.state_changed.emit(event.state.value, state_message(event)),
            on_notice=self.notice.emit,
            on_frame=self._on_frame,
        )
        self._thread = threading.Thread(target=self._run, name="shoumen-scan", daemon=True)
        self._preview_free = threading.Event()
        self._preview_free.set()
        self._last_preview = 0.0

    @property
    def pipeline(self) -> Any:
        return self.loop.pipeline

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.loop.stop()

    def is_running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout_ms: int | None = None) -> bool:
        """Until the thread has ended (True), or `timeout_ms` passed (False)."""
        if self._thread.ident is None:
            return True
        self._thread.join(None if timeout_ms is None else timeout_ms / 1000)
        return not self._thread.is_alive()

    def preview_shown(self) -> None:
        """The GUI has painted the last picture: the next may come."""
        self._preview_free.set()

    def _run(self) -> None:
        try:
            self.loop.run()
        finally:
            self.finished.emit(self)

    def _on_frame(self, frame: Frame) -> None:
        now = time.monotonic()
        if not self._preview_free.is_set() or now - self._last_preview < 1.0 / PREVIEW_FPS:
            return
        image = to_qimage(frame.image, self.preview_width)
        if image is None:
            return
        self._preview_free.clear()
        self._last_preview = now
        self.preview.emit(image)


class ScanWorkers(QObject):
    """The application's running scan workers (a child of the QApplication, found with of())."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scanWorkers")
        self._workers: set[ScanWorker] = set()

    @classmethod
    def of(cls, app: QCoreApplication | None = None) -> ScanWorkers:
        app = app or QCoreApplication.instance()
        if app is None:
            raise RuntimeError("no QApplication")
        found = app.findChild(ScanWorkers, "scanWorkers")
        if isinstance(found, ScanWorkers):
            return found
        workers = cls(app)
        app.aboutToQuit.connect(workers.stop_all)
        return workers

    def add(self, worker: ScanWorker) -> None:
        self._workers.add(worker)
        worker.finished.connect(self._discard)  # a slot of this object: queued to the GUI thread

    def _discard(self, worker: ScanWorker) -> None:
        worker.wait()  # finished is emitted just before the thread really ends
        self._workers.discard(worker)

    def running(self) -> list[ScanWorker]:
        return [worker for worker in self._workers if worker.is_running()]

    def stop_all(self, timeout_ms: int = 5000) -> bool:
        workers = list(self._workers)
        for worker in workers:
            worker.stop()
        done = all(worker.wait(timeout_ms) for worker in workers)
        self._workers.difference_update(w for w in workers if not w.is_running())
        return done


def stop_all_scanners(timeout_ms: int = 5000) -> bool:
    """At exit (and in test teardown): stop every scan worker of the application and wait."""
    app = QCoreApplication.instance()
    if app is None:
        return True
    return ScanWorkers.of(app).stop_all(timeout_ms)
