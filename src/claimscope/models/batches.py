"""A model folder's tokenizer, and a batch of tokenized texts as the arrays an ONNX encoder
takes, padded to its longest."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tokenizers import Encoding, Tokenizer


def read_tokenizer(folder: Path, max_tokens: int) -> Tokenizer:
    """A folder's ``tokenizer.json``, unpadded, truncating at ``max_tokens`` (a pair longest
    first). The trainers read their base encoder's the same way, so they train on what runs."""
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_tokens, strategy="longest_first")
    return tokenizer


def padded(encodings: Sequence[Encoding]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``input_ids``, ``attention_mask`` and ``token_type_ids`` (int64, one row a text), zero
    past each text's end."""
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for row, e in enumerate(encodings):
        ids[row, : len(e.ids)] = e.ids
        mask[row, : len(e.ids)] = 1
        types[row, : len(e.ids)] = e.type_ids
    return ids, mask, types
