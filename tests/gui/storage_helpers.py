"""A real small disk for the storage tests: a 2 MiB tmpfs mounted for one test, filled with a
file until the kernel says ENOSPC, and freed again.

Mounting needs root (CI runs as root). A machine where it cannot mount fails the test rather
than skipping it: a storage test that silently does not run protects no gate.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

TMPFS_SIZE = "2m"


@contextmanager
def small_tmpfs(folder: Path, size: str = TMPFS_SIZE) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(
            f"cannot mount a {size} tmpfs at {folder} (needs root, as in CI): {mounted.stderr.strip()}"
        )
    try:
        yield folder
    finally:
        # Lazy: a file some thread still holds open must not leave the mount behind.
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Write a file until the filesystem is full (down to its last page); returns the file."""
    path = folder / "filler.bin"
    with path.open("wb", buffering=0) as handle:
        for chunk in (1024 * 1024, 64 * 1024, 4096, 512, 1):
            block = b"\0" * chunk
            while True:
                try:
                    handle.write(block)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
        os.fsync(handle.fileno())
    return path
