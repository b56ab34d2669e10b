"""The shipped fact-check matcher (match-minilm): it loads with onnxruntime, fits the size
budget, and puts the fact-check a post obviously repeats first."""

from __future__ import annotations

import numpy as np
import pytest

from claimscope.model import FactCheck
from claimscope.models.folder import ModelFolder
from claimscope.models.reranker import MATCH_MODEL, EmbeddingScorer, installed, load_pair_scorer
from claimscope.verify.matching import FactCheckMatcher, claim_passage
from claimscope.verify.textindex import TextIndex

CHECKS = [
    FactCheck(id="bridge", claim="The Harrowby footbridge collapsed during the storm last week."),
    FactCheck(id="vaccine", claim="A new vaccine makes people magnetic, a video shows."),
    FactCheck(id="shark", claim="A photograph shows a shark swimming on a flooded highway."),
    FactCheck(id="tax", claim="The mayor of Dunmere raised the parking tax by 40 percent."),
    FactCheck(id="moon", claim="NASA admitted the moon landing footage was filmed in a studio."),
]
POST = "omg look at this, a shark on the highway after the hurricane flooded everything!!! 🦈"


@pytest.fixture(scope="module")
def scorer() -> EmbeddingScorer:
    assert installed(), "match-minilm ships in the package"
    loaded = load_pair_scorer()
    assert isinstance(loaded, EmbeddingScorer)
    return loaded


def test_the_shipped_folder_is_final_int8_and_within_budget():
    folder = ModelFolder.open(MATCH_MODEL)
    card = folder.card
    assert card["architecture"] == "bi-encoder" and "int8" in card["format"]
    assert (folder.path / "model.onnx").stat().st_size <= 40 * 2**20
    for split in ("checkthat2022_2a_dev", "checkthat2022_2a_dev_test"):
        assert 0.0 < card["metrics"][split]["map@5"] <= 1.0
    assert card["data_licenses"]


def test_the_obvious_match_ranks_first(scorer):
    logits = scorer.score([(POST, claim_passage(c)) for c in CHECKS])
    assert CHECKS[int(np.argmax(logits))].id == "shark"
    probs = scorer.probability(logits)
    assert probs[2] >= scorer.threshold > max(np.delete(probs, 2))


def test_matching_fuses_it_with_bm25(scorer):
    checks = {c.id: c for c in CHECKS}
    with TextIndex.open(":memory:") as index:
        index.add((c.id, claim_passage(c)) for c in CHECKS)
        matcher = FactCheckMatcher(index, lambda ids: {i: checks[i] for i in ids}, reranker=scorer)
        found = matcher.match("Did the footbridge in Harrowby really fall down in the storm?", 3)
    assert found[0].check.id == "bridge"
    assert found[0].probability is not None and found[0].probability >= scorer.threshold
