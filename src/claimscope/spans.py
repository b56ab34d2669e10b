"""Mapping offsets onto sentences: one helper, with an explicit alignment mode."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Literal

Alignment = Literal["strict", "expand"]


class SpanIndex:
    """Finds which of a sorted list of non-overlapping spans holds a given span.

    ``strict`` returns the span's index only when ``(start, end)`` lies wholly inside it;
    ``expand`` returns the span holding ``start`` (or the next one, for a start in a gap).
    """

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self._starts = [s for s, _ in spans]
        self._ends = [e for _, e in spans]

    def locate(self, start: int, end: int, mode: Alignment = "strict") -> int | None:
        """Index of the span holding ``(start, end)``, or None."""
        i = bisect.bisect_right(self._starts, start) - 1
        if mode == "strict":
            if i >= 0 and end <= self._ends[i]:
                return i
            return None
        if i >= 0 and start < self._ends[i]:
            return i
        return i + 1 if i + 1 < len(self._starts) else None


def trim(text: str, start: int, end: int, chars: str | None = None) -> tuple[int, int]:
    """``(start, end)`` shrunk past whitespace at either side, or past any of ``chars``."""
    edge = str.isspace if chars is None else chars.__contains__
    while start < end and edge(text[start]):
        start += 1
    while end > start and edge(text[end - 1]):
        end -= 1
    return start, end


class SpanSet:
    """Spans (they may overlap) that answer "which of you overlap ``[start, end)``?" by
    bisection, so asking once per sentence stays linear in a document rather than reading
    every span each time."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self._spans = sorted(spans)
        self._starts = [s for s, _ in self._spans]
        self._longest = max((e - s for s, e in self._spans), default=0)

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        """The spans that share a character with ``[start, end)``, in order."""
        lo = bisect.bisect_left(self._starts, start - self._longest)
        hi = bisect.bisect_left(self._starts, end)
        return [(s, e) for s, e in self._spans[lo:hi] if s < end and start < e]

    def overlaps(self, start: int, end: int) -> bool:
        """Whether any span shares a character with ``[start, end)``."""
        return bool(self.overlapping(start, end))
