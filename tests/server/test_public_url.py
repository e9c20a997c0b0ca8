"""Issue 15 §2: outside demo mode `serve` refuses to start unless the venue codes it hands out
point where visitors' phones can reach them — a public https base URL (a private or loopback
host only when the operator says so, for an intranet deployment).

The refusals run `cmd_serve` in-process with uvicorn.run replaced by a failure (a server that
starts would otherwise serve until the test times out); starting is a real subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import uvicorn

from shoumen_server import cli

HTTPS_PUBLIC = "https://shoumen.example.gov.cn"
SERVING_RE = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")


@pytest.fixture
def serve_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A non-demo environment with a working (test) SMS provider and no base URL."""
    for name in ("SHOUMEN_PUBLIC_BASE_URL", "SHOUMEN_ALLOW_PRIVATE_BASE_URL", "SHOUMEN_DEMO_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHOUMEN_SMS_PROVIDER", "log")
    monkeypatch.setenv("SHOUMEN_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")

    def started(*_args: object, **_kwargs: object) -> None:
        pytest.fail("serve started on a base URL visitors cannot reach")

    monkeypatch.setattr(uvicorn, "run", started)
    return monkeypatch


def serve_in_process(*args: str) -> int:
    return cli.cmd_serve(cli.build_parser().parse_args(["serve", "--port", "0", *args]))


def test_serve_refuses_to_start_without_a_public_base_url(
    serve_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert serve_in_process() == 2
    err = capsys.readouterr().err
    assert "拒绝启动" in err and "refusing to start" in err
    assert "SHOUMEN_PUBLIC_BASE_URL" in err and "--public-base-url" in err


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://shoumen.example.gov.cn", "未使用 https"),
        ("http://127.0.0.1:8000", "指向本机"),  # the old default
        ("https://127.0.0.1", "指向本机"),
        ("https://[::1]", "指向本机"),
        ("https://localhost", "指向本机"),
        ("https://10.0.0.8", "指向内网地址"),
        ("https://172.20.1.1", "指向内网地址"),
        ("https://192.168.1.10", "指向内网地址"),
        ("https://169.254.1.1", "指向内网地址"),
        ("https://[fd00::8]", "指向内网地址"),
        ("https://[fe80::8]", "指向内网地址"),
        ("https://shoumen.local", "指向内网地址"),
        ("https://user:hunter2@shoumen.example.gov.cn", "不是可用的 https 地址"),
    ],
)
def test_serve_refuses_a_base_url_visitors_cannot_reach(
    serve_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, words: str
) -> None:
    serve_env.setenv("SHOUMEN_PUBLIC_BASE_URL", url)
    assert serve_in_process() == 2
    err = capsys.readouterr().err
    assert words in err and "SHOUMEN_PUBLIC_BASE_URL" in err
    assert "hunter2" not in err  # an invalid URL is not echoed: it may carry a password


def test_serve_refuses_the_flag_as_it_refuses_the_setting(
    serve_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_env.setenv("SHOUMEN_PUBLIC_BASE_URL", HTTPS_PUBLIC)
    assert serve_in_process("--public-base-url", "http://192.168.1.10") == 2
    assert "指向内网地址" in capsys.readouterr().err


def test_the_intranet_allowance_waives_the_host_never_https(
    serve_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_env.setenv("SHOUMEN_ALLOW_PRIVATE_BASE_URL", "1")
    serve_env.setenv("SHOUMEN_PUBLIC_BASE_URL", "http://192.168.1.10")
    assert serve_in_process() == 2
    assert "未使用 https" in capsys.readouterr().err


def test_serve_names_every_refusal_at_once(
    serve_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_env.delenv("SHOUMEN_SMS_PROVIDER")
    assert serve_in_process() == 2
    err = capsys.readouterr().err
    assert "SHOUMEN_PUBLIC_BASE_URL" in err and "SHOUMEN_SMS_PROVIDER" in err


# ---- real processes ---------------------------------------------------------------------------


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHOUMEN_")}
    return clean | {
        "PYTHONUTF8": "1",
        "SHOUMEN_SMS_PROVIDER": "log",
        "SHOUMEN_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        **values,
    }


def _start(env: dict[str, str]) -> tuple[str, list[str]]:
    """Run `serve --port 0` until uvicorn says where it listens; (its URL, the log so far)."""
    command = [sys.executable, "-m", "shoumen_server", "serve", "--port", "0"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    try:
        assert process.stderr is not None
        for line in process.stderr:  # blocks until uvicorn listens or the process exits
            seen.append(line)
            found = SERVING_RE.search(line)
            if found:
                info = httpx.get(f"{found.group(1)}/api/v1/info", timeout=10)
                assert info.status_code == 200 and info.json()["demo_mode"] is False
                return found.group(1), seen
        pytest.fail("serve did not start:\n" + "".join(seen))
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def test_a_real_server_refuses_to_start_without_a_public_base_url(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "shoumen_server", "serve", "--port", "0"]
    refused = subprocess.run(command, env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "拒绝启动" in refused.stderr and "SHOUMEN_PUBLIC_BASE_URL" in refused.stderr


def test_a_real_server_starts_on_a_public_https_base_url(tmp_path: Path) -> None:
    _url, log = _start(_env(tmp_path, SHOUMEN_PUBLIC_BASE_URL=HTTPS_PUBLIC))
    assert f"venue codes point at {HTTPS_PUBLIC}" in "".join(log)


def test_a_real_server_starts_on_an_allowed_intranet_https_base_url(tmp_path: Path) -> None:
    env = _env(tmp_path, SHOUMEN_PUBLIC_BASE_URL="https://10.0.0.8", SHOUMEN_ALLOW_PRIVATE_BASE_URL="1")
    _url, log = _start(env)
    assert "venue codes point at https://10.0.0.8 (private): phones off this" in "".join(log)
