"""From model outputs to technique spans: the sentence heads decide which techniques a sentence
uses, the token head says where.

Two rules, both with numbers from the model card:

- the **sensitive** rule (``thresholds``, chosen on validation articles for F1): a sentence uses
  technique ``t`` when its sentence probability reaches ``thresholds[t]``; when only the "any
  technique" head fires, the single most likely technique is kept. Each technique's spans are
  the runs of tokens whose probability reaches ``token``, widened to whole words (a word-piece
  never starts or ends a span); a technique with no such run covers the whole sentence (doubt
  and whataboutism often do).
- the **precise** rule (``precise``, chosen by ``claimscope train thresholds`` for span
  precision): one ``Rule`` per technique that the model gets right often enough; a technique
  without one is never precise. A run needs its own token threshold, a one-word run a higher
  one, and a whole-sentence span is allowed only where the rule says so.

A run made only of function words ("as", "of the") is never a span, under either rule.
``find_techniques`` gives the precise spans and, when every span is asked for, the sensitive
spans that no precise span of the same technique overlaps, marked ``precise=False``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from claimscope.persuasion.techniques import KEYS
from claimscope.settings import TechniquesShown
from claimscope.spans import trim

# Closed-class English words: a span of nothing else says nothing persuasive.
FUNCTION_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each either few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me might more most must my myself neither no nor not now of off on once only
    or other our ours ourselves out over own same shall she should so some such than that the
    their theirs them themselves then there these they this those through to too under until up
    upon us very was we were what when where which while who whom whose why will with would yet
    you your yours yourself yourselves
    """.split()
)


@dataclass(slots=True, frozen=True)
class Found:
    """A technique found in one sentence: offsets relative to the sentence, its score, and
    whether the precise rule found it."""

    technique: str
    start: int
    end: int
    score: float
    precise: bool = True


@dataclass(slots=True, frozen=True)
class Rule:
    """The precise rule of one technique (numbers from the model card).

    ``sentence``: the least sentence probability of the technique; ``token``: the least token
    probability of a run; ``single_word``: the least (maximum) token probability of a run of
    one word; ``whole_sentence``: whether a sentence that passes with no run is a span.
    """

    sentence: float
    token: float
    single_word: float
    whole_sentence: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        """A rule from its card entry."""
        return cls(
            sentence=float(data["sentence"]),
            token=float(data["token"]),
            single_word=float(data["single_word"]),
            whole_sentence=bool(data.get("whole_sentence", False)),
        )

    def as_dict(self) -> dict[str, Any]:
        """The card entry of the rule."""
        return {
            "sentence": self.sentence,
            "token": self.token,
            "single_word": self.single_word,
            "whole_sentence": self.whole_sentence,
        }


@dataclass(slots=True, frozen=True)
class Decoding:
    """Both rules of a model: the sensitive thresholds and the precise rule of each technique
    that has one."""

    thresholds: Mapping[str, float]
    precise: Mapping[str, Rule] = field(default_factory=dict)

    @classmethod
    def from_card(cls, card: Mapping[str, Any]) -> Decoding:
        """The decoding a model card holds (``card["techniques"]``); a card without a precise
        section has no precise technique."""
        techniques = card["techniques"]
        precise = techniques.get("precise", {}).get("rules", {})
        return cls(
            thresholds={k: float(v) for k, v in techniques["thresholds"].items()},
            precise={k: Rule.from_dict(v) for k, v in precise.items() if k in KEYS},
        )


def sentence_techniques(probs: np.ndarray, thresholds: Mapping[str, float]) -> list[int]:
    """Indexes (into KEYS) of the techniques a sentence uses; ``probs[0]`` is the any-head."""
    chosen = [i for i, key in enumerate(KEYS) if probs[i + 1] >= thresholds[key]]
    if not chosen and probs[0] >= thresholds["any"]:
        chosen = [int(np.argmax(probs[1:]))]
    return chosen


def token_runs(
    text: str, offsets: np.ndarray, token_probs: np.ndarray, threshold: float
) -> list[tuple[int, int, float]]:
    """``(start, end, highest token probability)`` of each run of tokens whose probability
    (``token_probs``, one per token) reaches ``threshold``, widened to whole words; runs
    separated only by spaces or light punctuation are joined, and runs of function words only
    are dropped."""
    runs: list[tuple[int, int, float]] = []
    for (a, b), p in zip(offsets.tolist(), token_probs.tolist(), strict=True):
        if b <= a or p < threshold:
            continue
        a, b = _word(text, a, b)
        # Tokens of one run touch or are separated by spaces/punctuation only.
        if runs and text[runs[-1][1] : a].strip(" \t,;:'\"") == "":
            last = runs[-1]
            runs[-1] = (last[0], max(b, last[1]), max(p, last[2]))
        else:
            runs.append((a, b, p))
    return [r for r in runs if not _function_words_only(text[r[0] : r[1]])]


def decode(
    probs: np.ndarray,
    token_probs: np.ndarray,
    offsets: np.ndarray,
    text: str,
    thresholds: Mapping[str, float],
) -> list[Found]:
    """The technique spans of one sentence ``text`` under the sensitive rule (offsets relative
    to it), marked ``precise=False``.

    ``probs`` holds the any-head then one probability per technique; ``token_probs`` one row per
    token (special tokens included, with empty offsets) and one column per technique;
    ``offsets`` the tokens' ``(start, end)`` in ``text``.
    """
    # The sensitive rule as a Rule: every run (no one-word bar: probabilities are >= 0), else
    # the whole sentence.
    rule = Rule(sentence=0.0, token=thresholds["token"], single_word=0.0, whole_sentence=True)
    found: list[Found] = []
    for i in sentence_techniques(probs, thresholds):
        found += _spans(text, offsets, token_probs, i, probs[i + 1], rule, precise=False)
    return found


def decode_precise(
    probs: np.ndarray,
    token_probs: np.ndarray,
    offsets: np.ndarray,
    text: str,
    rules: Mapping[str, Rule],
) -> list[Found]:
    """The technique spans of one sentence under the precise rules (arguments as ``decode``);
    techniques without a rule are never found."""
    found: list[Found] = []
    for i, key in enumerate(KEYS):
        rule = rules.get(key)
        if rule is not None and probs[i + 1] >= rule.sentence:
            found += _spans(text, offsets, token_probs, i, probs[i + 1], rule, precise=True)
    return found


def _spans(
    text: str,
    offsets: np.ndarray,
    token_probs: np.ndarray,
    i: int,
    probability: float,
    rule: Rule,
    *,
    precise: bool,
) -> list[Found]:
    """The spans of technique ``KEYS[i]``, which the sentence uses with ``probability``, under
    ``rule``: its token runs (a one-word run needs ``single_word``), else the whole sentence
    where the rule allows it."""
    key, score = KEYS[i], round(float(probability), 4)
    runs = token_runs(text, offsets, token_probs[:, i], rule.token)
    if not runs:
        return _whole(text, key, score, precise) if rule.whole_sentence else []
    return [
        Found(key, a, b, score, precise)
        for a, b, top in runs
        if top >= rule.single_word or len(text[a:b].split()) > 1
    ]


def find_techniques(
    probs: np.ndarray,
    token_probs: np.ndarray,
    offsets: np.ndarray,
    text: str,
    decoding: Decoding,
    shown: TechniquesShown = "precise",
) -> list[Found]:
    """The spans shown of one sentence: the precise ones, and with ``shown="all"`` also the
    sensitive ones that no precise span of the same technique overlaps (by technique, then
    offset)."""
    found = decode_precise(probs, token_probs, offsets, text, decoding.precise)
    if shown == "all":
        found += [
            f
            for f in decode(probs, token_probs, offsets, text, decoding.thresholds)
            if not any(
                p.technique == f.technique and p.start < f.end and f.start < p.end for p in found
            )
        ]
    order = {key: i for i, key in enumerate(KEYS)}
    return sorted(found, key=lambda f: (order[f.technique], f.start, f.end))


def _whole(text: str, key: str, score: float, precise: bool) -> list[Found]:
    start, end = trim(text, 0, len(text))
    return [Found(key, start, end, score, precise)] if end > start else []


def _function_words_only(span: str) -> bool:
    words = [w.strip(".,;:!?\"'()[]{}“”‘’«»-—–").lower() for w in span.split()]
    return all(not w or w in FUNCTION_WORDS for w in words)


def _word(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` widened to the whole word(s) it touches."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end
