"""`--log-format json` / SHOUMEN_LOG_FORMAT=json (issue 15 §3): one JSON object per line for
every record (ours, uvicorn's, gunicorn's), a multi-line message or traceback included.
The two-worker server's JSON lines are checked in test_workers.py."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from shoumen_server.logs import JsonFormatter, log_format
from tests.server.serving import demo_serve


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SHOUMEN_")}
    environment.update(PYTHONUTF8="1", **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "shoumen_server", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=120,
        check=False,
    )


def test_json_formatter_keeps_a_record_on_one_line() -> None:
    try:
        raise RuntimeError("boom\nsecond line")
    except RuntimeError:
        record = logging.getLogger("shoumen.test").makeRecord(
            "shoumen.test", logging.ERROR, __file__, 1, 'forged\n{"level": "INFO"} %s', ("x",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "shoumen.test"
    assert entry["message"] == 'forged\n{"level": "INFO"} x' and "RuntimeError: boom" in entry["exception"]
    assert entry["pid"] == os.getpid() and entry["time"].endswith("+00:00")


def test_an_unknown_log_format_is_refused_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SHOUMEN_LOG_FORMAT"):
        log_format("yaml")
    result = _run(
        "migrate", "--database-url", f"sqlite:///{tmp_path / 'x.db'}", env={"SHOUMEN_LOG_FORMAT": "yaml"}
    )
    assert result.returncode == 2 and "SHOUMEN_LOG_FORMAT" in result.stderr


def _serve_json_logs(
    sqlite_template: Path, tmp_path: Path, request: Callable[[str], None], env: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Start `serve --demo --log-format json`, run `request(base_url)`, stop it: its log entries."""
    with demo_serve(sqlite_template, tmp_path, "--log-format", "json", env=env) as (port, lines):
        request(f"http://127.0.0.1:{port}")
    return [json.loads(line) for line in lines if line.strip()]  # every line is one object


def test_single_process_serve_logs_json_lines(sqlite_template: Path, tmp_path: Path) -> None:
    def health(base: str) -> None:
        assert httpx.get(f"{base}/api/v1/health", timeout=10).status_code == 200

    entries = _serve_json_logs(sqlite_template, tmp_path, health)
    loggers = {entry["logger"] for entry in entries}
    assert {"shoumen.server.cli", "uvicorn.error", "uvicorn.access"} <= loggers, loggers
    assert any("/api/v1/health" in entry["message"] for entry in entries)


@pytest.mark.parametrize(("trusted", "client_seen"), [(None, "127.0.0.1"), ("127.0.0.1", "203.0.113.9")])
def test_uvicorn_believes_x_forwarded_for_only_from_the_trusted_proxies(
    sqlite_template: Path, tmp_path: Path, trusted: str | None, client_seen: str
) -> None:
    # One rule (SHOUMEN_TRUSTED_PROXIES): without it, a loopback peer's X-Forwarded-For is not
    # believed by uvicorn either (its default would trust loopback and log the claimed address).
    def spoofed(base: str) -> None:
        headers = {"X-Forwarded-For": "203.0.113.9"}
        assert httpx.get(f"{base}/api/v1/health", headers=headers, timeout=10).status_code == 200

    env = {"SHOUMEN_TRUSTED_PROXIES": trusted} if trusted else {}
    entries = _serve_json_logs(sqlite_template, tmp_path, spoofed, env)
    access = [entry["message"] for entry in entries if entry["logger"] == "uvicorn.access"]
    assert any("/api/v1/health" in line and line.startswith(client_seen) for line in access), access
