"""Frame sources: real video files and image folders; the camera at its device boundary."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from shoumen_gui.scanning.errors import CameraLost, CameraUnavailable, SourceUnavailable
from shoumen_gui.scanning.frames import Frame
from shoumen_gui.scanning.sources import CameraSource, ImageFolderSource, VideoFileSource, open_source
from shoumen_gui.scanning.testframes import SIZE_480P, make_frame, write_test_images, write_test_video
from tests.gui.scanning.fakes import FakeCamera, FakeClock


def read_all(source: VideoFileSource | ImageFolderSource, limit: int = 1000) -> list[Frame]:
    frames: list[Frame] = []
    while len(frames) < limit:
        frame = source.read()
        if frame is None:
            break
        frames.append(frame)
    return frames


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("video") / "gate.mp4"
    assert write_test_video(path, ["SMHC1.one", None, "SMHC1.two"], fps=10, seconds_each=1.0) == 30
    return path


# --- video file --------------------------------------------------------------------------------


def test_a_video_file_delivers_every_frame_then_ends(video: Path) -> None:
    with VideoFileSource(video, realtime=False) as source:
        assert source.fps == pytest.approx(10.0)
        assert source.description == "视频 gate.mp4"
        frames = read_all(source)
        assert source.at_end
        assert source.read() is None
    assert [f.index for f in frames] == list(range(30))
    assert frames[0].image.shape == (480, 640, 3)
    assert frames[0].image.dtype == np.uint8
    # Media time: 100 ms per frame at 10 fps.
    assert [f.timestamp_ns for f in frames[:3]] == [0, 100_000_000, 200_000_000]


def test_a_realtime_video_is_paced_at_its_fps(video: Path, clock: FakeClock) -> None:
    with VideoFileSource(video, realtime=True, clock=clock, sleep=clock.sleep) as source:
        started = clock()
        frames = read_all(source)
    assert len(frames) == 30
    # The last frame is due 29 intervals after the first; nothing is read early.
    assert clock() - started == pytest.approx(2.9)
    assert all(s == pytest.approx(0.1) for s in clock.sleeps)


def test_a_realtime_video_does_not_wait_when_the_reader_is_late(video: Path, clock: FakeClock) -> None:
    with VideoFileSource(video, realtime=True, clock=clock, sleep=clock.sleep) as source:
        source.read()
        clock.advance(1.0)  # the consumer spent a second elsewhere
        for _ in range(10):
            source.read()
    assert clock.sleeps == []


def test_a_looping_video_starts_again(video: Path) -> None:
    with VideoFileSource(video, loop=True, realtime=False) as source:
        frames = read_all(source, limit=45)
        assert not source.at_end
    assert len(frames) == 45
    assert frames[40].timestamp_ns == 4_000_000_000  # media time runs on across the loop
    assert np.array_equal(frames[30].image, frames[0].image)


def test_a_missing_or_broken_video_is_source_unavailable(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailable) as missing:
        VideoFileSource(tmp_path / "nope.mp4").open()
    assert missing.value.code == "video_missing"
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    with pytest.raises(SourceUnavailable) as unreadable:
        VideoFileSource(broken).open()
    assert unreadable.value.code == "video_unreadable"
    assert not isinstance(unreadable.value, CameraUnavailable)


# --- image folder -------------------------------------------------------------------------------


def test_an_image_folder_delivers_each_image_in_name_order(tmp_path: Path) -> None:
    write_test_images(tmp_path, ["SMHC1.a", None, "SMHC1.c"])
    (tmp_path / "notes.txt").write_text("not an image")
    with ImageFolderSource(tmp_path, frames_per_image=2, fps=5) as source:
        assert [p.name for p in source.files] == ["000.png", "001.png", "002.png"]
        frames = read_all(source)
        assert source.at_end
    assert len(frames) == 6
    assert np.array_equal(frames[0].image, frames[1].image)
    assert not np.array_equal(frames[1].image, frames[2].image)
    assert frames[5].timestamp_ns == 1_000_000_000


def test_an_unreadable_image_is_skipped(tmp_path: Path) -> None:
    write_test_images(tmp_path, ["SMHC1.a", "SMHC1.b"])
    (tmp_path / "000b.jpg").write_bytes(b"\xff\xd8 truncated")
    with ImageFolderSource(tmp_path, frames_per_image=1) as source:
        frames = read_all(source)
    assert len(frames) == 2


def test_a_looping_image_folder_goes_round(tmp_path: Path) -> None:
    write_test_images(tmp_path, ["SMHC1.a", "SMHC1.b"])
    with ImageFolderSource(tmp_path, frames_per_image=1, loop=True) as source:
        frames = read_all(source, limit=5)
    assert np.array_equal(frames[0].image, frames[2].image)
    assert np.array_equal(frames[1].image, frames[3].image)


def test_an_image_folder_with_a_non_ascii_name(tmp_path: Path) -> None:
    folder = tmp_path / "演示图片"
    write_test_images(folder, ["SMHC1.a"])
    with ImageFolderSource(folder, frames_per_image=1) as source:
        assert len(read_all(source)) == 1


def test_a_missing_or_empty_folder_is_source_unavailable(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailable) as missing:
        ImageFolderSource(tmp_path / "nope").open()
    assert missing.value.code == "folder_missing"
    with pytest.raises(SourceUnavailable) as empty:
        ImageFolderSource(tmp_path).open()
    assert empty.value.code == "folder_empty"


# --- camera ---------------------------------------------------------------------------------------


def test_a_camera_that_does_not_exist_is_unavailable_at_once() -> None:
    source = CameraSource(97)  # real OpenCV: no machine has a 98th camera
    started = time.monotonic()
    with pytest.raises(CameraUnavailable) as caught:
        source.open()
    # OpenCV answers in milliseconds; the bound only guards against a hang on a busy machine.
    assert time.monotonic() - started < 10.0
    assert caught.value.message == "未检测到摄像头"
    assert caught.value.code == "camera_unavailable"
    assert not source.is_open


def test_a_camera_delivers_frames_with_monotonic_timestamps() -> None:
    camera = FakeCamera([make_frame("SMHC1.cam", size=SIZE_480P)], fps=25)
    with CameraSource(0, capture_factory=camera.factory) as source:
        assert source.fps == 25
        assert source.realtime and not source.at_end
        first, second = source.read(), source.read()
    assert first is not None and second is not None
    assert (first.index, second.index) == (0, 1)
    assert 0 <= second.timestamp_ns - first.timestamp_ns < 10**10
    assert camera.captures[0].settings  # the resolution was asked for


def test_an_unplugged_camera_is_lost_and_can_be_reopened() -> None:
    camera = FakeCamera([make_frame(None, size=SIZE_480P)])
    source = CameraSource(0, max_failures=5, capture_factory=camera.factory)
    source.open()
    assert source.read() is not None
    camera.plugged_in = False
    assert [source.read() for _ in range(4)] == [None] * 4  # a hiccup is not a loss
    with pytest.raises(CameraLost) as lost:
        source.read()
    assert lost.value.code == "camera_lost"
    assert not source.is_open
    with pytest.raises(CameraUnavailable):
        source.open()  # still unplugged
    camera.plugged_in = True
    source.open()
    assert source.read() is not None
    source.close()
    source.close()  # closing twice is harmless


def test_a_good_frame_resets_the_failure_count() -> None:
    camera = FakeCamera([make_frame(None, size=SIZE_480P)])
    with CameraSource(0, max_failures=3, capture_factory=camera.factory) as source:
        for _ in range(5):
            camera.plugged_in = False
            assert source.read() is None
            assert source.read() is None
            camera.plugged_in = True
            assert source.read() is not None


# --- factory ----------------------------------------------------------------------------------------


def test_open_source_opens_the_one_given(video: Path, tmp_path: Path) -> None:
    source = open_source(video=video, realtime=False)
    try:
        assert isinstance(source, VideoFileSource)
        assert source.read() is not None
    finally:
        source.close()
    write_test_images(tmp_path, ["SMHC1.a"])
    folder = open_source(images=tmp_path)
    assert isinstance(folder, ImageFolderSource)
    assert folder.read() is not None
    with pytest.raises(CameraUnavailable):
        open_source(camera=97)


@pytest.mark.parametrize(
    "kwargs", [{}, {"camera": 0, "video": Path("a.mp4")}, {"video": Path("a.mp4"), "images": Path("x")}]
)
def test_open_source_wants_exactly_one(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        open_source(**kwargs)  # type: ignore[arg-type]
