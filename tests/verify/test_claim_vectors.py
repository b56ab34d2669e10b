"""A collection's claim vectors are computed once and kept in its index file: a query then costs
one encoder pass; a changed passage or another model re-embeds what it must."""

from __future__ import annotations

import numpy as np
import pytest

from claimscope.model import FactCheck
from claimscope.models.reranker import EmbeddingScorer
from claimscope.verify.claim_vectors import ClaimVectors
from claimscope.verify.matching import FactCheckMatcher
from claimscope.verify.textindex import TextIndex
from tests.verify.encoder_fixtures import tiny_encoder

CHECKS = {
    "a": FactCheck(id="a", claim="The ferry is late again", rating="false"),
    "b": FactCheck(id="b", claim="Cats purr at the ferry", rating="true"),
    "c": FactCheck(id="c", claim="The sky is blue over the ferry", rating="true"),
    "d": FactCheck(id="d", claim="Blue cats", rating="false"),
}


class Counted(EmbeddingScorer):
    """The tiny bi-encoder, counting the texts it encodes."""

    def load(self) -> Counted:
        super().load()
        self.encoded: list[str] = []
        return self

    def encode(self, texts):
        self.encoded.extend(texts)
        return super().encode(texts)


@pytest.fixture()
def folder(tmp_path):
    return tiny_encoder(tmp_path / "bi")


def _matcher(path, folder):
    index = TextIndex.open(path)
    index.add((k, c.claim) for k, c in CHECKS.items())
    scorer = Counted(str(folder)).load()
    return FactCheckMatcher(index, lambda ids: {i: CHECKS[i] for i in ids}, reranker=scorer)


def test_claim_vectors_are_computed_once_then_a_query_is_one_pass(tmp_path, folder):
    matcher = _matcher(tmp_path / "index.sqlite", folder)
    scorer = matcher.reranker
    assert isinstance(scorer, Counted) and matcher.vectors is not None
    first = matcher.match("ferry late", 3)
    assert first[0].check.id == "a"
    # The first query embeds itself and the whole collection (once).
    assert sorted(scorer.encoded) == sorted([*(c.claim for c in CHECKS.values()), "ferry late"])
    scorer.encoded.clear()
    second = matcher.match("blue sky ferry", 3)
    assert second[0].check.id == "c"
    assert scorer.encoded == ["blue sky ferry"]  # the claims' vectors came from the cache
    matcher.index.close()

    # Another process: the vectors are in the index file, nothing is embedded again.
    again = _matcher(tmp_path / "index.sqlite", folder)
    assert [m.check.id for m in again.match("ferry late", 3)] == [m.check.id for m in first]
    assert again.reranker.encoded == ["ferry late"]  # type: ignore[union-attr]
    again.index.close()


def test_cached_vectors_score_as_the_encoder_does(tmp_path, folder):
    matcher = _matcher(tmp_path / "index.sqlite", folder)
    scorer = matcher.reranker
    assert isinstance(scorer, EmbeddingScorer) and matcher.vectors is not None
    kept = matcher.vectors.get(["b", "c"])
    fresh = scorer.encode([CHECKS["b"].claim, CHECKS["c"].claim])
    np.testing.assert_allclose(kept, fresh, atol=1e-3)  # stored as float16
    assert matcher.vectors.get([]).shape[0] == 0


def test_a_changed_passage_or_another_model_is_embedded_again(tmp_path, folder):
    matcher = _matcher(tmp_path / "index.sqlite", folder)
    vectors = matcher.vectors
    assert vectors is not None and vectors.sync() == len(CHECKS)
    assert vectors.sync() == 0
    matcher.index.add([("a", "Cats purr"), ("e", "Blue sky")])  # a replaced, e new
    assert vectors.sync() == 2
    scorer = Counted(str(folder)).load()
    np.testing.assert_allclose(vectors.get(["a"]), scorer.encode(["Cats purr"]), atol=1e-3)
    scorer.identity = "another model"
    assert ClaimVectors(matcher.index, scorer).sync() == 5  # all cleared and embedded again
    matcher.index.close()


def test_a_passage_added_after_the_sync_is_embedded_when_it_comes_up(tmp_path, folder):
    matcher = _matcher(tmp_path / "index.sqlite", folder)
    assert matcher.vectors is not None and matcher.vectors.sync() == len(CHECKS)
    matcher.index.add([("e", "Late late ferry")])
    CHECKS_E = {**CHECKS, "e": FactCheck(id="e", claim="Late late ferry", rating="false")}
    matcher.checks = lambda ids: {i: CHECKS_E[i] for i in ids}
    scorer = matcher.reranker
    assert isinstance(scorer, Counted)
    scorer.encoded.clear()
    found = matcher.match("late ferry", 5)
    assert "e" in [m.check.id for m in found]
    assert sorted(scorer.encoded) == ["Late late ferry", "late ferry"]
    matcher.index.close()


def test_the_nearest_claims_by_vector_join_bm25s_candidates(tmp_path, folder):
    matcher = _matcher(tmp_path / "index.sqlite", folder)
    assert matcher.vectors is not None
    # "purr" shares no searchable word with "Blue cats" (d), but is nearest it by vector
    scorer = matcher.reranker
    assert isinstance(scorer, EmbeddingScorer)
    matcher.candidates, matcher.dense = 1, 0
    assert [m.check.id for m in matcher.match("purr purr", 4)] == ["b"]
    assert matcher.vectors.nearest(scorer.embed(["purr"])[0], 2) == ["d", "b"]
    matcher.dense = 2
    found = {m.check.id: m for m in matcher.match("purr purr", 4)}
    assert set(found) == {"b", "d"} and found["d"].bm25 == 0.0
    matcher.index.close()


def test_the_vectors_in_memory_are_read_once_and_again_after_a_change(tmp_path, folder):
    first = _matcher(tmp_path / "index.sqlite", folder)
    assert first.vectors is not None
    keys, _, matrix = first.vectors.matrix()
    assert sorted(keys) == sorted(CHECKS) and matrix.dtype == np.float32
    # A server opens the collection again for each request: the copy in memory is reused.
    again = _matcher(tmp_path / "index.sqlite", folder)
    assert again.vectors is not None and again.vectors.matrix() is first.vectors.matrix()
    again.index.add([("a", "Cats purr")])
    again.vectors.sync()
    keys, rows, matrix = first.vectors.matrix()  # the other connection sees the change
    scorer = again.reranker
    assert isinstance(scorer, EmbeddingScorer)
    np.testing.assert_allclose(matrix[rows["a"]], scorer.encode(["Cats purr"])[0], atol=1e-3)
    first.index.close()
    again.index.close()
