"""The camera preview and its state line.

The camera loop runs on a worker (ui/scan_worker.ScanWorker around the Qt-free
scanning.ScanLoop): a camera that is missing at the start, or unplugged mid-shift, is tried
again every few seconds; the guard sees "未检测到摄像头" (or that it was lost) and keeps the ID
pad. Reads, states and preview pictures reach this view by signal.

The scanning package (OpenCV, numpy, zxing) is imported on the worker, not at app start.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QSizePolicy, QVBoxLayout, QWidget

from shoumen_gui.scanning.loop import DECODE_BUDGET, RETRY_SECONDS, ScanConfig, ScanHit, ScanState
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.scan_worker import (
    PREVIEW_FPS,
    PREVIEW_WIDTH,
    ScanWorker,
    ScanWorkers,
    stop_all_scanners,
    to_qimage,
)

__all__ = [
    "DECODE_BUDGET",
    "PREVIEW_FPS",
    "PREVIEW_WIDTH",
    "RETRY_SECONDS",
    "ScanConfig",
    "ScanHit",
    "ScanState",
    "ScanView",
    "stop_all_scanners",
    "to_qimage",
]

log = logging.getLogger("shoumen.gui.scan")


class ScanView(QFrame):
    """The preview with its state line. Emits `scanned(text)` for every ASCII read."""

    scanned = Signal(str)
    message = Signal(str)  # for the result panel: a code that is not ours, a decoder fallback
    hit = Signal(object)  # ScanHit, for benches and tests
    state_changed = Signal(str)  # ScanState value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scanView")
        self.setAccessibleName(self.tr("摄像头扫码"))
        self.config: ScanConfig | None = None
        self.worker: ScanWorker | None = None
        self.state = ScanState.OFF
        self.preview_label = plain_label()
        self.preview_label.setObjectName("scanPreview")
        self.preview_label.setAccessibleName(self.tr("摄像头画面"))
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_label.setMinimumSize(240, 135)  # 16:9; small enough for a 1280×800 tablet
        self.preview_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.state_label = plain_label()
        self.state_label.setObjectName("scanState")
        self.state_label.setAccessibleName(self.tr("扫码状态"))
        self.state_label.setWordWrap(True)
        self.notice_label = plain_label()
        self.notice_label.setObjectName("scanNotice")
        self.notice_label.setAccessibleName(self.tr("扫码提示"))
        self.notice_label.setWordWrap(True)
        self.notice_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview_label, 1)
        layout.addWidget(self.state_label)
        layout.addWidget(self.notice_label)
        self._show_state(ScanState.OFF, self.tr("未启用摄像头扫码；可使用证件录入或扫码枪"))
        self.workers = ScanWorkers.of() if QCoreApplication.instance() is not None else None

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.is_running()

    def set_config(self, config: ScanConfig | None) -> None:
        restart = self.running
        self.stop()
        self.config = config
        if restart:
            self.start()

    def start(self) -> None:
        """Start scanning with the config (nothing happens without one)."""
        if self.config is None or self.running:
            return
        self.notice_label.hide()
        worker = ScanWorker(self.config)
        worker.hit.connect(self._on_hit)
        worker.preview.connect(self._on_preview)
        worker.state_changed.connect(self._on_state)
        worker.notice.connect(self._on_notice)
        self.destroyed.connect(worker.stop)
        if self.workers is not None:  # kept until its thread ends, past this view's stop()
            self.workers.add(worker)
        self.worker = worker
        self._show_state(ScanState.STARTING, self.tr("正在打开{0}…").format(self._describe()))
        worker.start()

    def stop(self, *, wait: bool = False) -> None:
        """Stop scanning; the picture leaves the screen at once. `wait`: until the thread ends."""
        worker, self.worker = self.worker, None
        if worker is not None:
            for signal in (worker.hit, worker.preview, worker.state_changed, worker.notice):
                signal.disconnect()
            worker.stop()
            if wait:
                worker.wait()
        self.preview_label.clear()
        if self.config is not None:
            self._show_state(ScanState.OFF, self.tr("扫码已停止"))

    def _describe(self) -> str:
        config = self.config
        if config is None or config.source_factory is not None:
            return self.tr("摄像头")
        if config.video is not None:
            return self.tr("视频 {0}").format(config.video.name)
        if config.images is not None:
            return self.tr("图片文件夹 {0}").format(config.images.name)
        return self.tr("摄像头 {0}").format(config.camera)

    # --- from the worker ----------------------------------------------------------------------

    @Slot(object)
    def _on_hit(self, hit: ScanHit) -> None:
        if not hit.ascii_ok:
            from shoumen_gui.scanning.decoders import NON_ASCII_MESSAGE

            self.message.emit(self.tr(NON_ASCII_MESSAGE))
            return
        self.hit.emit(hit)
        self.scanned.emit(hit.text)

    @Slot(QImage)
    def _on_preview(self, image: QImage) -> None:
        worker = self.worker
        if worker is None:
            return
        self.preview_label.setPixmap(QPixmap.fromImage(image))
        worker.preview_shown()

    @Slot(str, str)
    def _on_state(self, state: str, message: str) -> None:
        scan_state = ScanState(state)
        if scan_state is not ScanState.SCANNING:
            self.preview_label.clear()  # no frozen picture of the last visitor
        self._show_state(scan_state, message)

    @Slot(str)
    def _on_notice(self, notice: str) -> None:
        self.notice_label.setText(notice)
        self.notice_label.show()
        self.message.emit(notice)

    def _show_state(self, state: ScanState, message: str) -> None:
        self.state = state
        self.state_label.setText(message)
        self.state_label.setProperty("state", state.value)
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)
        self.state_changed.emit(state.value)
