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
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from shoumen_core.schemas import AnomalyIn, CheckRecordIn
from shoumen_core.timeutil import utcnow
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.cache_rows import record_from_row
from shoumen_gui.services.errors import CacheError

log = logging.getLogger("shoumen.gui.salvage")

_MAGIC: Final = b"SQLite format 3\x00"
_PAGE_SIZES: Final = (4096, 1024, 2048, 8192, 16384, 32768, 65536, 512)
_WAL_HEADER: Final = 32
_WAL_FRAME_HEADER: Final = 24
_LEAF_TABLE: Final = 0x0D
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


def unusable(path: Path, error: BaseException) -> CacheError:
    """A cache that is not damaged but cannot be used where it is (issue 14 §3): name the
    file's folder and say what to do."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(error, OSError):
        why = error.strerror or type(error).__name__
    else:
        why = _SQLITE_WHY.get((code or 0) & 0xFF, type(error).__name__)
    return CacheError(
        f"本机数据文件无法使用：{path}（{why}）。"
        f"请检查文件夹 {path.parent} 的权限，或用 --data-dir 指定其他可写的文件夹。",
        code="cache_unusable",
    )


def open_or_salvage(path: Path, now: datetime | None = None) -> Opened:
    """The cache at `path`; a damaged one is salvaged first (worker thread). CacheError when
    the file cannot be used for another reason (read-only, no permission, disk full)."""
    try:
        problem = damage(path)
    except sqlite3.Error as exc:
        raise unusable(path, exc) from exc
    if problem is None:
        try:
            return Opened(LocalCache.open(path), None)
        except CacheError as exc:
            cause = exc.__cause__
            if not is_damage(cause):
                if isinstance(cause, sqlite3.OperationalError):
                    raise unusable(path, cause) from cause
                raise
            problem = f"{type(cause).__name__}: {cause}"
    try:
        report = salvage(path, problem, now)
        return Opened(LocalCache.open(path), report)
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
    values: tuple[Any, ...]


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
    for order, values in enumerate(_records(data, wal)):
        _keep(values, order, checks, anomalies)
    recovered_checks: list[tuple[CheckRecordIn, int]] = []
    for found in checks.values():
        if found.state == "pending":
            recovered_checks.append((record_from_row(_record_row(found.values)), int(found.values[3])))
    recovered_anomalies = [
        (AnomalyIn.model_validate_json(f.values[4]), int(f.values[3]), int(f.values[8]))
        for f in anomalies.values()
        if f.state == "pending"
    ]
    return recovered_checks, recovered_anomalies


def _record_row(v: tuple[Any, ...]) -> tuple[Any, ...]:
    """A checks-table record (cache_schema column order) -> the columns record_from_row reads:
    without user_id, day, hour and the sync state; the gate columns default for a _V1 row."""
    gate = v[24:26] if len(v) == _CHECK_COLUMNS else (0, "")
    return (v[0], v[1], v[2], v[4], v[5], *v[8:18], *gate)


def _keep(
    values: tuple[Any, ...], order: int, checks: dict[str, _Found], anomalies: dict[str, _Found]
) -> None:
    """Keep a decoded record if it is a check or a registration; the latest copy wins."""
    if len(values) in (_CHECK_COLUMNS_V1, _CHECK_COLUMNS) and _is_check(values):
        found, table = _Found(int(values[20]), order, str(values[18]), values), checks
    elif len(values) == _ANOMALY_COLUMNS and _is_anomaly(values):
        found, table = _Found(0, order, str(values[7]), values), anomalies
    else:
        return
    key = str(values[0])
    current = table.get(key)
    if current is None or (found.rev, found.order) > (current.rev, current.order):
        table[key] = found


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _is_check(v: tuple[Any, ...]) -> bool:
    if not (_is_uuid(v[0]) and isinstance(v[3], int) and isinstance(v[20], int)):
        return False
    if v[18] not in ("pending", "synced", "rejected"):
        return False
    try:
        record_from_row(_record_row(v))
    except (ValidationError, ValueError, TypeError, IndexError):
        return False
    return True


def _is_anomaly(v: tuple[Any, ...]) -> bool:
    if not (_is_uuid(v[0]) and isinstance(v[3], int) and isinstance(v[8], int) and isinstance(v[4], str)):
        return False
    if v[7] not in ("pending", "synced", "rejected", "conflict"):
        return False
    try:
        anomaly = AnomalyIn.model_validate_json(v[4])
    except ValidationError:
        return False
    # A registration saved before names and phones were sealed cannot be re-sealed here
    # (the venue's key may be lost with the damage): it is left in the moved file for support.
    return not (anomaly.name or anomaly.phone or anomaly.document_number)


# --- the file format (https://www.sqlite.org/fileformat.html) ----------------------------------


def _records(data: bytes, wal: bytes) -> Iterator[tuple[Any, ...]]:
    """Every record of every table leaf page of the file and of the WAL's frames, in file
    order then frame order (later = newer)."""
    for page_size, reserved in _layouts(data, wal):
        usable = page_size - reserved
        pages = {n + 1: data[n * page_size : (n + 1) * page_size] for n in range(len(data) // page_size)}
        frames = list(_wal_frames(wal, page_size))
        latest = dict(pages)
        latest.update(frames)  # overflow chains are read at their newest version
        sources = [(n, p) for n, p in pages.items()] + frames
        for number, page in sources:
            yield from _leaf_records(page, number, usable, latest)


def _layouts(data: bytes, wal: bytes) -> list[tuple[int, int]]:
    """(page size, reserved bytes) to try: the header's, else the WAL's, else every size."""
    if data[:16] == _MAGIC:
        size = struct.unpack(">H", data[16:18])[0]
        size = 65536 if size == 1 else size
        if size in _PAGE_SIZES:
            return [(size, data[20])]
    if len(wal) >= _WAL_HEADER:
        size = struct.unpack(">I", wal[8:12])[0]
        if size in _PAGE_SIZES:
            return [(size, 0)]
    return [(size, 0) for size in _PAGE_SIZES]


def _wal_frames(wal: bytes, page_size: int) -> Iterator[tuple[int, bytes]]:
    if len(wal) < _WAL_HEADER or struct.unpack(">I", wal[8:12])[0] != page_size:
        return
    offset = _WAL_HEADER
    while offset + _WAL_FRAME_HEADER + page_size <= len(wal):
        number = struct.unpack(">I", wal[offset : offset + 4])[0]
        start = offset + _WAL_FRAME_HEADER
        if number:
            yield number, wal[start : start + page_size]
        offset = start + page_size


def _varint(buf: bytes, at: int) -> tuple[int, int]:
    """SQLite's big-endian varint: (value, bytes used)."""
    value = 0
    for i in range(8):
        byte = buf[at + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, i + 1
    return (value << 8) | buf[at + 8], 9


def _leaf_records(
    page: bytes, number: int, usable: int, pages: dict[int, bytes]
) -> Iterator[tuple[Any, ...]]:
    head = 100 if number == 1 else 0
    if len(page) <= head + 8 or page[head] != _LEAF_TABLE:
        return
    cells = struct.unpack(">H", page[head + 3 : head + 5])[0]
    for i in range(cells):
        try:
            pointer = struct.unpack(">H", page[head + 8 + 2 * i : head + 10 + 2 * i])[0]
            payload = _cell_payload(page, pointer, usable, pages)
            if payload is not None:
                yield _decode_record(payload)
        except (IndexError, ValueError, struct.error, UnicodeDecodeError, OverflowError):
            continue  # a damaged cell: the others of the page may still be fine


def _cell_payload(page: bytes, pointer: int, usable: int, pages: dict[int, bytes]) -> bytes | None:
    if not 8 <= pointer < len(page):
        return None
    size, used = _varint(page, pointer)
    _rowid, used_rowid = _varint(page, pointer + used)
    start = pointer + used + used_rowid
    max_local = usable - 35
    if size <= max_local:
        return page[start : start + size] if start + size <= len(page) else None
    min_local = (usable - 12) * 32 // 255 - 23
    local = min_local + (size - min_local) % (usable - 4)
    if local > max_local:
        local = min_local
    out = bytearray(page[start : start + local])
    next_page = struct.unpack(">I", page[start + local : start + local + 4])[0]
    seen: set[int] = set()
    while len(out) < size and next_page and next_page not in seen:
        seen.add(next_page)
        overflow = pages.get(next_page)
        if overflow is None:
            return None
        next_page = struct.unpack(">I", overflow[:4])[0]
        out += overflow[4:usable]
    return bytes(out[:size]) if len(out) >= size else None


def _decode_record(payload: bytes) -> tuple[Any, ...]:
    header_size, used = _varint(payload, 0)
    types: list[int] = []
    at = used
    while at < header_size:
        serial, used = _varint(payload, at)
        types.append(serial)
        at += used
    values: list[Any] = []
    body = header_size
    for serial in types:
        value, size = _value(payload, body, serial)
        values.append(value)
        body += size
    if body > len(payload):
        raise ValueError("record runs past its payload")
    return tuple(values)


_INT_SIZES: Final = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _value(payload: bytes, at: int, serial: int) -> tuple[Any, int]:
    if serial == 0:
        return None, 0
    if serial in _INT_SIZES:
        size = _INT_SIZES[serial]
        if at + size > len(payload):
            raise ValueError("short integer")
        return int.from_bytes(payload[at : at + size], "big", signed=True), size
    if serial == 7:
        return struct.unpack(">d", payload[at : at + 8])[0], 8
    if serial in (8, 9):
        return serial - 8, 0
    if serial >= 12:
        size = (serial - 12) // 2
        if at + size > len(payload):
            raise ValueError("short text or blob")
        raw = payload[at : at + size]
        return (raw.decode("utf-8") if serial % 2 else raw), size
    raise ValueError("reserved serial type")
