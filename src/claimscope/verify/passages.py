"""Evidence passages: a document cut into windows of 1 to 3 sentences, as offsets.

Windows are read with the project's own segmentation (``segment_text``, ``split_sentences``) and
nothing else of the pipeline, so a large corpus indexes at the speed of the rules. A window never
crosses a paragraph, a heading or an embedded post, and leaves page furniture out. Consecutive
sentences of one segment are packed into a window until it holds ``max_sentences`` sentences or
would pass ``max_chars``; a sentence longer than ``max_chars`` alone is cut at spaces. Windows do
not overlap: each sentence is searched once.
"""

from __future__ import annotations

from dataclasses import dataclass

from claimscope.spans import trim
from claimscope.text.segments import segment_text
from claimscope.text.sentences import split_sentences

# A claim is checked against a sentence or two: windows stay short enough for the stance model
# (trained on sentence pairs) and long enough to carry a sentence's context.
MAX_SENTENCES = 3
MAX_CHARS = 600
# Shorter windows ("Advertisement", a lone name) say nothing a claim could be checked against.
MIN_CHARS = 15


@dataclass(frozen=True, slots=True, kw_only=True)
class Windows:
    """How documents are cut into passages (stored in the index manifest)."""

    max_sentences: int = MAX_SENTENCES
    max_chars: int = MAX_CHARS
    min_chars: int = MIN_CHARS


DEFAULT_WINDOWS = Windows()


def passage_spans(text: str, windows: Windows = DEFAULT_WINDOWS) -> list[tuple[int, int]]:
    """The passages of ``text`` in order, as ``(start, end)`` offsets into it."""
    out: list[tuple[int, int]] = []
    for seg in segment_text(text):
        if seg.kind == "furniture":
            continue
        start, end = (seg.post.body_start, seg.post.body_end) if seg.post else (seg.start, seg.end)
        window: list[tuple[int, int]] = []
        for s, e in _bounded(text, split_sentences(text, start, end), windows.max_chars):
            if window and (
                len(window) >= windows.max_sentences or e - window[0][0] > windows.max_chars
            ):
                out.append((window[0][0], window[-1][1]))
                window = []
            window.append((s, e))
        if window:
            out.append((window[0][0], window[-1][1]))
    return [(s, e) for s, e in out if e - s >= windows.min_chars]


def _bounded(text: str, spans: list[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """The sentence spans, an over-long one cut at the last space before ``max_chars``."""
    out = []
    for s, e in spans:
        while e - s > max_chars:
            cut = text.rfind(" ", s, s + max_chars)
            if cut <= s:
                cut = s + max_chars  # one unbroken run of characters: cut it anyway
            piece = trim(text, s, cut)
            if piece[1] > piece[0]:
                out.append(piece)
            s = trim(text, cut, e)[0]
        if e > s:
            out.append((s, e))
    return out
