"""The camera preview and its worker: frames are read, decoded and turned into small preview
pictures on a QThread; reads and pictures reach the GUI thread by signal.

The worker runs scanning.ScanPipeline over one FrameSource (a camera, a video file or an image
folder). A camera that is missing at the start, or unplugged mid-shift, is tried again every
few seconds; the guard sees "未检测到摄像头" (or that it was lost) and keeps the ID pad. The
preview is converted to a QImage on the worker (downscaled; QImage, unlike QPixmap, may be made
off the GUI thread), and a new picture is sent only once the last one was shown, so a slow GUI
never builds a queue of frames.

The scanning package (OpenCV, numpy, zxing) is imported on the worker, not at app start.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QThread, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QSizePolicy, QVBoxLayout, QWidget

from shoumen_gui.ui.plain import plain_label

if TYPE_CHECKING:
    from shoumen_gui.scanning import Frame, FrameSource, ScanPipeline
    from shoumen_gui.settings import Settings

log = logging.getLogger("shoumen.gui.scan")

PREVIEW_WIDTH = 480
PREVIEW_FPS = 15.0
# Decoding may use a twentieth of each frame interval: at 30 fps and ~3 ms per 720p decode that
# is every other frame (15 decodes a second, a read in ~70 ms), on a slow PC fewer. zxing-cpp
# holds the GIL while it decodes, so every decode spared is time the GUI thread can run.
DECODE_BUDGET = 0.05
RETRY_SECONDS = 3.0


class ScanState(StrEnum):
    OFF = "off"  # no frame source configured
    STARTING = "starting"
    SCANNING = "scanning"
    NO_CAMERA = "no_camera"  # none at the start: tried again every few seconds
    LOST = "lost"  # unplugged mid-shift: tried again every few seconds
    ENDED = "ended"  # a video file or an image folder has been played
    ERROR = "error"  # a source or decoder that cannot work


def _tr(text: str) -> str:
    return QCoreApplication.translate("ScanView", text)


@dataclass(frozen=True)
class ScanConfig:
    """Which frames to scan. Exactly one of camera, video, images (or a source_factory)."""

    camera: int | None = 0
    video: Path | None = None
    images: Path | None = None
    decoder: str = "zxing"
    loop: bool = False
    realtime: bool = True
    retry_seconds: float = RETRY_SECONDS
    source_factory: Callable[[], FrameSource] | None = None  # a camera stand-in (tests, benches)
    retry: bool | None = None  # None: retry a camera only

    @classmethod
    def choose(
        cls,
        settings: Settings,
        *,
        camera: int | None = None,
        video: Path | None = None,
        images: Path | None = None,
        decoder: str | None = None,
    ) -> ScanConfig | None:
        """The command line first (`--camera/--video/--images`), then the settings; None = off."""
        chosen = decoder or settings.decoder
        if camera is not None or video is not None or images is not None:
            return cls(camera=camera, video=video, images=images, decoder=chosen)
        if settings.video_file:
            return cls(camera=None, video=Path(settings.video_file), decoder=chosen)
        if settings.image_folder:
            return cls(camera=None, images=Path(settings.image_folder), decoder=chosen)
        if settings.camera_index >= 0:
            return cls(camera=settings.camera_index, decoder=chosen)
        return None

    @property
    def retries(self) -> bool:
        if self.retry is not None:
            return self.retry
        return self.source_factory is None and self.video is None and self.images is None

    def make_source(self) -> FrameSource:
        """The source, not yet opened (runs on the worker: it imports OpenCV)."""
        if self.source_factory is not None:
            return self.source_factory()
        from shoumen_gui.scanning import CameraSource, ImageFolderSource, VideoFileSource

        if self.video is not None:
            return VideoFileSource(self.video, loop=self.loop, realtime=self.realtime)
        if self.images is not None:
            return ImageFolderSource(self.images, loop=self.loop, realtime=self.realtime)
        return CameraSource(self.camera or 0)


@dataclass(frozen=True)
class ScanHit:
    """One accepted read. `entered_ns`: perf_counter_ns when the frame that completed it entered
    the pipeline (the start of frame-to-verdict)."""

    text: str
    ascii_ok: bool
    frame_index: int
    entered_ns: int


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


class ScanThread(QThread):
    """Reads, decodes and previews one source until stop() (or the source ends)."""

    hit = Signal(object)  # ScanHit
    preview = Signal(QImage)
    state_changed = Signal(str, str)  # ScanState value, message for the guard
    notice = Signal(str)  # e.g. the pyzbar -> zxing fallback

    def __init__(self, config: ScanConfig, *, preview_width: int = PREVIEW_WIDTH) -> None:
        super().__init__()
        self.config = config
        self.preview_width = preview_width
        self.pipeline: ScanPipeline | None = None
        self._stop = threading.Event()
        self._preview_free = threading.Event()
        self._preview_free.set()
        self._last_preview = 0.0
        self._entered = (-1, 0)

    def stop(self) -> None:
        self._stop.set()

    def preview_shown(self) -> None:
        """The GUI has painted the last picture: the next may come."""
        self._preview_free.set()

    def run(self) -> None:
        try:
            self._scan()
        except Exception:  # a bug: logged with its traceback; the ID pad still works
            log.exception("scan worker failed")
            self.state_changed.emit(ScanState.ERROR.value, _tr("扫码功能出错，已停止；请使用证件录入"))

    def _scan(self) -> None:
        from shoumen_gui.scanning import (
            CameraLost,
            DecoderUnavailable,
            ScanPipeline,
            SourceUnavailable,
            choose_decoder,
        )

        config, stop = self.config, self._stop
        try:
            choice = choose_decoder(config.decoder)
        except DecoderUnavailable as exc:
            self.state_changed.emit(ScanState.ERROR.value, exc.message)
            return
        if choice.notice:
            self.notice.emit(choice.notice)
        self.pipeline = pipeline = ScanPipeline(choice.decoder, budget=DECODE_BUDGET)
        if config.retries:
            _quiet_opencv()  # a missing camera is tried every few seconds; we say so ourselves
        source = config.make_source()
        lost = False
        while not stop.is_set():
            try:
                source.open()
            except SourceUnavailable as exc:
                if not config.retries:
                    self.state_changed.emit(ScanState.ERROR.value, exc.message)
                    return
                state = ScanState.LOST if lost else ScanState.NO_CAMERA
                self.state_changed.emit(state.value, self._waiting_message(exc.message, lost))
                stop.wait(config.retry_seconds)
                continue
            message = _tr("摄像头已重新连接") if lost else _tr("正在扫码：{0}").format(source.description)
            self.state_changed.emit(ScanState.SCANNING.value, message)
            lost = False
            try:
                for read in pipeline.run(source, stop=stop, on_frame=self._on_frame):
                    index, entered = self._entered
                    entered_ns = entered if index == read.frame_index else time.perf_counter_ns()
                    self.hit.emit(ScanHit(read.text, read.ascii_ok, read.frame_index, entered_ns))
            except CameraLost as exc:
                lost = True
                pipeline.stabiliser.reset()
                self.state_changed.emit(ScanState.LOST.value, self._waiting_message(exc.message, True))
                stop.wait(config.retry_seconds)
                continue
            finally:
                source.close()
            if not stop.is_set():
                self.state_changed.emit(
                    ScanState.ENDED.value, _tr("{0} 已播放完毕").format(source.description)
                )
            log.info("scan finished: %s", pipeline.stats.summary())
            return

    @staticmethod
    def _waiting_message(reason: str, lost: bool) -> str:
        if lost:
            return _tr("{0}；正在等待摄像头重新连接，可先用证件录入").format(reason)
        return _tr("{0}；可使用证件录入或扫码枪").format(reason)

    def _on_frame(self, frame: Frame) -> None:
        self._entered = (frame.index, time.perf_counter_ns())
        now = time.monotonic()
        if not self._preview_free.is_set() or now - self._last_preview < 1.0 / PREVIEW_FPS:
            return
        image = to_qimage(frame.image, self.preview_width)
        if image is None:
            return
        self._preview_free.clear()
        self._last_preview = now
        self.preview.emit(image)


def _quiet_opencv() -> None:
    """OpenCV warns on stderr at every failed camera open (V4L2 "can't open camera by index")."""
    import cv2.utils.logging as cv_logging

    cv_logging.setLogLevel(cv_logging.LOG_LEVEL_ERROR)


_LIVE: set[ScanThread] = set()  # running threads outlive their view until they have finished


def stop_all_scanners(timeout_ms: int = 5000) -> bool:
    """At exit (and in test teardown): stop every scan thread and wait for it."""
    threads = list(_LIVE)
    for thread in threads:
        thread.stop()
    done = all(thread.wait(timeout_ms) for thread in threads)
    _LIVE.difference_update(threads)
    return done


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
        self.worker: ScanThread | None = None
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
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(stop_all_scanners)

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.isRunning()

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
        thread = ScanThread(self.config)
        thread.hit.connect(self._on_hit)
        thread.preview.connect(self._on_preview)
        thread.state_changed.connect(self._on_state)
        thread.notice.connect(self._on_notice)
        thread.finished.connect(lambda: self._on_finished(thread))
        self.destroyed.connect(thread.stop)
        _LIVE.add(thread)
        self.worker = thread
        self._show_state(ScanState.STARTING, self.tr("正在打开{0}…").format(self._describe()))
        thread.start()

    def stop(self, *, wait: bool = False) -> None:
        """Stop scanning; the picture leaves the screen at once. `wait`: until the thread ends."""
        thread, self.worker = self.worker, None
        if thread is not None:
            for signal in (thread.hit, thread.preview, thread.state_changed, thread.notice):
                signal.disconnect()
            thread.stop()
            if wait:
                thread.wait()
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
        thread = self.worker
        if thread is None:
            return
        self.preview_label.setPixmap(QPixmap.fromImage(image))
        thread.preview_shown()

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

    def _on_finished(self, thread: ScanThread) -> None:
        thread.wait()  # finished is emitted just before the thread really ends
        _LIVE.discard(thread)

    def _show_state(self, state: ScanState, message: str) -> None:
        self.state = state
        self.state_label.setText(message)
        self.state_label.setProperty("state", state.value)
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)
        self.state_changed.emit(state.value)
