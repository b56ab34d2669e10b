"""Fact-check collections in the corpus store: import (idempotent by id) and read back.

``StoreFactChecks`` is a store's collection as fact-check matching reads it (the protocol
``claimscope.verify.sources.FactChecks``): the package root opens one when ``factchecks`` is set.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from claimscope.errors import StoreError
from claimscope.model import FactCheck, Failure
from claimscope.store.connection import Store
from claimscope.store.schema import FACTCHECKS
from claimscope.store.sql import transaction
from claimscope.verify.factchecks import WARNING
from claimscope.verify.matching import claim_passage
from claimscope.verify.textindex import TextIndex

log = logging.getLogger(__name__)

# FactCheck's fields are the factchecks table's columns (``fields_of`` raises if they drift).
_FIELDS = tuple(FACTCHECKS.fields_of(FactCheck).values())
_DATES = tuple(name for name in _FIELDS if FACTCHECKS.types[name] == "DATE")
# Rows per INSERT: one statement per chunk keeps memory bounded on feeds of millions.
CHUNK = 5000


@dataclass(slots=True)
class ImportStats:
    """What an import did: records read, new or updated rows, failures and warnings."""

    read: int = 0
    stored: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)


def import_factchecks(
    store: Store,
    items: Iterable[FactCheck | Failure],
    *,
    progress: Callable[[int], None] | None = None,
) -> ImportStats:
    """Store fact-checks (a record with a known id replaces the old one); failures recorded."""
    stats = ImportStats()
    chunk: dict[str, FactCheck] = {}
    for item in items:
        if isinstance(item, Failure):
            (stats.warnings if item.kind == WARNING else stats.failures).append(item)
            continue
        stats.read += 1
        chunk[item.id] = item
        if len(chunk) >= CHUNK:
            stats.stored += _write(store, list(chunk.values()))
            chunk.clear()
        if progress:
            progress(1)
    if chunk:
        stats.stored += _write(store, list(chunk.values()))
    store.record_failures(stats.failures)
    return stats


def _write(store: Store, checks: list[FactCheck]) -> int:
    con = store.connection
    columns = [[getattr(c, name) for c in checks] for name in _FIELDS]
    for name in _DATES:
        i = _FIELDS.index(name)
        columns[i] = [dt.date.fromisoformat(v) if v else None for v in columns[i]]
    selects = ", ".join(f"unnest(?::{FACTCHECKS.types[name]}[])" for name in _FIELDS)
    with transaction(con):
        con.execute(
            "DELETE FROM factchecks WHERE id IN (SELECT unnest(?::VARCHAR[]))", [columns[0]]
        )
        con.execute(
            f"INSERT INTO factchecks ({', '.join(_FIELDS)}, imported_at) "
            f"SELECT {selects}, now()::TIMESTAMP",
            columns,
        )
    return len(checks)


def load_factchecks(store: Store, *, batch: int = 10000) -> Iterator[FactCheck]:
    """Every stored fact-check, in id order, streamed in batches."""
    cursor = store.connection.cursor()
    cursor.execute(f"SELECT {', '.join(_FIELDS)} FROM factchecks ORDER BY id")
    while rows := cursor.fetchmany(batch):
        yield from (_row_check(row) for row in rows)


def count_factchecks(store: Store) -> int:
    """How many fact-checks the store holds."""
    row = store.connection.execute("SELECT count(*) FROM factchecks").fetchone()
    return int(row[0]) if row else 0


def index_path(store: Store) -> Path:
    """Where the store's fact-check text index lives: a derived file next to the database."""
    return store.path.with_name(store.path.name + ".factchecks.sqlite")


def open_factcheck_index(store: Store) -> TextIndex:
    """The fact-check text index of ``store``, brought up to date first.

    Only fact-checks imported since the last sync are indexed; an index that disagrees with the
    store (deleted, copied from another store) is rebuilt from the store.
    """
    if count_factchecks(store) == 0:
        raise StoreError(
            "holds no fact-checks: import some first (claimscope factchecks import FILE --db ...)",
            source=str(store.path),
        )
    index = TextIndex.open(index_path(store))
    con = index.connection
    con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
    row = con.execute("SELECT value FROM meta WHERE key = 'synced_at'").fetchone()
    since = row[0] if row else "1970-01-01 00:00:00"
    cursor = store.connection.cursor()
    cursor.execute(
        "SELECT id, claim, title, imported_at::VARCHAR FROM factchecks "
        "WHERE imported_at > ?::TIMESTAMP ORDER BY imported_at",
        [since],
    )
    newest = since
    while rows := cursor.fetchmany(CHUNK):
        index.add((i, claim_passage(FactCheck(id=i, claim=c, title=t))) for i, c, t, _ in rows)
        newest = rows[-1][3]
    with con:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('synced_at', ?)", (newest,))
    if len(index) != count_factchecks(store):
        log.info("%s disagrees with the store: rebuilding", index.path)
        index.close()
        index_path(store).unlink()
        return open_factcheck_index(store)
    return index


def fetch_factchecks(store: Store) -> Callable[[Sequence[str]], dict[str, FactCheck]]:
    """A function that fetches fact-checks by id from ``store``."""
    return StoreFactChecks(store).fetch


@dataclass(slots=True)
class StoreFactChecks:
    """The fact-checks of one store, as matching reads a collection of fact-checks."""

    store: Store

    @classmethod
    def open(cls, path: str | Path) -> StoreFactChecks:
        """The fact-checks of the store at ``path``, opened read-only."""
        return cls(Store.open(path, read_only=True))

    def count(self) -> int:
        """How many fact-checks the store holds."""
        return count_factchecks(self.store)

    def text_index(self) -> TextIndex:
        """The store's fact-check text index, brought up to date first."""
        return open_factcheck_index(self.store)

    def fetch(self, ids: Sequence[str]) -> dict[str, FactCheck]:
        """The fact-checks with these ids, by id."""
        cursor = self.store.connection.cursor()
        cursor.execute(
            f"SELECT {', '.join(_FIELDS)} FROM factchecks "
            "WHERE id IN (SELECT unnest(?::VARCHAR[]))",
            [list(ids)],
        )
        return {c.id: c for c in (_row_check(r) for r in cursor.fetchall())}


def _row_check(row: tuple[object, ...]) -> FactCheck:
    values: dict[str, object] = dict(zip(_FIELDS, row, strict=True))
    for name in _DATES:
        value = values[name]
        if isinstance(value, dt.date):
            values[name] = value.isoformat()
    return FactCheck(**values)  # type: ignore[arg-type]
