"""Where the app keeps its files: settings, cache, logs and the embedded server's database.

By default the platform's folders (platformdirs); with `--data-dir DIR` everything lives in
one folder, so a kiosk, a test or a second station on the same machine stays self-contained.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "shoumen"
APP_AUTHOR = "shoumen"


class DataDirError(Exception):
    """A folder the app must write to is read-only, not permitted, or cannot be made. The
    message (Chinese) names the folder and what to do; main() prints it and shows it."""

    def __init__(self, folder: Path, error: OSError, *, creating: bool) -> None:
        self.folder = folder
        self.error, self.creating = error, creating  # for the words in the app's language (ui/texts.py)
        self.code = "data_dir_unusable"
        self.message = folder_message(folder, error, creating=creating)
        super().__init__(self.message)


_WHY: dict[int, str] = {
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.ENOSPC: "磁盘已满",
    errno.ENOTDIR: "路径上有同名的文件",
    errno.EEXIST: "已有同名的文件",
    errno.ENOENT: "文件夹不存在",
    errno.EISDIR: "这是一个文件夹",
    errno.ENAMETOOLONG: "文件名太长",
}


def os_reason(error: OSError) -> str:
    """Why the OS refused, in words (磁盘已满, 没有写入权限, …)."""
    return _WHY.get(error.errno or 0) or error.strerror or type(error).__name__


def file_message(path: Path, error: OSError) -> str:
    """A file the person chose (an export, a code image, a poster) could not be written: why,
    in words, and what to do (issue 16 §7)."""
    why = _WHY.get(error.errno or 0) or error.strerror or "无法写入"
    return f"无法保存到 {path}（{why}），请选择其他位置后重试。"


def folder_message(folder: Path, error: OSError, *, creating: bool = False) -> str:
    why = _WHY.get(error.errno or 0) or error.strerror or type(error).__name__
    action = "创建" if creating else "写入"
    return (
        f"守小门无法{action}文件夹：{folder}（{why}）。"
        "请检查这个文件夹的权限，或用 --data-dir 指定其他可写的文件夹。"
    )


def probe_folder(folder: Path) -> None:
    """Make `folder` and write a file in it: the only test a read-only mount or an ACL cannot
    fool (os.access says yes to root on a read-only file system)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
    except OSError as exc:
        raise DataDirError(folder, exc, creating=True) from exc
    try:
        handle, name = tempfile.mkstemp(prefix=".shoumen-write-test-", dir=folder)
        os.close(handle)
        os.unlink(name)
    except OSError as exc:
        raise DataDirError(folder, exc, creating=False) from exc


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path  # settings.json
    data_dir: Path  # local cache, the embedded server's SQLite
    log_dir: Path  # shoumen.log, crash reports, faulthandler output

    @classmethod
    def default(cls) -> AppPaths:
        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
        )

    @classmethod
    def in_folder(cls, root: Path) -> AppPaths:
        root = root.expanduser().resolve()
        return cls(config_dir=root, data_dir=root, log_dir=root / "logs")

    @classmethod
    def choose(cls, data_dir: Path | None) -> AppPaths:
        return cls.in_folder(data_dir) if data_dir is not None else cls.default()

    def ensure(self) -> AppPaths:
        """Make the folders and check they can be written (DataDirError naming the first that
        cannot): before logging starts, so a read-only folder is a message, not a traceback."""
        for folder in (self.config_dir, self.data_dir, self.log_dir):
            probe_folder(folder)
        return self

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "shoumen.log"

    @property
    def faulthandler_file(self) -> Path:
        return self.log_dir / "faulthandler.log"

    @property
    def embedded_db(self) -> Path:
        return self.data_dir / "embedded-server.db"

    def cache_db(self, server_key: str) -> Path:
        """One local cache per backend, so switching servers never mixes their data."""
        return self.data_dir / f"cache-{server_key}.db"


def resources_dir() -> Path:
    """The `resources/` folder: next to the packages in a checkout, inside the bundle when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
