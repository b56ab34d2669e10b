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
        session = open_session(folder, self.threads or 1, spin=False, graph=path.name)
        width = int(session.get_inputs()[1].shape[2])
        return session, width

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
        out = []
        for window in windows(layout):
            x = window_inputs(layout, window, self.tagger_.vectors_)
            if self.context_ is not None and layout.states is not None:
                session, width = self.context_
                s = window_states(layout, window, width)
                (logits,) = session.run(None, {"x": x[None], "states": s[None]})
                out.append((window, softmax_roles(logits[0])))
            else:
                out.append((window, softmax_roles(self.tagger_.logits(x))))
        return out

    def tag(self, layout: Layout) -> list[Tagged]:
        """The attributions the tagger finds in the layout, in text order."""
        return [
            t
            for window, probs in self.probabilities(layout)
            for t in link(window, probs, self.decoding_, layout.text)
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
