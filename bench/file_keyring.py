"""A keyring backend in a JSON file, for bench_cold_start.py only.

The bench machine has no OS keyring; a warm start (token stored, session resumed) needs one.
Never use this for real: the token would sit in a plain file, which is what the app avoids.
Selected with PYTHON_KEYRING_BACKEND=bench.file_keyring.FileKeyring and SHOUMEN_BENCH_KEYRING=path.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors


class FileKeyring(keyring.backend.KeyringBackend):
    priority = 1

    @property
    def path(self) -> Path:
        return Path(os.environ["SHOUMEN_BENCH_KEYRING"])

    def _load(self) -> dict[str, str]:
        try:
            data: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}|{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}|{username}"] = password
        self.path.write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}|{username}", None) is None:
            raise keyring.errors.PasswordDeleteError("not stored")
        self.path.write_text(json.dumps(data), encoding="utf-8")
