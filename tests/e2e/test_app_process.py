"""The real app as a subprocess: `python -m shoumen_gui --data-dir TMP` reaches a ready state.

Started offscreen with its own data folder, so it runs its own embedded backend (migrated and
seeded on this first run), exactly as `./run` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

READY = "SHOUMEN_READY"
pytestmark = pytest.mark.slow


def run_app(data_dir: Path, *args: str, timeout: float = 110) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SHOUMEN_LOG_TO_STDERR": "0",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",  # the headless-Linux case, everywhere
    }
    return subprocess.run(
        [sys.executable, "-m", "shoumen_gui", "--data-dir", str(data_dir), "--self-check-exit", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def ready_line(stdout: str) -> list[str]:
    lines = [line for line in stdout.splitlines() if line.startswith(READY)]
    assert len(lines) == 1, stdout
    return lines[0].split()


def test_first_start_reaches_the_login_page(tmp_path: Path) -> None:
    data = tmp_path / "station"
    result = run_app(data, "--kiosk")
    assert result.returncode == 0, result.stderr[-2000:]
    _, page, seconds = ready_line(result.stdout)
    assert page == "login"
    assert 0 < float(seconds) < 100
    # Everything in the one folder: settings, cache, logs, the embedded server's database.
    assert (data / "embedded-server.db").is_file()
    assert any(data.glob("cache-embedded-*.db"))
    log = (data / "logs" / "shoumen.log").read_text(encoding="utf-8")
    assert "demo data seeded" in log
    assert "ready: login" in log
    assert "embedded backend stopped" in log  # a clean shutdown


def test_demo_login_reaches_the_workbench_and_logs_no_pii(tmp_path: Path) -> None:
    data = tmp_path / "station"
    result = run_app(data, "--demo-login")
    assert result.returncode == 0, result.stderr[-2000:]
    assert ready_line(result.stdout)[1] == "workbench"
    log = (data / "logs" / "shoumen.log").read_text(encoding="utf-8")
    assert "workbench ready" in log
    assert "13900000002" not in log  # the demo login's phone went through the PII filter
    assert '"venue_id"' in (data / "settings.json").read_text(encoding="utf-8")

    again = run_app(data)  # second start: no seeding, the data folder is reused
    assert again.returncode == 0, again.stderr[-2000:]
    assert ready_line(again.stdout)[1] == "login"  # no keyring on this machine: log in again
    log = (data / "logs" / "shoumen.log").read_text(encoding="utf-8")
    assert "first run: False" in log


def test_unreachable_server_opens_the_login_page(tmp_path: Path) -> None:
    result = run_app(tmp_path / "station", "--server", "http://127.0.0.1:9", timeout=60)
    # Nothing listens on port 9: the app still opens, on the login page, and says so.
    assert result.returncode == 0, result.stderr[-2000:]
    assert ready_line(result.stdout)[1] == "login"
    log = (tmp_path / "station" / "logs" / "shoumen.log").read_text(encoding="utf-8")
    assert "embedded backend listening" not in log  # --server means no embedded backend


def test_a_plain_http_server_is_refused(tmp_path: Path) -> None:
    """Issue 13 §3: `--server http://<another machine>` stops at the start page (exit 1 with
    --self-check-exit), before the token or the trust list could cross the network in clear."""
    result = run_app(tmp_path / "station", "--server", "http://shoumen.example.invalid:8000", timeout=60)
    assert result.returncode == 1, result.stderr[-2000:]
    log = (tmp_path / "station" / "logs" / "shoumen.log").read_text(encoding="utf-8")
    assert "server URL refused: insecure_server_url" in log
    assert not list((tmp_path / "station").glob("cache-server-*.db"))  # nothing kept for that server


def test_help_needs_no_display() -> None:
    """`shoumen --help` answers before Qt starts, so it works on a machine with no screen."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(
        [sys.executable, "-m", "shoumen_gui", "--help"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "--data-dir" in done.stdout
