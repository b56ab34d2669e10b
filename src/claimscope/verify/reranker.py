"""The cross-encoder that re-scores (text, checked claim) pairs: ONNX run time, no torch."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence

import numpy as np
from tokenizers import Tokenizer

from claimscope.errors import SettingsError
from claimscope.models.folder import ModelFolder

MATCH_MODEL = "match-minilm"


class PairScorer:
    """Scores text pairs with a model folder's ``model.onnx``; ``load()`` does the work.

    ``score`` gives the raw relevance logit; ``probability`` maps it through the Platt scaling
    fitted on dev pairs and stored in the card.
    """

    def __init__(self, model: str = MATCH_MODEL, *, batch_size: int = 32, threads: int = 0):
        self.model = model
        self.batch_size = batch_size
        self.threads = threads

    def load(self) -> PairScorer:
        """Open the folder, its tokenizer and the ONNX session."""
        import onnxruntime as ort

        self.folder_ = ModelFolder.open(self.model)
        card = self.folder_.card
        self.tokenizer_ = Tokenizer.from_file(str(self.folder_.path / "tokenizer.json"))
        self.tokenizer_.no_padding()
        self.tokenizer_.enable_truncation(
            int(card.get("max_tokens", 192)), strategy="longest_first"
        )
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        try:
            self.session_ = ort.InferenceSession(
                str(self.folder_.path / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise SettingsError(f"cannot load {self.folder_.path}/model.onnx: {exc}") from None
        platt = card.get("calibration", {})
        self.platt_ = (float(platt.get("a", 1.0)), float(platt.get("b", 0.0)))
        self.threshold = float(card.get("thresholds", {}).get("match", 0.5))
        self.bm25_weight = float(card.get("fusion", {}).get("bm25_weight", 1.0))
        return self

    @property
    def name(self) -> str:
        """The model's name and version, from its card."""
        card = self.folder_.card
        return f"{card.get('name', self.folder_.path.name)} {card.get('version', '')}".strip()

    def score(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """One relevance logit per ``(query, passage)`` pair."""
        out = np.zeros(len(pairs), dtype=np.float32)
        # Similar lengths batched together: less padding, the same results.
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            enc = self.tokenizer_.encode_batch([list(pairs[i]) for i in chunk])
            width = max(len(e.ids) for e in enc)
            ids = np.zeros((len(enc), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for row, e in enumerate(enc):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = 1
                types[row, : len(e.ids)] = e.type_ids
            (logits,) = self.session_.run(
                ["score"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )
            out[chunk] = logits
        return out

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
    try:
        ModelFolder.open(model)
    except SettingsError:
        return False
    return True
