"""The seed article end to end with the shipped pair models: a fact-check collection and an
evidence folder that these tests write (made-up checks and reporting, not third-party text).
One of the seed's claims is covered by a fact-check and gets it; the same claim checked against
the evidence is refuted, with the contradicting sentence cited."""

from __future__ import annotations

import pytest

from claimscope import analyze
from claimscope.models.reranker import installed as match_installed
from claimscope.models.stance import installed as stance_installed
from claimscope.settings import Settings
from claimscope.store import Store
from claimscope.store.factchecks import import_factchecks
from claimscope.verify import stage as match_stage
from claimscope.verify.check import check
from claimscope.verify.factchecks import read_factchecks
from claimscope.verify.verdict import REFUTED
from tests.verify import fixtures

pytestmark = pytest.mark.skipif(
    not (match_installed() and stance_installed()),
    reason="the matching and stance models are not shipped",
)

REVIEWS = [
    {
        "@type": "ClaimReview",
        "url": "https://checks.example/peru-700-troops-lithium",
        "claimReviewed": "The US is sending 700 troops to Peru to guard its lithium deposits.",
        "datePublished": "2023-06-02",
        "author": {"@type": "Organization", "name": "The Fact Desk"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
    },
    {
        "@type": "ClaimReview",
        "url": "https://checks.example/ferry-fares",
        "claimReviewed": "Ferry fares to Santa Lucía doubled in 2023.",
        "datePublished": "2024-01-15",
        "author": {"@type": "Organization", "name": "The Fact Desk"},
        "reviewRating": {"@type": "Rating", "alternateName": "True"},
    },
]
EVIDENCE = """Peru's Congress approves a US training mission

Peru's Congress voted to let a US military training team enter the country for joint exercises.

The United States is sending 40 instructors to Peru, not 700 troops, the defence ministry said.

The instructors will train police units and will not guard any lithium deposits.
"""
SEED_CLAIM = "send 700 American troops to Peru to guard the lithium deposits"


@pytest.fixture(scope="module")
def seed_with_checks(seed_path, tmp_path_factory):
    base = tmp_path_factory.mktemp("seed-e2e")
    feed = fixtures.write(base / "feed.json", {"@type": "DataFeed", "dataFeedElement": REVIEWS})
    store = base / "checks.duckdb"
    with Store.open(store) as s:
        import_factchecks(s, read_factchecks([feed]))
    match_stage.matcher_for.cache_clear()
    return analyze(seed_path, settings=Settings(factchecks=str(store)))


def _claim(analysis, fragment):
    return next(c for c in analysis.claims if fragment in analysis.span_text(c.start, c.end))


def test_the_seed_claim_a_fact_check_covers_is_matched(seed_with_checks):
    claim = _claim(seed_with_checks, SEED_CLAIM)
    assert claim.matches, "the 700-troops claim got no fact-check"
    top = claim.matches[0]
    assert top.url == "https://checks.example/peru-700-troops-lithium"
    assert top.rating == "False"
    # The unrelated fact-check is not offered for it.
    assert all("ferry" not in m.url for m in claim.matches)


@pytest.fixture(scope="module")
def evidence_index(tmp_path_factory):
    return fixtures.evidence_index(tmp_path_factory.mktemp("seed-evidence"), EVIDENCE)


def test_the_checkable_part_of_the_seed_claim_is_refuted(seed_with_checks, evidence_index):
    # What a checker would type for the seed's claim: its checkable clause, as the seed words it.
    claim = _claim(seed_with_checks, SEED_CLAIM)
    text = seed_with_checks.span_text(claim.start, claim.end)
    clause = text[text.index("send 700") : text.index("deposits") + len("deposits")]
    result = check(f"The US will {clause}.", evidence_index)
    assert result.verdict == REFUTED
    cited = " ".join(r.text for r in result.reasons if r.kind == "refutes")
    assert "40 instructors to Peru, not 700 troops" in cited


@pytest.mark.xfail(
    strict=True,
    reason="the stance model reads the seed's whole sentence (an argument about money, troops "
    "and corporations) as neutral to the evidence (refute 0.20, support 0.29): claims are not "
    "yet split into their checkable clauses",
)
def test_the_seed_claim_sentence_is_refuted_as_it_stands(seed_with_checks, evidence_index):
    claim = _claim(seed_with_checks, SEED_CLAIM)
    result = check(seed_with_checks.span_text(claim.start, claim.end), evidence_index)
    assert result.verdict == REFUTED
