"""The learned attribution tagger at run time: numpy word vectors, an ONNX BiGRU, decoding.

The folder (``attribution-tagger``, built by ``claimscope train attribution``) holds
``static.npz`` (one int8 vector per subword, a float32 scale per row), ``tokenizer.json``,
``model.onnx`` (features of each word of a window -> O/B/I logits of source, cue and content)
and ``card.json`` (how to decode, how to merge with the rules, and the figures).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from claimscope.errors import SettingsError
from claimscope.extract.attribution_decode import Decoding, Tagged, link
from claimscope.extract.attribution_features import (
    ROLES,
    Layout,
    Window,
    windows,
    word_features,
)
from claimscope.models.folder import ModelFolder

logger = logging.getLogger(__name__)

# The tagger that ships in the package.
TAGGER = "attribution-tagger"
# Word vectors kept between documents; the cache is emptied when it grows past this.
_CACHE_WORDS = 200_000


class WordVectors:
    """A word's vector: the mean of its subword vectors (zero for a word of no known piece)."""

    def __init__(self, tokenizer: Tokenizer, vectors: np.ndarray) -> None:
        tokenizer.no_truncation()
        tokenizer.no_padding()
        self.tokenizer, self.vectors = tokenizer, vectors
        self.cache: dict[str, np.ndarray] = {}

    @classmethod
    def from_npz(cls, tokenizer: Tokenizer, path: Path) -> WordVectors:
        with np.load(path) as data:
            vectors = data["vectors"].astype(np.float32)
            if "scales" in data:
                vectors *= data["scales"].astype(np.float32)[:, None]
        return cls(tokenizer, vectors)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def __call__(self, words: list[str]) -> np.ndarray:
        """``(len(words), dim)`` float32."""
        new = list({w for w in words if w not in self.cache})
        if new:
            if len(self.cache) + len(new) > _CACHE_WORDS:
                self.cache.clear()
            for w, enc in zip(
                new, self.tokenizer.encode_batch_fast(new, add_special_tokens=False), strict=True
            ):
                ids = enc.ids
                self.cache[w] = (
                    self.vectors[ids].mean(axis=0) if ids else np.zeros(self.dim, dtype=np.float32)
                )
        if not words:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.cache[w] for w in words])


def window_inputs(layout: Layout, window: Window, vectors: WordVectors) -> np.ndarray:
    """``(words, dim + features)`` float32: what the network reads for one window."""
    words = [layout.text[s:e] for s, e in window.words]
    return np.concatenate([vectors(words), word_features(layout, window)], axis=1)


def softmax_roles(logits: np.ndarray) -> np.ndarray:
    """``(words, 9)`` logits -> ``(words, 3 roles, 3)`` O/B/I probabilities."""
    z = logits.reshape(len(logits), len(ROLES), 3)
    z = np.exp(z - z.max(axis=2, keepdims=True))
    return z / z.sum(axis=2, keepdims=True)  # type: ignore[no-any-return]


class AttributionTagger:
    """Runs a tagger folder over a document's layout; ``load()`` does the work."""

    def __init__(self, model: str = TAGGER, *, threads: int = 0) -> None:
        self.model, self.threads = model, threads

    def load(self) -> AttributionTagger:
        import onnxruntime as ort

        self.folder_ = ModelFolder.open(self.model)
        path = self.folder_.path
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.vectors_ = WordVectors.from_npz(tokenizer, path / "static.npz")
        options = ort.SessionOptions()
        # A small recurrent net: one thread is as fast and leaves the cores to the rest.
        options.intra_op_num_threads = self.threads or 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session_: Any = ort.InferenceSession(
                str(path / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise SettingsError(f"cannot load {path}/model.onnx: {exc}") from None
        d = self.folder_.card.get("decoding", {})
        self.decoding_ = Decoding(
            outside=tuple(d.get("outside", (0.5, 0.5, 0.5))),  # type: ignore[arg-type]
            merge=d.get("merge", "tagger_then_rules"),
        )
        return self

    @property
    def name(self) -> str:
        card = self.folder_.card
        return f"{card.get('name', TAGGER)} v{card.get('version', '')}"

    def probabilities(self, layout: Layout) -> list[tuple[Window, np.ndarray]]:
        """Each window of the layout with its ``(words, 3 roles, 3)`` probabilities."""
        out = []
        for window in windows(layout):
            x = window_inputs(layout, window, self.vectors_)[None]
            (logits,) = self.session_.run(None, {"x": x})
            out.append((window, softmax_roles(logits[0])))
        return out

    def tag(self, layout: Layout) -> list[Tagged]:
        """The attributions the tagger finds in the layout, in text order."""
        return [
            t
            for window, probs in self.probabilities(layout)
            for t in link(window, probs, self.decoding_)
        ]


@functools.cache
def shared_tagger(model: str = TAGGER, threads: int = 0) -> AttributionTagger | None:
    """The tagger, loaded once per process; None when its folder is missing or broken (the
    rules then work alone, as they did before the tagger shipped)."""
    try:
        return AttributionTagger(model, threads=threads).load()
    except SettingsError as exc:
        logger.warning("attribution tagger unavailable (%s): the rules work alone", exc)
        return None
