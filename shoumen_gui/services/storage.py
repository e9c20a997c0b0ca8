"""The device's storage, watched: free space in the cache's folder, and the checks held in
memory while the disk refused them (issue 14 §1).

Runs on the cache lane (tasks.run_serial) on a timer, never on the GUI thread: statvfs on a
failing disk can hang, and writing the held checks is database work.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from dataclasses import dataclass, field
from typing import Final

from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.errors import StorageError

log = logging.getLogger("shoumen.gui.storage")

MIB: Final = 1024 * 1024
DEFAULT_WARN_BELOW_MB: Final = 200  # settings.low_storage_warning_mb; a busy day's checks take ~5 MB


@dataclass(frozen=True)
class StorageStatus:
    free_bytes: int | None  # None: the folder could not be measured
    low: bool  # below the warning threshold (or unmeasurable): the status bar says so
    held: int  # checks still in memory, not on disk
    written: tuple[uuid.UUID, ...] = field(default=())  # held checks this probe wrote
    error: str = ""  # the StorageError's message while the held checks are still refused


def probe_storage(cache: LocalCache, warn_below_bytes: int) -> StorageStatus:
    """Write what is held if the disk takes it now, then measure the free space."""
    written: list[uuid.UUID] = []
    error = ""
    if cache.held_count():
        try:
            written = cache.write_held()
        except StorageError as exc:
            error = exc.message
    try:
        free: int | None = shutil.disk_usage(cache.path.parent).free
    except OSError as exc:
        log.warning("free space of the data folder unknown (%s)", type(exc).__name__)
        free = None
    low = free is None or free < warn_below_bytes
    return StorageStatus(free, low, cache.held_count(), tuple(written), error)


def format_bytes(n: int) -> str:
    """Free space for the guard: MB below a GB, GB above (one decimal)."""
    if n >= 1024 * MIB:
        return f"{n / (1024 * MIB):.1f} GB"
    if n >= MIB:
        return f"{n / MIB:.0f} MB"
    return f"{n / 1024:.0f} KB"
