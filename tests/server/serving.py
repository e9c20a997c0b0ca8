"""A real single-process `shoumen-server serve --demo` on a copy of the SQLite template."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.ports import free_port
from tests.server.conftest import copy_sqlite_template


@contextmanager
def demo_serve(
    sqlite_template: Path, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(port, the server's output lines): the lines so far while it serves, all of them once
    the block has ended (the server is stopped then)."""
    url = copy_sqlite_template(sqlite_template, tmp_path / "serve.db")
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SHOUMEN_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shoumen_server",
            "serve",
            "--demo",
            "--port",
            str(port),
            "--database-url",
            url,
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        env={**environment, "PYTHONUTF8": "1", **(env or {})},
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:  # blocks until uvicorn listens (or the process dies)
            lines.append(line)
            if "Uvicorn running on" in line:  # it listens (startup completes before the bind)
                break
        else:
            pytest.fail("server did not start:\n" + "".join(lines))
        yield port, lines
    finally:
        process.terminate()
        rest, _ = process.communicate(timeout=30)
        lines += rest.splitlines()
