"""Frame-to-verdict, offline: from a camera frame entering the scan pipeline to the verdict in
the result panel's model.

Run: .venv/bin/python bench/bench_frame_to_verdict.py [--codes 100] [--size 720p|480p]

The whole app path, offscreen: a 30 fps mp4v video of signed personal codes (each code 0.2 s,
then 0.2 s of an empty scene) is played in real time as the camera of a ScanView on a
Workbench attached to a Station whose backend is unreachable (offline: the code's signature is
checked against the cached trust list, the policy evaluated, the check committed to the local
SQLite cache with synchronous=FULL — then shown). For each read, the clock starts when the
frame that completed it (the second identical decode) entered the pipeline on the scan thread,
and stops when Workbench.check_finished fires on the GUI thread, right after
ResultPanel.show_result. Target: p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from shoumen_core.codes import (
    SigningKey,
    TrustList,
    b64url_encode,
    generate_sealing_keypair,
    issue_personal_code,
)
from shoumen_core.policy import CodeColour, HealthSnapshot, NatResult, TravelStatus, Vaccination
from shoumen_core.schemas import (
    CheckpointOut,
    MembershipOut,
    PullResponse,
    Role,
    StaffState,
    UserOut,
    VenueOut,
)
from shoumen_core.trust import sign_trust_list
from shoumen_gui import pyside_fixes
from shoumen_gui.scanning.testframes import SIZE_480P, SIZE_720P, write_test_video
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.services.gate import GateConfig
from shoumen_gui.station import Post, Station
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.scan_view import ScanConfig, ScanHit, ScanState, stop_all_scanners
from shoumen_gui.ui.workbench import Workbench

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: connection refused at once


def signed_codes(count: int, now: datetime) -> tuple[list[str], TrustList]:
    key = SigningKey.generate("bench")
    trust = TrustList(
        keys=(key.trusted_key(now - timedelta(days=1), now + timedelta(days=30)),),
        issued_at=now,
        valid_until=now + timedelta(days=7),
    )
    snapshot = HealthSnapshot(
        code_colour=CodeColour.GREEN, vaccination=Vaccination.FULL, nat_sampled_at=now - timedelta(hours=10),
        nat_result=NatResult.NEGATIVE, travel=TravelStatus.NORMAL,
    )  # fmt: skip
    codes = [
        issue_personal_code(
            key=key,
            person_ref=f"p{i}",
            masked_name="张*",
            masked_id=f"330624********{i:04d}",
            snapshot=snapshot,
            issued_at=now - timedelta(minutes=1),
        )
        for i in range(count)
    ]
    return codes, trust


def offline_cache(folder: Path, trust: TrustList, now: datetime) -> LocalCache:
    _, sealing_public = generate_sealing_keypair()
    venue = VenueOut(
        id=1, name="基准场所", address="地址", region_code="330624", township="", unit_type="supermarket",
        unit_type_name="超市", contact_phone_masked="139****0000", active=True, created_at=now,
        checkpoints=[CheckpointOut(id=1, name="南门")], policy={},  # type: ignore[arg-type]
    )  # fmt: skip
    cache = LocalCache.open(folder / "cache.db")
    pull = PullResponse(
        epoch="e", cursor="e:1", changed=True, venue=venue, my_role=Role.STAFF, my_state=StaffState.AUTHORISED,
        trust_list=sign_trust_list(trust, SigningKey.generate()).to_json(), sealing_public_key=b64url_encode(sealing_public), server_time=now,
    )  # fmt: skip
    cache.apply_pull(1, pull, now, user_id=1)
    return cache


@dataclass
class Rig:
    """An offline station with its workbench on screen (offscreen), ready to scan."""

    app: QApplication
    tasks: TaskManager
    cache: LocalCache
    api: ApiClient
    station: Station
    workbench: Workbench
    codes: list[str]
    video: Path
    hits: list[tuple[ScanHit, int]] = field(default_factory=list)  # (hit, perf_counter_ns on the GUI thread)
    shown: list[tuple[int, str]] = field(default_factory=list)  # (perf_counter_ns, level)

    def close(self) -> None:
        self.workbench.detach()
        stop_all_scanners()
        self.station.close_now()
        self.tasks.shutdown()
        self.cache.close()
        self.api.close()


def open_station(
    app: QApplication,
    folder: Path,
    trust: TrustList,
    now: datetime,
    *,
    gate_config: GateConfig | None = None,
    size: tuple[int, int] = (1180, 760),
) -> tuple[TaskManager, LocalCache, ApiClient, Station, Workbench]:
    """An offline station (the backend refuses connections) and its workbench on screen."""
    cache = offline_cache(folder, trust, now)
    api = ApiClient(UNREACHABLE, timeout=0.5)
    connectivity = Connectivity()
    connectivity.mark_offline()
    tasks = TaskManager()
    post = Post(
        user=UserOut(id=1, name="李保安", phone_masked="139****0002"),
        venue=MembershipOut(
            venue_id=1,
            venue_name="基准场所",
            role=Role.STAFF,
            state=StaffState.AUTHORISED,
            checkpoints=[CheckpointOut(id=1, name="南门")],
        ),
        checkpoint=CheckpointOut(id=1, name="南门"),
    )
    station = Station(
        tasks, api, cache, connectivity, post, sync_options={"pull_interval": 3600.0}, gate_config=gate_config
    )
    workbench = Workbench(tasks)
    workbench.resize(*size)
    workbench.show()
    opened: list[bool] = []
    station.ready.connect(lambda: opened.append(True))
    station.failed.connect(lambda error: opened.append(False))
    station.open()
    run_until(app, lambda: bool(opened), 30.0)
    if opened != [True]:
        raise SystemExit("the station did not open")
    workbench.attach(station)
    return tasks, cache, api, station, workbench


def make_rig(folder: Path, codes_count: int, size: tuple[int, int], *, seconds_each: float = 0.2) -> Rig:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    pyside_fixes.apply()  # else emit() uses up True's references (PySide6 6.12, Python 3.11)
    now = datetime.now(UTC)
    codes, trust = signed_codes(codes_count, now)
    video = folder / "gate.mp4"
    texts: list[str | None] = []
    for code in codes:
        texts += [code, None]
    write_test_video(video, texts, fps=30, size=size, seconds_each=seconds_each)
    tasks, cache, api, station, workbench = open_station(app, folder, trust, now)
    rig = Rig(app, tasks, cache, api, station, workbench, codes, video)
    workbench.scan_view.hit.connect(lambda hit: rig.hits.append((hit, time.perf_counter_ns())))
    workbench.check_finished.connect(
        lambda outcome: rig.shown.append((time.perf_counter_ns(), getattr(outcome, "level", "error")))
    )
    return rig


def run_until(app: QApplication, done: Callable[[], bool], timeout_s: float) -> None:
    """Run an event loop until done() (checked every 20 ms) or the timeout. A local QEventLoop,
    not app.exec(): quitting the application's loop would stop the scanners (aboutToQuit)."""
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: loop.quit() if done() or time.monotonic() > deadline else None)
    timer.start()
    if not done():
        loop.exec()
    timer.stop()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--codes", type=int, default=100)
    parser.add_argument("--size", choices=("720p", "480p"), default="720p")
    args = parser.parse_args()
    size = SIZE_720P if args.size == "720p" else SIZE_480P
    with tempfile.TemporaryDirectory() as tmp:
        rig = make_rig(Path(tmp), args.codes, size)
        ended: list[bool] = []
        rig.workbench.scan_view.state_changed.connect(
            lambda state: ended.append(True) if state == ScanState.ENDED else None
        )
        rig.workbench.set_scan_config(ScanConfig(camera=None, video=rig.video, realtime=True))
        seconds = args.codes * 0.4 + 30
        run_until(rig.app, lambda: bool(ended) and len(rig.shown) >= len(rig.hits), seconds)
        pairs = list(zip(rig.hits, rig.shown, strict=False))
        latencies = [(shown - hit.entered_ns) / 1e6 for (hit, _), (shown, _) in pairs]
        to_gui = [(received - hit.entered_ns) / 1e6 for (hit, received), _ in pairs]
        check = [(shown - received) / 1e6 for (_, received), (shown, _) in pairs]
        levels = {level for _, level in rig.shown}
        rig.close()
    if not latencies:
        raise SystemExit("no reads")
    print(
        f"frame-to-verdict offline, {args.size} 30 fps paced video, {len(latencies)} of {args.codes} codes read"
    )
    print(f"  verdict levels shown: {sorted(str(level) for level in levels)}")
    print(
        f"  p50 {statistics.median(latencies):6.1f} ms   p95 {percentile(latencies, 0.95):6.1f} ms   "
        f"max {max(latencies):6.1f} ms   (target p95 <= 50 ms)"
    )
    for name, part in (("frame in -> read on the GUI thread", to_gui), ("read -> verdict shown", check)):
        print(f"    {name:<36} p50 {statistics.median(part):6.1f} ms   p95 {percentile(part, 0.95):6.1f} ms")


if __name__ == "__main__":
    main()
