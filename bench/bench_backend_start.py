"""The embedded backend process's start: from spawn until it announces its port (issue 18 §3).

Run: .venv/bin/python bench/bench_backend_start.py [--runs 7] [--compare PATH]

Spawns the real command the app spawns (`shoumen_gui.embedded.backend_command`, i.e.
`python -m shoumen_gui --embedded-backend DB`) and times, from just before the spawn, until the
child prints its JSON announcement line (imports, migrate, seed or refresh, uvicorn up). Two
series, median of --runs each:

- first start: a fresh folder — an empty SQLite file is migrated to head and the demo seeded;
- later start: the same folder again — at head already, the demo's times refreshed.

CPU is the child's own `cpu_seconds` from the announcement (process time until it announced).
The child runs from compiled bytecode as an installed app does (PYTHONDONTWRITEBYTECODE is
removed from its environment; one warm-up run per tree compiles it first).

--compare PATH runs another checkout's tree (e.g. `git archive main | tar -x -C /tmp/base`)
side by side: each round runs one of each tree, alternating which goes first, so a busy
machine slows both alike; the ratio this/other is printed per series.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shoumen_gui.embedded import backend_command  # noqa: E402  (after the path above)


@dataclass(frozen=True)
class Run:
    wall: float  # spawn -> announcement line
    cpu: float  # the child's process time when it announced


def _env(tree: Path) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**inherited, "PYTHONPATH": str(tree), "PYTHONUNBUFFERED": "1"}


def start_once(tree: Path, db_path: Path) -> Run:
    """One start of the backend child on db_path; stops it after it announced."""
    command = backend_command(db_path)
    began = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=tree,
        env=_env(tree),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    line = process.stdout.readline()
    wall = time.perf_counter() - began
    process.stdin.close()  # the child stops when its stdin closes
    process.wait(30)
    answer = json.loads(line) if line else {"error": "no announcement"}
    if "error" in answer:
        raise SystemExit(f"{tree}: the backend did not start: {answer['error']}")
    return Run(wall, float(answer.get("cpu_seconds", 0.0)))


def first_start(tree: Path, scratch: Path) -> Run:
    folder = Path(tempfile.mkdtemp(dir=scratch))
    try:
        return start_once(tree, folder / "server.db")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def figure(runs: list[Run]) -> str:
    walls = [run.wall for run in runs]
    cpus = [run.cpu for run in runs]
    return (
        f"{statistics.median(walls):.3f} s (min {min(walls):.3f}, max {max(walls):.3f}), "
        f"CPU {statistics.median(cpus):.3f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--compare", type=Path, metavar="PATH", help="another checkout to run side by side")
    args = parser.parse_args()
    trees = {"this": ROOT}
    if args.compare is not None:
        trees["other"] = args.compare.resolve()
    first: dict[str, list[Run]] = {name: [] for name in trees}
    later: dict[str, list[Run]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix="bench-backend-") as scratch_name:
        scratch = Path(scratch_name)
        kept: dict[str, Path] = {}
        for name, tree in trees.items():  # warm-up: bytecode compiled, the later-start folder made
            kept[name] = scratch / f"kept-{name}" / "server.db"
            kept[name].parent.mkdir()
            start_once(tree, kept[name])
        order = list(trees)
        for round_no in range(args.runs):
            for name in order if round_no % 2 == 0 else reversed(order):
                first[name].append(first_start(trees[name], scratch))
                later[name].append(start_once(trees[name], kept[name]))
    print(f"backend start, spawn -> announcement, median of {args.runs} (load {os.getloadavg()[0]:.2f})")
    for name, tree in trees.items():
        print(f"[{name}] {tree}")
        print(f"  first start: {figure(first[name])}")
        print(f"  later start: {figure(later[name])}")
    if "other" in trees:
        for label, series in (("first start", first), ("later start", later)):
            this = statistics.median(run.wall for run in series["this"])
            other = statistics.median(run.wall for run in series["other"])
            this_cpu = statistics.median(run.cpu for run in series["this"])
            other_cpu = statistics.median(run.cpu for run in series["other"])
            print(f"  ratio this/other, {label}: wall {this / other:.2f}, CPU {this_cpu / other_cpu:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
