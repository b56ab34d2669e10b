"""The cross-encoder that re-scores (text, checked claim) pairs: ONNX run time, no torch."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from claimscope.verify.crossencoder import CrossEncoder, folder_installed

MATCH_MODEL = "match-minilm"


class PairScorer(CrossEncoder):
    """Scores text pairs with a model folder's ``model.onnx``; ``load()`` does the work.

    ``score`` gives the raw relevance logit; ``probability`` maps it through the Platt scaling
    fitted on dev pairs and stored in the card.
    """

    def __init__(self, model: str = MATCH_MODEL, *, batch_size: int = 32, threads: int = 0):
        super().__init__(model, batch_size=batch_size, threads=threads)

    def load(self) -> PairScorer:
        """Open the folder, its tokenizer and the ONNX session; read calibration and threshold."""
        super().load()
        card = self.folder_.card
        platt = card.get("calibration", {})
        self.platt_ = (float(platt.get("a", 1.0)), float(platt.get("b", 0.0)))
        self.threshold = float(card.get("thresholds", {}).get("match", 0.5))
        self.bm25_weight = float(card.get("fusion", {}).get("bm25_weight", 1.0))
        return self

    def score(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """One relevance logit per ``(query, passage)`` pair."""
        return self.run(pairs, "score").reshape(len(pairs))

    def probability(self, logits: np.ndarray) -> np.ndarray:
        """Calibrated probability that a pair is a match."""
        a, b = self.platt_
        return 1.0 / (1.0 + np.exp(-(a * logits + b)))


@functools.cache
def load_pair_scorer(model: str = MATCH_MODEL, threads: int = 0) -> PairScorer:
    """The scorer for ``model``, loaded once per process (a lazy model cache)."""
    return PairScorer(model, threads=threads).load()


def installed(model: str = MATCH_MODEL) -> bool:
    """Whether the pair-model folder ``model`` is there (it ships once trained to its target)."""
    return folder_installed(model)
