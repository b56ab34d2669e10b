"""Statements built by hand for the rule tests: sentences written for these tests, mentions
given by their text (located in the sentence here, on the test side)."""

from __future__ import annotations

from collections.abc import Sequence

from claimscope.consistency import Count, Statement, When
from claimscope.consistency.statements import Named

CountSpec = tuple[str, float, str | None, str]  # text, value, unit, qualifier
DateSpec = tuple[str, str, str, str]  # text, kind, first day, last day


def stmt(
    text: str,
    *,
    doc: str = "d1",
    sentence: int = 0,
    segment: int | None = None,
    start: int = 0,
    entities: Sequence[str] = (),
    counts: Sequence[CountSpec] = (),
    dates: Sequence[DateSpec] = (),
    granularity: str = "day",
    agents: Sequence[str] = (),
) -> Statement:
    """A statement of ``text``; ``counts``, ``dates`` and ``agents`` (people and organisations
    named) give their span by its text."""

    def span(part: str) -> tuple[int, int]:
        at = text.index(part)
        return start + at, start + at + len(part)

    built_counts = []
    for part, value, unit, qualifier in counts:
        s, e = span(part)
        words = part.split()
        noun = " ".join(w for w in words if w.isalpha() and w.lower() not in _QUALIFIERS) or None
        built_counts.append(Count(s, e, value, unit, qualifier, noun))
    built_dates = []
    for part, kind, first, last in dates:
        s, e = span(part)
        built_dates.append(When(s, e, kind, first, last, granularity))
    return Statement(
        doc=doc,
        sentence=sentence,
        segment=sentence if segment is None else segment,
        start=start,
        text=text,
        entities=tuple(entities),
        counts=tuple(built_counts),
        dates=tuple(built_dates),
        question=text.rstrip().endswith("?"),
        agents=tuple(Named(*span(name), name, "PERSON") for name in agents),
    )


_QUALIFIERS = {"about", "roughly", "approximately", "around", "nearly", "some", "at", "least"}
