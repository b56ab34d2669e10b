"""The learned attribution tagger in the pipeline: a document's windows read by the tagger
folder (``attribution-tagger``, built by ``claimscope train attribution``; run by
``models/tagger.py``), decoded into attributions as its card says.

The card's ``decoding`` gives the cut-offs of each role and how the tagger's attributions join
the rules' (extract/attribution_decode.py). Where the card names a ``context`` graph and the
layout carries the claim encoder's token states (the scores stage keeps them when it runs
first), that graph reads them beside the word features; elsewhere (no claim encoder: the
``rules`` and ``fast`` profiles) the static graph reads the word features alone.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import numpy as np

from claimscope.errors import SettingsError
from claimscope.extract.attribution_decode import Decoding, Tagged, link
from claimscope.extract.attribution_features import (
    ROLES,
    Layout,
    Window,
    window_states,
    windows,
    word_features,
)
from claimscope.models.folder import open_session
from claimscope.models.tagger import SequenceTagger, WordVectors

logger = logging.getLogger(__name__)

# The tagger that ships in the package.
TAGGER = "attribution-tagger"
# Windows per run of the context graph (a batch's documents together).
_WINDOWS_PER_CALL = 128


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
        self.tagger_ = SequenceTagger(self.model, threads=self.threads).load()
        d = self.tagger_.card.get("decoding", {})
        outside = tuple(float(x) for x in d.get("outside", (0.5, 0.5, 0.5)))
        if len(outside) != len(ROLES):
            raise SettingsError(f"{self.tagger_.folder_.path}/card.json: bad decoding {d}")
        self.decoding_ = Decoding(
            outside=(outside[0], outside[1], outside[2]),
            merge=str(d.get("merge", "tagger_then_rules")),
            min_score=float(d.get("min_score", 0.0)),
        )
        self.context_ = self._open_context()
        return self

    def _open_context(self) -> tuple[Any, int] | None:
        """The context graph's session and the width of the states it reads; None when the
        card names none."""
        context = self.tagger_.card.get("context")
        if not context:
            return None
        folder = self.tagger_.folder_
        path = folder.path / str(context["graph"])
        if not path.is_file():
            raise SettingsError(f"{folder.path}: the card names {path.name}, which is missing")
        # Unlike the static graph (one window a call), it runs batches of windows: worth every
        # core the settings give (0: up to 4), as the claim model uses them.
        session = open_session(folder, self.threads, spin=False, graph=path.name)
        inputs = {i.name: i for i in session.get_inputs()}
        if set(inputs) != {"x", "states", "lengths"}:
            raise SettingsError(f"{path}: not a context graph (inputs {sorted(inputs)})")
        return session, int(inputs["states"].shape[2])

    @property
    def name(self) -> str:
        card = self.tagger_.card
        return f"{card.get('name', TAGGER)} v{card.get('version', '')}"

    def reads_states(self) -> bool:
        """Whether the tagger reads the claim encoder's token states, when it has them."""
        return self.context_ is not None

    def probabilities(self, layout: Layout) -> list[tuple[Window, np.ndarray]]:
        """Each window of the layout with its ``(words, 3 roles, 3)`` probabilities (the
        context graph's where the layout has token states)."""
        return self.probabilities_many([layout])[0]

    def probabilities_many(self, layouts: list[Layout]) -> list[list[tuple[Window, np.ndarray]]]:
        """``probabilities`` of each layout; the context graph runs the windows of all the
        layouts that have states together, in padded batches (its GRUs stop at each window's
        ``lengths``: a batch gives what each window gives alone, for far fewer calls)."""
        found = [windows(layout) for layout in layouts]
        batched = [
            (k, w)
            for k, layout in enumerate(layouts)
            if self.context_ is not None and layout.states is not None
            for w in found[k]
        ]
        in_context = self._in_context(layouts, batched)
        probs = {id(w): p for (_, w), p in zip(batched, in_context, strict=True)}
        vectors = self.tagger_.vectors_
        return [
            [
                (w, probs[id(w)] if id(w) in probs else
                 softmax_roles(self.tagger_.logits(window_inputs(layout, w, vectors))))
                for w in ws
            ]
            for layout, ws in zip(layouts, found, strict=True)
        ]  # fmt: skip

    def _in_context(
        self, layouts: list[Layout], batched: list[tuple[int, Window]]
    ) -> list[np.ndarray]:
        """The context graph's probabilities of each (layout index, window), in order."""
        if not batched:
            return []
        assert self.context_ is not None
        session, width = self.context_
        # Similar lengths together: the GRUs run to the longest window of a call.
        order = sorted(range(len(batched)), key=lambda i: len(batched[i][1].words))
        out: list[np.ndarray] = [np.zeros(0)] * len(batched)
        for start in range(0, len(order), _WINDOWS_PER_CALL):
            part = [batched[i] for i in order[start : start + _WINDOWS_PER_CALL]]
            xs = [window_inputs(layouts[k], w, self.tagger_.vectors_) for k, w in part]
            longest = max(len(x) for x in xs)
            x = np.zeros((len(part), longest, xs[0].shape[1]), dtype=np.float32)
            states = np.zeros((len(part), longest, width), dtype=np.float32)
            for i, ((k, w), rows) in enumerate(zip(part, xs, strict=True)):
                x[i, : len(rows)] = rows
                states[i, : len(rows)] = window_states(layouts[k], w, width)
            lengths = np.asarray([len(rows) for rows in xs], dtype=np.int32)
            (logits,) = session.run(None, {"x": x, "states": states, "lengths": lengths})
            for i, n in enumerate(lengths):
                out[order[start + i]] = softmax_roles(logits[i, :n])
        return out

    def tag(self, layout: Layout) -> list[Tagged]:
        """The attributions the tagger finds in the layout, in text order."""
        return self.tag_many([layout])[0]

    def tag_many(self, layouts: list[Layout]) -> list[list[Tagged]]:
        """``tag`` of each layout, the context graph run over all of them together."""
        return [
            [t for window, probs in found for t in link(window, probs, self.decoding_, lay.text)]
            for lay, found in zip(layouts, self.probabilities_many(layouts), strict=True)
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
