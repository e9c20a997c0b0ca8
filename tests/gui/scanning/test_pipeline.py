"""ScanPipeline: frames from real sources through real decoders to stabilised reads."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from shoumen_gui.scanning.decoders import DecodedText, Decoder, DecoderName, PyzbarDecoder, ZxingDecoder
from shoumen_gui.scanning.errors import CameraLost
from shoumen_gui.scanning.frames import Frame, Image
from shoumen_gui.scanning.pipeline import ScanPipeline, ScanRead
from shoumen_gui.scanning.sources import CameraSource, ImageFolderSource, VideoFileSource
from shoumen_gui.scanning.stabiliser import ReadStabiliser
from shoumen_gui.scanning.testframes import SIZE_480P, make_frame, write_test_images, write_test_video
from tests.gui.scanning.fakes import FakeCamera, FakeClock


def texts_of(reads: list[ScanRead]) -> list[str]:
    return [read.text for read in reads]


@pytest.fixture(scope="module")
def three_codes_video(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    from shoumen_gui.scanning.testframes import sample_personal_code

    codes = [sample_personal_code(i) for i in range(3)]
    path = tmp_path_factory.mktemp("pipeline") / "three.mp4"
    write_test_video(path, [codes[0], None, codes[1], codes[2]], fps=10, seconds_each=1.5)
    return path, codes


def test_each_code_of_a_video_is_read_exactly_once(
    decoder: Decoder, three_codes_video: tuple[Path, list[str]]
) -> None:
    path, codes = three_codes_video
    pipeline = ScanPipeline(decoder)
    with VideoFileSource(path, realtime=False) as source:
        reads = list(pipeline.run(source))
    assert texts_of(reads) == codes
    assert all(read.ascii_ok and read.decoder == decoder.name for read in reads)
    # Each read comes from its code's frames (0-14, 15-29 empty, 30-44, 45-59), at the
    # earliest on the second of them.
    first, second, third = (read.frame_index for read in reads)
    assert (1 <= first < 15, 31 <= second < 45, 46 <= third < 60) == (True, True, True)
    assert pipeline.stats.frames == 60
    assert pipeline.stats.skipped == 0  # not realtime: every frame is decoded


def test_a_code_shown_again_within_five_seconds_of_media_time_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "again.mp4"
    # A (0-1.5 s), B, A again at 3.0 s: 1.6 s after A was last seen -> ignored;
    # then 4 s of nothing and A at 9.0 s -> a new read.
    write_test_video(path, ["SMHC1.A", "SMHC1.B", "SMHC1.A", None, None, None, None, "SMHC1.A"], fps=10)
    with VideoFileSource(path, realtime=False) as source:
        reads = list(ScanPipeline(ZxingDecoder()).run(source))
    assert texts_of(reads) == ["SMHC1.A", "SMHC1.B", "SMHC1.A"]
    # The last A runs from frame 105 (10.5 s media time); it needs two decodes.
    assert 10_600_000_000 <= reads[2].timestamp_ns < 12_000_000_000


def test_a_non_ascii_code_is_one_flagged_read(tmp_path: Path) -> None:
    write_test_images(tmp_path, ["来访登记", "SMHC1.after"])
    with ImageFolderSource(tmp_path, frames_per_image=3) as source:
        reads = list(ScanPipeline(ZxingDecoder()).run(source))
    assert [(r.text, r.ascii_ok) for r in reads] == [("来访登记", False), ("SMHC1.after", True)]


class SlowDecoder:
    """A real decoder on a slow machine: each decode takes ``seconds`` on the pipeline's timer."""

    def __init__(self, inner: Decoder, timer: FakeClock, seconds: float) -> None:
        self._inner = inner
        self._timer = timer
        self._seconds = seconds
        self.calls = 0

    @property
    def name(self) -> DecoderName:
        return self._inner.name

    def decode(self, gray: Image) -> list[DecodedText]:
        self.calls += 1
        self._timer.advance(self._seconds)
        return self._inner.decode(gray)


def frame_stream(text: str | None, count: int, fps: float = 10.0) -> list[Frame]:
    image = make_frame(text, size=SIZE_480P)
    return [Frame(image, i, round(i * 1e9 / fps)) for i in range(count)]


def test_a_slow_decoder_decodes_only_every_nth_frame(zxing: ZxingDecoder, clock: FakeClock) -> None:
    slow = SlowDecoder(zxing, clock, seconds=0.25)  # 250 ms per decode, a frame every 100 ms
    pipeline = ScanPipeline(slow, frame_interval_s=0.1, budget=0.8, timer=clock)
    reads = []
    for frame in frame_stream("SMHC1.slow", 40):
        reads += pipeline.process(frame)
    assert pipeline.stats.stride == 4  # ceil(0.25 / 0.08)
    assert slow.calls == pipeline.stats.decoded == 10
    assert pipeline.stats.skipped == 30
    assert pipeline.stats.median_decode_ms == pytest.approx(250)
    assert texts_of(reads) == ["SMHC1.slow"]  # still read, just later
    assert reads[0].frame_index == 4  # frames 0 and 4 decoded; 1-3 skipped


def test_a_fast_decoder_decodes_every_frame(zxing: ZxingDecoder, clock: FakeClock) -> None:
    fast = SlowDecoder(zxing, clock, seconds=0.01)
    pipeline = ScanPipeline(fast, frame_interval_s=0.1, timer=clock)
    for frame in frame_stream(None, 20):
        pipeline.process(frame)
    assert (pipeline.stats.decoded, pipeline.stats.skipped, pipeline.stats.stride) == (20, 0, 1)


def test_the_stride_comes_back_down_when_decoding_speeds_up(zxing: ZxingDecoder, clock: FakeClock) -> None:
    decoder = SlowDecoder(zxing, clock, seconds=0.3)
    pipeline = ScanPipeline(decoder, frame_interval_s=0.1, timer=clock)
    frames = frame_stream(None, 60)
    for frame in frames[:20]:
        pipeline.process(frame)
    assert pipeline.stats.stride > 1
    decoder._seconds = 0.005
    for frame in frames[20:]:
        pipeline.process(frame)
    assert pipeline.stats.stride == 1


def test_a_realtime_source_sets_the_frame_interval(three_codes_video: tuple[Path, list[str]]) -> None:
    path, _ = three_codes_video
    clock = FakeClock()
    pipeline = ScanPipeline(ZxingDecoder())
    with VideoFileSource(path, realtime=True, clock=clock, sleep=clock.sleep) as source:
        next(pipeline.run(source))
    assert pipeline.frame_interval_s == pytest.approx(0.1)


def test_a_bad_frame_is_counted_not_fatal(zxing: ZxingDecoder) -> None:
    pipeline = ScanPipeline(zxing)
    good = make_frame("SMHC1.ok", size=SIZE_480P)
    frames = [
        Frame(good, 0, 0),
        Frame(np.zeros((480, 640), np.float64), 1, 100_000_000),
        Frame(good, 2, 200_000_000),
    ]
    reads = [read for frame in frames for read in pipeline.process(frame)]
    assert texts_of(reads) == ["SMHC1.ok"]
    assert pipeline.stats.bad == 1
    assert "bad=1" in pipeline.stats.summary()


def test_large_frames_are_downscaled_before_decoding(zxing: ZxingDecoder) -> None:
    seen: list[tuple[int, ...]] = []

    class Spy:
        name: DecoderName = "zxing"

        def decode(self, gray: Image) -> list[DecodedText]:
            seen.append(gray.shape)
            return zxing.decode(gray)

    pipeline = ScanPipeline(Spy(), ReadStabiliser(required=1))
    image = make_frame("SMHC1.fullhd", size=(1920, 1080))
    assert texts_of(pipeline.process(Frame(image, 0, 0))) == ["SMHC1.fullhd"]
    assert seen == [(720, 1280)]


def test_run_stops_when_asked(zxing: ZxingDecoder) -> None:
    camera = FakeCamera([make_frame(None, size=SIZE_480P)])
    stop = threading.Event()
    previews: list[int] = []

    def on_frame(frame: Frame) -> None:
        previews.append(frame.index)
        if len(previews) == 5:
            stop.set()

    with CameraSource(0, capture_factory=camera.factory) as source:
        assert list(ScanPipeline(zxing).run(source, stop=stop, on_frame=on_frame)) == []
    assert previews == [0, 1, 2, 3, 4]


def test_a_lost_camera_ends_the_run_with_camera_lost(zxing: ZxingDecoder) -> None:
    camera = FakeCamera([make_frame("SMHC1.cam", size=SIZE_480P)])
    seen = 0

    def unplug_after_three(frame: Frame) -> None:
        nonlocal seen
        seen += 1
        if seen == 3:
            camera.plugged_in = False

    with CameraSource(0, max_failures=3, capture_factory=camera.factory) as source:
        reads = []
        with pytest.raises(CameraLost):
            for read in ScanPipeline(zxing).run(source, on_frame=unplug_after_three):
                reads.append(read)
    assert texts_of(reads) == ["SMHC1.cam"]


def test_an_image_folder_waits_for_a_slow_decoder_instead_of_skipping(
    tmp_path: Path, clock: FakeClock, zxing: ZxingDecoder
) -> None:
    """`shoumen --images` read 2 of 6 images: each is shown for two frames, and a decoder slower
    than the frame interval made the pipeline skip frames (issue 16 §8). A folder waits."""
    texts = [f"SMHC1.photo-{i}" for i in range(6)]
    write_test_images(tmp_path / "imgs", texts)

    class Slow:
        name: DecoderName = "zxing"

        def decode(self, gray: Image) -> list[DecodedText]:
            clock.advance(0.5)  # a 12 MP photo on a slow PC: longer than the 0.2 s frame interval
            return zxing.decode(gray)

    pipeline = ScanPipeline(Slow(), timer=clock)
    with ImageFolderSource(tmp_path / "imgs", realtime=True, clock=clock, sleep=clock.sleep) as source:
        assert source.waits
        reads = list(pipeline.run(source))
    assert texts_of(reads) == texts
    assert pipeline.stats.skipped == 0


def test_zxing_gets_the_full_frame_pyzbar_a_narrower_one(zxing: ZxingDecoder, pyzbar: PyzbarDecoder) -> None:
    assert ScanPipeline(zxing).max_width is None  # zxing searches smaller scales itself
    assert ScanPipeline(pyzbar).max_width == 1280


class ExpensiveSecondLooks:
    """A decoder whose plain read takes 3 ms and whose second looks take 15 ms more (the shape
    bench_hard_frames measured for an empty 720p frame)."""

    name: DecoderName = "zxing"
    max_width: int | None = None

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock
        self.plain_s: float | None = None

    def decode(self, gray: Image) -> list[DecodedText]:
        self.plain_s = 0.003
        self._clock.advance(0.018)
        return []


def test_the_camera_stride_follows_the_plain_read_not_the_second_looks(clock: FakeClock) -> None:
    decoder = ExpensiveSecondLooks(clock)
    pipeline = ScanPipeline(decoder, frame_interval_s=1 / 30, budget=0.05, timer=clock)
    for frame in frame_stream(None, 60, fps=30):
        pipeline.process(frame)
    # ceil(3 ms / (5 % of 33 ms)) = 2; counting the second looks (18 ms) would make it 11 and an
    # easy code would wait up to 11 frames for its first decode.
    assert pipeline.stats.stride == 2


def test_a_camera_paces_the_blind_second_look_and_a_folder_does_not(
    three_codes_video: tuple[Path, list[str]], tmp_path: Path
) -> None:
    from shoumen_gui.scanning.pipeline import CAMERA_BLIND_LOOK_INTERVAL_S

    path, _ = three_codes_video
    clock = FakeClock()
    camera_like = ZxingDecoder()
    with VideoFileSource(path, realtime=True, clock=clock, sleep=clock.sleep) as source:
        next(ScanPipeline(camera_like).run(source))
    assert camera_like.recovery_interval_s == CAMERA_BLIND_LOOK_INTERVAL_S
    folder = tmp_path / "images"
    write_test_images(folder, ["SMHC1.folder"])
    for_folder = ZxingDecoder()
    with ImageFolderSource(
        folder, realtime=True, clock=clock, sleep=clock.sleep
    ) as source:  # paced, but it waits
        list(ScanPipeline(for_folder).run(source))
    assert for_folder.recovery_interval_s == 0.0  # every image gets its second look
