"""Cold start: from process start to a ready workbench, side by side with a bare PySide6 window.

Run: .venv/bin/python bench/bench_cold_start.py [--runs 5]

Starts `python -m shoumen_gui --self-check-exit --demo-login` offscreen and times, from just
before the process is spawned, until it prints `SHOUMEN_READY workbench` (the workbench is on
screen and takes checks) and then `SHOUMEN_ONLINE workbench` (this start's first sync round with
the backend is done: on a later start the workbench opens from the kept session before the
embedded backend serves, so the two differ). Four series, run interleaved (one of each per
round, so a busy machine slows them alike), median of --runs each:

- bare window: a PySide6 window with the Qt modules the app imports (QtCore, QtGui, QtWidgets,
  QtCharts, QtPrintSupport), shown, first event-loop turn — the floor any Qt app pays;
- first start: an empty data folder — the backend process migrates and seeds its database,
  the app logs in;
- later start: the same folder again, token in the keyring — resume the session at the last
  checkpoint (a station restarted at its gate). The bench keyring is a file (bench/file_keyring.py),
  because the bench machine has no OS keyring;
- remote start: `--server URL` of a backend already running (started by this bench in a thread,
  on a seeded copy), the app alone: it logs in and reaches the workbench.

Each figure: wall seconds (median, min–max), the CPU seconds of the process and its children
(the backend process included), and the ratio to the bare window of the same rounds. On a
shared machine the wall figures move with the load; the ratio and the CPU seconds move less.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY = "SHOUMEN_READY"

BARE_WINDOW = f"""
import sys
from PySide6 import QtCharts, QtCore, QtGui, QtPrintSupport, QtWidgets
app = QtWidgets.QApplication([sys.argv[0]])
window = QtWidgets.QMainWindow()
window.setCentralWidget(QtWidgets.QLabel("守小门"))
window.show()
QtCore.QTimer.singleShot(0, lambda: (print("{READY} bare 0", flush=True), app.quit()))
app.exec()
"""


ONLINE = "SHOUMEN_ONLINE"


@dataclass(frozen=True)
class Run:
    wall: float  # to the READY line
    cpu: float  # user + system of the process and the children it waited for
    online: float  # to the ONLINE line (the bare window: its READY)


def _env(keyring_file: Path) -> dict[str, str]:
    # An installed app runs from compiled bytecode (the bundle holds .pyc only); a shell with
    # PYTHONDONTWRITEBYTECODE would make every run compile ~100 modules again (~0.6 s of CPU).
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **inherited,
        "QT_QPA_PLATFORM": "offscreen",
        "SHOUMEN_LOG_TO_STDERR": "0",
        "PYTHON_KEYRING_BACKEND": "bench.file_keyring.FileKeyring",
        "SHOUMEN_BENCH_KEYRING": str(keyring_file),
        "PYTHONPATH": str(ROOT),
    }


def timed(command: list[str], env: dict[str, str], expect: str) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    wall, online, page = -1.0, -1.0, ""
    for line in process.stdout:
        if line.startswith(READY):
            wall = time.perf_counter() - began
            page = line.split()[1]
            if page != "workbench":
                break
        elif line.startswith(ONLINE):
            online = time.perf_counter() - began
            break
    process.stdout.close()
    if process.wait(timeout=120) != 0 or wall < 0 or page != expect:
        raise SystemExit(f"{command[-4:]} did not reach {expect} (exit {process.returncode}, page {page!r})")
    if page == "workbench" and online < 0:
        raise SystemExit(f"{command[-4:]} reached the workbench but never synced")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, online if online >= 0 else wall)


def app_start(data_dir: Path, keyring_file: Path, *extra: str) -> Run:
    command = [sys.executable, "-m", "shoumen_gui", "--data-dir", str(data_dir), "--demo-login"]
    return timed([*command, "--self-check-exit", *extra], _env(keyring_file), "workbench")


def bare_window() -> Run:
    return timed([sys.executable, "-c", BARE_WINDOW], _env(Path(os.devnull)), "bare")


def series(label: str, runs: list[Run], bare: list[Run] | None) -> None:
    walls = [run.wall for run in runs]
    median = statistics.median(walls)
    ratio = f"; {median / statistics.median([b.wall for b in bare]):4.1f}× the bare window" if bare else ""
    onlines = [run.online for run in runs]
    online = f"; online {statistics.median(onlines):.2f} s (max {max(onlines):.2f})" if bare else ""
    print(
        f"{label:<13} median {median:5.2f} s (min {min(walls):.2f}, max {max(walls):.2f}); "
        f"CPU {statistics.median([run.cpu for run in runs]):.2f} s{ratio}{online}"
    )


def seeded_server(root: Path) -> tuple[object, str]:
    """A running backend for the remote series: the app's own server, in this process."""
    sys.path.insert(0, str(ROOT))
    from shoumen_gui.embedded import EmbeddedBackend

    backend = EmbeddedBackend(
        root / "remote" / "embedded-server.db",
        server_options={
            "sms_min_interval_seconds": 0,
            "sms_max_per_day": 100_000,
            "sms_max_per_client_hour": 100_000,
        },
    )
    return backend, backend.start()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bare: list[Run] = []
    first: list[Run] = []
    later: list[Run] = []
    remote: list[Run] = []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="shoumen-bench-") as tmp:
        root = Path(tmp)
        server, url = seeded_server(root)
        warm_dir, warm_keys = root / "warm", root / "warm.keyring.json"
        app_start(warm_dir, warm_keys)  # prime: seed, log in, store the token
        for n in range(args.runs):
            bare.append(bare_window())
            first.append(app_start(root / f"first-{n}", root / f"first-{n}.keyring.json"))
            later.append(app_start(warm_dir, warm_keys))
            remote_dir = root / f"remote-{n}"
            remote.append(app_start(remote_dir, root / f"remote-{n}.keyring.json", "--server", url))
            shutil.rmtree(remote_dir)
        server.close()  # type: ignore[attr-defined]
    print(
        f"cold start to a ready workbench, {args.runs} rounds, {os.cpu_count()} CPUs, "
        f"load {load:.2f} → {os.getloadavg()[0]:.2f}, Python {sys.version.split()[0]}"
    )
    series("bare window", bare, None)
    series("first start", first, bare)
    series("later start", later, bare)
    series("remote start", remote, bare)
    return 0


if __name__ == "__main__":
    sys.exit(main())
