"""Bulk writes for the hot path, on SQLite and PostgreSQL: INSERT ... ON CONFLICT that says
which rows went in (`insert_new`), and the dialect's upsert and GREATEST."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain
from typing import Any

from sqlalchemy import Dialect, Table, func
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from shoumen_server import direct


def dialect_insert(dialect: str, table: Table) -> Any:
    """INSERT with ON CONFLICT support on `dialect` ("postgresql", else SQLite). The dialect's
    package is imported here, not with this module: PostgreSQL's costs ~40-60 ms, which the
    SQLite-only embedded backend would pay on its start (tests/e2e/test_cold_start.py)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def greatest(dialect: str, a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    """GREATEST(a, b) on `dialect` ("postgresql", else SQLite)."""
    if dialect == "postgresql":
        return func.greatest(a, b)
    return func.max(func.coalesce(a, b), b)  # SQLite's two-argument max() is scalar


# A column's SQL type and its driver-side converters, looked up once per table, column and
# dialect: compiling the type and finding the processors again on every insert_new was ~a
# quarter of its CPU on a one-record push (issue 15 §6).
@lru_cache(maxsize=256)
def _sql_type(table: Table, name: str, dialect: Dialect) -> str:
    return str(table.c[name].type.compile(dialect=dialect))


@lru_cache(maxsize=256)
def _bind_processor(table: Table, name: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)


@lru_cache(maxsize=256)
def _result_processor(table: Table, name: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    return table.c[name].type.dialect_impl(dialect).result_processor(dialect, None)


def _converted(process: Any, values: Sequence[Any]) -> tuple[list[Any], dict[Any, Any]]:
    """`process` applied to each value, called once per distinct value (a batch repeats its
    day, its received_at and its venue); also the mapping it used."""
    try:
        mapping = {value: process(value) for value in set(values)}
    except TypeError:  # unhashable values: convert one by one
        return [process(value) for value in values], {}
    return [mapping[value] for value in values], mapping


def _unnest_select(
    table: Table, dialect: Dialect, names: Sequence[str], columns: list[list[Any]]
) -> tuple[str, list[Any]]:
    """`SELECT ... FROM unnest(arrays)` for PostgreSQL. A column with one value throughout
    (the venue, the guard, received_at, the day, most NULLs) is sent once, not as an array:
    psycopg dumps arrays element by element in Python. The first column always goes as an
    array, so the rows are counted right."""
    quote = dialect.identifier_preparer.quote
    items: list[str] = []
    scalars: list[Any] = []
    arrays: list[str] = []
    array_values: list[list[Any]] = []
    aliases: list[str] = []
    for i, (name, column) in enumerate(zip(names, columns, strict=True)):
        sql_type = _sql_type(table, name, dialect)
        if i > 0 and column.count(column[0]) == len(column):
            items.append(f"CAST(%b AS {sql_type})")
            scalars.append(column[0])
        else:
            items.append(f"u.{quote(name)}")
            arrays.append(f"CAST(%b AS {sql_type}[])")
            array_values.append(column)
            aliases.append(quote(name))
    select = f"SELECT {', '.join(items)} FROM unnest({', '.join(arrays)}) AS u({', '.join(aliases)})"
    return select, scalars + array_values


def insert_new(
    db: Session,
    table: Table,
    names: Sequence[str],
    values: Sequence[tuple[Any, ...]],
    conflict: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """INSERT the rows, skipping those that conflict on `conflict`; the `returning` columns of
    the rows actually inserted.

    Written at the driver level, on the session's connection and transaction, because this is
    the hot path (direct.execute: the engine's cursor events and error handling, as for any
    statement): PostgreSQL gets one statement with one array per column (`unnest`), so the
    statement stays short and psycopg need not parse thousands of placeholders; SQLite gets
    multi-row VALUES. Values go through the columns' own bind and result processors, as they
    would through the ORM, so what is stored is the same. The work is done column by column.
    """
    if not values:
        return []
    conn = db.connection()
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    columns: list[list[Any]] = [list(column) for column in zip(*values, strict=True)]
    sent_as: dict[str, dict[Any, Any]] = {}
    for i, name in enumerate(names):
        process = _bind_processor(table, name, dialect)
        if process is not None:
            columns[i], sent_as[name] = _converted(process, columns[i])
    tail = (
        f" ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO NOTHING"
        f" RETURNING {', '.join(quote(c) for c in returning)}"
    )
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)})"
    raw: list[Any] = []
    if dialect.name == "postgresql":
        select, params = _unnest_select(table, dialect, names, columns)
        raw.extend(direct.execute(conn, f"{head} {select}{tail}", params))
    else:
        driver = conn.connection.dbapi_connection
        assert driver is not None
        variables = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        per_chunk = max(1, min(1000, variables // len(names)))
        placeholders = "(" + ", ".join("?" * len(names)) + ")"
        for start in range(0, len(values), per_chunk):
            chunk = [column[start : start + per_chunk] for column in columns]
            sql = f"{head} VALUES {', '.join([placeholders] * len(chunk[0]))}{tail}"
            raw.extend(direct.execute(conn, sql, list(chain.from_iterable(zip(*chunk, strict=True)))))
    if not raw:
        return []
    out: list[list[Any]] = [list(column) for column in zip(*raw, strict=True)]
    for i, name in enumerate(returning):
        mapping = sent_as.get(name)
        if mapping and len(mapping) == len(set(mapping.values())):
            back = {sent: value for value, sent in mapping.items()}  # the values as given
            out[i] = [back.get(cell, cell) for cell in out[i]]
            continue
        process = _result_processor(table, name, dialect)
        if process is not None:
            out[i], _ = _converted(process, out[i])
    return list(zip(*out, strict=True))
