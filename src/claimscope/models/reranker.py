"""The model that re-scores (text, checked claim) pairs: ONNX run time, no torch.

Two kinds of folder are read: a cross-encoder (each pair read together) and a bi-encoder (each
text embedded once, a pair scored by cosine); the card's ``architecture`` says which.
"""

from __future__ import annotations

import functools
import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from claimscope.models.batches import padded
from claimscope.models.crossencoder import CrossEncoder
from claimscope.models.embedder import strip_noise
from claimscope.models.folder import ModelFolder, folder_installed, open_session
from claimscope.models.runner import FolderRunner

MATCH_MODEL = "match-minilm"


class MatchScorer(Protocol):
    """What fact-check matching needs of a re-scoring model."""

    threshold: float
    bm25_weight: float

    @property
    def name(self) -> str: ...

    def score(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray: ...

    def probability(self, logits: np.ndarray) -> np.ndarray: ...


def _platt(card: dict) -> tuple[float, float]:
    platt = card.get("calibration", {})
    return float(platt.get("a", 1.0)), float(platt.get("b", 0.0))


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
        self.platt_ = _platt(card)
        self.threshold = float(card.get("thresholds", {}).get("match", 0.5))
        self.bm25_weight = float(card.get("fusion", {}).get("bm25_weight", 1.0))
        return self

    def score(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """One relevance logit per ``(query, passage)`` pair."""
        return self.run(pairs, "score").reshape(len(pairs))

    def probability(self, logits: np.ndarray) -> np.ndarray:
        """Calibrated probability that a pair is a match."""
        a, b = self.platt_
        return 1.0 / (1.0 + np.exp(-np.clip(a * logits + b, -50.0, 50.0)))


class EmbeddingScorer(FolderRunner):
    """A bi-encoder folder: each text embedded once (links and @handles left out), a pair
    scored by the cosine of its two vectors times the card's ``scale``.

    A checked claim comes up as a candidate for many posts, so its vector is kept (the last
    ``cache`` texts); a post is embedded once however many candidates it meets. Fact-check
    matching keeps a collection's vectors on disk instead (``verify.claim_vectors``), keyed by
    ``identity``.
    """

    def __init__(
        self,
        model: str = MATCH_MODEL,
        *,
        batch_size: int = 32,
        threads: int = 0,
        cache: int = 16_384,
    ) -> None:
        super().__init__(model, batch_size=batch_size, threads=threads)
        self.cache = cache

    def load(self) -> EmbeddingScorer:
        """Open the folder, its tokenizer and the ONNX session; read scale, calibration,
        threshold and fusion weight from the card."""
        card = self.open_folder(128)
        # One query at a time: idle threads must not spin (see ``open_session``).
        self.session_ = open_session(self.folder_, self.threads, spin=False)
        self.scale = float(card.get("scale", 1.0))
        self.platt_ = _platt(card)
        self.threshold = float(card.get("thresholds", {}).get("match", 0.5))
        self.bm25_weight = float(card.get("fusion", {}).get("bm25_weight", 1.0))
        self.candidates = int(card.get("fusion", {}).get("candidates", 20))
        self.dense = int(card.get("fusion", {}).get("dense_candidates", 0))
        self.vectors_: OrderedDict[str, np.ndarray] = OrderedDict()
        digest = hashlib.sha256((self.folder_.path / "model.onnx").read_bytes()).hexdigest()
        self.identity = f"{self.name} {digest[:16]}"
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts`` (float32), rows in input order, computed now (no cache)."""
        out = np.zeros((len(texts), 0), dtype=np.float32)
        # Similar lengths batched together: less padding, the same vectors.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            ids, mask, _ = padded(
                self.tokenizer_.encode_batch([strip_noise(texts[i]) for i in chunk])
            )
            (values,) = self.session_.run(["embedding"], {"input_ids": ids, "attention_mask": mask})
            if out.shape[1] == 0:
                out = np.zeros((len(texts), values.shape[1]), dtype=np.float32)
            out[chunk] = values
        return out

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts``, rows in input order (the last ``cache`` texts kept)."""
        missing = list({t: None for t in texts if t not in self.vectors_})
        if missing:
            for text, vector in zip(missing, self.encode(missing), strict=True):
                self.vectors_[text] = vector
        out = np.stack([self.vectors_[t] for t in texts]) if texts else np.zeros((0, 1))
        for text in texts:
            self.vectors_.move_to_end(text)
        while len(self.vectors_) > self.cache:
            self.vectors_.popitem(last=False)
        return out.astype(np.float32)

    def score(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """One relevance logit per ``(query, passage)`` pair: scale times cosine."""
        if not pairs:
            return np.zeros((0,), dtype=np.float32)
        left = self.embed([a for a, _ in pairs])
        right = self.embed([b for _, b in pairs])
        return (self.scale * np.sum(left * right, axis=1)).astype(np.float32)

    def probability(self, logits: np.ndarray) -> np.ndarray:
        """Calibrated probability that a pair is a match."""
        a, b = self.platt_
        return 1.0 / (1.0 + np.exp(-np.clip(a * logits + b, -50.0, 50.0)))


@functools.cache
def load_pair_scorer(model: str = MATCH_MODEL, threads: int = 0) -> MatchScorer:
    """The scorer for ``model`` (cross- or bi-encoder, as its card says), loaded once per
    process (a lazy model cache)."""
    if ModelFolder.open(model).card.get("architecture") == "bi-encoder":
        return EmbeddingScorer(model, threads=threads).load()
    return PairScorer(model, threads=threads).load()


def installed(model: str = MATCH_MODEL) -> bool:
    """Whether the pair-model folder ``model`` is there (it ships once trained to its target)."""
    return folder_installed(model)
