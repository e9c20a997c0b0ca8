"""Stand-ins for the camera in demos and tests: a video file and a folder of images.

A paced (``realtime=True``) file source behaves like a camera; frame timestamps are media
time, so the read stabiliser's repeat window holds even when a file is read at full speed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from shoumen_gui.scanning.errors import SourceUnavailable
from shoumen_gui.scanning.frames import Frame, Image, SourceBase, as_image

log = logging.getLogger("shoumen.gui.scanning")

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})


class _Pacer:
    """Holds each frame back until its time, as a camera would deliver it."""

    def __init__(self, fps: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self._interval = 1.0 / fps
        self._clock = clock
        self._sleep = sleep
        self._start: float | None = None
        self._emitted = 0

    def wait_for_next(self) -> None:
        now = self._clock()
        if self._start is None:
            self._start = now
        due = self._start + self._emitted * self._interval
        if due > now:
            self._sleep(due - now)
        self._emitted += 1


class _PacedFileSource(SourceBase):
    """What the file stand-ins share: a path, optional looping and camera-like pacing, and
    frames numbered and timestamped in media time."""

    def __init__(
        self,
        path: Path,
        *,
        fps: float,
        loop: bool,
        realtime: bool,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.path = Path(path)
        self.loop = loop
        self._fps = fps
        self._realtime = realtime
        self._clock = clock
        self._sleep = sleep
        self._pacer: _Pacer | None = None
        self._count = 0
        self._at_end = False

    @property
    def fps(self) -> float:
        return self._fps

    @property
    def realtime(self) -> bool:
        return self._realtime

    @property
    def at_end(self) -> bool:
        return self._at_end

    def _start(self) -> None:
        """Frame numbering and pacing begin again (after open)."""
        self._pacer = _Pacer(self._fps, self._clock, self._sleep) if self._realtime else None
        self._count = 0
        self._at_end = False

    def _deliver(self, image: Image) -> Frame:
        if self._pacer is not None:
            self._pacer.wait_for_next()
        frame = Frame(image=image, index=self._count, timestamp_ns=round(self._count * 1e9 / self._fps))
        self._count += 1
        return frame


class VideoFileSource(_PacedFileSource):
    """A video file (any format the OpenCV wheel reads: mp4v, MJPG, ...).

    ``realtime=True`` delivers frames at the file's fps, like a camera; False delivers them
    as fast as they are read. ``loop=True`` starts again at the end (a demo kiosk). Frame
    timestamps are media time, continuing across loops.
    """

    def __init__(
        self,
        path: Path,
        *,
        loop: bool = False,
        realtime: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(path, fps=25.0, loop=loop, realtime=realtime, clock=clock, sleep=sleep)
        self._capture: Any = None

    @property
    def description(self) -> str:
        return f"视频 {self.path.name}"

    def open(self) -> None:
        self.close()
        if not self.path.is_file():
            raise SourceUnavailable(f"找不到视频文件：{self.path.name}", code="video_missing")
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise SourceUnavailable(f"无法读取视频文件：{self.path.name}", code="video_unreadable")
        reported = capture.get(cv2.CAP_PROP_FPS)
        self._fps = reported if 1.0 <= reported <= 240.0 else 25.0
        self._capture = capture
        self._start()

    def read(self) -> Frame | None:
        if self._capture is None or self._at_end:
            return None
        ok, image = self._capture.read()
        if not ok and self.loop and self._count > 0:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self._capture.read()
        if not ok or image is None:
            self._at_end = True
            return None
        return self._deliver(image)

    def close(self) -> None:
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()


def read_image(path: Path) -> Image | None:
    """cv2.imread that also reads non-ASCII paths on Windows (a user folder named 张三)."""
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return None
    if data.size == 0:
        return None
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return None if image is None else as_image(image)


class ImageFolderSource(_PacedFileSource):
    """The images of a folder in name order, each delivered ``frames_per_image`` times (the
    stabiliser wants two identical decodes), at a nominal ``fps``. Unreadable files are
    skipped with a log line. Timestamps are slideshow time.

    It ``waits``: an image is shown for only ``frames_per_image`` frames, so a skipped frame
    is a lost read. Paced or not, the next image comes only after the last one was decoded
    (`shoumen --images` read 2 of 6 photos while the pipeline skipped frames, issue 16 §8).
    """

    waits = True

    def __init__(
        self,
        path: Path,
        *,
        frames_per_image: int = 2,
        fps: float = 5.0,
        loop: bool = False,
        realtime: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if frames_per_image < 1 or fps <= 0:
            raise ValueError("frames_per_image must be at least 1 and fps positive")
        super().__init__(path, fps=fps, loop=loop, realtime=realtime, clock=clock, sleep=sleep)
        self.frames_per_image = frames_per_image
        self._files: list[Path] = []
        self._position = 0  # index into the files times frames_per_image, across loops
        self._current: tuple[int, Image] | None = None

    @property
    def description(self) -> str:
        return f"图片文件夹 {self.path.name}"

    @property
    def files(self) -> list[Path]:
        return list(self._files)

    def open(self) -> None:
        if not self.path.is_dir():
            raise SourceUnavailable(f"找不到图片文件夹：{self.path.name}", code="folder_missing")
        files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        if not files:
            raise SourceUnavailable(f"文件夹中没有图片：{self.path.name}", code="folder_empty")
        self._files = files
        self._position = 0
        self._current = None
        self._start()

    def read(self) -> Frame | None:
        image = self._next_image()
        if image is None:
            self._at_end = True
            return None
        return self._deliver(image)

    def _next_image(self) -> Image | None:
        total = len(self._files) * self.frames_per_image
        misses = 0
        while not self._at_end and self._files and misses < len(self._files):
            if self._position >= total:
                if not self.loop:
                    return None
                self._position = 0
            file_index = self._position // self.frames_per_image
            self._position += 1
            if self._current is not None and self._current[0] == file_index:
                return self._current[1]
            image = read_image(self._files[file_index])
            if image is None:
                log.warning("skipping unreadable image %s", self._files[file_index].name)
                self._position = (file_index + 1) * self.frames_per_image
                misses += 1
                continue
            self._current = (file_index, image)
            return image
        return None

    def close(self) -> None:
        self._current = None
