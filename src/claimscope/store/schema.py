"""The store's tables as they are now: one declaration per table, each column named once.

A table's columns, in order, with their SQL types and constraints, are declared here and
nowhere else: the DDL of the latest schema (``statements``), the columns a writer fills and
their order (``Table.written``, ``COLUMNS``), the types its values are cast to, and the rows
built from an analysis (``Table.row``, by column name) all come from these declarations.

The migrations (``migrations.py``) are the history that brings a store to this schema: a
released migration is never edited, so a change of a table is made twice, here and in a new
migration at the end of the list; ``tests/store/test_schema.py`` fails when the two disagree.
Offsets are named ``start_char``/``end_char`` (``end`` is reserved in SQL); named spans keep the
data model's ``<name>_start``/``<name>_end``. Every offset indexes ``documents.text`` in
characters (code points), as DuckDB's ``substring`` counts them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Row = tuple[Any, ...]

NOT_NULL = "NOT NULL"
KEY = "PRIMARY KEY"


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its name, its SQL type, and its constraint and default as SQL ("" for none)."""

    name: str
    type: str
    constraint: str = ""

    def ddl(self) -> str:
        """The column as a CREATE TABLE writes it."""
        return " ".join(part for part in (self.name, self.type, self.constraint) if part)


@dataclass(frozen=True, slots=True)
class Table:
    """A table's columns in order. ``stamp``: the TIMESTAMP column the store sets to the time of
    the write, which no row carries; ``generated``: columns the database fills (a sequence's
    next value), which no row carries either; ``before``: statements the table needs first."""

    name: str
    columns: tuple[Column, ...]
    stamp: str | None = None
    generated: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    written: tuple[str, ...] = field(init=False)
    types: dict[str, str] = field(init=False)
    _names: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a column is declared twice")
        unknown = {self.stamp, *self.generated} - {None, *names}
        if unknown:
            raise ValueError(f"{self.name}: no column {sorted(map(str, unknown))[0]}")
        skipped = {self.stamp, *self.generated}
        object.__setattr__(self, "written", tuple(n for n in names if n not in skipped))
        object.__setattr__(self, "types", {c.name: c.type for c in self.columns})
        object.__setattr__(self, "_names", frozenset(self.written))

    def create(self, *, if_not_exists: bool = False) -> str:
        """The CREATE TABLE statement of the table as declared."""
        columns = ",\n".join(f"    {c.ddl()}" for c in self.columns)
        exists = " IF NOT EXISTS" if if_not_exists else ""
        return f"CREATE TABLE{exists} {self.name} (\n{columns}\n)"

    def row(self, **values: Any) -> Row:
        """One row of the written columns, in their declared order, from values by column name;
        every written column must be named (None for NULL), and no other."""
        if values.keys() != self._names:
            missing = sorted(self._names - values.keys())
            extra = sorted(values.keys() - self._names)
            raise KeyError(f"{self.name} row: missing {missing}, unknown {extra}")
        return tuple(values[name] for name in self.written)

    def nulls(self) -> dict[str, None]:
        """Every written column set to NULL: a start for rows that fill only some of them."""
        return dict.fromkeys(self.written)

    def fields_of(self, record: type, *, omit: tuple[str, ...] = ()) -> dict[str, str]:
        """The columns holding a data-model record's fields: field name -> column name.

        A column is named after its field (``start``/``end`` become ``start_char``/``end_char``,
        as everywhere in the store); a field the table lacks raises unless ``omit`` names it
        (a field the store does not keep), so a record and its table cannot drift apart
        unnoticed."""
        names = {c.name for c in self.columns}
        columns = {
            f.name: column_name(f.name) for f in dataclasses.fields(record) if f.name not in omit
        }
        missing = sorted(c for c in columns.values() if c not in names)
        if missing:
            raise KeyError(f"{self.name}: no column for {record.__name__}'s {missing}")
        return columns

    def record_row(self, record: object, *, omit: tuple[str, ...] = (), **values: Any) -> Row:
        """The row of a data-model record: its fields by column name (but those in ``omit``),
        with ``values`` adding the columns it has no field for (or replacing those it has)."""
        assert dataclasses.is_dataclass(record) and not isinstance(record, type)
        by_column = {
            column: getattr(record, name)
            for name, column in self.fields_of(type(record), omit=omit).items()
            if column in self._names
        }
        return self.row(**{**by_column, **values})


def column_name(field: str) -> str:
    """The column holding a data-model field (``end`` is reserved in SQL, so offsets are
    ``start_char``/``end_char``)."""
    return {"start": "start_char", "end": "end_char"}.get(field, field)


def _table(name: str, *columns: tuple[str, ...], **options: Any) -> Table:
    """A table from ``(name, type[, constraint])`` tuples."""
    return Table(name, tuple(Column(*c) for c in columns), **options)


# -- the documents and their annotations: one row set per analysis (``rows.py``) ----------------

DOCUMENTS = _table(
    "documents",
    ("id", "VARCHAR", NOT_NULL),
    ("source", "VARCHAR", NOT_NULL),
    ("url", "VARCHAR"),
    ("title", "VARCHAR"),
    ("published", "DATE"),
    ("outlet", "VARCHAR"),
    ("lang", "VARCHAR"),
    ("encoding", "VARCHAR"),
    ("repairs", "VARCHAR[]"),
    ("meta", "JSON"),
    ("text", "VARCHAR", NOT_NULL),
    ("anchor_date", "DATE"),
    ("anchor_source", "VARCHAR"),
    ("ranking", "VARCHAR"),
    ("pipeline", "VARCHAR[]"),
    ("profile", "VARCHAR"),
    ("schema_version", "VARCHAR"),
    ("ingested_at", "TIMESTAMP", NOT_NULL),
    stamp="ingested_at",
)
# The first columns of an annotation of a span within one sentence: its document, its id, its
# sentence, its offsets and the text they cover.
_IN_SENTENCE = (
    ("doc_id", "VARCHAR", NOT_NULL),
    ("id", "INTEGER", NOT_NULL),
    ("sentence", "INTEGER", NOT_NULL),
    ("start_char", "INTEGER", NOT_NULL),
    ("end_char", "INTEGER", NOT_NULL),
    ("text", "VARCHAR", NOT_NULL),
)
SEGMENTS = _table(
    "segments",
    ("doc_id", "VARCHAR", NOT_NULL),
    ("id", "INTEGER", NOT_NULL),
    ("kind", "VARCHAR", NOT_NULL),
    ("start_char", "INTEGER", NOT_NULL),
    ("end_char", "INTEGER", NOT_NULL),
    ("post_author", "VARCHAR"),
    ("post_handle", "VARCHAR"),
    ("post_date", "DATE"),
    ("post_platform", "VARCHAR"),
    ("post", "JSON"),
)
SENTENCES = _table(
    "sentences",
    ("doc_id", "VARCHAR", NOT_NULL),
    ("id", "INTEGER", NOT_NULL),
    ("segment", "INTEGER", NOT_NULL),
    ("start_char", "INTEGER", NOT_NULL),
    ("end_char", "INTEGER", NOT_NULL),
    ("text", "VARCHAR", NOT_NULL),
    ("speaker", "VARCHAR"),
    ("attribution", "INTEGER"),
    ("checkworthiness", "DOUBLE"),
    ("subjectivity", "DOUBLE"),
    ("subjectivity_label", "VARCHAR"),
    ("persuasion", "DOUBLE"),
    ("claim_score", "DOUBLE"),
    ("scores", "JSON"),
    ("labels", "JSON"),
    ("features", "JSON"),
)
# Entities, quantities and dates in one table: each kind fills its own columns.
MENTIONS = _table(
    "mentions",
    ("doc_id", "VARCHAR", NOT_NULL),
    ("kind", "VARCHAR", NOT_NULL),
    ("id", "INTEGER", NOT_NULL),
    ("sentence", "INTEGER", NOT_NULL),
    ("start_char", "INTEGER", NOT_NULL),
    ("end_char", "INTEGER", NOT_NULL),
    ("text", "VARCHAR", NOT_NULL),
    ("label", "VARCHAR"),
    ("norm", "VARCHAR"),
    ("value", "DOUBLE"),
    ("unit", "VARCHAR"),
    ("qualifier", "VARCHAR"),
    ("noun", "VARCHAR"),
    ("date_kind", "VARCHAR"),
    ("start_date", "DATE"),
    ("end_date", "DATE"),
    ("granularity", "VARCHAR"),
    ("iso", "VARCHAR"),
    ("anchored", "BOOLEAN"),
)
ATTRIBUTIONS = _table(
    "attributions",
    ("doc_id", "VARCHAR", NOT_NULL),
    ("id", "INTEGER", NOT_NULL),
    ("sentence", "INTEGER", NOT_NULL),
    ("kind", "VARCHAR", NOT_NULL),
    ("speaker", "VARCHAR", NOT_NULL),
    ("speaker_start", "INTEGER", NOT_NULL),
    ("speaker_end", "INTEGER", NOT_NULL),
    ("cue_start", "INTEGER"),
    ("cue_end", "INTEGER"),
    ("content_start", "INTEGER"),
    ("content_end", "INTEGER"),
    # For a pronoun source ("he said"), the name it stands for (migration 9).
    ("resolved", "VARCHAR"),
)
QUOTES = _table(
    "quotes",
    *_IN_SENTENCE,
)
CLAIMS = _table(
    "claims",
    *_IN_SENTENCE,
    ("score", "DOUBLE", NOT_NULL),
    ("rank", "INTEGER", NOT_NULL),
    ("speaker", "VARCHAR"),
    ("entities", "INTEGER[]"),
    ("quantities", "INTEGER[]"),
    ("dates", "INTEGER[]"),
    ("reasons", "VARCHAR[]"),
)
TECHNIQUES = _table(
    "techniques",
    *_IN_SENTENCE,
    ("technique", "VARCHAR", NOT_NULL),
    ("name", "VARCHAR", NOT_NULL),
    ("score", "DOUBLE", NOT_NULL),
    ("explanation", "VARCHAR"),
)
# Both sides as spans into their documents, with the reason. Rows are keyed by the document
# that found them: its own analysis (scope 'document', written at ingest) or its comparison with
# the documents stored before it (scope 'corpus').
CONTRADICTIONS = _table(
    "contradictions",
    ("doc_id", "VARCHAR", NOT_NULL),
    ("id", "INTEGER", NOT_NULL),
    ("scope", "VARCHAR", NOT_NULL),
    ("kind", "VARCHAR", NOT_NULL),
    ("doc_a", "VARCHAR", NOT_NULL),
    ("sentence_a", "INTEGER", NOT_NULL),
    ("a_start", "INTEGER", NOT_NULL),
    ("a_end", "INTEGER", NOT_NULL),
    ("a_text", "VARCHAR", NOT_NULL),
    ("doc_b", "VARCHAR", NOT_NULL),
    ("sentence_b", "INTEGER", NOT_NULL),
    ("b_start", "INTEGER", NOT_NULL),
    ("b_end", "INTEGER", NOT_NULL),
    ("b_text", "VARCHAR", NOT_NULL),
    ("explanation", "VARCHAR", NOT_NULL),
    ("score", "DOUBLE", NOT_NULL),
)

# -- what the store keeps besides analyses -------------------------------------------------------

FAILURES = _table(
    "failures",
    ("source", "VARCHAR", KEY),
    ("error", "VARCHAR", NOT_NULL),
    ("kind", "VARCHAR", NOT_NULL),
    ("failed_at", "TIMESTAMP", NOT_NULL),
    stamp="failed_at",
)
# A cluster's row is a summary of its members (``claimscope.clusters`` keeps it up to date);
# members are kept apart, so that a document joins a cluster by inserting rows. ``numbers``: those
# of the cluster's first claim that states any.
CLUSTERS = _table(
    "clusters",
    ("id", "INTEGER", NOT_NULL),
    ("doc_id", "VARCHAR", NOT_NULL),
    ("claim", "INTEGER", NOT_NULL),
    ("text", "VARCHAR", NOT_NULL),
    ("score", "DOUBLE", NOT_NULL),
    ("size", "INTEGER", NOT_NULL),
    ("documents", "INTEGER", NOT_NULL),
    ("outlets", "VARCHAR[]"),
    ("first_seen", "DATE"),
    ("last_seen", "DATE"),
    ("updated_at", "TIMESTAMP", NOT_NULL),
    ("numbers", "VARCHAR", "DEFAULT ''"),
    stamp="updated_at",
)
CLUSTER_MEMBERS = _table(
    "cluster_members",
    ("cluster_id", "INTEGER", NOT_NULL),
    ("doc_id", "VARCHAR", NOT_NULL),
    ("claim", "INTEGER", NOT_NULL),
    ("similarity", "DOUBLE", NOT_NULL),
    ("how", "VARCHAR", NOT_NULL),
    ("text_hash", "BIGINT", NOT_NULL),
    ("numbers", "VARCHAR", NOT_NULL),
    ("vector_key", "BIGINT"),
    ("seq", "BIGINT", NOT_NULL),
    ("joined_at", "TIMESTAMP", NOT_NULL),
    stamp="joined_at",
)
# The blocking keys of compared documents: a sentence meets the sentences whose key is one of its
# probes.
CONTRADICTION_KEYS = _table(
    "contradiction_keys",
    ("doc_id", "VARCHAR", NOT_NULL),
    ("sentence", "INTEGER", NOT_NULL),
    ("key", "VARCHAR", NOT_NULL),
    ("probe", "VARCHAR", NOT_NULL),
)
# The documents already compared, so that each pair is compared once.
CONTRADICTION_CHECKED = _table(
    "contradiction_checked",
    ("doc_id", "VARCHAR", NOT_NULL),
    ("keys", "INTEGER", NOT_NULL),
    ("found", "INTEGER", NOT_NULL),
    ("checked_at", "TIMESTAMP", NOT_NULL),
    stamp="checked_at",
)
# Imported ClaimReviews and CheckThat! verified claims; their search indexes are derived files
# next to the database.
FACTCHECKS = _table(
    "factchecks",
    ("id", "VARCHAR", KEY),
    ("claim", "VARCHAR", NOT_NULL),
    ("rating", "VARCHAR"),
    ("verdict", "VARCHAR"),
    ("url", "VARCHAR"),
    ("publisher", "VARCHAR"),
    ("reviewed", "DATE"),
    ("claimant", "VARCHAR"),
    ("claim_date", "DATE"),
    ("title", "VARCHAR"),
    ("lang", "VARCHAR"),
    ("source", "VARCHAR", NOT_NULL),
    ("imported_at", "TIMESTAMP", NOT_NULL),
    stamp="imported_at",
)
# What a person decided about a claim: every decision is a new row, never an update.
REVIEWS = _table(
    "reviews",
    ("id", "BIGINT", f"{KEY} DEFAULT nextval('review_ids')"),
    ("doc_id", "VARCHAR", NOT_NULL),
    ("claim", "INTEGER", NOT_NULL),
    ("start_char", "INTEGER", NOT_NULL),
    ("end_char", "INTEGER", NOT_NULL),
    ("claim_text", "VARCHAR", NOT_NULL),
    ("checkworthy", "BOOLEAN"),
    ("verdict", "VARCHAR"),
    ("note", "VARCHAR"),
    ("assignee", "VARCHAR"),
    ("reviewer", "VARCHAR", NOT_NULL),
    ("created_at", "TIMESTAMP", NOT_NULL),
    generated=("id",),
    before=("CREATE SEQUENCE review_ids START 1",),
)
# The migrations applied (created before any migration runs, in every store).
SCHEMA_MIGRATIONS = _table(
    "schema_migrations",
    ("version", "INTEGER", KEY),
    ("name", "VARCHAR", NOT_NULL),
    ("applied_at", "TIMESTAMP", NOT_NULL),
    stamp="applied_at",
)

# The tables of an analysis's annotations, in the order they are written: listed once here,
# for TABLES and for ANNOTATION_TABLES.
_ANNOTATIONS = (
    SEGMENTS,
    SENTENCES,
    MENTIONS,
    ATTRIBUTIONS,
    QUOTES,
    CLAIMS,
    TECHNIQUES,
    CONTRADICTIONS,
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        DOCUMENTS,
        *_ANNOTATIONS,
        FAILURES,
        CLUSTERS,
        CLUSTER_MEMBERS,
        CONTRADICTION_KEYS,
        CONTRADICTION_CHECKED,
        FACTCHECKS,
        REVIEWS,
        SCHEMA_MIGRATIONS,
    )
}

# The tables of an analysis: its documents row, then the tables of its annotations.
ANNOTATION_TABLES: tuple[str, ...] = tuple(t.name for t in _ANNOTATIONS)
# The columns each analysis table's rows hold, in order (the write time aside).
COLUMNS: Mapping[str, tuple[str, ...]] = {
    name: TABLES[name].written for name in ("documents", *ANNOTATION_TABLES)
}


def statements() -> tuple[str, ...]:
    """The statements that create the latest schema in an empty database."""
    return tuple(s for table in TABLES.values() for s in (*table.before, table.create()))
