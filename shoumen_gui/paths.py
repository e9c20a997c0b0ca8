"""Where the app keeps its files: settings, cache, logs and the embedded server's database.

By default the platform's folders (platformdirs); with `--data-dir DIR` everything lives in
one folder, so a kiosk, a test or a second station on the same machine stays self-contained.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "shoumen"
APP_AUTHOR = "shoumen"


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
        for folder in (self.config_dir, self.data_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
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
