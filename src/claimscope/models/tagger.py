"""A word tagger's folder at run time: static word vectors (numpy) and an ONNX network that
reads a sequence of word feature rows and gives logits per word (the attribution tagger's,
``attribution-tagger``; the features and the decoding live with it in ``extract/``).

The folder holds ``static.npz`` (one int8 vector per subword, a float32 scale per row),
``tokenizer.json``, ``model.onnx`` (input ``x``: ``(1, words, features)``) and ``card.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from claimscope.models.embedder import read_vectors
from claimscope.models.folder import ModelFolder, open_session

# Word vectors kept between documents; the cache is emptied when it grows past this.
_CACHE_WORDS = 200_000
_BATCH_WORDS = 512


class WordVectors:
    """A word's vector: the mean of its subword vectors (zero for a word of no known piece)."""

    def __init__(self, tokenizer: Tokenizer, vectors: np.ndarray) -> None:
        tokenizer.no_truncation()
        tokenizer.no_padding()
        self.tokenizer, self.vectors = tokenizer, vectors
        self.cache: dict[str, np.ndarray] = {}

    @classmethod
    def from_npz(cls, tokenizer: Tokenizer, path: Path) -> WordVectors:
        """The vectors of a ``static.npz``: float32, or int8 with one float32 scale per row."""
        with np.load(path) as data:
            return cls(tokenizer, read_vectors(data))

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def __call__(self, words: list[str]) -> np.ndarray:
        """``(len(words), dim)`` float32."""
        new = list({w for w in words if w not in self.cache})
        if new:
            if len(self.cache) + len(new) > _CACHE_WORDS:
                self.cache.clear()
            # A window brings a few dozen new words: one by one they take ~0.4 ms, while a
            # batch call wakes the tokenizer's thread pool, which on a loaded machine took up to
            # 30 ms. Batches pay off only for many words.
            if len(new) < _BATCH_WORDS:
                encodings = [self.tokenizer.encode(w, add_special_tokens=False) for w in new]
            else:
                encodings = self.tokenizer.encode_batch_fast(new, add_special_tokens=False)
            for w, enc in zip(new, encodings, strict=True):
                ids = enc.ids
                self.cache[w] = (
                    self.vectors[ids].mean(axis=0) if ids else np.zeros(self.dim, dtype=np.float32)
                )
        if not words:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.cache[w] for w in words])


class SequenceTagger:
    """A tagger folder's word vectors and network; ``load()`` does the work."""

    def __init__(self, model: str, *, threads: int = 0) -> None:
        self.model, self.threads = model, threads

    def load(self) -> SequenceTagger:
        """Open the folder, its vectors and its session (a SettingsError when one is missing)."""
        self.folder_ = ModelFolder.open(self.model)
        path = self.folder_.path
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.vectors_ = WordVectors.from_npz(tokenizer, path / "static.npz")
        # A small recurrent net run on one window at a time: one thread is as fast and leaves
        # the cores to the claim model; idle threads must not spin.
        self.session_: Any = open_session(self.folder_, self.threads or 1, spin=False)
        return self

    @property
    def card(self) -> dict[str, Any]:
        return self.folder_.card

    def logits(self, x: np.ndarray) -> np.ndarray:
        """``(words, labels)`` logits of one sequence of ``(words, features)`` rows."""
        (out,) = self.session_.run(None, {"x": x[None].astype(np.float32, copy=False)})
        return out[0]  # type: ignore[no-any-return]
