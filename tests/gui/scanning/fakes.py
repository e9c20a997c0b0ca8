"""Stand-ins for the outside world: the clock and the camera device."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np


class FakeClock:
    """Seconds that move only when told; ``sleep`` moves them (and records the request)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeCamera:
    """Behaves like ``cv2.VideoCapture`` on a camera: frames until unplugged, then failed
    reads; a new capture of an unplugged camera is not opened."""

    def __init__(self, frames: list[np.ndarray], *, fps: float = 30.0) -> None:
        self.frames = frames
        self.fps = fps
        self.plugged_in = True
        self.captures: list[FakeCapture] = []

    def factory(self, index: int, api_preference: int) -> FakeCapture:
        capture = FakeCapture(self, opened=self.plugged_in and index == 0)
        self.captures.append(capture)
        return capture


class FakeCapture:
    def __init__(self, camera: FakeCamera, *, opened: bool) -> None:
        self._camera = camera
        self._opened = opened
        self._next = 0
        self.settings: dict[int, float] = {}

    def isOpened(self) -> bool:
        return self._opened

    def read(self) -> tuple[bool, Any]:
        if not self._opened or not self._camera.plugged_in:
            return False, None
        frame = self._camera.frames[self._next % len(self._camera.frames)]
        self._next += 1
        return True, frame.copy()

    def get(self, prop_id: int) -> float:
        if prop_id == cv2.CAP_PROP_FPS:
            return self._camera.fps if self._opened else 0.0
        return self.settings.get(prop_id, 0.0)

    def set(self, prop_id: int, value: float) -> bool:
        self.settings[prop_id] = value
        return self._opened

    def release(self) -> None:
        self._opened = False
