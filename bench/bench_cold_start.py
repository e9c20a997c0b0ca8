"""Cold start: from process start to a ready workbench, embedded backend included.

Run: .venv/bin/python bench/bench_cold_start.py [--runs 5]

Starts `python -m shoumen_gui --self-check-exit --demo-login` offscreen and times, from just
before the process is spawned, until it prints `SHOUMEN_READY workbench` (the workbench is on
screen, the first sync round done). Two series, median of --runs each:

- first start: an empty data folder — migrate and seed the embedded database, log in;
- warm start: the same folder again, token in the keyring — resume the session at the last
  checkpoint (a station restarted at its gate). The bench keyring is a file (bench/file_keyring.py),
  because the bench machine has no OS keyring.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY = "SHOUMEN_READY"


def start_once(data_dir: Path, keyring_file: Path) -> tuple[float, float, str]:
    """(wall seconds to ready, the app's own figure, page)."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SHOUMEN_LOG_TO_STDERR": "0",
        "PYTHON_KEYRING_BACKEND": "bench.file_keyring.FileKeyring",
        "SHOUMEN_BENCH_KEYRING": str(keyring_file),
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable,
        "-m",
        "shoumen_gui",
        "--data-dir",
        str(data_dir),
        "--demo-login",
        "--self-check-exit",
    ]
    began = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    wall, own, page = -1.0, -1.0, ""
    for line in process.stdout:
        if line.startswith(READY):
            wall = time.perf_counter() - began
            _, page, seconds = line.split()
            own = float(seconds)
            break
    process.stdout.close()
    if process.wait(timeout=60) != 0 or wall < 0:
        raise SystemExit(
            f"the app did not reach a ready state (exit {process.returncode}); see {data_dir}/logs"
        )
    return wall, own, page


def series(label: str, runs: list[tuple[float, float, str]]) -> None:
    walls = [run[0] for run in runs]
    owns = [run[1] for run in runs]
    pages = {run[2] for run in runs}
    print(
        f"{label:<13} median {statistics.median(walls):5.2f} s  "
        f"(min {min(walls):.2f}, max {max(walls):.2f}; app's own clock median {statistics.median(owns):.2f} s; "
        f"page {','.join(sorted(pages))})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shoumen-bench-") as tmp:
        root = Path(tmp)
        first = [start_once(root / f"first-{n}", root / f"first-{n}.keyring.json") for n in range(args.runs)]
        warm_dir, warm_keys = root / "warm", root / "warm.keyring.json"
        start_once(warm_dir, warm_keys)  # prime: seed, log in, store the token
        warm = [start_once(warm_dir, warm_keys) for _ in range(args.runs)]
    print(
        f"cold start to a ready workbench, {args.runs} runs each, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    series("first start", first)
    series("warm start", warm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
