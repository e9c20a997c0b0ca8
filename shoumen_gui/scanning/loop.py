"""The camera loop without Qt: open a source, decode its frames, report reads and states.

``ScanLoop.run()`` is meant for one worker thread; it calls its callbacks from there and ends
when ``stop()`` is called (from any thread) or the source ends. A camera that is missing at the
start, or unplugged mid-shift, is tried again every ``retry_seconds``. The Qt side
(shoumen_gui/ui/scan_worker.py) runs it on a thread and turns the callbacks into signals; the
words the guard reads are made there, from the state and its detail.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # frames imports numpy: only on the worker, not at app start
    from shoumen_gui.scanning.frames import Frame, FrameSource
    from shoumen_gui.scanning.pipeline import ScanPipeline
    from shoumen_gui.settings import Settings

log = logging.getLogger("shoumen.gui.scan")

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


@dataclass(frozen=True)
class ScanEvent:
    """A change of state. ``detail``: the source's description (SCANNING, ENDED) or the reason
    (NO_CAMERA, LOST, ERROR; "" for a bug). ``code``: the reason's error code (the UI words it
    in the app's language, ui/texts.py). ``reconnected``: SCANNING again after LOST."""

    state: ScanState
    detail: str = ""
    reconnected: bool = False
    code: str = ""


@dataclass(frozen=True)
class ScanHit:
    """One accepted read. `entered_ns`: perf_counter_ns when the frame that completed it entered
    the pipeline (the start of frame-to-verdict)."""

    text: str
    ascii_ok: bool
    frame_index: int
    entered_ns: int


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
        """The source, not yet opened (on the worker: it imports OpenCV)."""
        if self.source_factory is not None:
            return self.source_factory()
        from shoumen_gui.scanning.sources import CameraSource, ImageFolderSource, VideoFileSource

        if self.video is not None:
            return VideoFileSource(self.video, loop=self.loop, realtime=self.realtime)
        if self.images is not None:
            return ImageFolderSource(self.images, loop=self.loop, realtime=self.realtime)
        return CameraSource(self.camera or 0)


def _ignore(_: object) -> None:
    pass


class ScanLoop:
    """Reads, decodes and reports one source until ``stop()`` (or the source ends).

    ``on_frame`` sees every frame read (the preview: keep it quick, it runs on the loop's
    thread); ``on_notice`` gets e.g. the pyzbar -> zxing fallback. An exception from the loop
    itself is a bug: logged, reported as ERROR with an empty detail, never raised.
    """

    def __init__(
        self,
        config: ScanConfig,
        *,
        on_hit: Callable[[ScanHit], None] = _ignore,
        on_state: Callable[[ScanEvent], None] = _ignore,
        on_notice: Callable[[str], None] = _ignore,
        on_frame: Callable[[Frame], None] = _ignore,
    ) -> None:
        self.config = config
        self.on_hit, self.on_state, self.on_notice, self.on_frame = on_hit, on_state, on_notice, on_frame
        self.pipeline: ScanPipeline | None = None
        self._stop = threading.Event()
        self._entered = (-1, 0)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def stop(self) -> None:
        """From any thread: the loop ends within one frame read (or retry wait)."""
        self._stop.set()

    def run(self) -> None:
        try:
            self._scan()
        except Exception:  # a bug: logged with its traceback; the ID pad still works
            log.exception("scan worker failed")
            self.on_state(ScanEvent(ScanState.ERROR))

    def _scan(self) -> None:
        from shoumen_gui.scanning.decoders import choose_decoder
        from shoumen_gui.scanning.errors import CameraLost, DecoderUnavailable, SourceUnavailable
        from shoumen_gui.scanning.pipeline import ScanPipeline

        config, stop = self.config, self._stop
        try:
            choice = choose_decoder(config.decoder)
        except DecoderUnavailable as exc:
            self.on_state(ScanEvent(ScanState.ERROR, exc.message, code=exc.code))
            return
        if choice.notice:
            self.on_notice(choice.notice)
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
                    self.on_state(ScanEvent(ScanState.ERROR, exc.message, code=exc.code))
                    return
                self.on_state(
                    ScanEvent(ScanState.LOST if lost else ScanState.NO_CAMERA, exc.message, code=exc.code)
                )
                stop.wait(config.retry_seconds)
                continue
            self.on_state(ScanEvent(ScanState.SCANNING, source.description, reconnected=lost))
            lost = False
            try:
                for read in pipeline.run(source, stop=stop, on_frame=self._on_frame):
                    index, entered = self._entered
                    entered_ns = entered if index == read.frame_index else time.perf_counter_ns()
                    self.on_hit(ScanHit(read.text, read.ascii_ok, read.frame_index, entered_ns))
            except CameraLost as exc:
                lost = True
                pipeline.stabiliser.reset()
                self.on_state(ScanEvent(ScanState.LOST, exc.message, code=exc.code))
                stop.wait(config.retry_seconds)
                continue
            finally:
                source.close()
            if not stop.is_set():
                self.on_state(ScanEvent(ScanState.ENDED, source.description))
            log.info("scan finished: %s", pipeline.stats.summary())
            return

    def _on_frame(self, frame: Frame) -> None:
        self._entered = (frame.index, time.perf_counter_ns())
        self.on_frame(frame)


def _quiet_opencv() -> None:
    """OpenCV warns on stderr at every failed camera open (V4L2 "can't open camera by index")."""
    import cv2.utils.logging as cv_logging

    cv_logging.setLogLevel(cv_logging.LOG_LEVEL_ERROR)
