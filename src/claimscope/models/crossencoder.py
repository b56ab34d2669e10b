"""A cross-encoder model folder run by onnxruntime: text pairs in, one output row per pair.

The fact-check re-ranker and the stance model share this: the folder, its tokenizer (pairs
truncated longest-first to the card's ``max_tokens``), the session options and length-sorted
batching. Subclasses read what else they need from the card.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from claimscope.models.batches import padded
from claimscope.models.folder import open_session
from claimscope.models.runner import FolderRunner


class CrossEncoder(FolderRunner):
    """Runs a pair model folder's ``model.onnx``; ``load()`` does the work."""

    def load(self) -> CrossEncoder:
        """Open the folder, its tokenizer and the ONNX session."""
        self.open_folder(192)
        self.session_ = open_session(self.folder_, self.threads)
        return self

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
