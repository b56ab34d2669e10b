"""The store: one DuckDB file of documents and their annotations, migrated on open.

Only this class writes to the database, and only one process writes at a time (DuckDB locks the
file). Each write is one transaction, so a crash, SIGKILL included, leaves every document either
stored whole or not at all; writing a document whose id is already stored does nothing.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from claimscope.errors import SettingsError, StoreError
from claimscope.model import Failure
from claimscope.store.migrations import MIGRATIONS, latest_version
from claimscope.store.rows import DocumentRows
from claimscope.store.schema import ANNOTATION_TABLES, COLUMNS, SCHEMA_MIGRATIONS, TABLES
from claimscope.store.sql import (
    MEMORY_ENV,
    check_query,
    duckdb_message,
    insert_rows,
    transaction,
    utc_now,
)

log = logging.getLogger(__name__)

# A record's source is ``path#n``; its file's own failure is filed under ``path``.
_RECORD_SUFFIX = re.compile(r"#\d+$")
# Rows fetched at a time when a query result is streamed out.
_FETCH = 1000
# The most memory DuckDB keeps (its buffer of table pages, indexes, query state), as DuckDB
# writes sizes. Its default, 80% of the machine, let a long ingest's main process grow with the
# store; past the limit, pages go back to disk and large queries spill to a temporary folder.
MEMORY_LIMIT = "1GB"
# The limit for a long write (an ingest, a clustering run) unless the variable says otherwise:
# such a run reads each page once or twice, so a page kept stays unused, and a larger buffer
# only grew the process with the store (at 1 GB: 0.7 GB more at 100,000 documents, no faster;
# at 256 MB, still about 100 MB more from 10,000 to 60,000; at 64 MB, 34-49 MB to 20,000). But
# 64 MB left DuckDB too little for its own working set: a dask:2 ingest died out of memory at
# 61,000 documents, its keys' indexes some 10 MB of it. 256 MB ran 100,000 to the end.
WRITE_MEMORY_LIMIT = "256MB"
_MEMORY = re.compile(r"\d+(\.\d+)?\s*[KMGT]i?B", re.IGNORECASE)
# DuckDB settings for a store that SQL from the user runs on: no file but the store (COPY ... TO,
# EXPORT, ATTACH, read_csv), no extension installed or loaded (INSTALL httpfs downloads one),
# and the settings locked, so that no SET can undo it.
_SEALED: dict[str, str | bool] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


@dataclass(slots=True)
class QueryResult:
    """A query's column names and its rows, fetched lazily."""

    columns: list[str]
    types: list[str]
    rows: Iterator[tuple[Any, ...]]


@dataclass(slots=True)
class SpoolResult:
    """What loading a spooled partition did: its documents, those stored (the others were
    stored already), the failures it carried (recorded), and documents that could not be stored."""

    documents: int = 0
    stored: int = 0
    failures: list[Failure] = field(default_factory=list)
    lost: list[Failure] = field(default_factory=list)


@dataclass(slots=True)
class WriteResult:
    """What a write did: documents stored (those already there are not counted), and the
    documents that could not be stored, as Failures."""

    stored: int = 0
    lost: list[Failure] = field(default_factory=list)


def memory_setting(default: str = MEMORY_LIMIT) -> str:
    """The most memory DuckDB keeps: ``CLAIMSCOPE_DB_MEMORY`` when set, else ``default``."""
    memory = os.environ.get(MEMORY_ENV, "").strip() or default
    if not _MEMORY.fullmatch(memory):
        raise SettingsError(f"{MEMORY_ENV} must be a size such as 1GB or 512MB, got {memory!r}")
    return memory


class Store:
    """The corpus database (see docs/corpus.md); open it with ``Store.open(path)``."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self.connection = connection
        self.path = path
        self.read_only = read_only

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        read_only: bool = False,
        memory_limit: str = MEMORY_LIMIT,
        sealed: bool = False,
    ) -> Store:
        """Open (and create, unless ``read_only``) the store at ``path``, migrated to the latest
        schema; StoreError when it is missing, locked by another process or not a store.
        DuckDB keeps at most ``memory_limit`` (``CLAIMSCOPE_DB_MEMORY`` when set). ``sealed``
        (read-only only): DuckDB reaches no file but the store, no network and no extension,
        and its settings cannot be changed, whatever SQL is run on it."""
        path = Path(path)
        if sealed and not read_only:
            raise ValueError("a sealed store is opened read-only")
        if read_only and not path.is_file():
            raise StoreError("no such database", source=str(path))
        if path.is_dir():
            raise StoreError("is a directory, not a database file", source=str(path))
        config: dict[str, str | bool | int | float | list[str]] = {
            "memory_limit": memory_setting(memory_limit)
        }
        if sealed:
            config.update(_SEALED)
        try:
            if not read_only:
                path.parent.mkdir(parents=True, exist_ok=True)
            connection = duckdb.connect(str(path), read_only=read_only, config=config)
        except (duckdb.Error, OSError) as exc:
            raise StoreError(duckdb_message(exc, opening=not read_only), source=str(path)) from None
        store = cls(connection, path, read_only)
        try:
            if not read_only:
                store._migrate()
        except BaseException:
            connection.close()
            raise
        return store

    def cursor(self) -> Store:
        """The same store on a connection of its own, for another thread: a DuckDB connection
        serves one thread at a time, and each connection has its own transactions."""
        return Store(self.connection.cursor(), self.path, self.read_only)

    def close(self) -> None:
        """Close the database (committed writes are already on disk)."""
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _migrate(self) -> None:
        """Apply the migrations this store lacks, each in its own transaction."""
        con = self.connection
        tables = set(self.tables())
        if tables and "schema_migrations" not in tables:
            raise StoreError(
                "holds tables but is not a claimscope store (no schema_migrations table)",
                source=str(self.path),
            )
        con.execute(SCHEMA_MIGRATIONS.create(if_not_exists=True))
        applied = {
            row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()
        }
        newest = max(applied, default=0)
        if newest > latest_version():
            raise StoreError(
                f"schema version {newest} is newer than this claimscope knows "
                f"({latest_version()}); upgrade claimscope",
                source=str(self.path),
            )
        for migration in MIGRATIONS:
            if migration.version in applied:
                continue
            log.info("%s: applying migration %d (%s)", self.path, migration.version, migration.name)
            try:
                with transaction(con):
                    for statement in migration.statements:
                        con.execute(statement)
                    con.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        [migration.version, migration.name, utc_now()],
                    )
            except duckdb.Error as exc:
                raise StoreError(
                    f"migration {migration.version} failed: {duckdb_message(exc)}",
                    source=str(self.path),
                ) from None

    # -- reading -------------------------------------------------------------------------------
    def schema_version(self) -> int:
        """The last migration applied (0 for a database claimscope never wrote)."""
        if "schema_migrations" not in self.tables():
            return 0
        row = self.connection.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def tables(self) -> list[str]:
        """The base tables of the database, by name."""
        rows = self.connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
            "AND database_name = current_database() ORDER BY table_name"
        ).fetchall()
        return [row[0] for row in rows]

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        out = {}
        for table in self.tables():
            row = self.connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            out[table] = int(row[0]) if row else 0
        return out

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` whose documents are already stored."""
        wanted = list(set(ids))
        if not wanted:
            return set()
        rows = self.connection.execute(
            "SELECT id FROM documents WHERE id IN (SELECT unnest(?::VARCHAR[]))", [wanted]
        ).fetchall()
        return {row[0] for row in rows}

    def languages(self) -> list[tuple[str | None, int]]:
        """How many stored documents are in each language, most first."""
        rows = self.connection.execute(
            "SELECT lang, count(*) FROM documents GROUP BY lang ORDER BY 2 DESC, 1"
        ).fetchall()
        return [(lang, int(n)) for lang, n in rows]

    def fetch(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Every row of a query of claimscope's own; StoreError with DuckDB's reason, in one
        line, when it fails."""
        try:
            return self.connection.execute(sql, params).fetchall()
        except duckdb.Error as exc:
            raise StoreError(duckdb_message(exc), source=str(self.path)) from None

    def query(self, sql: str, *, fetch: int = _FETCH) -> QueryResult:
        """Run one read-only SQL query (a SELECT, or EXPLAIN of one); StoreError with a one-line
        reason when it is another kind of statement or when it fails."""
        check_query(self.connection, sql)
        try:
            cursor = self.connection.execute(sql)
        except duckdb.Error as exc:
            raise StoreError(duckdb_message(exc)) from None
        description = cursor.description or []
        columns = [d[0] for d in description]
        types = [str(d[1]) for d in description]

        def rows() -> Iterator[tuple[Any, ...]]:
            if not description:
                return
            while True:
                try:
                    batch = cursor.fetchmany(fetch)
                except duckdb.Error as exc:
                    raise StoreError(duckdb_message(exc)) from None
                if not batch:
                    return
                yield from batch

        return QueryResult(columns=columns, types=types, rows=rows())

    def export_parquet(
        self, out: str | Path, *, tables: Sequence[str] | None = None
    ) -> list[tuple[str, Path, int]]:
        """Write each table (or those of ``tables``) to ``out/<table>.parquet``;
        ``(table, path, rows)`` for each."""
        out = Path(out)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create folder: {exc.strerror}", source=str(out)) from None
        written = []
        counts = self.counts()
        for table in self.tables() if tables is None else tables:
            target = out / f"{table}.parquet"
            # COPY takes no parameter for its target, so the path is quoted as a SQL literal.
            literal = str(target).replace("'", "''")
            try:
                self.connection.execute(f"COPY \"{table}\" TO '{literal}' (FORMAT PARQUET)")
            except duckdb.Error as exc:
                raise StoreError(f"cannot export {table}: {duckdb_message(exc)}") from None
            written.append((table, target, counts[table]))
        return written

    # -- writing -------------------------------------------------------------------------------
    def write(
        self, documents: Sequence[DocumentRows], failures: Sequence[Failure] = ()
    ) -> WriteResult:
        """Store analyzed documents and record failures, all in one transaction.

        Documents already stored are skipped. Should the transaction fail (a value DuckDB
        refuses), each document is written again in its own transaction, and the ones that
        still fail come back as Failures (also recorded), so one bad row loses no other.
        """
        try:
            return WriteResult(stored=self._transaction(documents, failures))
        except duckdb.Error as exc:
            log.warning(
                "batch write failed (%s); writing documents one by one", duckdb_message(exc)
            )
        result = WriteResult()
        for rows in documents:
            try:
                result.stored += self._transaction([rows], [])
            except duckdb.Error as exc:
                result.lost.append(
                    Failure(
                        source=rows["source"],
                        error=f"could not be stored: {duckdb_message(exc)}",
                        kind="StoreError",
                    )
                )
        self._transaction([], [*failures, *result.lost])
        return result

    def load_spool(self, folder: str | Path, failures: Sequence[Failure] = ()) -> SpoolResult:
        """Store a partition spooled as Parquet (``folder/<table>.parquet``, written by
        ``spool_parquet``) and record ``failures``, all in one transaction.

        Documents already stored are skipped, so loading a partition twice stores it once.
        Should the transaction fail, its documents come back as lost Failures (also recorded).
        """
        folder = Path(folder)
        con = self.connection

        def parquet(table: str) -> str:
            literal = str(folder / f"{table}.parquet").replace("'", "''")
            return f"read_parquet('{literal}')"

        try:
            docs = con.execute(f"SELECT id, source FROM {parquet('documents')}").fetchall()
            spooled = [
                Failure(source=row[0], error=row[1], kind=row[2])
                for row in con.execute(
                    f"SELECT source, error, kind FROM {parquet('failures')}"
                ).fetchall()
            ]
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot read a spooled partition: {duckdb_message(exc)}", source=str(folder)
            ) from None
        result = SpoolResult(documents=len(docs), failures=spooled)
        try:
            with transaction(con):
                known = self.known_ids(row[0] for row in docs)
                fresh = {key: source for key, source in docs if key not in known}
                if fresh:
                    self._load_documents(parquet, list(fresh))
                self._insert_failures([*failures, *spooled], exclude=set(fresh.values()))
                self._clear_failures(set(fresh.values()))
            result.stored = len(fresh)
        except duckdb.Error as exc:
            log.warning("loading %s failed (%s)", folder, duckdb_message(exc))
            result.lost = [
                Failure(
                    source=source,
                    error=f"could not be stored: {duckdb_message(exc)}",
                    kind="StoreError",
                )
                for source in dict(docs).values()
            ]
            self._transaction([], [*failures, *spooled, *result.lost])
        return result

    def _load_documents(self, parquet: Callable[[str], str], ids: list[str]) -> None:
        """Insert the spooled rows of the documents ``ids`` (in the caller's transaction)."""
        con = self.connection
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _spool_ids AS SELECT unnest(?::VARCHAR[]) AS id", [ids]
        )
        try:
            names = ", ".join(f'"{c}"' for c in COLUMNS["documents"])
            con.execute(
                f"INSERT INTO documents ({names}, ingested_at) SELECT {names}, ?::TIMESTAMP "
                f"FROM {parquet('documents')} WHERE id IN (SELECT id FROM _spool_ids)",
                [utc_now()],
            )
            for table in ANNOTATION_TABLES:
                names = ", ".join(f'"{c}"' for c in COLUMNS[table])
                con.execute(
                    f"INSERT INTO {table} ({names}) SELECT {names} FROM {parquet(table)} "
                    "WHERE doc_id IN (SELECT id FROM _spool_ids)"
                )
        finally:
            con.execute("DROP TABLE IF EXISTS _spool_ids")

    def record_failures(self, failures: Sequence[Failure]) -> None:
        """Record failures (one row per source: a newer failure replaces an older one)."""
        if failures:
            self._transaction([], failures)

    def _transaction(self, documents: Sequence[DocumentRows], failures: Sequence[Failure]) -> int:
        """Write in one transaction; the number of documents stored."""
        with transaction(self.connection):
            stored = self._insert_documents(documents)
            self._insert_failures(failures, exclude={d["source"] for d in stored})
            self._clear_failures({d["source"] for d in stored})
        return len(stored)

    def _insert_documents(self, documents: Sequence[DocumentRows]) -> list[DocumentRows]:
        """Insert the documents not stored yet; the ones inserted."""
        known = self.known_ids(d["id"] for d in documents)
        fresh: dict[str, DocumentRows] = {}
        for rows in documents:
            if rows["id"] not in known and rows["id"] not in fresh:
                fresh[rows["id"]] = rows
        if not fresh:
            return []
        now = utc_now()
        for table in ("documents", *ANNOTATION_TABLES):
            written = [r for d in fresh.values() for r in d["tables"].get(table, [])]
            insert_rows(self.connection, TABLES[table], written, now=now)
        return list(fresh.values())

    def _insert_failures(self, failures: Sequence[Failure], exclude: set[str]) -> None:
        latest = {f.source: f for f in failures if f.source not in exclude}
        if not latest:
            return
        self.connection.execute(
            "INSERT OR REPLACE INTO failures (source, error, kind, failed_at) "
            "SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), ?::TIMESTAMP",
            [
                [f.source for f in latest.values()],
                [f.error for f in latest.values()],
                [f.kind for f in latest.values()],
                utc_now(),
            ],
        )

    def _clear_failures(self, stored: set[str]) -> None:
        """Forget earlier failures of inputs now stored, by source (the record, and its file as
        a whole)."""
        if not stored:
            return
        sources = stored | {_RECORD_SUFFIX.sub("", s) for s in stored}
        self.connection.execute(
            "DELETE FROM failures WHERE source IN (SELECT unnest(?::VARCHAR[]))", [sorted(sources)]
        )
