"""The embedding-model build's measuring parts: pair decisions, threshold choice, retrieval."""

import numpy as np
import pytest

pytest.importorskip("torch")  # claimscope.training imports it; the [train] extra

from claimscope.clusters.claim_text import Thresholds
from claimscope.training.embedding_measures import dense_ranker, retrieval_scores
from claimscope.training.embeddings import (
    PAIRS,
    EmbedConfig,
    Pair,
    PairFeatures,
    choose_thresholds,
    decide,
    pair_features,
    pair_scores,
    quantity_pairs,
    read_pairs,
)


def _f(cosine, *, shared=False, agree=True, overlap=0.1, exact=False):
    return PairFeatures(exact=exact, agree=agree, shared=shared, overlap=overlap, cosine=cosine)


def test_decide_follows_the_join_rules():
    t = Thresholds(near_duplicate=0.8, semantic=0.7, semantic_quantity=0.5)
    features = [
        _f(0.1, exact=True, agree=False),  # the same text: always
        _f(0.9, agree=False),  # numbers disagree: never
        _f(0.1, overlap=0.85),  # near duplicate
        _f(0.75),  # semantic
        _f(0.6),  # below the semantic threshold
        _f(0.6, shared=True),  # the same quantity: the lower threshold
    ]
    assert decide(features, t) == [1, 0, 1, 1, 0, 1]


def test_pair_scores_counts_and_f_beta():
    scores = pair_scores([1, 1, 0, 0], [1, 0, 1, 0], beta=0.5)
    assert (scores["tp"], scores["fp"], scores["fn"]) == (1, 1, 1)
    assert scores["precision"] == scores["recall"] == scores["f1"] == scores["f0.5"] == 0.5


def test_choose_thresholds_separates_and_takes_the_middle_of_ties():
    features = [_f(c) for c in (0.9, 0.85, 0.8)] + [_f(c) for c in (0.5, 0.45)]
    labels = [1, 1, 1, 0, 0]
    config = EmbedConfig(near_grid=(0.9,), semantic_grid=(0.4, 0.5, 0.6, 0.7, 0.8, 0.9))
    chosen, best = choose_thresholds(features, labels, config)
    assert best == 1.0
    # 0.6, 0.7 and 0.8 all separate the pairs: the middle one is kept.
    assert chosen.semantic == 0.7 and chosen.semantic_quantity <= chosen.semantic


def test_shipped_pairs_are_balanced_and_distinct():
    pairs = read_pairs(PAIRS)
    assert len(pairs) >= 100
    assert 0.3 < sum(p.same for p in pairs) / len(pairs) < 0.7
    assert len({(p.a, p.b) for p in pairs}) == len(pairs)
    assert {"paraphrase", "numbers", "topic", "same-number"} <= {p.kind for p in pairs}


def _bag(texts):
    """A toy embedding: normalized letter counts."""
    out = np.zeros((len(texts), 26), dtype=np.float32)
    for i, text in enumerate(texts):
        for ch in text.lower():
            if "a" <= ch <= "z":
                out[i, ord(ch) - 97] += 1
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_pair_features_read_numbers_quantities_and_cosine():
    pairs = [
        Pair("700 US troops will arrive.", "About 700 American troops will arrive.", True),
        Pair("700 troops will arrive.", "1,000 troops will arrive.", False),
    ]
    first, second = pair_features(pairs, _bag)
    assert first.agree and first.shared and 0 < first.cosine <= 1
    assert not second.agree


def test_retrieval_and_quantity_pairs_on_a_toy_collection():
    passages = {"v1": "Zebras escaped from the zoo", "v2": "Bridge closed for repairs"}
    queries = {"q1": "zebras zoo escape!", "q2": "the bridge is closed"}
    qrels = {"q1": {"v1"}, "q2": {"v2"}}
    scores = retrieval_scores(queries, qrels, dense_ranker(_bag, passages))
    assert scores["recall@10"] == 1.0 and scores["map@1"] == 1.0
    counted = {"v1": "The city has 400,000 voters", "v2": "The line carries 400,000 passengers"}
    pairs = quantity_pairs({"q": "400,000 passengers a day"}, {"q": {"v2"}}, counted)
    assert [(p.b, p.same) for p in pairs] == [(counted["v2"], True)]
