"""Contradictions in the store: within documents at ingest, across documents by update, and the
``claimscope contradictions`` command on the example corpus (written by the project)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimscope.cli import app
from claimscope.consistency import Rules
from claimscope.corpus.contradictions import list_contradictions, update_contradictions
from claimscope.errors import QueryError, StoreError
from claimscope.ingest import read_text
from claimscope.pipeline import analyze_many
from claimscope.store import Store
from claimscope.store.rows import analysis_rows

runner = CliRunner()
PERU = Path(str(resources.files("claimscope.examples").joinpath("peru_corpus.jsonl")))
# A later article, written for these tests, that repeats one claim and contradicts another.
LATER = (
    "Peru extends the US mission\n"
    "The United States has not established a base in Peru, the embassy in Lima said.\n"
    "The missions now run from June 1 to September 30 and from October 1 to December 31, 2023."
)


def _store(path: Path, rules_settings, sources) -> Path:
    batch = analyze_many(sources, settings=rules_settings)
    assert not batch.failures
    with Store.open(path) as store:
        store.write([analysis_rows(a, profile="rules") for a in batch.analyses])
    return path


@pytest.fixture
def peru_db(tmp_path, rules):
    return _store(tmp_path / "peru.duckdb", rules, [PERU])


def _rows(store: Store, sql: str) -> list[tuple]:
    return list(store.query(sql).rows)


def test_contradictions_within_a_document_are_stored_at_ingest(peru_db):
    with Store.open(peru_db, read_only=True) as store:
        rows = _rows(
            store,
            "SELECT c.kind, c.a_text, c.b_text, d.outlet, c.doc_a = c.doc_b "
            "FROM contradictions c JOIN documents d ON d.id = c.doc_id "
            "WHERE c.scope = 'document'",
        )
        # Each side's text is the document's text at its offsets.
        mismatched = _rows(
            store,
            "SELECT count(*) FROM contradictions c JOIN documents d ON d.id = c.doc_a "
            "WHERE substring(d.text, c.a_start + 1, c.a_end - c.a_start) <> c.a_text",
        )
    assert rows == [
        (
            "number",
            "About 700 American troops",
            "the exact number of soldiers has not been disclosed",
            "Andean Monitor",
            True,
        )
    ]
    assert mismatched == [(0,)]


def test_contradictions_across_documents_december_30_31_and_the_base(peru_db):
    with Store.open(peru_db) as store:
        stats = update_contradictions(store)
        found = list_contradictions(store, scope="corpus")
    assert stats.documents == 5 and stats.found == len(found) > 0
    dates = [v for v in found if v.kind == "date"]
    assert any(
        {v.a.text, v.b.text}
        == {"from October 1 to December 31, 2023", "from October 1 to December 30, 2023"}
        and {v.a.outlet, v.b.outlet} == {"Pacific Ledger", "Andean Monitor"}
        for v in dates
    )
    negations = {(v.a.text, v.b.text) for v in found if v.kind == "negation"}
    assert ("will establish a military base", "will not establish a base") in negations
    for v in found:
        assert v.a.doc_id != v.b.doc_id
        assert v.a.sentence_text[v.a.start : v.a.end] == v.a.text
        # The side published first comes first (a count always comes before "unknown").
        if "number of" not in v.explanation:
            assert (v.a.published or "9999") <= (v.b.published or "9999")
    # The lithium article shares nothing with the others.
    assert not any("Lithium" in (v.a.title or "") + (v.b.title or "") for v in found)


def test_contradictions_update_is_incremental(peru_db, rules):
    with Store.open(peru_db) as store:
        first = update_contradictions(store)
        before = _rows(store, "SELECT * FROM contradictions ORDER BY ALL")
        again = update_contradictions(store)
        assert (again.documents, again.pairs, again.found) == (0, 0, 0)
        assert _rows(store, "SELECT * FROM contradictions ORDER BY ALL") == before
    _store(peru_db, rules, [read_text(LATER, settings=rules, published="2023-07-01")])
    with Store.open(peru_db) as store:
        later = update_contradictions(store)
        (later_id,) = _rows(store, "SELECT id FROM documents WHERE published = '2023-07-01'")[0]
        added = _rows(
            store,
            "SELECT doc_id, doc_a, doc_b, kind, a_text, b_text FROM contradictions "
            f"WHERE scope = 'corpus' AND doc_id = '{later_id}'",
        )
        # Only pairs with the new document were compared, and only they were added.
        assert later.documents == 1 and len(added) == later.found > 0
        assert all(later_id in (r[1], r[2]) for r in added)
        assert ("date", "from October 1 to December 30, 2023") in {(r[3], r[4]) for r in added}
        assert any(r[3] == "negation" and r[5] == "has not established a base" for r in added)
        assert len(_rows(store, "SELECT * FROM contradictions")) == len(before) + later.found
    assert first.documents == 5


def test_contradictions_common_keys_are_skipped(peru_db):
    with Store.open(peru_db) as store:
        stats = update_contradictions(store, rules=Rules(max_key_statements=1))
        kinds = {v.kind for v in list_contradictions(store, scope="corpus")}
    # Both documents giving the October period start it on October 1: with room for one
    # sentence per key, that key is skipped and the December 30/31 pair is never compared.
    assert "ds:2023-10-01" in stats.skipped_keys
    assert "date" not in kinds


def test_contradictions_for_documents_stored_without_the_stage(peru_db):
    with Store.open(peru_db) as store:
        expected = _rows(store, "SELECT * FROM contradictions ORDER BY ALL")
        store.connection.execute("DELETE FROM contradictions")
        store.connection.execute(
            "UPDATE documents SET pipeline = list_filter(pipeline, lambda s: s NOT LIKE '%contra%')"
        )
        stats = update_contradictions(store)
        within = _rows(store, "SELECT * FROM contradictions WHERE scope = 'document' ORDER BY ALL")
    assert stats.within == len(expected) == len(within)
    assert within == expected


def test_contradictions_refuse_a_read_only_store(peru_db):
    with Store.open(peru_db, read_only=True) as store, pytest.raises(StoreError):
        update_contradictions(store)


def test_contradictions_list_filters(peru_db):
    with Store.open(peru_db) as store:
        update_contradictions(store)
        everything = list_contradictions(store)
        dates = list_contradictions(store, kind="date")
        (doc,) = _rows(store, "SELECT id FROM documents WHERE outlet = 'Northern Dispatch'")[0]
        mine = list_contradictions(store, doc=doc[:6])
        top = list_contradictions(store, limit=2)
        with pytest.raises(QueryError):
            list_contradictions(store, kind="colour")
        with pytest.raises(QueryError):
            list_contradictions(store, doc="zzzz")
    assert dates and all(v.kind == "date" for v in dates) and len(dates) < len(everything)
    assert mine and all(doc in (v.a.doc_id, v.b.doc_id) for v in mine)
    assert [v.score for v in top] == sorted((v.score for v in everything), reverse=True)[:2]


def test_cli_contradictions_on_the_example_corpus(peru_db):
    result = runner.invoke(app, ["contradictions", "--db", str(peru_db)], env={"COLUMNS": "500"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "ends December 31, 2023 vs. December 30, 2023" in out
    assert "“will establish a military base” vs. “will not establish a base”" in out
    assert "Pacific Ledger" in out and "Andean Monitor" in out and "2023-06-02" in out
    assert "compared 5 new document(s)" in result.stderr


def test_cli_contradictions_json_and_filters(peru_db):
    result = runner.invoke(
        app, ["contradictions", "--db", str(peru_db), "--kind", "negation", "--json", "-"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["contradictions"]
    assert data and all(c["kind"] == "negation" for c in data)
    sides = {(c["a"]["text"], c["b"]["text"]) for c in data}
    assert ("will establish a military base", "will not establish a base") in sides
    assert all(c["a"]["outlet"] and c["a"]["published"] for c in data)
    limited = runner.invoke(
        app, ["contradictions", "--db", str(peru_db), "--limit", "1", "--json", "-", "--no-update"]
    )
    assert len(json.loads(limited.stdout)["contradictions"]) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "colour"], "unknown kind 'colour'"),
        (["--doc", "nothing"], "no document id starts with 'nothing'"),
        (["--limit", "0"], "--limit must be at least 1"),
    ],
)
def test_cli_contradictions_bad_options_exit_2(peru_db, args, message):
    result = runner.invoke(app, ["contradictions", "--db", str(peru_db), *args])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_cli_contradictions_missing_store_exits_2(tmp_path):
    result = runner.invoke(
        app, ["contradictions", "--db", str(tmp_path / "none.duckdb"), "--no-update"]
    )
    assert result.exit_code == 2 and "no such database" in result.stderr
