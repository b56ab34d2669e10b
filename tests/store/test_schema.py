"""The tables declared in store/schema.py: the schema the migrations lead to, and rows by name."""

from __future__ import annotations

import dataclasses

import pytest

from claimscope.model import Cluster, FactCheck, Review
from claimscope.store import Store
from claimscope.store.schema import (
    ANNOTATION_TABLES,
    CLUSTERS,
    COLUMNS,
    DOCUMENTS,
    FACTCHECKS,
    MENTIONS,
    REVIEWS,
    TABLES,
    Column,
    Table,
)
from claimscope.store.spool import spool_store

# A small table: two columns a row fills, and the time of the write, which the store sets.
TABLE = Table("t", (Column("a", "INTEGER"), Column("b", "VARCHAR"), Column("at", "TIMESTAMP")),
              stamp="at")  # fmt: skip


def _catalog(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """What DuckDB says the schema is: each table's own CREATE statement, its columns (types,
    defaults, NULLs), its constraints, and the sequences and indexes."""
    con = store.connection
    where = "WHERE database_name = current_database()"

    def rows(sql: str) -> list[tuple[object, ...]]:
        return con.execute(sql).fetchall()

    return {
        "tables": rows(f"SELECT table_name, sql FROM duckdb_tables() {where} ORDER BY ALL"),
        "columns": rows(
            "SELECT table_name, column_index, column_name, data_type, column_default, "
            f"is_nullable FROM duckdb_columns() {where} ORDER BY ALL"
        ),
        "constraints": rows(
            "SELECT table_name, constraint_type, constraint_text FROM duckdb_constraints() "
            f"{where} ORDER BY ALL"
        ),
        "sequences": rows(
            "SELECT sequence_name, start_value, increment_by, min_value, max_value, cycle "
            f"FROM duckdb_sequences() {where} ORDER BY ALL"
        ),
        "indexes": rows(f"SELECT index_name, sql FROM duckdb_indexes() {where} ORDER BY ALL"),
    }


def test_the_declared_schema_is_the_one_the_migrations_lead_to():
    """A store created from the declarations (as a spooled partition's is) and one migrated
    step by step have the same tables, columns, types, defaults, constraints and sequences."""
    with Store.open(":memory:") as migrated, spool_store() as declared:
        expected = _catalog(migrated)
        assert _catalog(declared) == expected
        assert {name for name, _ in expected["tables"]} == set(TABLES)
        assert len(expected["columns"]) > 100


def test_the_written_columns_are_the_declared_ones_in_order():
    # Every column of a table but the write time the store sets, and the id a sequence gives.
    assert COLUMNS["documents"] == tuple(c.name for c in DOCUMENTS.columns[:-1])
    assert set(COLUMNS) == {"documents", *ANNOTATION_TABLES}
    for name in ANNOTATION_TABLES:
        assert COLUMNS[name] == tuple(c.name for c in TABLES[name].columns)
    assert "id" not in TABLES["reviews"].written
    assert TABLES["clusters"].written[-1] == "numbers"  # the column added last, after the stamp


def test_a_row_is_built_by_column_name_in_the_declared_order():
    assert TABLE.row(b="x", a=1) == (1, "x")
    assert TABLE.create() == "CREATE TABLE t (\n    a INTEGER,\n    b VARCHAR,\n    at TIMESTAMP\n)"
    row = MENTIONS.row(**{**MENTIONS.nulls(), "doc_id": "d", "kind": "entity", "label": "GPE"})
    assert len(row) == len(MENTIONS.columns) and row[0] == "d" and row[7] == "GPE"


@pytest.mark.parametrize(
    "values", [{"a": 1}, {"a": 1, "b": "x", "c": 2}, {"a": 1, "b": "x", "at": 0}]
)
def test_a_row_names_every_written_column_and_no_other(values):
    with pytest.raises(KeyError, match="t row: missing"):
        TABLE.row(**values)


def test_a_table_declares_each_column_once():
    with pytest.raises(ValueError, match="declared twice"):
        Table("t", (Column("a", "INTEGER"), Column("a", "VARCHAR")))
    with pytest.raises(ValueError, match="no column at"):
        Table("t", (Column("a", "INTEGER"),), stamp="at")


# -- the data model's records and the tables holding them --------------------------------------


@pytest.mark.parametrize(
    ("record", "table"),
    [(Cluster, CLUSTERS), (Review, REVIEWS), (FactCheck, FACTCHECKS)],
    ids=["clusters", "reviews", "factchecks"],
)
def test_a_stored_record_has_a_column_for_every_field(record: type, table: Table) -> None:
    columns = table.fields_of(record)
    assert list(columns) == [f.name for f in dataclasses.fields(record)]
    assert set(columns.values()) <= {c.name for c in table.columns}


def test_a_record_whose_table_lacks_a_field_is_refused() -> None:
    @dataclasses.dataclass
    class Drifted:
        a: int
        missing: str

    with pytest.raises(KeyError, match="missing"):
        TABLE.fields_of(Drifted)


def test_a_record_row_is_its_fields_by_column_name() -> None:
    @dataclasses.dataclass
    class Pair:
        a: int
        b: str

    # The store sets the write time; a column the record has no field for is passed by name.
    assert TABLE.record_row(Pair(1, "x")) == (1, "x")
    assert TABLE.record_row(Pair(1, "x"), b="y") == (1, "y")
