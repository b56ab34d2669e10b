"""Claims carry their likely fact-checks: the stage, fusion of the two rankings, the reports."""

from __future__ import annotations

import numpy as np
import pytest

from claimscope import analyze
from claimscope.errors import SettingsError
from claimscope.model import FactCheck
from claimscope.report import render_html
from claimscope.settings import Settings
from claimscope.store import Store
from claimscope.store.factchecks import import_factchecks
from claimscope.verify import sources
from claimscope.verify import stage as match_stage
from claimscope.verify.factchecks import read_factchecks
from claimscope.verify.matching import claim_passage, fuse
from claimscope.verify.textindex import TextIndex
from tests.verify.fixtures import FEED, write

TEXT = (
    "Finance Minister Teresa Oyelaran said the Valmora harbour deal will create 45,000 jobs "
    "by 2026. Fishermen in Santa Lucía protested on Tuesday."
)


class FakeScorer:
    """Stands in for the pair model: the share of the passage's words found in the query."""

    name = "fake"
    threshold = 0.5
    bm25_weight = 1.0

    def score(self, pairs):
        shared = [len(set(q.lower().split()) & set(p.lower().split())) for q, p in pairs]
        return np.array([n / len(p.split()) for n, (_, p) in zip(shared, pairs, strict=True)])

    def probability(self, logits):
        return np.clip(logits * 1.5, 0, 1)


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "checks.duckdb"
    with Store.open(path) as store:
        import_factchecks(store, read_factchecks([write(tmp_path / "feed.json", FEED)]))
    return str(path)


def test_claims_get_their_fact_checks(store_path, monkeypatch):
    monkeypatch.setattr(match_stage, "installed", lambda: True)
    monkeypatch.setattr(match_stage, "load_pair_scorer", lambda threads=0: FakeScorer())
    match_stage.matcher_for.cache_clear()
    analysis = analyze(TEXT, settings=Settings(factchecks=store_path, profile="rules"))
    assert "claimscope.factcheck_matches.v1" in analysis.pipeline
    jobs = next(c for c in analysis.claims if "45,000" in analysis.span_text(c.start, c.end))
    (match,) = jobs.matches
    assert match.claim == "The Valmora harbour deal will create 45,000 jobs."
    assert (match.rating, match.verdict, match.publisher) == ("Mostly False", "mostly-false",
                                                              "The Fact Desk")  # fmt: skip
    assert analysis.to_dict()["claims"][jobs.id]["matches"][0]["factcheck"] == match.factcheck
    page = render_html([analysis])
    assert "cs-match verdict-mostly-false" in page and 'href="https://checks.example/' in page
    match_stage.matcher_for.cache_clear()


class ListedChecks:
    """Fact-checks held in a list: the stage needs no more than ``sources.FactChecks``."""

    def __init__(self, checks):
        self.checks = {c.id: c for c in checks}

    def count(self):
        return len(self.checks)

    def text_index(self):
        index = TextIndex.open(":memory:")
        index.add((c.id, claim_passage(c)) for c in self.checks.values())
        return index

    def fetch(self, ids):
        return {i: self.checks[i] for i in ids if i in self.checks}


def test_the_stage_reads_any_collection_the_opener_gives(tmp_path, monkeypatch):
    feed = write(tmp_path / "feed.json", FEED)
    checks = [c for c in read_factchecks([feed]) if isinstance(c, FactCheck)]
    opened = []

    def opener(location):
        opened.append(location)
        return ListedChecks(checks)

    monkeypatch.setattr(sources, "_opener", opener)
    monkeypatch.setattr(match_stage, "installed", lambda: True)
    monkeypatch.setattr(match_stage, "load_pair_scorer", lambda threads=0: FakeScorer())
    match_stage.matcher_for.cache_clear()
    analysis = analyze(TEXT, settings=Settings(factchecks=str(feed), profile="rules"))
    assert opened == [str(feed)]
    jobs = next(c for c in analysis.claims if "45,000" in analysis.span_text(c.start, c.end))
    assert [m.claim for m in jobs.matches] == ["The Valmora harbour deal will create 45,000 jobs."]
    match_stage.matcher_for.cache_clear()


def test_without_the_setting_the_stage_does_not_run():
    analysis = analyze(TEXT, settings=Settings(profile="rules"))
    assert "claimscope.factcheck_matches.v1" not in analysis.pipeline
    assert all(c.matches == [] for c in analysis.claims)


def test_a_missing_store_is_a_settings_error(tmp_path):
    match_stage.matcher_for.cache_clear()
    with pytest.raises(SettingsError, match="no such store"):
        match_stage.matcher_for(str(tmp_path / "none.duckdb"), 0)
    match_stage.matcher_for.cache_clear()


def test_without_the_model_folder_matching_falls_back_to_bm25(store_path, monkeypatch, caplog):
    match_stage.matcher_for.cache_clear()
    monkeypatch.setattr(match_stage, "installed", lambda: False)
    with caplog.at_level("WARNING", logger="claimscope.verify.stage"):
        analysis = analyze(TEXT, settings=Settings(factchecks=store_path, profile="rules"))
        analyze(TEXT, settings=Settings(factchecks=store_path, profile="rules"))
    (line,) = [r.message for r in caplog.records if "match-minilm" in r.message]  # one line
    assert "BM25 alone" in line
    matcher = match_stage.matcher_for(store_path, 0)
    assert matcher.reranker is None and matcher.vectors is None
    found = matcher.match("the Valmora harbour deal will create 45,000 jobs", 3)
    assert found[0].check.claim == "The Valmora harbour deal will create 45,000 jobs."
    # BM25 gives no probability: claims carry no matches rather than unweighed ones.
    assert all(c.matches == [] for c in analysis.claims)
    match_stage.matcher_for.cache_clear()


def test_fusion_lets_each_signal_correct_the_other():
    logits = np.array([2.0, 1.9, -1.0])
    bm25 = np.array([5.0, 30.0, 4.0])
    assert np.argmax(fuse(logits, bm25, 0.0)) == 0  # the pair model alone
    assert np.argmax(fuse(logits, bm25, 1.0)) == 1  # BM25's strong evidence tips a near tie
    assert fuse(np.array([1.0]), np.array([3.0]), 1.0).tolist() == [0.0]
