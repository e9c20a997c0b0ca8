"""`shoumen --self-test` from source: every step passes on a machine set up by ./test, a real
missing piece (no CJK font) fails the run, and the bundle's libzbar hook answers for zbar.

scripts/bundle.sh runs the same self-test in the PyInstaller bundle, with the system libzbar
hidden; these tests keep the self-test itself honest on every run of the suite.
"""

from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from shoumen_gui import selftest
from shoumen_gui.selftest import STEPS, WORKBENCH_SIZE, SelfTestState

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
STEP_LINE = re.compile(r"^\[(ok|FAIL|skip)\] (.+?)(?:: (.*))? \((\d+\.\d) s\)$")


def run_self_test(data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shoumen_gui", "--self-test", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=110,
        env={**os.environ, "SHOUMEN_LOG_TO_STDERR": "0", **env},
        check=False,
    )


def step_lines(stdout: str) -> list[tuple[str, str, str]]:
    """(status, name, detail) of each step line, in order."""
    found = []
    for line in stdout.splitlines():
        match = STEP_LINE.match(line)
        if match:
            found.append((match[1], match[2], match[3] or ""))
    return found


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_every_step_passes_from_source(tmp_path: Path) -> None:
    result = run_self_test(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    steps = step_lines(result.stdout)
    assert [name for _, name, _ in steps] == [name for name, _ in STEPS]  # one line per step
    assert {status for status, _, _ in steps} == {"ok"}, result.stdout
    assert result.stdout.splitlines()[-1].startswith(f"self-test passed: {len(STEPS)} steps")
    details = {name: detail for _, name, detail in steps}
    assert "libzbar" in details["pyzbar decoded the sample frame"]
    assert details["check end to end through the local cache and a sync"].startswith("通行")
    # With --data-dir the work folder is kept: the rendered workbench is a real PNG.
    (folder,) = tmp_path.glob("shoumen-selftest-*")
    assert (folder / "embedded-server.db").is_file()
    width, height = png_size(folder / "workbench.png")
    assert width >= WORKBENCH_SIZE[0] and height >= WORKBENCH_SIZE[1]
    assert "13900000002" not in (folder / "logs" / "shoumen.log").read_text(encoding="utf-8")


def test_no_cjk_font_fails_the_run(tmp_path: Path) -> None:
    # A fontconfig set-up with no font folders: what a kiosk without fonts-wqy-microhei has.
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n', encoding="utf-8")
    result = run_self_test(tmp_path / "run", FONTCONFIG_FILE=str(config))
    assert result.returncode == 1, result.stdout
    statuses = {name: status for status, name, _ in step_lines(result.stdout)}
    assert statuses.pop("CJK font") == "FAIL"
    assert set(statuses.values()) == {"ok"}  # the other steps do not depend on it
    assert f"self-test FAILED: 1 of {len(STEPS)} steps" in result.stdout
    assert "files and log kept in" in result.stdout


def test_a_failed_step_skips_the_steps_that_need_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(state: SelfTestState) -> str:
        raise RuntimeError("no database")

    def needs_backend(state: SelfTestState) -> str:
        state.need(state.backend, "embedded backend")
        return "unreachable"

    steps = (("first", lambda state: "fine"), ("second", broken), ("third", needs_backend))
    monkeypatch.setattr(selftest, "STEPS", steps)
    out = io.StringIO()
    outcomes = selftest.run_steps(SelfTestState(tmp_path), out)
    assert [(o.name, o.status) for o in outcomes] == [("first", "ok"), ("second", "FAIL"), ("third", "skip")]
    assert step_lines(out.getvalue()) == [
        ("ok", "first", "fine"),
        ("FAIL", "second", "RuntimeError: no database"),
        ("skip", "third", "needs: embedded backend"),
    ]


@pytest.mark.parametrize("bundled", [True, False])
def test_zbar_runtime_hook_prefers_the_bundled_library(tmp_path: Path, bundled: bool) -> None:
    bundle = tmp_path / "_internal"
    bundle.mkdir()
    if bundled:
        (bundle / "libzbar.so.0").write_bytes(b"")
    probe = (
        "import ctypes.util, runpy, sys\n"
        "system = (ctypes.util.find_library('zbar'), ctypes.util.find_library('m'))\n"
        f"sys._MEIPASS = {str(bundle)!r}\n"
        f"runpy.run_path({str(ROOT / 'packaging' / 'rthook_zbar.py')!r})\n"
        "print(ctypes.util.find_library('zbar'))\n"
        "print(ctypes.util.find_library('m') == system[1])\n"
        "print(system[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, check=True
    )
    zbar, other_unchanged, system_zbar = result.stdout.splitlines()
    assert other_unchanged == "True"
    assert zbar == (str(bundle / "libzbar.so.0") if bundled else system_zbar)
