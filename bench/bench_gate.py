"""A kiosk's day at a relay-driven turnstile: scan to gate, and nothing drifting over the day.

Run: .venv/bin/python bench/bench_gate.py [--visitors 2000] [--red-every 10] [--pulse 0.1]

The whole app path, offscreen: a Workbench on a Station (offline: the backend address refuses
connections, so codes are verified against the cached trust list and every check is committed
to the local SQLite cache) with a USB-serial relay gate on a pseudo-terminal — the real
pyserial adapter, the LCUS frames, the gate lane. One visitor after another presents a signed
personal code (every `--red-every`-th one red) as a scanner would type it; the next visitor
comes once the previous one's gate command has finished (a turnstile lets one person through).

Reported: scan-to-verdict-shown and scan-to-relay-ON latency (p50/p95/max, ON measured when
the frame's last byte arrived at the relay's side of the pty), how many ON/OFF frames the
relay saw against how many green visitors there were (red ones must add none), the GUI
thread's longest stall (a 1 ms heartbeat, after the first 20 visitors), and the process's RSS
after the first 10 % and at the end. The pulse is shortened (default 100 ms, the minimum; the
product default is 1 s) so that a day's visitors fit in minutes; the pulse itself is a sleep
on the gate lane, not work.
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import sys
import tempfile
import threading
import time
import tty
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication

from bench.bench_frame_to_verdict import open_station, percentile, run_until
from bench.bench_gui_stall import Heartbeat
from shoumen_core.codes import SigningKey, TrustList, issue_personal_code
from shoumen_core.policy import CodeColour, HealthSnapshot, NatResult, TravelStatus, Vaccination, VerdictLevel
from shoumen_gui import pyside_fixes
from shoumen_gui.services.checks import CheckResult
from shoumen_gui.services.gate import GateConfig, GateKind, GateResult
from shoumen_gui.services.gate_serial import relay_command

ON, OFF = relay_command(1, True), relay_command(1, False)
WARM_UP_VISITORS = 20


class RelaySide:
    """The board's end of the pty: timestamps every ON and OFF frame as it arrives."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.port = os.ttyname(self.slave)
        self.on_ns: list[int] = []
        self.off_ns: list[int] = []
        self.unknown = 0
        self._stop = False
        self._thread = threading.Thread(target=self._read, name="relay", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        buffer = b""
        while not self._stop:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            buffer += os.read(self.master, 256)
            now = time.perf_counter_ns()
            while len(buffer) >= 4:
                frame, buffer = buffer[:4], buffer[4:]
                if frame == ON:
                    self.on_ns.append(now)
                elif frame == OFF:
                    self.off_ns.append(now)
                else:
                    self.unknown += 1

    def close(self) -> None:
        self._stop = True
        self._thread.join(1)
        os.close(self.master)
        os.close(self.slave)


def codes_for_the_day(
    visitors: int, red_every: int, now: datetime
) -> tuple[list[tuple[str, bool]], TrustList]:
    key = SigningKey.generate("bench")
    trust = TrustList(
        keys=(key.trusted_key(now - timedelta(days=1), now + timedelta(days=30)),),
        issued_at=now,
        valid_until=now + timedelta(days=7),
    )
    codes = []
    for i in range(visitors):
        red = red_every > 0 and i % red_every == red_every - 1
        snapshot = HealthSnapshot(
            code_colour=CodeColour.RED if red else CodeColour.GREEN, vaccination=Vaccination.FULL,
            nat_sampled_at=now - timedelta(hours=10), nat_result=NatResult.NEGATIVE, travel=TravelStatus.NORMAL,
        )  # fmt: skip
        code = issue_personal_code(
            key=key, person_ref=f"p{i}", masked_name="张*", masked_id=f"330624********{i % 10000:04d}",
            snapshot=snapshot, issued_at=now - timedelta(minutes=1),
        )  # fmt: skip
        codes.append((code, not red))
    return codes, trust


def rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visitors", type=int, default=2000)
    parser.add_argument("--red-every", type=int, default=10)
    parser.add_argument("--pulse", type=float, default=0.1)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    pyside_fixes.apply()
    now = datetime.now(UTC)
    codes, trust = codes_for_the_day(args.visitors, args.red_every, now)
    relay = RelaySide()
    with tempfile.TemporaryDirectory() as tmp:
        gate = GateConfig(kind=GateKind.SERIAL, port=relay.port, pulse_seconds=args.pulse, timeout=1.0)
        tasks, cache, api, station, workbench = open_station(
            app, Path(tmp), trust, now, gate_config=gate, size=(1280, 800)
        )

        shown_ns: list[int] = []
        gate_done: list[GateResult] = []
        workbench.check_finished.connect(
            lambda outcome: (
                shown_ns.append(time.perf_counter_ns()) if isinstance(outcome, CheckResult) else None
            )
        )
        workbench.result_panel.gate_shown.connect(gate_done.append)
        heartbeat = Heartbeat()
        heartbeat.start()
        submitted_ns: list[int] = []
        green_index: list[int] = []  # index into submitted_ns of each green visitor
        rss_early = 0.0
        levels: list[VerdictLevel] = []
        workbench.check_finished.connect(
            lambda outcome: levels.append(outcome.level) if isinstance(outcome, CheckResult) else None
        )
        began = time.monotonic()
        for i, (code, green) in enumerate(codes):
            submitted_ns.append(time.perf_counter_ns())
            if green:
                green_index.append(i)
            workbench.check_text(code)
            if i == WARM_UP_VISITORS:  # after the start-up (OpenCV's import on a worker holds the GIL)
                heartbeat.recording = True
            run_until(app, lambda i=i: len(gate_done) > i, 10.0)  # type: ignore[misc]
            if len(gate_done) <= i:
                raise SystemExit(f"visitor {i}: no gate answer within 10 s")
            if i == len(codes) // 10:
                rss_early = rss_mib()
        wall = time.monotonic() - began
        run_until(app, lambda: len(relay.off_ns) >= len(green_index), 5.0)
        heartbeat.stop()
        rss_end = rss_mib()

        to_shown = [(s - b) / 1e6 for b, s in zip(submitted_ns, shown_ns, strict=True)]
        to_on = [(on - submitted_ns[i]) / 1e6 for i, on in zip(green_index, relay.on_ns, strict=False)]
        greens = len(green_index)
        reds = len(codes) - greens
        passes = sum(1 for level in levels if level is VerdictLevel.PASS)
        print(
            f"visitors {len(codes)} ({greens} green, {reds} red) in {wall:.1f} s, pulse {args.pulse * 1000:.0f} ms"
        )
        print(f"verdicts: {passes} 通行; gate answers: {len(gate_done)}")
        print(
            f"relay frames: {len(relay.on_ns)} ON, {len(relay.off_ns)} OFF, {relay.unknown} unknown (wanted {greens} each)"
        )
        for name, samples in (("scan -> verdict shown", to_shown), ("scan -> relay ON", to_on)):
            print(
                f"{name}: p50 {statistics.median(samples):.1f} ms, p95 {percentile(samples, 0.95):.1f} ms, "
                f"max {max(samples):.1f} ms"
            )
        gaps = heartbeat.gaps_ms
        over = sum(1 for gap in gaps if gap > 16.0)
        print(
            f"GUI thread after {WARM_UP_VISITORS} visitors: longest stall {max(gaps):.1f} ms, "
            f"p99.9 {percentile(gaps, 0.999):.1f} ms, {over} gaps over 16 ms"
        )
        print(
            f"RSS: {rss_early:.1f} MiB after {len(codes) // 10 + 1} visitors, {rss_end:.1f} MiB after {len(codes)}"
        )
        print(f"local cache rows: {cache.pending_count()} pending (offline all day)")

        workbench.detach()
        station.close_now()
        tasks.shutdown()
        cache.close()
        api.close()
    relay.close()


if __name__ == "__main__":
    main()
