"""Analyses spooled as Parquet: how a Dask worker hands its rows to the one process that writes
the store (``Store.load_spool`` reads them back)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from claimscope.model import Failure
from claimscope.store.connection import Store, memory_setting
from claimscope.store.rows import DocumentRows
from claimscope.store.schema import ANNOTATION_TABLES, statements

SPOOL_TABLES: tuple[str, ...] = ("documents", *ANNOTATION_TABLES, "failures")


def spool_parquet(
    documents: Sequence[DocumentRows], failures: Sequence[Failure], folder: str | Path
) -> None:
    """Write documents' rows and failures as Parquet, a file per table in ``folder`` (created),
    for ``Store.load_spool``: they go through a store in memory, so the columns, types and
    checks are those of ``Store.write``."""
    with spool_store() as memory:
        memory.write(documents, failures)
        memory.export_parquet(folder, tables=SPOOL_TABLES)


def spool_store() -> Store:
    """A new store in memory with the latest schema, created from its declaration
    (``schema.statements``): a third of the cost of migrating one (40 against 115 ms; spooling
    64 documents took 304 ms). Keeping one store for the next partition, emptied, grew a worker
    by 1-2 MB a partition."""
    # The same limit as ``Store.open`` gives a store in memory.
    connection = duckdb.connect(":memory:", config={"memory_limit": memory_setting()})
    try:
        connection.execute("SET threads = 1")
        for statement in statements():
            connection.execute(statement)
    except BaseException:
        connection.close()
        raise
    return Store(connection, Path(":memory:"), read_only=False)
