"""The stance model: does a passage support, refute or say nothing about a claim (no torch).

A cross-encoder over ``(claim, passage)``; the ONNX graph gives one logit per label in the
card's ``labels`` order, and the card's temperature (fitted on dev pairs) turns them into
probabilities.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from claimscope.errors import SettingsError
from claimscope.models.crossencoder import CrossEncoder
from claimscope.models.folder import folder_installed

STANCE_MODEL = "stance-minilm"
STANCE_LABELS = ("supports", "refutes", "neutral")


def installed(model: str = STANCE_MODEL) -> bool:
    """Whether the stance model folder ``model`` is there (a shipped name or a path)."""
    return folder_installed(model)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature``."""
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class StanceScorer(CrossEncoder):
    """Stance probabilities for ``(claim, passage)`` pairs; ``load()`` does the work."""

    def __init__(self, model: str = STANCE_MODEL, *, batch_size: int = 32, threads: int = 0):
        super().__init__(model, batch_size=batch_size, threads=threads)

    def load(self) -> StanceScorer:
        """Open the folder and session; check the card's labels; read its temperature."""
        super().load()
        card = self.folder_.card
        labels = tuple(card.get("labels", ()))
        if sorted(labels) != sorted(STANCE_LABELS):
            raise SettingsError(
                f"{self.folder_.path}: a stance model's labels must be {list(STANCE_LABELS)}, "
                f"not {list(labels)}"
            )
        self.labels_: tuple[str, ...] = labels
        self.temperature_ = float(card.get("calibration", {}).get("temperature", 1.0))
        return self

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """One row per pair, columns in ``STANCE_LABELS`` order, each row summing to 1."""
        if not pairs:
            return np.zeros((0, len(STANCE_LABELS)), dtype=np.float32)
        # The model reads (premise, hypothesis) = (passage, claim), as it was trained.
        logits = self.run([(passage, claim) for claim, passage in pairs], "logits")
        probs = softmax(logits.astype(np.float64), self.temperature_)
        columns = [self.labels_.index(label) for label in STANCE_LABELS]
        return probs[:, columns]

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        """(claim, passage) pairs -> {label: probability} summing to 1."""
        return [
            {label: float(p) for label, p in zip(STANCE_LABELS, row, strict=True)}
            for row in self.probabilities(pairs)
        ]


@functools.cache
def load_stance_scorer(model: str = STANCE_MODEL, threads: int = 0) -> StanceScorer:
    """The stance scorer for ``model``, loaded once per process (a lazy model cache)."""
    return StanceScorer(model, threads=threads).load()
