"""Plain-text display of values and spans: numbers, quantities, dates, and excerpts of a text
cut around a part that must stay visible.

Shared by the reports (``claimscope.report``) and the store's timeline (``claimscope.store``),
which both show the same values the same way; they sit below both.
"""

from __future__ import annotations

import math
import re

from claimscope.model import DateRef, Quantity

QUALIFIER_SIGNS = {
    "exact": "",
    "approx": "~",
    "at_least": "≥",
    "at_most": "≤",
    "more_than": ">",
    "less_than": "<",
    "up_to": "≤",
    "estimated": "est. ",
}

_SPACE = re.compile(r"\s+")


def plural(n: int, word: str) -> str:
    """``1 post``, ``3 posts``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def excerpt(text: str, limit: int, focus: tuple[int, int] | None = None) -> str:
    """``text`` with whitespace collapsed, cut at word boundaries to about ``limit`` characters.

    ``focus`` (offsets into ``text``) is a part that must stay visible, e.g. the date a timeline
    row is about; the window is centred on it and ellipses mark what was cut.
    """
    fs, fe = (0, 0) if focus is None else (max(0, focus[0]), min(len(text), max(focus)))
    # Collapse the parts around the focus separately so the focus offsets stay meaningful.
    before = _SPACE.sub(" ", text[:fs]).lstrip()
    middle = _SPACE.sub(" ", text[fs:fe])
    after = _SPACE.sub(" ", text[fe:]).rstrip()
    flat = before + middle + after
    if len(flat) <= limit:
        return flat
    keep_lo, keep_hi = len(before), len(before) + len(middle)
    room = max(0, limit - len(middle))
    lo = max(0, keep_lo - room // 2) if focus is not None else 0
    hi = min(len(flat), lo + limit)
    lo = max(0, hi - limit)
    if lo > 0:
        # Start on a word: skip to just after the next space, but never past the focus.
        space = flat.find(" ", lo, min(keep_lo, lo + 20))
        lo = space + 1 if space != -1 else lo
    if hi < len(flat):
        space = flat.rfind(" ", max(keep_hi, hi - 20), hi)
        hi = space if space != -1 else hi
    body = flat[lo:hi].strip()
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(flat) else "")


def window(text: str, start: int, end: int, limit: int) -> tuple[str, str, str, bool, bool]:
    """``text`` cut to about ``limit`` characters around ``[start, end)``, at word boundaries:
    ``(before, part, after, cut before, cut after)``, whitespace collapsed, the part kept whole."""
    lo, hi = 0, len(text)
    if len(text) > limit:
        room = max(0, limit - (end - start)) // 2
        lo, hi = max(0, start - room), min(len(text), end + room)
        space = text.find(" ", lo, start) if lo else -1
        lo = space + 1 if space != -1 else lo
        space = text.rfind(" ", end, hi) if hi < len(text) else -1
        hi = space if space != -1 else hi

    def flat(piece: str) -> str:
        return _SPACE.sub(" ", piece)

    return (
        flat(text[lo:start]).lstrip(),
        flat(text[start:end]),
        flat(text[end:hi]).rstrip(),
        lo > 0,
        hi < len(text),
    )


def format_number(value: float) -> str:
    """``700``, ``1,500,000``, ``3.5``: no trailing ``.0``, thousands separated."""
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) >= 1000 else f"{value:.6g}"


def format_quantity(q: Quantity) -> str:
    """A quantity in normalized form: ``~700 troops``, ``≥12.5%``, ``1,500,000 USD``."""
    number = QUALIFIER_SIGNS.get(q.qualifier, "") + format_number(q.value)
    if not q.unit:
        return number
    return number + q.unit if q.unit == "%" else f"{number} {q.unit}"


def format_date(d: DateRef) -> str:
    """A date mention's ISO value, ``*`` marking a year taken from the anchor date."""
    return d.value + ("*" if d.anchored else "")
