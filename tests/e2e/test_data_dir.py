"""Issue 14 §3 and §2 as a person meets them: the real app as a subprocess, offscreen.

A read-only logs folder, a read-only data folder, a data folder that cannot be made and a
read-only cache file each give a Chinese message naming the folder and what to do, on stderr,
with no traceback. Read-only means really read-only: as root (CI) chmod stops nothing, so the
folder becomes a read-only tmpfs or bind mount in a private mount namespace (unshare -m, as
scripts/bundle.sh does); another user gets chmod, which does stop them.

`shoumen --salvage FILE` repairs a damaged cache a technician brings, before Qt starts.
"""

from __future__ import annotations

import os
import random
import shlex
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import CheckMethod, CheckRecordIn
from shoumen_core.timeutil import utcnow
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.ids import uuid7

ROOT = os.geteuid() == 0
WHAT_TO_DO = "请检查这个文件夹的权限，或用 --data-dir 指定其他可写的文件夹。"


def app_command(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "shoumen_gui", "--data-dir", str(data_dir), "--self-check-exit", *args]


def run(
    command: list[str],
    *,
    read_only: Path | None = None,
    timeout: float = 110,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `command` with `read_only` (a folder or a file) made read-only for it."""
    env = {
        **os.environ,
        **(extra_env or {}),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "SHOUMEN_LOG_TO_STDERR": "1",  # the default outside tests: a technician reads stderr
    }
    if read_only is not None and ROOT:
        target = shlex.quote(str(read_only))
        mount = (
            f"mount -t tmpfs -o ro tmpfs {target}"
            if read_only.is_dir() and not any(read_only.iterdir())
            else f"mount --bind {target} {target} && mount -o remount,bind,ro {target}"
        )
        command = [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            f'{mount} && exec "$@"',
            "sh",
            *command,
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    if read_only is not None:
        mode = read_only.stat().st_mode
        read_only.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        try:
            return subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        finally:
            read_only.chmod(mode)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)


def test_a_read_only_logs_folder_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "station"
    (data / "logs").mkdir(parents=True)
    result = run(app_command(data), read_only=data / "logs")
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"守小门无法写入文件夹：{data / 'logs'}（" in result.stderr
    assert WHAT_TO_DO in result.stderr
    assert "Traceback" not in result.stderr and "OSError" not in result.stderr


def test_a_read_only_data_folder_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "station"
    data.mkdir()
    result = run(app_command(data), read_only=data)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"守小门无法写入文件夹：{data}（" in result.stderr and WHAT_TO_DO in result.stderr
    assert "Traceback" not in result.stderr


def test_only_the_cache_folder_read_only_names_it(tmp_path: Path) -> None:
    """The platform's folders (no --data-dir): the logs can be written, the data folder with
    the cache cannot — the message names the data folder, not "(OperationalError)"."""
    xdg = {
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    data = tmp_path / "data" / "shoumen"
    data.mkdir(parents=True)
    command = [sys.executable, "-m", "shoumen_gui", "--self-check-exit"]
    result = run(command, read_only=data, extra_env=xdg)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"守小门无法写入文件夹：{data}（" in result.stderr and WHAT_TO_DO in result.stderr
    assert "OperationalError" not in result.stderr and "Traceback" not in result.stderr


def test_a_data_folder_that_cannot_be_made_is_a_message(tmp_path: Path) -> None:
    in_the_way = tmp_path / "station"
    in_the_way.write_text("not a folder")
    result = run(app_command(in_the_way / "data"))
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"守小门无法创建文件夹：{in_the_way / 'data'}（路径上有同名的文件）" in result.stderr
    assert WHAT_TO_DO in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_read_only_cache_names_its_folder_instead_of_operational_error(tmp_path: Path) -> None:
    data = tmp_path / "station"
    first = run(app_command(data))
    assert first.returncode == 0, first.stderr[-2000:]
    (cache,) = data.glob("cache-embedded-*.db")
    result = run(app_command(data), read_only=cache)
    assert result.returncode == 1, result.stderr[-2000:]
    assert f"本机数据文件无法使用：{cache}（" in result.stderr
    assert f"请检查文件夹 {data} 的权限，或用 --data-dir 指定其他可写的文件夹。" in result.stderr
    assert "（OperationalError）" not in result.stderr and "Traceback" not in result.stderr


def cache_with_unsynced_checks(path: Path, n: int) -> None:
    cache = LocalCache.open(path)
    records = [
        CheckRecordIn(
            id=uuid7(),
            venue_id=1,
            method=CheckMethod.SCAN,
            checked_at=utcnow(),
            level=VerdictLevel.PASS,
            findings=[],
            masked_name="张*",
        )
        for _ in range(n)
    ]
    cache.add_checks_bulk((r, 3) for r in records)
    cache.close()


def test_salvage_repairs_a_file_a_technician_brings(tmp_path: Path) -> None:
    path = tmp_path / "brought" / "cache-x.db"
    path.parent.mkdir()
    cache_with_unsynced_checks(path, 25)
    data = bytearray(path.read_bytes())
    data[:100] = random.Random(3).randbytes(100)
    path.write_bytes(bytes(data))
    result = subprocess.run(
        [sys.executable, "-m", "shoumen_gui", "--salvage", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (moved,) = path.parent.glob("cache-x.db.damaged-*")
    assert moved.read_bytes() == bytes(data)  # kept for support, untouched
    assert f"本机数据文件已损坏，已另存为 {moved}，已恢复 25 条未上传的核验记录。" in result.stdout
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM checks WHERE state = 'pending'").fetchone()[0] == 25
    conn.close()
    again = subprocess.run(
        [sys.executable, "-m", "shoumen_gui", "--salvage", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert again.returncode == 0 and "完好，无需修复" in again.stdout
