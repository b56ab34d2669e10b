"""Fact-checks in the store, the derived text index, BM25 matching, the CLI and the evaluation."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from claimscope.cli import app
from claimscope.evaluation.checkthat import ranking_scores
from claimscope.store import Store
from claimscope.store.factchecks import (
    count_factchecks,
    fetch_factchecks,
    import_factchecks,
    index_path,
    load_factchecks,
    open_factcheck_index,
)
from claimscope.verify.factchecks import read_factchecks
from claimscope.verify.matching import FactCheckMatcher
from claimscope.verify.textindex import TextIndex, query_terms
from tests.verify.fixtures import BAD_REVIEW, CSV_TEXT, FEED, vclaims_dir, write

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def sources(tmp_path):
    return [
        write(tmp_path / "feed.json", FEED),
        write(tmp_path / "checks.csv", CSV_TEXT),
        vclaims_dir(tmp_path / "vclaims"),
    ]


def test_import_is_idempotent_and_records_failures(tmp_path, sources):
    with Store.open(tmp_path / "c.duckdb") as store:
        first = import_factchecks(store, read_factchecks(sources))
        again = import_factchecks(store, read_factchecks(sources))
        assert (first.read, first.stored, len(first.failures)) == (7, 7, 1)
        assert (again.read, again.stored) == (7, 7)
        assert count_factchecks(store) == 7  # replaced by id, never duplicated
        checks = {c.id: c for c in load_factchecks(store)}
        assert checks["vclaim-bridge"].reviewed == "2021-03-06"
        failures = store.query("SELECT source FROM failures").rows
        assert [r[0] for r in failures] == [f"{sources[1]}#4"]


def test_the_index_follows_the_store_incrementally(tmp_path, sources):
    with Store.open(tmp_path / "c.duckdb") as store:
        import_factchecks(store, read_factchecks(sources[:1]))
        with open_factcheck_index(store) as index:
            assert len(index) == 2
        import_factchecks(store, read_factchecks(sources[1:]))
        with open_factcheck_index(store) as index:
            assert len(index) == 7
        index_path(store).unlink()  # derived: rebuilt from the store
        with open_factcheck_index(store) as index:
            assert len(index) == 7
            matcher = FactCheckMatcher(index, fetch_factchecks(store))
            (best, *_) = matcher.match("Is it true that ferry fares to Santa Lucia doubled?", 3)
        assert best.check.claim == "Ferry fares to Santa Lucía doubled in 2023."
        assert best.rank == 1 and best.score > 0 and best.probability is None


def test_text_index_replaces_a_key_and_ignores_stop_words():
    with TextIndex.open(":memory:") as index:
        index.add([("a", "tortoise walking"), ("b", "bridge collapsing")])
        index.add([("a", "yachts of the mayor")])
        assert len(index) == 2
        assert [k for k, _ in index.search("the mayor's yachts")] == ["a"]
        assert index.search("the of and") == []
        assert index.search('"; DROP TABLE keys; --') == []
    assert query_terms("The 300-year-old tortoise, the TORTOISE!") == [
        "300",
        "year",
        "old",
        "tortoise",
    ]


def test_ranking_scores_follow_checkthat():
    rankings = {"q1": ["x", "a", "y"], "q2": ["b", "z"], "q3": ["n"]}
    qrels = {"q1": {"a"}, "q2": {"b", "c"}, "q3": {"m"}}
    scores = ranking_scores(rankings, qrels)
    assert scores["map@1"] == pytest.approx((0 + 1 + 0) / 3)
    assert scores["map@5"] == pytest.approx((0.5 + 0.5 + 0) / 3)
    assert scores["recall@10"] == pytest.approx((1 + 0.5 + 0) / 3)


def test_cli_import_match_and_export(tmp_path, sources):
    db = tmp_path / "c.duckdb"
    bad = write(tmp_path / "bad.json", [BAD_REVIEW])
    result = _run("factchecks", "import", *sources, bad, "--db", db)
    assert result.exit_code == 2, result.output  # two bad records: listed, the rest imported
    assert "7 fact-checks read, 7 stored, 2 failed, 1 field(s) ignored" in result.stderr
    assert f"{bad}: reviewRating.ratingValue is not a number: 'very'" in result.stderr
    result = _run("match", "the harbour deal in Valmora creates 45,000 jobs", "--db", db,
                  "--no-rerank", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    matches = json.loads(result.stdout)
    assert matches[0]["check"]["verdict"] == "mostly-false" and matches[0]["rank"] == 1
    table = _run("match", "harbour jobs in Valmora", "--db", db, "--no-rerank")
    assert "The Fact Desk" in table.stdout and "Mostly False" in table.stdout
    out = tmp_path / "reviews.jsonld"
    assert _run("factchecks", "export", "--db", db, "--out", out).exit_code == 0
    assert len(json.loads(out.read_text())["dataFeedElement"]) == 7


def test_cli_errors_are_one_line(tmp_path):
    result = _run("match", "  ", "--db", tmp_path / "c.duckdb", "--no-rerank")
    assert result.exit_code == 2 and "the text to match is empty" in result.stderr
    result = _run("factchecks", "export", "--db", tmp_path / "none.duckdb", "--out", "-")
    assert result.exit_code == 2 and "no such database" in result.stderr
    result = _run("match", "a claim", "--db", tmp_path / "none.duckdb")
    assert result.exit_code == 2 and "no such database" in result.stderr
    assert not (tmp_path / "none.duckdb").exists()  # matching never creates a store
    Store.open(tmp_path / "empty.duckdb").close()
    result = _run("match", "a claim", "--db", tmp_path / "empty.duckdb")
    assert result.exit_code == 2 and "holds no fact-checks: import some first" in result.stderr


def test_cli_eval_matching(tmp_path):
    folder = vclaims_dir(tmp_path / "vclaims")
    lines = [
        "id\ttweet_content",
        "q1\tThat Dunmere bridge photo in the storm is fake",
        "q2\tHalvik now takes 70 percent income tax from workers",
    ]
    queries = write(tmp_path / "q.tsv", "\n".join(lines) + "\n")
    qrels = write(tmp_path / "qrels.tsv", "q1\t0\tvclaim-bridge\t1\nq2\t0\tvclaim-tax\t1\n")
    run = tmp_path / "run.tsv"
    result = _run("eval", "matching", "--queries", queries, "--qrels", qrels, "--claims", folder,
                  "--no-rerank", "--predictions", run, "--json", tmp_path / "r.json")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["map@1"] == 1.0 and report["queries"] == 2 and report["method"] == "BM25"
    assert run.read_text().splitlines()[0].split("\t")[:4] == ["q1", "Q0", "vclaim-bridge", "1"]


@pytest.fixture
def no_match_model(monkeypatch):
    """The pair-model folder (match-minilm) missing, as in an install without it."""
    from claimscope.errors import SettingsError
    from claimscope.models import folder
    from claimscope.models.reranker import MATCH_MODEL

    real = folder.model_path

    def model_path(name):
        if name == MATCH_MODEL:
            raise SettingsError(f"model folder {name!r} not found")
        return real(name)

    monkeypatch.setattr(folder, "model_path", model_path)


def test_cli_match_fuses_the_pair_model_by_default(tmp_path, sources):
    db = tmp_path / "c.duckdb"
    assert _run("factchecks", "import", *sources, "--db", db, "-q").exit_code == 2  # 1 bad row
    with Store.open(db, read_only=True) as store, open_factcheck_index(store) as index:
        # the claims' vectors were computed at import and kept beside the collection
        (kept,) = index.connection.execute("SELECT count(*) FROM vectors").fetchone()
    assert kept == 7
    result = _run("match", "is it true the Valmora harbour deal brings 45,000 jobs?", "--db", db,
                  "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "BM25 alone" not in result.stderr
    best = json.loads(result.stdout)[0]
    assert best["check"]["claim"] == "The Valmora harbour deal will create 45,000 jobs."
    assert best["probability"] is not None


def test_cli_match_falls_back_to_bm25_without_the_model(tmp_path, sources, no_match_model):
    db = tmp_path / "c.duckdb"
    assert _run("factchecks", "import", *sources, "--db", db, "-q").exit_code == 2  # 1 bad row
    result = _run("match", "is it true the Valmora harbour deal brings 45,000 jobs?", "--db", db,
                  "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr.count("ranked by BM25 alone") == 1
    best = json.loads(result.stdout)[0]
    assert best["check"]["claim"] == "The Valmora harbour deal will create 45,000 jobs."
    assert best["probability"] is None
