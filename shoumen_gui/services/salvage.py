"""A damaged local cache is salvaged, not a dead end (issue 14 §2).

On start (and with `shoumen --salvage FILE`) a cache that fails `PRAGMA quick_check`, or that
SQLite calls corrupt or not a database, is moved aside with a timestamp (with its WAL, so
support gets every byte), the rows that can still be read are recovered, a fresh cache is made
in its place and the recovered unsynced checks and registrations go into its outbox. Their ids
keep them idempotent at the server: a row that had in fact been pushed is counted once.

Recovery follows SQLite's own `.recover`: it does not trust the b-tree (a garbage page or a
truncation breaks it), it reads every table leaf page of the file and of its WAL, decodes the
records (following overflow pages) and keeps those that parse as a check or a registration.
The header is not needed either (a garbage header is common): without it every page size is
tried. Of several copies of one row (old page versions, WAL frames) the latest revision wins.

Qt-free: the app runs it on the cache worker, the CLI in the main thread.
"""

from __future__ import annotations

import logging
import sqlite3
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from shoumen_core.schemas import AnomalyIn, CheckRecordIn
from shoumen_core.timeutil import utcnow
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.cache_rows import record_from_row
from shoumen_gui.services.errors import CacheError, StorageError, StorageFull, StorageIOError, StorageReadOnly
from shoumen_gui.services.sqlite_pages import Record, records

log = logging.getLogger("shoumen.gui.salvage")

_DAMAGE_CODES: Final = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB (primary codes)
_CHECK_COLUMNS_V1: Final = 24  # the checks table before the gate columns (cache_schema _V2)
_CHECK_COLUMNS: Final = 26
_ANOMALY_COLUMNS: Final = 12


@dataclass(frozen=True)
class SalvageReport:
    """What happened, for the guard and for support."""

    moved_to: Path
    reason: str
    checks: int  # unsynced checks recovered into the new outbox
    anomalies: int  # unsynced registrations recovered

    def message(self) -> str:
        text = f"本机数据文件已损坏，已另存为 {self.moved_to}，已恢复 {self.checks} 条未上传的核验记录"
        if self.anomalies:
            text += f"和 {self.anomalies} 条核查登记"
        return text + "。"


@dataclass(frozen=True)
class Opened:
    cache: LocalCache
    salvaged: SalvageReport | None


def is_damage(error: BaseException | None) -> bool:
    """SQLite says the file is corrupt or not a database (not: locked, read-only, disk full)."""
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _DAMAGE_CODES


def damage(path: Path) -> str | None:
    """Why the cache at `path` is damaged, or None (also for no file: a fresh one is made).
    Raises sqlite3.Error for what is not damage (a read-only folder, a locked file)."""
    if not path.exists():
        return None
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            return f"{type(exc).__name__}: {exc}"
        raise
    finally:
        conn.close()
    if rows != [("ok",)]:
        return f"quick_check: {rows[0][0]}"[:200]
    return None


_SQLITE_WHY: Final = {
    3: "没有权限",  # SQLITE_PERM
    8: "文件或文件夹是只读的",  # SQLITE_READONLY
    10: "读写出错",  # SQLITE_IOERR
    13: "磁盘已满",  # SQLITE_FULL
    14: "无法打开或创建",  # SQLITE_CANTOPEN
}


_STORAGE_WHY: Final[dict[type[StorageError], str]] = {
    StorageReadOnly: "文件或文件夹是只读的",
    StorageFull: "磁盘已满",
    StorageIOError: "读写出错",
}


def unusable(path: Path, error: BaseException) -> CacheError:
    """A cache that is not damaged but cannot be used where it is (issue 14 §3): name the
    file's folder and say what to do."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(error, OSError):
        why = error.strerror or type(error).__name__
    elif isinstance(error, StorageError):
        why = _STORAGE_WHY.get(type(error), "读写出错")
    else:
        why = _SQLITE_WHY.get((code or 0) & 0xFF, type(error).__name__)
    return CacheError(
        f"本机数据文件无法使用：{path}（{why}）。"
        f"请检查文件夹 {path.parent} 的权限，或用 --data-dir 指定其他可写的文件夹。",
        code="cache_unusable",
    )


def open_or_salvage(
    path: Path,
    now: datetime | None = None,
    *,
    on_salvage: Callable[[], None] | None = None,
    opener: Callable[[Path], LocalCache] = LocalCache.open,
) -> Opened:
    """The cache at `path`, opened with `opener`; a damaged one is salvaged first (worker
    thread), after telling `on_salvage` (it takes seconds on a big file: ~20 s for 200 000 rows
    on a 2-core box). CacheError when the file cannot be used for another reason (read-only,
    no permission, disk full)."""
    report = salvage_if_damaged(path, now, on_salvage=on_salvage)
    try:
        return Opened(opener(path), report)
    except StorageError as exc:  # read-only, full or failing where it lies: name the folder
        raise unusable(path, exc.__cause__ or exc) from exc
    except CacheError as exc:
        cause = exc.__cause__
        if report is not None or not is_damage(cause):
            if isinstance(cause, sqlite3.OperationalError):
                raise unusable(path, cause) from cause
            raise
        problem = f"{type(cause).__name__}: {cause}"  # passed quick_check, failed to open
    return Opened(opener(path), _salvage_or_explain(path, problem, now, on_salvage))


def salvage_if_damaged(
    path: Path, now: datetime | None = None, *, on_salvage: Callable[[], None] | None = None
) -> SalvageReport | None:
    """Salvage the cache at `path` if `PRAGMA quick_check` or SQLite says it is damaged (the
    fresh file is left closed, for whatever opens it next). None: not damaged, or no file."""
    try:
        problem = damage(path)
    except sqlite3.Error as exc:
        raise unusable(path, exc) from exc
    if problem is None:
        return None
    return _salvage_or_explain(path, problem, now, on_salvage)


def _salvage_or_explain(
    path: Path, problem: str, now: datetime | None, on_salvage: Callable[[], None] | None
) -> SalvageReport:
    if on_salvage is not None:
        on_salvage()
    try:
        return salvage(path, problem, now)
    except OSError as exc:  # e.g. the folder is read-only: the file cannot be moved aside
        raise unusable(path, exc) from exc


def salvage(path: Path, reason: str = "", now: datetime | None = None) -> SalvageReport:
    """Move the cache at `path` aside, recover what can be read, make a fresh cache there with
    the recovered unsynced rows in its outbox."""
    stamp = (now or utcnow()).strftime("%Y%m%d-%H%M%S")
    moved = path.with_name(f"{path.name}.damaged-{stamp}")
    suffix = 1
    while moved.exists():  # two salvages within a second must not overwrite the first
        suffix += 1
        moved = path.with_name(f"{path.name}.damaged-{stamp}-{suffix}")
    path.rename(moved)
    for extra in ("-wal", "-shm"):
        side = path.with_name(path.name + extra)
        if side.exists():
            side.rename(moved.with_name(moved.name + extra))
    log.warning("local cache damaged (%s): moved to %s", reason, moved)
    checks, anomalies = recover(moved)
    fresh = LocalCache.open(path)
    try:
        fresh.restore_outbox(checks, anomalies)
    finally:
        fresh.close()
    log.warning("salvage: %d unsynced checks, %d registrations recovered", len(checks), len(anomalies))
    return SalvageReport(moved, reason, len(checks), len(anomalies))


# --- recovery ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    rev: int
    order: int
    state: str
    record: Record


def recover(
    path: Path,
) -> tuple[list[tuple[CheckRecordIn, int]], list[tuple[AnomalyIn, int, int]]]:
    """The unsynced checks (record, user id) and registrations (anomaly, user id, version)
    readable in the file at `path` and its WAL; the file is only read."""
    data = path.read_bytes()
    wal_path = path.with_name(path.name + "-wal")
    wal = wal_path.read_bytes() if wal_path.exists() else b""
    checks: dict[str, _Found] = {}
    anomalies: dict[str, _Found] = {}
    for order, record in enumerate(records(data, wal)):
        _keep(record, order, checks, anomalies)
    # Only the unsynced winners are decoded and parsed in full: on a big file most rows are
    # synced, and decoding and pydantic are the slow part.
    recovered_checks: list[tuple[CheckRecordIn, int]] = []
    for found in checks.values():
        if found.state == "pending" and (check := _check_record(found.record)) is not None:
            recovered_checks.append(check)
    recovered_anomalies: list[tuple[AnomalyIn, int, int]] = []
    for found in anomalies.values():
        if found.state == "pending" and (anomaly := _anomaly(found.record)) is not None:
            recovered_anomalies.append(anomaly)
    return recovered_checks, recovered_anomalies


def _record_row(v: tuple[Any, ...]) -> tuple[Any, ...]:
    """A checks-table record (cache_schema column order) -> the columns record_from_row reads:
    without user_id, day, hour and the sync state; the gate columns default for a _V1 row."""
    gate = v[24:26] if len(v) == _CHECK_COLUMNS else (0, "")
    return (v[0], v[1], v[2], v[4], v[5], *v[8:18], *gate)


def _keep(record: Record, order: int, checks: dict[str, _Found], anomalies: dict[str, _Found]) -> None:
    """Keep a record if it is a check or a registration; the latest copy wins."""
    try:
        if len(record) in (_CHECK_COLUMNS_V1, _CHECK_COLUMNS) and _is_check(record):
            found, table = _Found(record.value(20), order, record.value(18), record), checks
        elif len(record) == _ANOMALY_COLUMNS and _is_anomaly(record):
            found, table = _Found(0, order, record.value(7), record), anomalies
        else:
            return
    except (IndexError, ValueError, struct.error, UnicodeDecodeError):
        return
    key = str(record.value(0))
    current = table.get(key)
    if current is None or (found.rev, found.order) > (current.rev, current.order):
        table[key] = found


def _is_check(r: Record) -> bool:
    """The shape of a checks row, from the few columns it needs (every copy passes here)."""
    return (
        isinstance(r.value(3), int)
        and isinstance(r.value(20), int)
        and r.value(18) in ("pending", "synced", "rejected")
        and isinstance(r.value(4), str)
        and _is_uuid(r.value(0))
    )


def _is_uuid(value: Any) -> bool:
    """Cheap (every copy of every row is asked): the full parse comes with the winner's."""
    return isinstance(value, str) and len(value) == 36 and value[8] == value[13] == "-"


def _is_anomaly(r: Record) -> bool:
    return (
        isinstance(r.value(3), int)
        and isinstance(r.value(8), int)
        and isinstance(r.value(4), str)
        and r.value(7) in ("pending", "synced", "rejected", "conflict")
        and _is_uuid(r.value(0))
    )


def _check_record(r: Record) -> tuple[CheckRecordIn, int] | None:
    try:
        v = r.values()
        return record_from_row(_record_row(v)), int(v[3])
    except (ValidationError, ValueError, TypeError, IndexError, UnicodeDecodeError, struct.error):
        log.warning("salvage: a damaged check row is left out")
        return None


def _anomaly(r: Record) -> tuple[AnomalyIn, int, int] | None:
    try:
        v = r.values()
        anomaly = AnomalyIn.model_validate_json(v[4])
    except (ValidationError, ValueError, TypeError, IndexError, UnicodeDecodeError, struct.error):
        log.warning("salvage: a damaged registration is left out")
        return None
    if anomaly.name or anomaly.phone or anomaly.document_number:
        # Saved before names and phones were sealed: it cannot be re-sealed here (the venue's
        # key may be lost with the damage) and must not come back in clear. The moved file
        # keeps it for support.
        log.warning("salvage: a registration with a clear name or phone is left out")
        return None
    return anomaly, int(v[3]), int(v[8])
