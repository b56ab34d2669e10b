"""From model outputs to technique spans: the sentence heads decide which techniques a sentence
uses, the token head says where.

The rule (thresholds from the model card, chosen on validation articles):
- a sentence uses technique ``t`` when its sentence probability reaches ``thresholds[t]``; when
  only the "any technique" head fires, the single most likely technique is kept;
- each technique's spans are the runs of tokens whose probability reaches ``token``, widened to
  whole words (a word-piece never starts or ends a span); a technique with no such run covers
  the whole sentence (doubt and whataboutism often do).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from claimscope.persuasion.techniques import KEYS
from claimscope.spans import trim


@dataclass(slots=True, frozen=True)
class Found:
    """A technique found in one sentence: offsets relative to the sentence, and its score."""

    technique: str
    start: int
    end: int
    score: float


def sentence_techniques(probs: np.ndarray, thresholds: Mapping[str, float]) -> list[int]:
    """Indexes (into KEYS) of the techniques a sentence uses; ``probs[0]`` is the any-head."""
    chosen = [i for i, key in enumerate(KEYS) if probs[i + 1] >= thresholds[key]]
    if not chosen and probs[0] >= thresholds["any"]:
        chosen = [int(np.argmax(probs[1:]))]
    return chosen


def decode(
    probs: np.ndarray,
    token_probs: np.ndarray,
    offsets: np.ndarray,
    text: str,
    thresholds: Mapping[str, float],
) -> list[Found]:
    """The technique spans of one sentence ``text`` (offsets relative to it).

    ``probs`` holds the any-head then one probability per technique; ``token_probs`` one row per
    token (special tokens included, with empty offsets) and one column per technique;
    ``offsets`` the tokens' ``(start, end)`` in ``text``.
    """
    found: list[Found] = []
    for i in sentence_techniques(probs, thresholds):
        hits = [
            (a, b)
            for (a, b), p in zip(offsets.tolist(), token_probs[:, i].tolist(), strict=True)
            if b > a and p >= thresholds["token"]
        ]
        score = round(float(probs[i + 1]), 4)
        if not hits:
            start, end = trim(text, 0, len(text))
            if end > start:
                found.append(Found(KEYS[i], start, end, score))
            continue
        runs: list[tuple[int, int]] = []
        for a, b in hits:
            a, b = _word(text, a, b)
            # Tokens of one run touch or are separated by spaces/punctuation only.
            if runs and text[runs[-1][1] : a].strip(" \t,;:'\"") == "":
                runs[-1] = (runs[-1][0], max(b, runs[-1][1]))
            else:
                runs.append((a, b))
        found += [Found(KEYS[i], a, b, score) for a, b in runs]
    return found


def _word(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` widened to the whole word(s) it touches."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end
