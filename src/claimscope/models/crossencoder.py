"""A cross-encoder model folder run by onnxruntime: text pairs in, one output row per pair.

The fact-check re-ranker and the stance model share this: the folder, its tokenizer (pairs
truncated longest-first to the card's ``max_tokens``), the session options and length-sorted
batching. Subclasses read what else they need from the card.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from claimscope.errors import SettingsError
from claimscope.models.batches import padded
from claimscope.models.folder import ModelFolder


def folder_installed(model: str) -> bool:
    """Whether the model folder ``model`` is there (a shipped name or a path)."""
    try:
        ModelFolder.open(model)
    except SettingsError:
        return False
    return True


def open_session(folder: ModelFolder, threads: int = 0, *, spin: bool = True) -> Any:
    """An onnxruntime session on ``folder``'s ``model.onnx`` (``threads``: 0 for up to 4).

    ``spin=False`` stops idle worker threads from spinning: a model run once per query on a
    busy machine then takes half the time (8.9 against 18.4 ms a tweet on 2 loaded cores).
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    if not spin:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(
            str(folder.path / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise SettingsError(f"cannot load {folder.path}/model.onnx: {exc}") from None


def folder_name(folder: ModelFolder) -> str:
    """A model's name and version, from its card."""
    card = folder.card
    return f"{card.get('name', folder.path.name)} {card.get('version', '')}".strip()


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
        self.tokenizer_ = Tokenizer.from_file(str(self.folder_.path / "tokenizer.json"))
        self.tokenizer_.no_padding()
        self.tokenizer_.enable_truncation(
            int(card.get("max_tokens", 192)), strategy="longest_first"
        )
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
