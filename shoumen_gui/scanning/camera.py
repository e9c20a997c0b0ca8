"""The camera at the gate, through OpenCV (``cv2.VideoCapture``).

With no camera, OpenCV answers ``isOpened() == False`` within milliseconds: that is
CameraUnavailable ("未检测到摄像头"), and the guard keeps the ID pad. A camera unplugged
mid-shift shows as failed reads: after ``max_failures`` in a row, CameraLost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

import cv2

from shoumen_gui.scanning.errors import CameraLost, CameraUnavailable
from shoumen_gui.scanning.frames import Frame, SourceBase

log = logging.getLogger("shoumen.gui.scanning")


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` we use; the camera device is the outside boundary."""

    def isOpened(self) -> bool: ...

    def read(self) -> tuple[bool, Any]: ...

    def get(self, prop_id: int) -> float: ...

    def set(self, prop_id: int, value: float) -> bool: ...

    def release(self) -> None: ...


def _default_capture(index: int, api_preference: int) -> Capture:
    capture: Capture = cv2.VideoCapture(index, api_preference)
    return capture


class CameraSource(SourceBase):
    """A camera by OpenCV index.

    ``open()`` raises CameraUnavailable at once when there is no such camera (OpenCV answers
    ``isOpened() == False`` within milliseconds). ``read()`` returns None after a failed
    grab; ``max_failures`` failed grabs in a row mean the camera is gone: the capture is
    released and CameraLost raised. ``open()`` again to retry (e.g. every few seconds).
    """

    def __init__(
        self,
        index: int = 0,
        *,
        resolution: tuple[int, int] | None = (1280, 720),
        max_failures: int = 15,
        api_preference: int = cv2.CAP_ANY,
        capture_factory: Callable[[int, int], Capture] = _default_capture,
    ) -> None:
        self.index = index
        self.resolution = resolution
        self.max_failures = max_failures
        self._api_preference = api_preference
        self._factory = capture_factory
        self._capture: Capture | None = None
        self._fps = 30.0
        self._failures = 0
        self._count = 0

    @property
    def description(self) -> str:
        return f"摄像头 {self.index}"

    @property
    def fps(self) -> float:
        return self._fps

    @property
    def realtime(self) -> bool:
        return True

    @property
    def at_end(self) -> bool:
        return False

    @property
    def is_open(self) -> bool:
        return self._capture is not None

    def open(self) -> None:
        self.close()
        capture = self._factory(self.index, self._api_preference)
        if not capture.isOpened():
            capture.release()
            raise CameraUnavailable()
        if self.resolution is not None:
            # A request, not a promise: the driver picks the nearest mode it has.
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.resolution[0])
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.resolution[1])
        reported = capture.get(cv2.CAP_PROP_FPS)
        self._fps = reported if 1.0 <= reported <= 240.0 else 30.0
        self._capture = capture
        self._failures = 0
        log.info("camera %d opened at %.0f fps", self.index, self._fps)

    def read(self) -> Frame | None:
        if self._capture is None:
            return None
        ok, image = self._capture.read()
        if not ok or image is None or getattr(image, "size", 0) == 0:
            self._failures += 1
            if self._failures >= self.max_failures:
                log.warning("camera %d lost after %d failed reads", self.index, self._failures)
                self.close()
                raise CameraLost()
            return None
        self._failures = 0
        frame = Frame(image=image, index=self._count, timestamp_ns=time.monotonic_ns())
        self._count += 1
        return frame

    def close(self) -> None:
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()
