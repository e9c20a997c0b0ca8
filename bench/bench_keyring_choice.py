"""The OS keyring's choice at start-up: keyring's own detection vs the app's (issue 18 §3).

Run: .venv/bin/python bench/bench_keyring_choice.py [--runs 9]

Each round starts two fresh interpreters (alternating which goes first) that import what the
app has imported by the time it first reads the keyring (the GUI's modules, httpx, Qt) and then
time one thing: keyring's own detection on first use (`keyring.get_keyring()`: every backend
keyring ships and every installed plugin, the macOS one running `ldconfig` / `gcc`), or the
app's (`services.keyring_backend.ensure_chosen()`). No keyring is configured (a station as
installed: PYTHON_KEYRING_BACKEND unset, no keyringrc.cfg). Prints the median wall and CPU
seconds of each and the ratio. `bench_cold_start.py` pins a file keyring (PYTHON_KEYRING_BACKEND),
so its start figures include neither.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TIMED = """
import json, os, time
import httpx, PySide6.QtWidgets, shoumen_gui.app, shoumen_gui.services.credentials
import keyring
from shoumen_gui.services.keyring_backend import ensure_chosen
wall, cpu = time.perf_counter(), time.process_time() + sum(os.times()[2:4])
{call}
chosen = type(keyring.get_keyring())
print(json.dumps({{
    "wall": time.perf_counter() - wall,
    "cpu": time.process_time() + sum(os.times()[2:4]) - cpu,
    "backend": chosen.__module__ + "." + chosen.__name__,
}}))
"""

WAYS = {"keyring's detection": "keyring.get_keyring()", "the app's choice": "ensure_chosen()"}


def once(call: str, config: Path) -> dict[str, float | str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env.update(PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(config), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", TIMED.format(call=call)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    results: dict[str, list[dict[str, float | str]]] = {name: [] for name in WAYS}
    with tempfile.TemporaryDirectory() as config:
        for call in WAYS.values():  # warm-up: bytecode compiled, files in the page cache
            once(call, Path(config))
        for i in range(args.runs):
            order = list(WAYS.items()) if i % 2 == 0 else list(reversed(WAYS.items()))
            for name, call in order:
                results[name].append(once(call, Path(config)))
    load = os.getloadavg()[0]
    print(f"keyring choice at first use, fresh process each, median of {args.runs} (load {load:.2f})")
    medians = {}
    for name, runs in results.items():
        wall = statistics.median(float(r["wall"]) for r in runs)
        cpu = statistics.median(float(r["cpu"]) for r in runs)
        medians[name] = wall
        print(f"  {name:<20} {wall * 1000:6.1f} ms wall, {cpu * 1000:6.1f} ms CPU -> {runs[0]['backend']}")
    ours, theirs = medians["the app's choice"], medians["keyring's detection"]
    print(f"  ratio app/keyring: {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
