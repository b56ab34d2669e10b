"""Segmentation: a document's text cut into paragraphs, headings, block quotations and posts."""

from __future__ import annotations

import re

from claimscope.model import Post, Segment
from claimscope.spans import trim
from claimscope.text.posts import find_signed_posts, find_unsigned_posts

_LINE = re.compile(r"[^\n]*")
_TERMINAL = re.compile(r"[.!?…:;,][\"”’')\]]*$")
_QUOTE_BLOCK = re.compile(r"^(?:>\s?.*|[“\"«].*[”\"»](?:\s*[—–-]+\s*[^\n]{1,80})?)$")
_CAPITALIZED = re.compile(r"^[A-Z0-9]")
# Page furniture scrapers leave in the text: a teaser for another article (a label and a colon)
# or a lone label. "Related charges were filed" is a sentence, "Related: ..." is furniture.
_FURNITURE = re.compile(
    r"^\W*(?:(?:read (?:more|also|next)|also read|related(?: articles?| stories| coverage)?|"
    r"see also|recommended(?: for you)?|more on this(?: story)?|watch|listen)\s*[:|»›>–—-]"
    r"|(?:advertisement|sponsored(?: content)?|related(?: articles?| stories| coverage)?|"
    r"read more|see also|recommended(?: for you)?|share this(?: article| story)?|"
    r"follow us(?: on \w+)?|skip advertisement)\W*$)",
    re.IGNORECASE,
)

Line = tuple[int, int]


def _lines(text: str) -> list[Line]:
    """Every line's span, without its line break (a CR before LF stays out too)."""
    spans: list[Line] = []
    for m in _LINE.finditer(text):
        s, e = m.span()
        if e > s and text[e - 1] == "\r":
            e -= 1
        if m.start() == m.end() and spans and spans[-1][1] == m.start():
            continue  # finditer's empty match right after a line
        spans.append((s, e))
    return spans


def _is_wrapped(text: str, block: list[Line]) -> bool:
    """Whether a block's lines are one hard-wrapped paragraph rather than one paragraph each."""
    if len(block) < 2:
        return False
    inner = block[:-1]
    longest = max(e - s for s, e in block)
    open_ended = sum(1 for s, e in inner if not _TERMINAL.search(text[s:e].rstrip()))
    long_enough = sum(1 for s, e in inner if e - s >= 40)
    return longest <= 110 and open_ended >= 0.6 * len(inner) and long_enough >= 0.6 * len(inner)


def _kind(text: str, start: int, end: int, first: bool) -> str:
    line = text[start:end]
    if "\n" not in line and len(line) <= 200 and _FURNITURE.match(line):
        return "furniture"
    if _QUOTE_BLOCK.match(line) and len(line) > 2:
        return "quote"
    if "\n" in line or len(line) > 100 or _TERMINAL.search(line):
        return "paragraph"
    words = line.lstrip("#").split()
    if not words or len(words) > 15:
        return "paragraph"
    if line.startswith("#") or first:
        return "heading"
    long_words = [w for w in words if len(w) >= 4]
    capitalized = sum(1 for w in long_words if _CAPITALIZED.match(w))
    return "heading" if long_words and capitalized >= 0.6 * len(long_words) else "paragraph"


def segment_text(text: str, *, post_max_chars: int = 300) -> list[Segment]:
    """The segments of ``text`` in order, each span trimmed of surrounding whitespace."""
    lines = _lines(text)
    taken = [False] * len(lines)
    posts = find_signed_posts(text, lines, taken, max_chars=post_max_chars)
    posts += find_unsigned_posts(text, lines, taken, max_chars=post_max_chars)

    pieces: list[tuple[int, int, str, Post | None]] = [(p.start, p.end, "post", p) for p in posts]
    block: list[Line] = []

    def flush() -> None:
        if not block:
            return
        groups = [block[:]] if _is_wrapped(text, block) else [[line] for line in block]
        for group in groups:
            s, e = trim(text, group[0][0], group[-1][1])
            if s < e:
                pieces.append((s, e, "", None))
        block.clear()

    for (s, e), used in zip(lines, taken, strict=True):
        if used or not text[s:e].strip():
            flush()
        else:
            block.append((s, e))
    flush()

    pieces.sort(key=lambda p: p[0])
    segments = []
    for i, (s, e, kind, post) in enumerate(pieces):
        kind = kind or _kind(text, s, e, first=i == 0 and len(pieces) > 1)
        segments.append(Segment(id=i, kind=kind, start=s, end=e, post=post))  # type: ignore[arg-type]
    return segments
