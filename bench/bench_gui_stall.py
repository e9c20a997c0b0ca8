"""The GUI thread's longest stall while the workbench scans a 30 fps camera for a minute.

Run: .venv/bin/python bench/bench_gui_stall.py [--seconds 60] [--size 720p|480p]

The set-up of bench_frame_to_verdict (an offline station, its workbench on an offscreen
screen): a looping 30 fps mp4v video of signed personal codes plays in real time as the
camera, so the preview updates 15 times a second and a visitor is checked (and shown) every
0.6 s. A QTimer with a 1 ms interval (PreciseTimer) ticks on the GUI thread; every gap between
two ticks is recorded after a 2 s warm-up. Reported: the longest gap, the 99.9th percentile,
how many gaps exceeded one 60 Hz frame (16 ms), and what was done meanwhile. Target: the
longest stall <= 16 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import Qt, QTimer

from bench.bench_frame_to_verdict import make_rig, percentile, run_until
from shoumen_gui.scanning.testframes import SIZE_480P, SIZE_720P
from shoumen_gui.ui.scan_view import ScanConfig, ScanState

WARM_UP_S = 2.0
FRAME_MS = 16.0


class Heartbeat:
    """Ticks every millisecond on the GUI thread; keeps the gaps between ticks."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.gaps_ms: list[float] = []
        self._last: float | None = None
        self.recording = False

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None and self.recording:
            self.gaps_ms.append((now - self._last) * 1000)
        self._last = now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--size", choices=("720p", "480p"), default="720p")
    parser.add_argument("--codes", type=int, default=10, help="codes in the looping video (0.6 s each)")
    args = parser.parse_args()
    size = SIZE_720P if args.size == "720p" else SIZE_480P
    with tempfile.TemporaryDirectory() as tmp:
        rig = make_rig(Path(tmp), args.codes, size, seconds_each=0.3)
        states: list[str] = []
        rig.workbench.scan_view.state_changed.connect(states.append)
        heartbeat = Heartbeat()
        heartbeat.start()
        rig.workbench.set_scan_config(ScanConfig(camera=None, video=rig.video, realtime=True, loop=True))
        run_until(rig.app, lambda: ScanState.SCANNING.value in states, 30.0)
        began = time.monotonic()
        run_until(rig.app, lambda: time.monotonic() - began >= WARM_UP_S, WARM_UP_S + 5)
        heartbeat.recording = True
        shown_before = len(rig.shown)
        began = time.monotonic()
        run_until(rig.app, lambda: time.monotonic() - began >= args.seconds, args.seconds + 5)
        heartbeat.recording = False
        heartbeat.stop()
        worker = rig.workbench.scan_view.worker
        pipeline = worker.pipeline if worker is not None else None
        summary = pipeline.stats.summary() if pipeline is not None else "-"
        checks = len(rig.shown) - shown_before
        rig.close()
    gaps = heartbeat.gaps_ms
    over = sum(1 for gap in gaps if gap > FRAME_MS)
    print(f"GUI thread while scanning a {args.size} 30 fps camera for {args.seconds:.0f} s (offscreen):")
    print(
        f"  longest stall {max(gaps):6.1f} ms   p99.9 {percentile(gaps, 0.999):5.1f} ms   "
        f"median tick {statistics.median(gaps):4.2f} ms   ticks {len(gaps)}   gaps > {FRAME_MS:.0f} ms: {over}"
    )
    print(f"  meanwhile: {checks} visitors checked and shown; scan pipeline {summary}")
    print(f"  target: longest stall <= {FRAME_MS:.0f} ms")


if __name__ == "__main__":
    main()
