"""The cache's SQLite connection: every statement maps storage faults to typed errors.

A full disk, a read-only folder or an I/O fault becomes a StorageError (services/errors.py: a
ServiceError the guard is told about, never the crash handler); any other sqlite3 error (a
damaged file, a locked database, a bug) stays what it is, for its own handling. Used as
`sqlite3.connect(..., factory=StorageConnection)` by LocalCache.open (issue 14 §1).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from shoumen_gui.services.errors import storage_error


@contextmanager
def typed_storage_errors() -> Iterator[None]:
    """A full disk, a read-only folder or an I/O fault becomes a StorageError (a ServiceError the
    guard is told about); any other sqlite3 error (a damaged file, a bug) stays what it is."""
    try:
        yield
    except sqlite3.Error as exc:
        typed = storage_error(exc)
        if typed is None:
            raise
        raise typed from exc


class StorageCursor(sqlite3.Cursor):
    """Every step that touches the file maps storage faults (see typed_storage_errors)."""

    def execute(self, sql: str, parameters: Any = (), /) -> StorageCursor:
        with typed_storage_errors():
            super().execute(sql, parameters)
        return self

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> StorageCursor:
        with typed_storage_errors():
            super().executemany(sql, seq_of_parameters)
        return self

    def fetchone(self) -> Any:
        with typed_storage_errors():
            return super().fetchone()

    def fetchall(self) -> list[Any]:
        with typed_storage_errors():
            return super().fetchall()


class StorageConnection(sqlite3.Connection):
    """sqlite3.connect(factory=...): the cache's statements all go through StorageCursor."""

    def execute(self, sql: str, parameters: Any = (), /) -> StorageCursor:
        return self.cursor(StorageCursor).execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> StorageCursor:
        return self.cursor(StorageCursor).executemany(sql, seq_of_parameters)
