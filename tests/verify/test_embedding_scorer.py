"""The bi-encoder re-scorer (``EmbeddingScorer``) on a tiny folder built here: a word-level
tokenizer and an ONNX bag of word vectors, so cosines can be worked out by hand."""

from __future__ import annotations

import pytest

from claimscope.model import FactCheck
from claimscope.models.reranker import EmbeddingScorer, load_pair_scorer
from claimscope.verify.matching import FactCheckMatcher
from claimscope.verify.textindex import TextIndex
from tests.verify.encoder_fixtures import tiny_encoder


@pytest.fixture()
def scorer(tmp_path) -> EmbeddingScorer:
    return EmbeddingScorer(str(tiny_encoder(tmp_path / "bi"))).load()


def test_pairs_score_by_cosine_times_scale(scorer):
    logits = scorer.score([("cats purr", "cats"), ("cats purr", "blue sky"), ("ferry", "ferry")])
    assert logits[0] == pytest.approx(10.0, abs=0.01)  # same topic: cosine ~1
    assert logits[1] == pytest.approx(0.0, abs=0.01)  # other topic: cosine ~0
    probs = scorer.probability(logits)
    assert probs[0] > 0.99 > 0.01 > probs[1]
    assert scorer.bm25_weight == 0.5 and scorer.threshold == 0.5


def test_links_and_handles_are_not_read(scorer):
    plain, noisy = scorer.embed(["cats purr", "cats purr @sky https://sky.example/blue #"])
    assert float(plain @ noisy) == pytest.approx(1.0, abs=1e-5)


def test_vectors_are_cached_and_bounded(scorer):
    scorer.cache = 2
    scorer.embed(["cats", "sky", "ferry"])
    assert list(scorer.vectors_) == ["sky", "ferry"]
    assert scorer.score([]).shape == (0,)


def test_the_card_chooses_the_scorer(tmp_path):
    folder = tiny_encoder(tmp_path / "bi")
    assert isinstance(load_pair_scorer(str(folder)), EmbeddingScorer)


def test_matching_uses_it_to_rerank(scorer):
    checks = {
        "a": FactCheck(id="a", claim="The ferry is late again", rating="false"),
        "b": FactCheck(id="b", claim="Cats purr at the ferry", rating="true"),
    }
    index = TextIndex.open(":memory:")
    index.add((k, c.claim) for k, c in checks.items())
    matcher = FactCheckMatcher(index, lambda ids: {i: checks[i] for i in ids}, reranker=scorer)
    found = matcher.match("cats purr purr", 2)
    assert [m.check.id for m in found] == ["b"]  # BM25 finds only b; the model keeps it first
    found = matcher.match("ferry late", 2)
    assert found[0].check.id == "a"
    assert found[0].probability is not None and found[0].probability > 0.5
