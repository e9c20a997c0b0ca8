"""scanning/camera.py's own API against a capture that behaves like ``cv2.VideoCapture``.

The camera device is the outside boundary. `RecordedCamera` is a real ``cv2.VideoCapture``
on a generated video file (the frames a camera at the gate would deliver, QR codes and all):
``read()`` returns ``(ok, frame)``, and when the recording ends it answers like an unplugged
camera, ``(False, None)``, every time. A missing recording is a capture that is not opened,
as OpenCV answers for a camera index with no device.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from shoumen_gui.scanning.camera import CameraSource
from shoumen_gui.scanning.decoders import ZxingDecoder
from shoumen_gui.scanning.errors import CameraLost, CameraUnavailable
from shoumen_gui.scanning.testframes import write_test_video

FRAMES = 6  # the recording: 3 frames of each code at 3 fps


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("camera") / "gate.mp4"
    assert write_test_video(path, ["SMHC1.first", "SMHC1.second"], fps=3, seconds_each=1.0) == FRAMES
    return path


class RecordedCamera:
    """A camera device played from a recording: each capture opens the file from its start."""

    def __init__(self, path: Path, *, fps: float | None = None) -> None:
        self.path = path
        self.fps = fps  # what the driver reports instead of the file's own, e.g. 0 for "unknown"
        self.captures: list[RecordedCapture] = []
        self.opened_with: list[tuple[int, int]] = []

    def factory(self, index: int, api_preference: int) -> RecordedCapture:
        self.opened_with.append((index, api_preference))
        capture = RecordedCapture(cv2.VideoCapture(str(self.path)), self.fps)
        self.captures.append(capture)
        return capture


class RecordedCapture:
    def __init__(self, real: cv2.VideoCapture, fps: float | None) -> None:
        self.real = real
        self.fps = fps
        self.requested: dict[int, float] = {}
        self.released = False

    def isOpened(self) -> bool:
        return bool(self.real.isOpened())

    def read(self) -> tuple[bool, Any]:
        ok, frame = self.real.read()
        return bool(ok), frame

    def get(self, prop_id: int) -> float:
        if prop_id == cv2.CAP_PROP_FPS and self.fps is not None:
            return self.fps
        return float(self.real.get(prop_id))

    def set(self, prop_id: int, value: float) -> bool:
        # A camera takes a resolution request; a file cannot change its own: remember it.
        self.requested[prop_id] = value
        return True

    def release(self) -> None:
        self.released = True
        self.real.release()


class ArrayCapture:
    """A capture whose reads are given one by one: frames, failed grabs, empty images."""

    def __init__(self, reads: list[tuple[bool, Any]]) -> None:
        self.reads = list(reads)
        self.released = False

    def isOpened(self) -> bool:
        return True

    def read(self) -> tuple[bool, Any]:
        return self.reads.pop(0) if self.reads else (False, None)

    def get(self, prop_id: int) -> float:
        return 30.0

    def set(self, prop_id: int, value: float) -> bool:
        return True

    def release(self) -> None:
        self.released = True


def test_the_camera_delivers_the_recorded_frames_in_order_and_a_decoder_reads_them(recording: Path) -> None:
    camera = RecordedCamera(recording)
    zxing = ZxingDecoder()
    with CameraSource(4, capture_factory=camera.factory) as source:
        assert source.is_open and source.description == "摄像头 4"
        frames = [source.read() for _ in range(FRAMES)]
    assert all(frame is not None for frame in frames)
    assert [frame.index for frame in frames if frame is not None] == list(range(FRAMES))
    texts = [zxing.decode(cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY)) for frame in frames if frame]
    assert [t[0].text if t else None for t in texts] == ["SMHC1.first"] * 3 + ["SMHC1.second"] * 3
    assert camera.opened_with[0][0] == 4
    assert camera.captures[0].released  # leaving the with-block lets the device go


def test_the_resolution_is_asked_for_and_none_asks_nothing(recording: Path) -> None:
    camera = RecordedCamera(recording)
    with CameraSource(0, resolution=(640, 480), capture_factory=camera.factory):
        pass
    with CameraSource(0, resolution=None, capture_factory=camera.factory):
        pass
    assert camera.captures[0].requested == {cv2.CAP_PROP_FRAME_WIDTH: 640, cv2.CAP_PROP_FRAME_HEIGHT: 480}
    assert camera.captures[1].requested == {}


@pytest.mark.parametrize(
    ("reported", "used"), [(3.0, 3.0), (0.0, 30.0), (1000.0, 30.0), (float("nan"), 30.0)]
)
def test_a_driver_that_reports_no_sensible_frame_rate_gets_30_fps(
    recording: Path, reported: float, used: float
) -> None:
    with CameraSource(0, capture_factory=RecordedCamera(recording, fps=reported).factory) as source:
        assert source.fps == used


def test_a_camera_that_is_not_there_is_unavailable_and_its_capture_released(tmp_path: Path) -> None:
    camera = RecordedCamera(tmp_path / "no-such-device.mp4")
    source = CameraSource(0, capture_factory=camera.factory)
    with pytest.raises(CameraUnavailable) as caught:
        source.open()
    assert caught.value.message == "未检测到摄像头"
    assert not source.is_open and source.read() is None
    assert camera.captures[0].released


def test_when_the_frames_stop_the_camera_is_lost_after_max_failures_reads(recording: Path) -> None:
    camera = RecordedCamera(recording)
    source = CameraSource(0, max_failures=4, capture_factory=camera.factory)
    source.open()
    assert all(source.read() is not None for _ in range(FRAMES))
    assert [source.read() for _ in range(3)] == [None] * 3  # the recording ended: failed grabs
    with pytest.raises(CameraLost) as lost:
        source.read()
    assert lost.value.message == "摄像头连接已断开，请检查后重试"
    assert not source.is_open and camera.captures[0].released
    assert source.read() is None  # a lost camera reads nothing until opened again

    source.open()  # the retry: a new capture from the start
    frame = source.read()
    assert frame is not None and frame.index == FRAMES  # indices keep counting across a retry
    source.close()


def test_empty_images_count_as_failed_reads_and_a_good_one_resets_the_count() -> None:
    empty = np.zeros((0, 0, 3), dtype=np.uint8)
    good = np.full((48, 64, 3), 200, dtype=np.uint8)
    capture = ArrayCapture(
        [(True, empty), (True, None), (True, good), (True, empty), (True, empty), (False, good)]
    )
    source = CameraSource(0, max_failures=3, capture_factory=lambda index, api: capture)
    source.open()
    assert source.read() is None and source.read() is None
    frame = source.read()
    assert frame is not None and frame.image.shape == (48, 64, 3)
    assert source.read() is None and source.read() is None  # two failures after the good frame
    with pytest.raises(CameraLost):
        source.read()  # the third in a row; (False, frame) is a failed grab whatever it carries
    assert capture.released


def test_opening_again_releases_the_previous_capture(recording: Path) -> None:
    camera = RecordedCamera(recording)
    source = CameraSource(0, capture_factory=camera.factory)
    source.open()
    source.open()
    assert camera.captures[0].released and not camera.captures[1].released
    source.close()
    assert camera.captures[1].released
