"""The hot path's statements at the driver level: a prebuilt Core statement, compiled once per
dialect, run on the session's own connection and transaction with the DBAPI cursor.

Why: on a lookup, SQLAlchemy's work around each of its four statements (cache key, execution
context, result object, row objects) was ~20 % of the lookup's CPU (bench_lookup_cpu.py,
side by side: 2.22 -> 1.78 ms a lookup). What stays as SQLAlchemy does it:
- the SQL and its parameters: the statement's own compilation for the dialect, its bind
  parameters' defaults, the column types' bind and result processors (a UTC datetime is stored
  and read back exactly as through the ORM);
- the engine's cursor events (before/after_cursor_execute: the tests that count a lookup's
  statements see these too);
- errors: a driver error goes through the connection's own exception handling, so it is
  wrapped as SQLAlchemy's DBAPIError, a lost connection is invalidated, and the engine's
  `handle_error` listeners (metrics.count_database_errors) hear of it; the outage handler then
  answers 503 as for any statement (outage.py).
Only statements whose SQL is fixed at compile time are accepted: an expanding IN list or a
literal rendered per execution would need SQLAlchemy's per-execution compile step.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement


class _Plan(NamedTuple):
    sql: str
    names: tuple[str, ...]  # the parameters in the order the driver takes them (positional styles)
    positional: bool
    sent_as: dict[str, str]  # bind name -> the name in the SQL (escaped names)
    defaults: dict[str, Any]  # bind parameters with a value of their own (a LIMIT, a literal)
    binds: dict[str, Callable[[Any], Any]]
    results: tuple[Callable[[Any], Any] | None, ...]
    row: type[tuple[Any, ...]]


@lru_cache(maxsize=128)
def _plan(statement: ClauseElement, dialect: Dialect) -> _Plan:
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
    sql = compiled.string
    if "POSTCOMPILE" in sql:
        raise ValueError("direct.run takes statements whose SQL is fixed when compiled")
    binds: dict[str, Callable[[Any], Any]] = {}
    defaults: dict[str, Any] = {}
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            binds[name] = process
        if not bind.required:
            defaults[name] = bind.effective_value
    columns = list(getattr(statement, "exported_columns", ()))
    if not columns:
        raise ValueError("direct.run takes statements that return rows (a SELECT, or RETURNING)")
    results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
    keys = [str(column.key) if column.key else f"c{i}" for i, column in enumerate(columns)]
    return _Plan(
        sql=sql,
        names=tuple(compiled.positiontup or ()),
        positional=bool(compiled.positional),
        sent_as=dict(getattr(compiled, "escaped_bind_names", None) or {}),
        defaults=defaults,
        binds=binds,
        results=results,
        row=namedtuple("Row", keys, rename=True),
    )


def run(db: Session, statement: ClauseElement, params: Mapping[str, Any]) -> list[Any]:
    """Execute `statement` (it returns rows) with `params` in the session's transaction; its
    rows, as named tuples of its columns converted as SQLAlchemy would convert them."""
    conn = db.connection()
    plan = _plan(statement, conn.dialect)
    values = {**plan.defaults, **params} if plan.defaults else dict(params)
    for name, process in plan.binds.items():
        if name in values:
            values[name] = process(values[name])
    args: Any
    if plan.positional:
        args = [values[name] for name in plan.names]
    elif plan.sent_as:
        args = {plan.sent_as.get(name, name): value for name, value in values.items()}
    else:
        args = values
    raw = execute(conn, plan.sql, args)
    if any(process is not None for process in plan.results):
        raw = [
            tuple(
                value if process is None else process(value)
                for process, value in zip(plan.results, row, strict=True)
            )
            for row in raw
        ]
    make = plan.row._make  # type: ignore[attr-defined]
    return [make(row) for row in raw]


def execute(conn: Connection, sql: str, args: Sequence[Any] | Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """`sql` (it returns rows) on the connection's DBAPI cursor (its transaction), with the
    engine's cursor events and its error handling (the module's docstring); its rows, as the
    driver gives them."""
    driver = conn.connection.dbapi_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        # The listeners of the engine are joined to the connection's when it is made (SQLAlchemy
        # does the same test before it calls them).
        for before in conn.dispatch.before_cursor_execute:
            before(conn, cursor, sql, args, None, False)
        cursor.execute(sql, args)
        for after in conn.dispatch.after_cursor_execute:
            after(conn, cursor, sql, args, None, False)
        # Not `cursor.description`: psycopg builds an object per column for it (~7 % of a
        # lookup's CPU under cProfile). Every statement here returns rows.
        return list(cursor.fetchall())
    except Exception as exc:
        # Wraps, invalidates a lost connection, runs handle_error, and raises.
        conn._handle_dbapi_exception(exc, sql, args, cursor, None)
    finally:
        cursor.close()
