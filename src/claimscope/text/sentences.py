"""Sentence boundaries by rule: fast, predictable, and exact about offsets."""

from __future__ import annotations

import re

from claimscope.spans import trim

# Words that end with a period without ending a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sen rep gen col lt sgt capt cmdr adm gov pres st jr sr rev hon inc
    ltd co corp bros dept univ assn est approx vs etc al e.g i.e cf no nos vol fig jan
    feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun u.s u.k u.n
    e.u a.m p.m d.c n.y l.a""".split()
)

# A candidate end: terminal punctuation, closing quotes or brackets (or a link glued on by a
# scraper: "border?https://t.co/x"), then whitespace.
_END = re.compile(r"[.!?…]+(?:https?://\S+|[\"”’')\]]*)(?=\s)")
# What may start the next sentence.
_NEXT_START = re.compile(r"\s+(?=[\"“‘'(\[]?[A-Z0-9@#¿¡\u00C0-\u024F\u0370-\u1FFF\u2C00-\uFFFF])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
# The longest sentence kept whole. A longer run (a scraped line with no punctuation, a table
# flattened into one line) is cut into pieces of at most this many characters at whitespace, so
# that every later stage works on bounded pieces and costs time linear in the input.
MAX_SENTENCE_CHARS = 1000


def _is_abbreviation(text: str, seg_start: int, period: int) -> bool:
    m = _WORD_BEFORE.search(text, max(seg_start, period - 12), period + 1)
    if not m:
        return False
    word = m.group(1).lower()
    # Single capital initials ("J. K. Rowling") and known abbreviations.
    return word in _ABBREVIATIONS or (len(word) == 1 and m.group(1).isupper())


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans in ``text[start:end]``, trimmed of surrounding whitespace.

    Newlines inside the range also end sentences: in scraped text a line break is a
    paragraph or line of a post, never the middle of a sentence.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    line_start = start
    while line_start < end:
        nl = text.find("\n", line_start, end)
        line_end = end if nl == -1 else nl
        spans.extend(_split_line(text, line_start, line_end))
        line_start = line_end + 1
    return spans


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    cur = start
    for m in _END.finditer(text, start, end):
        if m.group()[0] == "." and len(m.group()) == 1 and _is_abbreviation(text, cur, m.start()):
            continue
        nxt = _NEXT_START.match(text, m.end(), end)
        if not nxt:
            continue
        spans.append((cur, m.end()))
        cur = nxt.end()
    spans.append((cur, end))
    return [
        piece for s, e in spans if text[s:e].strip() for piece in _bounded(text, *trim(text, s, e))
    ]


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most ``MAX_SENTENCE_CHARS``, cut at the last
    whitespace before the limit (or at the limit, in a run with none), each trimmed."""
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = max(text.rfind(" ", start, limit), text.rfind("\t", start, limit))
        if cut <= start:
            cut = limit
        s, e = trim(text, start, cut)
        if e > s:
            pieces.append((s, e))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append(trim(text, start, end))
    return pieces
