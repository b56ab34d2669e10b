"""A cross-encoder model folder run by onnxruntime: text pairs in, one output row per pair.

The fact-check re-ranker and the stance model share this: the folder, its tokenizer (pairs
truncated longest-first to the card's ``max_tokens``), the session options and length-sorted
batching. Subclasses read what else they need from the card.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from claimscope.models.batches import padded, read_tokenizer
from claimscope.models.folder import ModelFolder, folder_name, open_session


class CrossEncoder:
    """Runs a pair model folder's ``model.onnx``; ``load()`` does the work."""

    def __init__(self, model: str, *, batch_size: int = 32, threads: int = 0):
        self.model = model
        self.batch_size = batch_size
        self.threads = threads

    def load(self) -> CrossEncoder:
        """Open the folder, its tokenizer and the ONNX session."""
        self.folder_ = ModelFolder.open(self.model)
        card = self.folder_.card
        self.tokenizer_ = read_tokenizer(self.folder_.path, int(card.get("max_tokens", 192)))
        self.session_ = open_session(self.folder_, self.threads)
        return self

    @property
    def name(self) -> str:
        """The model's name and version, from its card."""
        return folder_name(self.folder_)

    def run(self, pairs: Sequence[tuple[str, str]], output: str) -> np.ndarray:
        """The ONNX output ``output`` for each pair, rows in input order."""
        out: np.ndarray | None = None
        # Similar lengths batched together: less padding, the same results.
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            ids, mask, types = padded(self.tokenizer_.encode_batch([list(pairs[i]) for i in chunk]))
            (values,) = self.session_.run(
                [output], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )
            if out is None:
                out = np.zeros((len(pairs), *values.shape[1:]), dtype=np.float32)
            out[chunk] = values
        return out if out is not None else np.zeros((0,), dtype=np.float32)
