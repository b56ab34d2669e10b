"""From the tagger's word probabilities to attributions: spans per role, then cues linked to
the nearest source and content; and the merge with the rules' attributions.

Numpy and plain Python only: training measures its checkpoints with the same code the
pipeline runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from claimscope.extract.attribution_features import ROLES, Span, Window
from claimscope.extract.attribution_lexicon import TIME_WORDS

# How far (in words) a cue looks for its source and its content, and what a sentence
# boundary between them costs (a source in the next sentence is rare, content there is not).
MAX_GAP = 40
SOURCE_SENTENCE_COST = 30
CONTENT_SENTENCE_COST = 3
# A content span of one word is mostly a piece cut off the content ('that', a quotation mark,
# where the tagger began a new span): it costs as many words as this, so the clause a few
# words further wins (validation: content linked 0.728 -> 0.734, anything from 2 to 5 alike).
SHORT_CONTENT_COST = 3
MERGES = ("rules", "tagger", "tagger_then_rules", "rules_then_tagger")
# A source does not run past a dash or a semicolon: what follows is another clause. (Quotation
# marks are left alone: on validation, cutting there too lost exact sources.)
_SOURCE_BREAKS = frozenset(("—", "–", ";"))
# A source names someone. A span of nothing but articles, expletives and contractions ("a",
# "There", "It’s") or a date ("May 18") is a piece of the sentence the tagger took for one.
# Pronouns, possessives and quantifiers stay ("he", "his", "some", "both" are sources PolNeAR
# marks). No threshold: a rule of what a source is.
_NAMES_NOBODY = TIME_WORDS | frozenset(
    "a an the there here it’s it's that’s that's there’s there's what’s what's".split()
)
_WORD = re.compile(r"[\w’']+")


@dataclass(slots=True, frozen=True)
class Decoding:
    """How probabilities become spans: a word is inside a role's span when the probability
    that it is outside falls under ``outside`` (per role: source, cue, content); how the
    tagger's attributions join the rules' (one of ``MERGES``); and the least score (the lower
    of its source's and its cue's mean probability of being inside) a tagged attribution
    needs: a faint cue or source is more often a piece of a sentence that reports nothing."""

    outside: tuple[float, float, float] = (0.5, 0.5, 0.5)
    merge: str = "tagger_then_rules"
    min_score: float = 0.0


@dataclass(slots=True)
class TagSpan:
    """A span of one role in word indices ``[first, last]`` of a window, with its mean
    probability of being inside."""

    first: int
    last: int
    score: float


@dataclass(slots=True)
class Tagged:
    """An attribution the tagger found: character spans (no content where none was linked)."""

    source: Span
    cue: Span
    content: Span | None
    score: float


def spans(probs: np.ndarray, outside: float) -> list[TagSpan]:
    """The spans of one role from its ``(words, 3)`` O/B/I probabilities: a run of words
    inside, cut where a word is likelier to begin a span than to continue one."""
    inside = probs[:, 0] < outside
    if not inside.any():
        return []
    before = np.concatenate(([False], inside[:-1]))
    begins = inside & (~before | (probs[:, 1] > probs[:, 2]))
    starts = np.flatnonzero(begins)
    # A span runs from its start to the word before the next start or the next word outside.
    outside_at = np.flatnonzero(~inside)
    next_start = np.append(starts[1:], len(probs))
    at = np.searchsorted(outside_at, starts)
    next_out = np.append(outside_at, len(probs))[at]
    ends = np.minimum(next_start, next_out) - 1
    # Each span's mean inside probability, from running sums (one pass, not one per span).
    total = np.concatenate(([0.0], np.cumsum(1.0 - probs[:, 0], dtype=np.float64)))
    means = (total[ends + 1] - total[starts]) / (ends - starts + 1)
    return [TagSpan(int(s), int(e), float(m)) for s, e, m in zip(starts, ends, means, strict=True)]


def _gap(a: TagSpan, b: TagSpan) -> int:
    """Words between two spans (0 when adjacent, negative when they overlap)."""
    return max(a.first, b.first) - min(a.last, b.last) - 1


def _nearest(
    cue: TagSpan,
    candidates: Sequence[TagSpan],
    sentence: Sequence[int],
    cost: int,
    *,
    one_word: int = 0,
) -> TagSpan | None:
    """The candidate nearest the cue in words, a sentence boundary costing ``cost`` words and
    a candidate of one word ``one_word`` more."""
    best, best_d = None, MAX_GAP + 1
    at = sentence[cue.first]
    # _gap written out, and a candidate whose gap alone loses skipped before its costs: this
    # runs for every cue and candidate of every window.
    for c in candidates:
        if c.first > cue.last:
            gap, near = c.first - cue.last - 1, c.first
        elif c.last < cue.first:
            gap, near = cue.first - c.last - 1, c.last
        else:
            continue  # they overlap
        if gap >= best_d:
            continue
        d = gap + (cost if sentence[near] != at else 0)
        if c.first == c.last:
            d += one_word
        if d < best_d:
            best, best_d = c, d
    return best


def names_someone(source: str) -> bool:
    """Whether a source span can name a speaker (see _NAMES_NOBODY)."""
    found = [w.lower() for w in _WORD.findall(source)]
    return any(w not in _NAMES_NOBODY and not w.isdigit() for w in found)


def _clause_cut(text: str, window: Window, span: TagSpan) -> TagSpan:
    """A source span up to the first dash or semicolon inside it: what comes after is another
    clause ('said Jane Doe, the minister — ships waited')."""
    for i in range(span.first + 1, span.last + 1):
        s, e = window.words[i]
        if text[s:e] in _SOURCE_BREAKS:
            return TagSpan(span.first, i - 1, span.score)
    return span


def link(window: Window, probs: np.ndarray, decoding: Decoding, text: str) -> list[Tagged]:
    """The attributions of one window (of ``text``) from its ``(words, 3 roles, 3)``
    probabilities: each cue with the nearest source (none: no attribution) and the nearest
    content that overlaps neither."""
    found = {r: spans(probs[:, i], decoding.outside[i]) for i, r in enumerate(ROLES)}
    words = window.words
    out: list[Tagged] = []
    for cue in found["cue"]:
        source = _nearest(cue, found["source"], window.sentence, SOURCE_SENTENCE_COST)
        if source is None or min(source.score, cue.score) < decoding.min_score:
            continue
        source = _clause_cut(text, window, source)
        if not names_someone(text[words[source.first][0] : words[source.last][1]]):
            continue
        contents = [c for c in found["content"] if _gap(c, source) >= 0]
        content = _nearest(
            cue, contents, window.sentence, CONTENT_SENTENCE_COST, one_word=SHORT_CONTENT_COST
        )
        out.append(
            Tagged(
                source=(words[source.first][0], words[source.last][1]),
                cue=(words[cue.first][0], words[cue.last][1]),
                content=None
                if content is None
                else (words[content.first][0], words[content.last][1]),
                score=min(source.score, cue.score),
            )
        )
    return out


def _overlap(a: Span | None, b: Span | None) -> bool:
    return a is not None and b is not None and max(a[0], b[0]) < min(a[1], b[1])


def merge(
    rules: Sequence[tuple[Span, Span | None]], tagged: Sequence[Tagged], how: str
) -> tuple[list[int], list[int]]:
    """Which rule attributions (given as source and cue spans) and which tagged ones to keep,
    as indices: ``rules`` or ``tagger`` alone; ``tagger_then_rules``: every tagged one, and the
    rules' where no tagged one shares their cue or source; ``rules_then_tagger`` the reverse."""
    all_rules, all_tagged = list(range(len(rules))), list(range(len(tagged)))
    if how == "rules":
        return all_rules, []
    if how == "tagger":
        return [], all_tagged
    if how == "tagger_then_rules":
        kept = [
            i
            for i, (source, cue) in enumerate(rules)
            if not any(_overlap(cue, t.cue) or _overlap(source, t.source) for t in tagged)
        ]
        return kept, all_tagged
    if how == "rules_then_tagger":
        kept = [
            i
            for i, t in enumerate(tagged)
            if not any(_overlap(cue, t.cue) or _overlap(source, t.source) for source, cue in rules)
        ]
        return all_rules, kept
    raise ValueError(f"unknown merge {how!r}: {', '.join(MERGES)}")
