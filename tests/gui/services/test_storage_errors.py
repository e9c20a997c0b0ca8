"""Issue 14 §1: storage faults are typed service errors; a refused check is held and written once.

The cache tests run on a real full 2 MiB tmpfs (tests/gui/storage_helpers.py). A read-only
folder and an I/O fault cannot be made mid-run without unmounting under an open file, so their
mapping is checked on sqlite3 errors carrying SQLite's own result codes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from shoumen_core.policy import VerdictLevel
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.errors import (
    ServiceError,
    StorageError,
    StorageFull,
    StorageIOError,
    StorageReadOnly,
    storage_error,
)
from shoumen_gui.services.storage import format_bytes, probe_storage
from shoumen_gui.settings import SettingsStore
from tests.gui.services.conftest import USER_ID
from tests.gui.services.test_cache import record
from tests.gui.storage_helpers import fill, small_tmpfs


def sqlite_error(code: int, message: str = "x") -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorcode = code  # what the sqlite3 module sets from the C result code
    return exc


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (13, StorageFull),  # SQLITE_FULL
        (8, StorageReadOnly),  # SQLITE_READONLY
        (8 | (1 << 8), StorageReadOnly),  # SQLITE_READONLY_RECOVERY
        (10, StorageIOError),  # SQLITE_IOERR
        (10 | (3 << 8), StorageIOError),  # SQLITE_IOERR_WRITE
        (10 | (13 << 8), StorageIOError),  # SQLITE_IOERR_FSYNC
    ],
)
def test_storage_faults_are_typed_service_errors_with_chinese_messages(
    code: int, kind: type[StorageError]
) -> None:
    typed = storage_error(sqlite_error(code))
    assert type(typed) is kind
    assert isinstance(typed, ServiceError)  # a calm message, never the crash handler
    assert typed.message.startswith("无法保存：") and "人工核验" in typed.message
    assert typed.code == kind.default_code


def test_other_database_errors_keep_their_own_path() -> None:
    # A damaged file (SQLITE_CORRUPT, SQLITE_NOTADB) or a busy lock is not a storage fault.
    for code in (11, 26, 5):
        assert storage_error(sqlite_error(code)) is None


def test_oserror_and_uncoded_messages_map_by_errno_and_text() -> None:
    assert type(storage_error(OSError(28, "No space left on device"))) is StorageFull
    assert type(storage_error(OSError(30, "Read-only file system"))) is StorageReadOnly
    assert type(storage_error(OSError(5, "Input/output error"))) is StorageIOError
    assert storage_error(OSError(2, "No such file")) is None
    assert type(storage_error(sqlite3.OperationalError("database or disk is full"))) is StorageFull
    assert type(storage_error(sqlite3.OperationalError("disk I/O error"))) is StorageIOError


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_tmpfs(tmp_path / "disk") as folder:
        yield folder


@pytest.fixture
def small_cache(disk: Path) -> Iterator[LocalCache]:
    cache = LocalCache.open(disk / "cache.db")
    yield cache
    cache.close()


def test_a_full_disk_raises_storage_full_and_the_held_check_is_written_once(
    disk: Path, small_cache: LocalCache
) -> None:
    first = record()
    small_cache.add_check(first, USER_ID)
    filler = fill(disk)
    refused = record(VerdictLevel.DENY)
    with pytest.raises(StorageFull):
        small_cache.add_check(refused, USER_ID)
    assert small_cache.check(refused.id) is None  # nothing half-written
    assert small_cache.hold_check(refused, USER_ID) == 1
    with pytest.raises(StorageFull):
        small_cache.write_held()  # still full: still held
    assert small_cache.held_count() == 1
    status = probe_storage(small_cache, warn_below_bytes=1024 * 1024)
    assert status.held == 1 and status.low and status.written == () and "存储已满" in status.error

    filler.unlink()
    status = probe_storage(small_cache, warn_below_bytes=1024)
    assert status.written == (refused.id,) and status.held == 0 and status.error == ""
    stored = small_cache.check(refused.id)
    assert stored is not None and stored.state == "pending" and stored.record.level is VerdictLevel.DENY
    assert small_cache.pending_count() == 2
    # Writing the same records again (an ambiguous commit retried) never makes a second row.
    assert small_cache.add_held_checks([(refused, USER_ID), (first, USER_ID)]) == 0
    assert small_cache.pending_count() == 2


def test_transactions_on_a_full_disk_raise_storage_full_and_leave_the_cache_usable(
    disk: Path, small_cache: LocalCache
) -> None:
    filler = fill(disk)
    with pytest.raises(StorageFull):
        small_cache.add_checks_bulk([(record(), USER_ID) for _ in range(50)])
    filler.unlink()
    assert small_cache.add_checks_bulk([(record(), USER_ID)]) == 1
    assert small_cache.pending_count() == 1


def test_low_storage_threshold_is_a_setting(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    assert store.load().low_storage_warning_mb == 200
    (tmp_path / "settings.json").write_text('{"version": 3, "low_storage_warning_mb": 50}')
    assert store.load().low_storage_warning_mb == 50
    for bad in ("0", "true", '"big"', "2000000"):
        (tmp_path / "settings.json").write_text(f'{{"version": 3, "low_storage_warning_mb": {bad}}}')
        assert store.load().low_storage_warning_mb == 200


def test_free_space_reads_in_the_guards_units() -> None:
    assert format_bytes(512 * 1024) == "512 KB"
    assert format_bytes(150 * 1024 * 1024) == "150 MB"
    assert format_bytes(3 * 1024**3 + 1024**3 // 2) == "3.5 GB"


def test_closing_the_cache_writes_what_is_held_if_the_disk_takes_it(disk: Path) -> None:
    cache = LocalCache.open(disk / "cache.db")
    filler = fill(disk)
    refused = record(VerdictLevel.DENY)
    with pytest.raises(StorageFull):
        cache.add_check(refused, USER_ID)
    cache.hold_check(refused, USER_ID)
    filler.unlink()
    cache.close()  # e.g. the app quits before the next storage probe
    reopened = LocalCache.open(disk / "cache.db")
    try:
        assert reopened.check(refused.id) is not None and reopened.pending_count() == 1
    finally:
        reopened.close()


def test_opening_a_new_cache_on_a_full_disk_says_the_disk_is_full(disk: Path) -> None:
    fill(disk)
    with pytest.raises(StorageFull):
        LocalCache.open(disk / "new-cache.db")
