"""The store: migrations, one transaction per write, idempotent writes, failures, queries."""

from __future__ import annotations

import duckdb
import pytest

from claimscope.errors import SettingsError, StoreError
from claimscope.ingest import read_text
from claimscope.model import Failure
from claimscope.pipeline import analyze_many
from claimscope.store import Store
from claimscope.store.connection import WRITE_MEMORY_LIMIT
from claimscope.store.migrations import MIGRATIONS, latest_version
from claimscope.store.rows import analysis_rows
from claimscope.store.schema import ATTRIBUTIONS, Table
from claimscope.store.schema import TABLES as DECLARED

TABLES = {
    "documents",
    "segments",
    "sentences",
    "mentions",
    "attributions",
    "quotes",
    "claims",
    "techniques",
    "cluster_members",
    "factchecks",
    "reviews",
    "failures",
    "clusters",
    "contradictions",
    "contradiction_keys",
    "contradiction_checked",
    "schema_migrations",
}


@pytest.fixture(scope="module")
def rows(rules):
    """Rows of three short analyzed documents, one with text beyond ASCII."""
    texts = [
        "The council in Santa Lucía approved 300 new homes on May 2, 2024, officials said.",
        "According to El Faro del Sur, exports to Korvana fell 12% in 2023.\n"
        "“This is a disaster,” said Henrik Dahl, the trade minister — 🚢 ships waited.",
        "Nadia Okafor said that 4,000 jobs were lost in March.",
    ]
    docs = [read_text(t, settings=rules, source=f"t{i}.txt") for i, t in enumerate(texts)]
    batch = analyze_many(docs, settings=rules)
    assert not batch.failures
    return [analysis_rows(a, profile="rules") for a in batch.analyses]


def test_store_open_creates_every_table_and_records_migrations(tmp_path):
    with Store.open(tmp_path / "c.duckdb") as store:
        assert set(store.tables()) == TABLES
        assert store.schema_version() == latest_version() == MIGRATIONS[-1].version
    with Store.open(tmp_path / "c.duckdb") as store:  # reopening applies nothing again
        applied = list(store.query("SELECT version, name FROM schema_migrations").rows)
        assert applied == [(m.version, m.name) for m in MIGRATIONS]


def test_store_open_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "c.duckdb"
    Store.open(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migrations VALUES (999, 'from the future', now()::TIMESTAMP)")
    con.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(path)


def test_store_open_refuses_a_database_that_is_not_a_store(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE documents (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a claimscope store"):
        Store.open(path)


def test_store_open_read_only_missing_file_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="no such database"):
        Store.open(tmp_path / "missing.duckdb", read_only=True)


def test_store_open_not_a_database_file(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("just some text, not a database\n" * 100)
    with pytest.raises(StoreError):
        Store.open(path)


def test_store_write_is_idempotent(tmp_path, rows):
    with Store.open(tmp_path / "c.duckdb") as store:
        assert store.write(rows).stored == 3
        counts = store.counts()
        again = store.write([*rows, rows[0]])
        assert again.stored == 0 and not again.lost
        assert store.counts() == counts
        assert store.known_ids([r["id"] for r in rows] + ["0" * 16]) == {r["id"] for r in rows}


def test_store_spans_index_the_document_text(tmp_path, rows):
    """Offsets count characters as DuckDB's substring does (code points), emoji included."""
    with Store.open(tmp_path / "c.duckdb") as store:
        store.write(rows)
        for table in ("sentences", "mentions", "quotes", "claims"):
            result = store.query(
                f"SELECT t.text, substring(d.text, t.start_char + 1, t.end_char - t.start_char) "
                f"FROM {table} t JOIN documents d ON d.id = t.doc_id"
            )
            pairs = list(result.rows)
            assert pairs, table
            assert all(stored == sliced for stored, sliced in pairs), table
        speakers = store.query(
            "SELECT a.speaker, substring(d.text, a.speaker_start + 1, a.speaker_end - "
            "a.speaker_start) FROM attributions a JOIN documents d ON d.id = a.doc_id"
        )
        # The source span is the whole noun phrase, appositive included; the speaker its name.
        assert ("Henrik Dahl", "Henrik Dahl, the trade minister") in list(speakers.rows)


def test_store_write_isolates_a_document_duckdb_refuses(tmp_path, rows):
    """A bad value fails its own document only: the others are stored, it is recorded."""
    bad = {**rows[1], "id": "badbadbadbadbad0", "source": "bad.txt"}
    bad["tables"] = {k: list(v) for k, v in rows[1]["tables"].items()}
    document = list(bad["tables"]["documents"][0])
    document[0] = bad["id"]
    document[10] = "text with a lone surrogate \ud800"
    bad["tables"]["documents"] = [tuple(document)]
    bad["tables"]["sentences"] = []
    with Store.open(tmp_path / "c.duckdb") as store:
        result = store.write([rows[0], bad, rows[2]], [Failure(source="x.txt", error="empty")])
        assert result.stored == 2
        assert [f.source for f in result.lost] == ["bad.txt"]
        failures = dict(store.query("SELECT source, kind FROM failures").rows)
        assert failures == {"x.txt": "InputError", "bad.txt": "StoreError"}
        assert store.counts()["documents"] == 2


def test_store_failures_keep_one_row_per_source_and_clear_when_stored(tmp_path, rows):
    source = rows[0]["source"]
    with Store.open(tmp_path / "c.duckdb") as store:
        store.record_failures([Failure(source=source, error="first")])
        store.record_failures([Failure(source=source, error="second")])
        assert list(store.query("SELECT error FROM failures").rows) == [("second",)]
        store.write([rows[0]])
        assert store.counts()["failures"] == 0


def test_store_query_errors_are_one_line(tmp_path):
    with Store.open(tmp_path / "c.duckdb") as store:
        with pytest.raises(StoreError) as info:
            store.query("SELEC 1")
        assert "\n" not in str(info.value)
        with pytest.raises(StoreError, match="does not exist"):
            store.query("SELECT * FROM nothing_here")


def test_store_read_only_refuses_writes(tmp_path, rows):
    path = tmp_path / "c.duckdb"
    with Store.open(path) as store:
        store.write(rows)
    with Store.open(path, read_only=True) as store, pytest.raises(StoreError, match="read-only"):
        store.query("DELETE FROM documents")


def test_store_is_locked_while_a_writer_has_it_open(tmp_path):
    """DuckDB allows one writing process, and no reader beside it; another process fails at
    once (it does not wait) with one line saying who holds the store and what to do."""
    import subprocess
    import sys

    path = tmp_path / "c.duckdb"
    with Store.open(path):
        code = (
            "import sys\nfrom claimscope.store import Store\nfrom claimscope.errors "
            "import StoreError\nfor read_only in (True, False):\n    try:\n"
            "        Store.open(sys.argv[1], read_only=read_only)\n"
            "    except StoreError as e:\n        print(e)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60
        )
    held = (
        f"{path}: another process holds this store (a running `claimscope serve` keeps it open, "
        "an ingest until it ends): "
    )
    assert out.stdout.splitlines() == [
        held + "stop it, or wait for the ingest to end, and run this again",
        held + "stop it and run this again, or ingest into another file",
    ], out.stdout + out.stderr


def test_store_export_parquet_writes_every_table(tmp_path, rows):
    with Store.open(tmp_path / "c.duckdb") as store:
        store.write(rows)
        written = store.export_parquet(tmp_path / "it's out")
        counts = store.counts()
    assert {table for table, _, _ in written} == TABLES
    con = duckdb.connect()
    for table, path, n in written:
        assert path.is_file()
        literal = str(path).replace("'", "''")
        (count,) = con.execute(f"SELECT count(*) FROM read_parquet('{literal}')").fetchone()
        assert count == n == counts[table]


def test_store_memory_limit_from_the_environment(tmp_path, monkeypatch):
    def limit(**kwargs: str) -> str:
        with Store.open(tmp_path / "m.duckdb", **kwargs) as store:
            row = store.connection.execute("SELECT current_setting('memory_limit')").fetchone()
        assert row is not None
        return str(row[0])

    assert limit() == "953.6 MiB"  # 1GB, the default
    assert limit(memory_limit=WRITE_MEMORY_LIMIT) == "244.1 MiB"  # 256MB, a long write's
    monkeypatch.setenv("CLAIMSCOPE_DB_MEMORY", "300MB")
    assert limit() == "286.1 MiB"
    assert limit(memory_limit=WRITE_MEMORY_LIMIT) == "286.1 MiB"  # the variable wins
    monkeypatch.setenv("CLAIMSCOPE_DB_MEMORY", "plenty")
    with pytest.raises(SettingsError, match="CLAIMSCOPE_DB_MEMORY"):
        Store.open(tmp_path / "m.duckdb")


def _keyed(store: Store) -> set[str]:
    return {
        table
        for (table,) in store.query(
            "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
        ).rows
    }


def _contents(store: Store) -> dict[str, list[tuple[object, ...]]]:
    return {t: list(store.query(f"SELECT * FROM {t} ORDER BY ALL").rows) for t in TABLES}


def _before_9(rows, monkeypatch):
    """``rows`` as a claimscope before schema 9 wrote them, and its attributions table
    (without ``resolved``) for the store to write them to."""
    assert ATTRIBUTIONS.written[-1] == "resolved"
    monkeypatch.setitem(DECLARED, "attributions", Table("attributions", ATTRIBUTIONS.columns[:-1]))
    return [
        {
            **r,
            "tables": {
                **r["tables"],
                "attributions": [a[:-1] for a in r["tables"]["attributions"]],
            },
        }
        for r in rows
    ]


def test_store_migration_7_keeps_the_rows_and_drops_the_keys(tmp_path, rows, monkeypatch):
    # A store written before migration 7 (annotation rows with primary keys) is rebuilt in
    # place: the same rows, no primary key left but those of documents and the other tables.
    path = tmp_path / "c.duckdb"
    monkeypatch.setattr("claimscope.store.connection.MIGRATIONS", MIGRATIONS[:6])
    with Store.open(path) as store:
        store.write(_before_9(rows, monkeypatch))
        before = _contents(store)
        assert store.schema_version() == 6
    monkeypatch.setattr("claimscope.store.connection.MIGRATIONS", MIGRATIONS[:7])
    with Store.open(path) as store:
        assert store.schema_version() == 7
        after, keyed = _contents(store), _keyed(store)
    after["schema_migrations"] = after["schema_migrations"][:6]
    assert after == before and any(before["sentences"])
    assert keyed == {"documents", "failures", "clusters", "contradiction_checked", "factchecks",
                     "reviews", "schema_migrations"}  # fmt: skip


def test_store_migration_8_keeps_the_rows_and_drops_the_last_growing_keys(
    tmp_path, rows, monkeypatch
):
    # Documents, clusters (with the numbers column migration 6 added) and checked documents
    # are rebuilt without keys; their rows, defaults and NOT NULLs stay.
    path = tmp_path / "c.duckdb"
    monkeypatch.setattr("claimscope.store.connection.MIGRATIONS", MIGRATIONS[:7])
    with Store.open(path) as store:
        store.write(_before_9(rows, monkeypatch))
        store.connection.execute(
            "INSERT INTO clusters (id, doc_id, claim, text, score, size, documents, numbers, "
            "updated_at) VALUES (1, 'a', 0, 'x', 0.5, 1, 1, '700', now()), "
            "(2, 'b', 0, 'y', 0.5, 1, 1, DEFAULT, now())"
        )
        store.connection.execute(
            "INSERT INTO contradiction_checked SELECT id, 1, 0, now() FROM documents"
        )
        before = _contents(store)
    monkeypatch.setattr("claimscope.store.connection.MIGRATIONS", MIGRATIONS[:8])
    with Store.open(path) as store:
        assert store.schema_version() == 8
        after, keyed = _contents(store), _keyed(store)
        with pytest.raises(duckdb.ConstraintException):
            store.connection.execute(  # the key's column stays NOT NULL
                "INSERT INTO clusters (id, doc_id, claim, text, score, size, documents, "
                "updated_at) VALUES (NULL, 'c', 0, 'z', 0.5, 1, 1, now())"
            )
    after["schema_migrations"] = after["schema_migrations"][:7]
    assert after == before and len(before["clusters"]) == 2 and any(before["documents"])
    assert [r[-1] for r in after["clusters"]] == ["700", ""]
    assert keyed == {"failures", "factchecks", "reviews", "schema_migrations"}


def test_store_migration_9_keeps_the_resolved_names_it_can_know(tmp_path, rules, monkeypatch):
    # Attributions stored before schema 9 lack the name a pronoun stands for; the migration
    # gives it to each sentence's main attribution (the sentence's speaker is that name), as a
    # store written at schema 9 holds it. Others stay NULL, and every other row is kept.
    text = (
        "Nadia Okafor, the harbour chief, said the ferry would stop in May. The Harbour "
        "Authority said the port stays open. It said that 40 crew would lose their jobs."
    )
    analysis = analyze_many([read_text(text, settings=rules, source="o.txt")], settings=rules)
    written = [analysis_rows(analysis.analyses[0], profile="rules")]
    fresh = tmp_path / "fresh.duckdb"
    with Store.open(fresh) as store:
        store.write(written)
        expected = _contents(store)
    path = tmp_path / "c.duckdb"
    monkeypatch.setattr("claimscope.store.connection.MIGRATIONS", MIGRATIONS[:8])
    with Store.open(path) as store:
        store.write(_before_9(written, monkeypatch))
        before = _contents(store)
    monkeypatch.undo()
    with Store.open(path) as store:
        assert store.schema_version() == latest_version() == 9
        after = _contents(store)
    assert [r[-1] for r in expected["attributions"]] == [None, None, "Harbour Authority"]
    assert after["attributions"] == expected["attributions"]
    assert [r[:-1] for r in after["attributions"]] == before["attributions"]
    for table in TABLES - {"attributions", "documents", "schema_migrations"}:
        assert after[table] == before[table] == expected[table], table


def test_a_growing_store_holds_no_key_index_in_memory(tmp_path):
    """DuckDB keeps a primary key's index whole in its memory, within its limit: keyed documents
    and clusters filled 64 MB by some 500,000 documents (benchmarks/store_keys.py).
    Rows as an ingest of 20,000 documents writes them leave no index behind."""
    with Store.open(tmp_path / "c.duckdb", memory_limit=WRITE_MEMORY_LIMIT) as store:
        con = store.connection

        def held() -> object:
            return con.execute(
                "SELECT sum(memory_usage_bytes) FROM duckdb_memory() WHERE tag = 'ART_INDEX'"
            ).fetchone()

        empty = held()  # the few small keyed tables' (failures, reviews...)
        con.execute(
            "INSERT INTO documents (id, source, text, ingested_at) "
            "SELECT left(sha256(i::VARCHAR), 16), 'doc-' || i, 'text', now() FROM range(20000) r(i)"
        )
        con.execute(
            "INSERT INTO clusters (id, doc_id, claim, text, score, size, documents, updated_at) "
            "SELECT i, 'a', 0, 'claim', 0.5, 1, 1, now() FROM range(420000) r(i)"
        )
        con.execute("INSERT INTO contradiction_checked SELECT id, 0, 0, now() FROM documents")
        assert held() == empty


@pytest.mark.parametrize(
    "error",
    [
        duckdb.OutOfMemoryException(
            "Out of Memory Error: failed to allocate data of size 32.0 KiB (61.0 MiB/61.0 MiB used)"
        ),
        duckdb.FatalException(
            "FATAL Error: Failed to create checkpoint because of error: failed to pin block of "
            "size 256.0 KiB (61.0 MiB/61.0 MiB used)"
        ),
    ],
)
def test_out_of_memory_errors_name_the_setting(error):
    from claimscope.store.sql import duckdb_message

    assert duckdb_message(error) == (
        "DuckDB ran out of memory (61.0 MiB/61.0 MiB used); set CLAIMSCOPE_DB_MEMORY higher "
        "(say 1GB) and run the same command again: what was stored stays"
    )
    assert "CLAIMSCOPE" not in duckdb_message(duckdb.CatalogException("Table x does not exist"))
