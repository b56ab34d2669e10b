"""What every module that reads or writes the store does with DuckDB: transactions, inserts of
many rows at once, the check that user SQL only reads, and DuckDB's errors said in one line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import numpy as np

from claimscope.errors import StoreError
from claimscope.store.schema import Row, Table

# The variable that sets the most memory DuckDB keeps (see ``connection.py``).
MEMORY_ENV = "CLAIMSCOPE_DB_MEMORY"
# The name under which a write's columns are scanned (a view of its connection alone).
_ROWS = "_claimscope_rows"
_OUT_OF_MEMORY = re.compile(r"(failed|could not) (to )?(allocate|pin) (data|block)")
# What DuckDB says it holds: "(61.0 MiB/61.0 MiB used)".
_USED = re.compile(r"\(([^()]*\bused)\)")
# The statement kinds `claimscope sql` runs.
_READ_STATEMENTS = frozenset((duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN))


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back when it raises."""
    con.begin()
    try:
        yield
        con.commit()
    except BaseException:
        con.rollback()
        raise


def select_in(
    con: duckdb.DuckDBPyConnection, sql: str, keys: Collection[Any]
) -> list[tuple[Any, ...]]:
    """The rows ``sql`` selects for ``keys``, its one parameter (a sorted list, which the query
    reads as ``IN (SELECT unnest(?::TYPE[]))``); none, and no query, when ``keys`` is empty."""
    return con.execute(sql, [sorted(keys)]).fetchall() if keys else []


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    rows: Sequence[Row],
    *,
    now: dt.datetime | None = None,
) -> None:
    """Insert ``rows`` (tuples of ``table.written``) into ``table`` in one statement, whatever
    their number; ``now``: the value of the table's stamp column, when it has one."""
    if not rows:
        return
    # Each column as a NumPy array of its Python values, which DuckDB scans: 3 to 5 times faster
    # than a list parameter per column (64 documents' rows: mentions 63 -> 13 ms, sentences
    # 28 -> 8), which was itself far faster than executemany.
    scanned = {
        f"c{i}": np.fromiter(values, dtype=object, count=len(rows))
        for i, values in enumerate(zip(*rows, strict=True))
    }
    names = list(table.written)
    selects = [f"c{i}::{table.types[name]}" for i, name in enumerate(names)]
    params: list[Any] = []
    if table.stamp is not None:
        if now is None:
            raise ValueError(f"{table.name} rows need the time of the write")
        names.append(table.stamp)
        selects.append("?::TIMESTAMP")
        params.append(now)
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(selects)} FROM {_ROWS}"
    con.register(_ROWS, scanned)
    try:
        con.execute(sql, params)
    finally:
        con.unregister(_ROWS)


def check_query(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    """StoreError unless ``sql`` is one statement that only reads: SELECT (with SHOW, DESCRIBE,
    SUMMARIZE and FROM-first queries, which DuckDB parses as SELECT) or EXPLAIN. The kind is
    DuckDB's own parser's, so no spelling of COPY, EXPORT, INSTALL, LOAD, ATTACH, SET, PRAGMA,
    CALL or a write gets through."""
    try:
        statements = connection.extract_statements(sql)
    except duckdb.Error as exc:
        raise StoreError(duckdb_message(exc)) from None
    if not statements:
        raise StoreError("no SQL statement given")
    if len(statements) > 1:
        raise StoreError(f"one statement at a time, got {len(statements)}")
    statement = statements[0]
    keyword = (statement.query.split(None, 1) or [""])[0].upper()
    try:
        kind = statement.type
    except ValueError:  # a kind this duckdb module has no name for (UPDATE EXTENSIONS is one)
        raise StoreError(_refused(keyword or "an unnamed")) from None
    if kind not in _READ_STATEMENTS:
        name = kind.name.replace("_", " ")
        # DuckDB files some statements under another kind: INSTALL under LOAD, USE under SET.
        shown = name if keyword in ("", name) or not keyword.isalpha() else f"{keyword} ({name})"
        raise StoreError(_refused(shown))


def _refused(kind: str) -> str:
    return f"{kind} statement refused: the query is read-only, and only SELECT and EXPLAIN run"


def utc_now() -> dt.datetime:
    """The time now in UTC, without a zone (TIMESTAMP columns hold UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def duckdb_message(exc: BaseException, *, opening: bool | None = None) -> str:
    """DuckDB's reason on one line: its first line, with the lock case said plainly.
    ``opening``: the store was being opened, to write (True) or to read (False)."""
    text = str(exc).strip()
    if "Could not set lock" in text or "Conflicting lock" in text:
        # DuckDB lets one process write a file and none read it meanwhile: this one fails at
        # once, it does not wait for the other to finish.
        held = (
            "another process holds this store (a running `claimscope serve` keeps it open, "
            "an ingest until it ends)"
        )
        if opening is False:
            return f"{held}: stop it, or wait for the ingest to end, and run this again"
        return f"{held}: stop it and run this again, or ingest into another file"
    # Out of memory, or a checkpoint that failed for want of it (a FATAL error).
    if isinstance(exc, duckdb.OutOfMemoryException) or _OUT_OF_MEMORY.search(text):
        used = _USED.search(text)
        limit = used.group(1) if used else "its limit"
        return (
            f"DuckDB ran out of memory ({limit}); set {MEMORY_ENV} higher (say 1GB) and run "
            "the same command again: what was stored stays"
        )
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("LINE ") and set(line.strip()) != {"^"}
    ]
    return " ".join(lines)[:500] or type(exc).__name__
