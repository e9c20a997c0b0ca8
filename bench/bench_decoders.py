"""QR decoding per camera frame: zxing-cpp against pyzbar, on the same generated frames.

Run: .venv/bin/python bench/bench_decoders.py [--with-code 150] [--without-code 50] [--repeats 3]

For 1280x720 and 640x480, builds a seeded frame set of real ``SMHC1.`` personal codes (QR
version 13) of varied size (2.6 pixels per module up to 60 % of the frame height), position,
rotation, tilt, blur and noise, plus frames without a code. Each decoder decodes every frame
``--repeats`` times; a frame's time is its fastest repeat (the machine is shared), the table
shows the median and 90th percentile over frames, the detection rate (right text on frames
with a code) and false reads (anything read on frames without one). Grey conversion is timed
separately: the pipeline does it once per frame, whichever decoder runs.

Then it replays the 720p frames as a 30 fps camera through ScanPipeline and reports how many
frames each decoder had to skip to keep up. Targets for zxing: <= 4 ms median at 720p, >= 95 %.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

from shoumen_gui.scanning.decoders import Decoder, PyzbarDecoder, ZxingDecoder
from shoumen_gui.scanning.frames import Frame, Image
from shoumen_gui.scanning.pipeline import ScanPipeline
from shoumen_gui.scanning.preprocess import prepare
from shoumen_gui.scanning.testframes import SIZE_480P, SIZE_720P, LabelledFrame, varied_frames


@dataclass
class Result:
    decoder: str
    size: tuple[int, int]
    times_ms: list[float]
    found: int
    with_code: int
    false_reads: int
    without_code: int

    def row(self) -> str:
        width, height = self.size
        median = statistics.median(self.times_ms)
        p90 = statistics.quantiles(self.times_ms, n=10)[-1]
        rate = 100.0 * self.found / self.with_code if self.with_code else 0.0
        return (
            f"| {self.decoder:<6} | {width}x{height:<4} | {median:6.2f} | {p90:6.2f} | "
            f"{rate:5.1f} % ({self.found}/{self.with_code}) | {self.false_reads}/{self.without_code} |"
        )


def time_once(decoder: Decoder, gray: Image) -> tuple[float, list[str]]:
    started = time.perf_counter()
    found = decoder.decode(gray)
    return (time.perf_counter() - started) * 1000, [item.text for item in found]


def run_decoder(decoder: Decoder, frames: list[LabelledFrame], grays: list[Image], repeats: int) -> Result:
    decoder.decode(grays[0])  # warm up
    times: list[float] = []
    found = false_reads = 0
    for labelled, gray in zip(frames, grays, strict=True):
        best, texts = time_once(decoder, gray)
        for _ in range(repeats - 1):
            best = min(best, time_once(decoder, gray)[0])
        times.append(best)
        if labelled.text is None:
            false_reads += bool(texts)
        elif labelled.text in texts:
            found += 1
    with_code = sum(1 for f in frames if f.text is not None)
    return Result(
        decoder.name, grays[0].shape[::-1], times, found, with_code, false_reads, len(frames) - with_code
    )


def replay_as_camera(decoder: Decoder, frames: list[LabelledFrame], fps: float) -> str:
    """Decode-or-skip decisions of the pipeline for a camera at ``fps`` (no sleeping: the
    skip rule depends only on measured decode time against the frame interval)."""
    pipeline = ScanPipeline(decoder, frame_interval_s=1.0 / fps)
    for index, labelled in enumerate(frames):
        pipeline.process(Frame(labelled.image, index, round(index * 1e9 / fps)))
    stats = pipeline.stats
    share = 100.0 * stats.skipped / stats.frames
    return (
        f"| {decoder.name:<6} | {stats.decoded:4d} | {stats.skipped:4d} ({share:4.1f} %) | {stats.stride} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--with-code", type=int, default=150)
    parser.add_argument("--without-code", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    decoders: list[Decoder] = [ZxingDecoder(), PyzbarDecoder()]
    results: list[Result] = []
    frame_sets: dict[tuple[int, int], list[LabelledFrame]] = {}
    for size in (SIZE_720P, SIZE_480P):
        started = time.perf_counter()
        frames = list(
            varied_frames(size, with_code=args.with_code, without_code=args.without_code, seed=args.seed)
        )
        frame_sets[size] = frames
        grey_ms = []
        grays = []
        for labelled in frames:
            t0 = time.perf_counter()
            grays.append(prepare(labelled.image))
            grey_ms.append((time.perf_counter() - t0) * 1000)
        print(
            f"{size[0]}x{size[1]}: {len(frames)} frames generated in {time.perf_counter() - started:.1f} s; "
            f"grey conversion median {statistics.median(grey_ms):.2f} ms"
        )
        results += [run_decoder(decoder, frames, grays, args.repeats) for decoder in decoders]

    print()
    print("| decoder | frame | median ms | p90 ms | detected | false reads |")
    print("|---|---|---|---|---|---|")
    for result in results:
        print(result.row())

    print()
    print("Replayed as a 30 fps 720p camera through ScanPipeline:")
    print("| decoder | decoded | skipped | final stride |")
    print("|---|---|---|---|")
    for decoder in decoders:
        print(replay_as_camera(decoder, frame_sets[SIZE_720P], fps=30.0))


if __name__ == "__main__":
    main()
