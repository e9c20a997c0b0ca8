"""Reading records straight from the pages of an SQLite file and its WAL, without SQLite:
what `.recover` does, for a file whose b-tree, header or tail is damaged (services/salvage).

Only table leaf pages are read (index pages hold no rows of rowid tables); a record is decoded
lazily, so a caller that only needs a few columns of most rows pays only for those.
Format: https://www.sqlite.org/fileformat.html
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any, Final

_MAGIC: Final = b"SQLite format 3\x00"
_PAGE_SIZES: Final = (4096, 1024, 2048, 8192, 16384, 32768, 65536, 512)
_WAL_HEADER: Final = 32
_WAL_FRAME_HEADER: Final = 24
_LEAF_TABLE: Final = 0x0D


def records(data: bytes, wal: bytes) -> Iterator[Record]:
    """Every record of every table leaf page of the file and of the WAL's frames, in file
    order then frame order (later = newer)."""
    for page_size, reserved in _layouts(data, wal):
        usable = page_size - reserved
        pages = {n + 1: data[n * page_size : (n + 1) * page_size] for n in range(len(data) // page_size)}
        frames = list(_wal_frames(wal, page_size))
        latest = dict(pages)
        latest.update(frames)  # overflow chains are read at their newest version
        sources = [*pages.items(), *frames]
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


def _leaf_records(page: bytes, number: int, usable: int, pages: dict[int, bytes]) -> Iterator[Record]:
    head = 100 if number == 1 else 0
    if len(page) <= head + 8 or page[head] != _LEAF_TABLE:
        return
    cells = struct.unpack(">H", page[head + 3 : head + 5])[0]
    for i in range(cells):
        try:
            pointer = struct.unpack(">H", page[head + 8 + 2 * i : head + 10 + 2 * i])[0]
            payload = _cell_payload(page, pointer, usable, pages)
            if payload is not None:
                yield Record(payload)
        except (IndexError, ValueError, struct.error, OverflowError):
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


_SIZES: Final = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8, 8: 0, 9: 0}
# The size of a value by its one-byte serial type (-1: reserved, 10 and 11).
_SMALL_SIZES: Final = tuple(_SIZES.get(t, -1 if t < 12 else (t - 12) // 2) for t in range(0x80))


class Record:
    """One record: its header read at once, its values decoded when asked for (most copies
    are only asked for their id, state and revision)."""

    __slots__ = ("_offsets", "_payload", "_types")

    def __init__(self, payload: bytes) -> None:
        header_size, at = _varint(payload, 0)
        self._payload = payload
        self._types: list[int] = []
        self._offsets: list[int] = []
        body = header_size
        types, offsets = self._types, self._offsets
        while at < header_size:
            serial = payload[at]
            if serial < 0x80:  # nearly every serial type is one byte: no call for it
                at += 1
                size = _SMALL_SIZES[serial]
            else:
                serial, used = _varint(payload, at)
                at += used
                size = (serial - 12) // 2
            if size < 0:
                raise ValueError("reserved serial type")
            types.append(serial)
            offsets.append(body)
            body += size
        if body > len(payload):
            raise ValueError("record runs past its payload")

    def __len__(self) -> int:
        return len(self._types)

    def value(self, column: int) -> Any:
        serial, at, payload = self._types[column], self._offsets[column], self._payload
        if serial == 0:
            return None
        if serial == 7:
            return struct.unpack(">d", payload[at : at + 8])[0]
        if serial in (8, 9):
            return serial - 8
        if serial < 7:
            return int.from_bytes(payload[at : at + _SIZES[serial]], "big", signed=True)
        raw = payload[at : at + (serial - 12) // 2]
        return raw.decode("utf-8") if serial % 2 else raw

    def values(self) -> tuple[Any, ...]:
        return tuple(self.value(i) for i in range(len(self._types)))
