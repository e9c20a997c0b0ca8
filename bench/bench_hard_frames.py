"""Hard frames (issue 16 §11): reads per class and time per frame, raw zxing-cpp vs pyzbar vs the app.

Run: .venv/bin/python bench/bench_hard_frames.py [--per-class 30] [--without-code 30] [--repeats 3]

The frames come from ``shoumen_gui.scanning.hardframes`` (seeded, 1280x720, a real signed
personal code of QR version 13): tilted to 60°, motion blur, glare, low contrast, a phone
screen's moiré, screen brightness far off, heavy JPEG, dark mode; then frames without a code.
Then 12 MP phone photos of a code a few metres away, where downscaling before decoding loses
the code.

Columns, each on the same frames in one run (the machine is shared: compare side by side):

- ``zxing-cpp``: ``zxingcpp.read_barcodes`` with its defaults (QR only) on the full grey frame;
- ``pyzbar``: pyzbar (libzbar) on the full grey frame;
- ``app before``: what the app did before issue 16 §11: the frame downscaled to 1280 wide, then
  zxing-cpp without inversion and no second look;
- ``app``: the app's decoder path now: ``ScanPipeline``'s preprocessing for the decoder, then
  ``ZxingDecoder`` with its recovery variants.

A frame's time is its fastest of ``--repeats`` (grey conversion and preprocessing included);
the table shows reads per class, then the median and 95th percentile over the code frames,
and wrong reads (another text on a code frame, or anything on a frame without a code).
Goal for the app: >= 98 % of the hard frames, 0 wrong reads, <= 4 ms median per frame.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable

import numpy as np
import zxingcpp

from shoumen_gui.scanning.decoders import PyzbarDecoder, ZxingDecoder
from shoumen_gui.scanning.frames import Image
from shoumen_gui.scanning.hardframes import HARD_CLASSES, hard_frames, photo_frames
from shoumen_gui.scanning.pipeline import ScanPipeline
from shoumen_gui.scanning.preprocess import DEFAULT_MAX_WIDTH, prepare, to_gray
from shoumen_gui.scanning.testframes import LabelledFrame

Reader = Callable[[Image], list[str]]


def readers() -> dict[str, Reader]:
    qr = zxingcpp.BarcodeFormat.QRCode
    zbar = PyzbarDecoder()
    before = ZxingDecoder(recover=False)
    app = ZxingDecoder()
    app_width = ScanPipeline(app).max_width  # what the pipeline hands this decoder

    def raw_zxing(image: Image) -> list[str]:
        return [b.text for b in zxingcpp.read_barcodes(to_gray(image), formats=qr) if b.valid]

    def raw_zbar(image: Image) -> list[str]:
        return [d.text for d in zbar.decode(to_gray(image))]

    def app_before(image: Image) -> list[str]:
        return [d.text for d in before.decode(prepare(image, DEFAULT_MAX_WIDTH))]

    def app_now(image: Image) -> list[str]:
        return [d.text for d in app.decode(prepare(image, app_width))]

    return {"zxing-cpp": raw_zxing, "pyzbar": raw_zbar, "app before": app_before, "app": app_now}


def timed(reader: Reader, image: Image, repeats: int) -> tuple[float, list[str]]:
    best, texts = float("inf"), []
    for _ in range(repeats):
        started = time.perf_counter()
        texts = reader(image)
        best = min(best, (time.perf_counter() - started) * 1000)
    return best, texts


def run(frames: list[LabelledFrame], repeats: int) -> None:
    names = list(readers())
    reading = readers()
    reads: dict[str, Counter[str]] = {name: Counter() for name in names}
    wrong: Counter[str] = Counter()
    times: dict[str, list[float]] = defaultdict(list)
    empty_times: dict[str, list[float]] = defaultdict(list)
    totals: Counter[str] = Counter()
    for name in names:
        reading[name](frames[0].image)  # warm up
    for labelled in frames:
        kind = labelled.label.split(":")[0]
        totals[kind] += 1
        for name in names:
            ms, texts = timed(reading[name], labelled.image, repeats)
            if labelled.text is None:
                empty_times[name].append(ms)
                wrong[name] += bool(texts)
                continue
            times[name].append(ms)
            reads[name][kind] += labelled.text in texts
            wrong[name] += any(text != labelled.text for text in texts)
    print("| class | frames | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    kinds = [kind for kind in totals if kind != "none"]
    for kind in kinds:
        cells = " | ".join(f"{reads[name][kind]}" for name in names)
        print(f"| {kind} | {totals[kind]} | {cells} |")
    with_code = sum(totals[kind] for kind in kinds)
    cells = " | ".join(
        f"**{sum(reads[name].values())}** ({100 * sum(reads[name].values()) / with_code:.1f} %)"
        for name in names
    )
    print(f"| all hard frames | {with_code} | {cells} |")
    print(
        f"| wrong reads | {totals['none']} empty + {with_code} | "
        + " | ".join(str(wrong[n]) for n in names)
        + " |"
    )
    for label, series in (("code frames", times), ("frames without a code", empty_times)):
        if not series:
            continue
        cells = " | ".join(
            f"{statistics.median(series[n]):.2f} / {float(np.percentile(series[n], 95)):.2f}" for n in names
        )
        print(f"| ms median / p95, {label} | | {cells} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-class", type=int, default=30)
    parser.add_argument("--without-code", type=int, default=30)
    parser.add_argument("--photos", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()

    started = time.perf_counter()
    frames = list(hard_frames(args.per_class, without_code=args.without_code, seed=args.seed))
    print(
        f"{len(frames)} frames at 1280x720 ({', '.join(HARD_CLASSES)}; {args.per_class} each, "
        f"{args.without_code} without a code), generated in {time.perf_counter() - started:.1f} s\n"
    )
    run(frames, args.repeats)
    if args.photos:
        print(f"\n{args.photos} phone photos at 4032x3024 (JPEG 85), a code a few metres away:\n")
        run(list(photo_frames(args.photos, seed=args.seed)), max(1, args.repeats - 2))


if __name__ == "__main__":
    main()
