"""Verdicts say why: each reason quotes the deciding sentence with its stance probabilities, and
"not enough evidence" names the thresholds the evidence falls short of (own fixtures)."""

from __future__ import annotations

import pytest

from claimscope.verify.check import check
from claimscope.verify.evidence_index import index_paths
from claimscope.verify.verdict import NOT_ENOUGH, REFUTED, SUPPORTED
from tests.verify.evidence_fixtures import FakeStance, write_corpus

CLAIM = "Ferry fares to Santa Lucía doubled."


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    base = tmp_path_factory.mktemp("reasons")
    index_paths([write_corpus(base / "corpus")], base / "index")
    return base / "index"


def test_a_supported_verdict_quotes_the_sentence_that_decides(index):
    result = check(CLAIM, index, scorer=FakeStance(["doubled"]))
    assert result.verdict == SUPPORTED
    reason = result.reasons[0]
    # The passage holds two sentences; the reason quotes the one the stance model supports, with
    # that sentence's probabilities and its offsets in the document.
    assert '"Ferry fares to Santa Lucía doubled in 2023' in reason.text
    assert "40 euros" not in reason.text
    assert "supports 0.90, refutes 0.05, neutral 0.05" in reason.text


def test_a_refuted_verdict_cites_the_refuting_sentence(index):
    result = check(CLAIM, index, scorer=FakeStance(refute=["40 euros"]))
    assert result.verdict == REFUTED
    assert result.reasons[0].kind == "refutes"
    assert '"A return ticket now costs 40 euros."' in result.reasons[0].text


def test_not_enough_evidence_says_what_falls_short(index):
    result = check(CLAIM, index, scorer=FakeStance())
    assert result.verdict == NOT_ENOUGH
    (reason,) = [r for r in result.reasons if r.kind == "none"]
    assert "support threshold" in reason.text and "refute threshold" in reason.text
    assert "neutral 0.90" in reason.text
