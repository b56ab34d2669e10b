"""End to end with the shipped stance model: a claim the evidence contradicts is refuted, with
the contradicting sentence cited (an evidence folder these tests write; made-up text)."""

from __future__ import annotations

import pytest

from claimscope.models.stance import installed
from claimscope.verify.check import check
from claimscope.verify.verdict import REFUTED
from tests.verify.fixtures import evidence_index

pytestmark = pytest.mark.skipif(not installed(), reason="the stance model is not shipped")

CLAIM = "The United States is sending 700 troops to Peru to guard lithium deposits."
# One sentence a paragraph, as much news is written: each passage is one sentence, as the
# stance model was trained.
ARTICLE = """Peru's Congress approves a US training mission

Peru's Congress voted on Thursday to let a US military training team enter the country.

The United States is sending 40 instructors to Peru, not 700 troops, the defence ministry said.

The instructors will train police units and will not guard any lithium deposits.
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return evidence_index(tmp_path_factory.mktemp("e2e"), ARTICLE)


def test_a_contradicted_claim_is_refuted_with_the_sentence_cited(index):
    result = check(CLAIM, index)
    assert result.stance_model is not None and "stance-minilm" in result.stance_model
    assert result.verdict == REFUTED
    top = result.reasons[0]
    assert top.kind == "refutes"
    # The reason quotes the sentence, its offsets and its stance probabilities.
    assert '"The United States is sending 40 instructors to Peru, not 700 troops' in top.text
    assert "refutes 0." in top.text and "neutral 0." in top.text
