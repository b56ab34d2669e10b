"""What the attribution tagger reads: a document's words, each as a vector of features.

A document is cut into windows of whole sentences (at most ``MAX_WORDS`` words) so that the
tagger sees the sentences around a cue: PolNeAR content often runs over several sentences.
Each word gets a static word vector (the mean of its subword vectors, looked up in numpy) and
a few features the pipeline already has: its shape, the cue words the rules know, the entity
it is in, where it stands in its sentence and paragraph, and the rules' own spans (so that the
tagger learns where the rules are right and adds what they miss).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from claimscope.extract.attribution_lexicon import (
    DETERMINERS,
    PREPOSITIONS,
    PRONOUNS,
    QUOTES,
    STRONG,
    TOKEN,
    WEAK,
)
from claimscope.model import Analysis

# Most words in one window; a longer sentence is a window of its own, cut at this length.
MAX_WORDS = 160
ROLES = ("source", "cue", "content")
_NEWLINE = re.compile("\n")
# Entity labels that tell a source apart, then every other label.
_ENTITY_GROUPS = (("PERSON",), ("ORG",), ("GPE", "NORP", "LOC", "FAC"))
N_FEATURES = 19 + 2 * (len(_ENTITY_GROUPS) + 1) + 2 * len(ROLES)

Span = tuple[int, int]
# A rule attribution: source, cue and content spans (-1, -1 where it has none).
RuleSpans = tuple[int, int, int, int, int, int]
# One sentence's token offsets ``(k, 2)`` (relative to the sentence) and token states ``(k, d)``
# from the claim encoder (models/scorer.TOKEN_STATES).
TokenStates = tuple[np.ndarray, np.ndarray]


@dataclass(slots=True)
class Layout:
    """The parts of an analysis the tagger reads: the text, the sentences outside posts as
    ``(start, end, segment)``, the entities and the rules' attributions; where the scores stage
    kept them, each sentence's token states (None for a sentence it did not encode)."""

    text: str
    sentences: list[tuple[int, int, int]]
    entities: list[tuple[int, int, str]]
    rules: list[RuleSpans]
    states: list[TokenStates | None] | None = None


@dataclass(slots=True)
class Window:
    """A run of whole sentences: its words' spans and the sentence index of each word."""

    words: list[Span]
    sentence: list[int]


def layout_of(a: Analysis) -> Layout:
    """The layout of an analysis whose attribution stage has run (the rules' spans kept)."""
    sentences = [
        (s.start, s.end, s.segment) for s in a.sentences if a.segments[s.segment].post is None
    ]
    rules = [
        (
            x.speaker_start,
            x.speaker_end,
            -1 if x.cue_start is None else x.cue_start,
            -1 if x.cue_end is None else x.cue_end,
            -1 if x.content_start is None else x.content_start,
            -1 if x.content_end is None else x.content_end,
        )
        for x in a.attributions
        if x.kind != "post"
    ]
    return Layout(a.text, sentences, [(e.start, e.end, e.label) for e in a.entities], rules)


def windows(layout: Layout) -> list[Window]:
    """The layout's sentences as windows of at most ``MAX_WORDS`` words, in order."""
    out: list[Window] = []
    words: list[Span] = []
    sent: list[int] = []
    for i, (start, end, _) in enumerate(layout.sentences):
        spans = [m.span() for m in TOKEN.finditer(layout.text, start, end)]
        if words and len(words) + len(spans) > MAX_WORDS:
            out.append(Window(words, sent))
            words, sent = [], []
        for k in range(0, len(spans), MAX_WORDS):
            piece = spans[k : k + MAX_WORDS]
            if words and len(words) + len(piece) > MAX_WORDS:
                out.append(Window(words, sent))
                words, sent = [], []
            words += piece
            sent += [i] * len(piece)
    if words:
        out.append(Window(words, sent))
    return out


def first_subwords(offsets: np.ndarray, words: Sequence[Span] | np.ndarray) -> np.ndarray:
    """For each word (start, end relative to the sentence), the index of the first token that
    overlaps it; -1 where none does (a word past the encoder's truncation). Special tokens
    (empty offsets) overlap nothing."""
    out = np.full(len(words), -1, dtype=np.int64)
    real = np.nonzero(offsets[:, 1] > offsets[:, 0])[0]
    if not len(words) or not real.size:
        return out
    starts, ends = offsets[real, 0], offsets[real, 1]
    w = np.asarray(words, dtype=np.int64).reshape(-1, 2)
    # Tokens run in text order: the first whose end passes the word's start, if it starts
    # before the word ends.
    k = np.searchsorted(ends, w[:, 0], side="right")
    hit = k < len(real)
    hit[hit] = starts[k[hit]] < w[hit, 1]
    out[hit] = real[k[hit]]
    return out


def window_states(layout: Layout, window: Window, width: int) -> np.ndarray:
    """``(words, width)`` float32: each word's first-subword state, from its sentence's
    encoding (zeros for a word the encoder did not reach)."""
    out = np.zeros((len(window.words), width), dtype=np.float32)
    states = layout.states or []
    words = np.asarray(window.words, dtype=np.int64).reshape(-1, 2)
    # The window's sentences' tokens, in document offsets, side by side: one search finds every
    # word's first subword (sentences do not overlap, so a word never matches a token of
    # another sentence, as first_subwords per sentence would not either).
    offsets, rows = [], []
    for i in dict.fromkeys(window.sentence):
        got = states[i] if i < len(states) else None
        if got is not None:
            offsets.append(np.where(got[0] >= 0, got[0] + layout.sentences[i][0], -1))
            rows.append(got[1])
    if not offsets:
        return out
    first = first_subwords(np.concatenate(offsets), words)
    found = first >= 0
    out[found] = np.concatenate(rows)[first[found]]
    return out


def _marks(words: Sequence[Span], spans: Sequence[Span], out: np.ndarray, col: int) -> None:
    """Set ``out[:, col]`` on the first word of each span and ``out[:, col + 1]`` on the rest."""
    starts = np.fromiter((w[0] for w in words), dtype=np.int64, count=len(words))
    ends = np.fromiter((w[1] for w in words), dtype=np.int64, count=len(words))
    _marks_at(starts, ends, spans, out, col)


def _marks_at(
    starts: np.ndarray, ends: np.ndarray, spans: Sequence[Span], out: np.ndarray, col: int
) -> None:
    """``_marks`` with the words' starts and ends as arrays; spans outside them do nothing."""
    lo, hi = int(starts[0]), int(ends[-1])
    for s, e in spans:
        if e <= s or s >= hi or e <= lo:
            continue
        inside = np.nonzero((starts < e) & (ends > s))[0]
        if inside.size:
            out[inside[0], col] = 1.0
            out[inside[1:], col + 1] = 1.0


@functools.lru_cache(maxsize=200_000)
def _lexical(w: str) -> tuple[bool, ...]:
    """What a word is, whatever its place: its shape, the lexicon's words it is and whether
    it ends in a possessive (a pure function of the word, kept for the words seen most)."""
    low = w.lower()
    return (
        w[0].isupper(),
        w.isupper() and len(w) > 1,
        w[0].isdigit(),
        not w[0].isalnum(),
        w in QUOTES or w in ("'", "‘", "’"),
        w in (",", ";", ":", "—", "–", "-"),
        low == "according",
        low in STRONG,
        low in WEAK,
        low in PRONOUNS,
        low in DETERMINERS,
        low in PREPOSITIONS,
        low == "that",
        low.endswith(("'s", "’s")),
    )


def word_features(layout: Layout, window: Window) -> np.ndarray:
    """``(words, N_FEATURES)`` float32: shape, lexicon, position, entities and rule spans."""
    text, words = layout.text, window.words
    n = len(words)
    out = np.zeros((n, N_FEATURES), dtype=np.float32)
    texts = [text[s:e] for s, e in words]
    lexical = np.asarray([_lexical(w) for w in texts], dtype=np.float32)
    out[:, :13] = lexical[:, :13]
    starts = np.fromiter((w[0] for w in words), dtype=np.int64, count=n)
    ends = np.fromiter((w[1] for w in words), dtype=np.int64, count=n)
    sent = np.asarray(window.sentence, dtype=np.int64)
    change = sent[1:] != sent[:-1]
    first = np.concatenate([[True], change])
    out[:, 13] = first
    out[:, 14] = np.concatenate([change, [True]])
    segment = np.asarray([x[2] for x in layout.sentences], dtype=np.int64)[sent]
    out[:, 15] = first & np.concatenate([[True], segment[1:] != segment[:-1]])
    # A line break between the word and the one before it (the first word: always).
    breaks = np.asarray(
        [m.start() for m in _NEWLINE.finditer(text, int(starts[0]), int(ends[-1]))],
        dtype=np.int64,
    )
    between = np.searchsorted(breaks, starts[1:]) - np.searchsorted(breaks, ends[:-1])
    out[:, 16] = np.concatenate([[True], between > 0])
    out[:, 17] = lexical[:, 13]
    out[:, 18] = np.arange(n) / n
    col = 19
    ents = [x for x in layout.entities if x[0] < words[-1][1] and x[1] > words[0][0]]
    for group in _ENTITY_GROUPS:
        _marks_at(starts, ends, [(s, e) for s, e, label in ents if label in group], out, col)
        col += 2
    grouped = {label for group in _ENTITY_GROUPS for label in group}
    _marks_at(starts, ends, [(s, e) for s, e, label in ents if label not in grouped], out, col)
    col += 2
    for role in range(len(ROLES)):
        spans = [(r[2 * role], r[2 * role + 1]) for r in layout.rules]
        _marks_at(starts, ends, spans, out, col)
        col += 2
    return out


def labels(window: Window, gold: Sequence[Sequence[Span]]) -> np.ndarray:
    """``(words, 3)`` int64 BIO labels (0 O, 1 B, 2 I) of each role's gold spans."""
    out = np.zeros((len(window.words), len(ROLES)), dtype=np.int64)
    marks = np.zeros((len(window.words), 2), dtype=np.float32)
    for role, spans in enumerate(gold):
        marks[:] = 0
        _marks(window.words, spans, marks, 0)
        out[:, role] = np.where(marks[:, 0] > 0, 1, np.where(marks[:, 1] > 0, 2, 0))
    return out
