"""Statements: one sentence with what the contradiction rules read, as plain data.

A statement is built from an Analysis (one document) or from corpus-store rows (many), so the
rules run the same way in both places. Every offset is a document offset; the sentence's text
starts at ``start``, so a mention's text is ``text[m.start - start : m.end - start]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from claimscope.consistency.words import Token, tokens
from claimscope.model import Analysis

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Count:
    """A quantity mention: ``approximately 700 troops`` is 700, troops, approx."""

    start: int
    end: int
    value: float
    unit: str | None
    qualifier: str
    noun: str | None


@dataclass(frozen=True, slots=True)
class When:
    """A date or range mention, as the interval of days it covers."""

    start: int
    end: int
    kind: str
    first: str  # first day covered (ISO 8601)
    last: str  # last day covered
    granularity: str


@dataclass(frozen=True, slots=True)
class Named:
    """A person, organisation or place the sentence names (``Bill Clinton``, ``the FBI``,
    ``Ohio``): who or where a count is about, read by the number rules' subject check."""

    start: int
    end: int
    norm: str
    label: str


# The entity labels the subject check reads: people and organisations (who did something) and
# places (where).
NAMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC"})


@dataclass(slots=True)
class Statement:
    """A sentence of a document and its mentions, as the contradiction rules read it."""

    doc: str
    sentence: int
    segment: int
    start: int
    text: str
    entities: tuple[str, ...] = ()
    counts: tuple[Count, ...] = ()
    dates: tuple[When, ...] = ()
    question: bool = False
    agents: tuple[Named, ...] = ()
    _tokens: list[Token] | None = field(default=None, init=False, compare=False, repr=False)
    _memo: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def words(self) -> list[Token]:
        """The sentence's tokens (offsets into ``text``), computed once."""
        if self._tokens is None:
            self._tokens = tokens(self.text)
        return self._tokens

    def memo(self, name: str, compute: Callable[[Statement], T]) -> T:
        """``compute(self)``, computed once: each rule reads a statement many times, once per
        statement it is compared with."""
        if name not in self._memo:
            self._memo[name] = compute(self)
        return cast(T, self._memo[name])

    def part(self, start: int, end: int) -> str:
        """The text of a span of this sentence, given in document offsets."""
        return self.text[start - self.start : end - self.start]


def statements_of(analysis: Analysis) -> list[Statement]:
    """The statements of one analysis: every sentence outside page furniture."""
    furniture = {s.id for s in analysis.segments if s.kind == "furniture"}
    entities: dict[int, list[str]] = {}
    agents: dict[int, list[Named]] = {}
    for e in analysis.entities:
        entities.setdefault(e.sentence, []).append(e.norm)
        if e.label in NAMED_LABELS:
            agents.setdefault(e.sentence, []).append(Named(e.start, e.end, e.norm, e.label))
    counts: dict[int, list[Count]] = {}
    for q in analysis.quantities:
        counts.setdefault(q.sentence, []).append(
            Count(q.start, q.end, q.value, q.unit, q.qualifier, q.noun)
        )
    dates: dict[int, list[When]] = {}
    for d in analysis.dates:
        dates.setdefault(d.sentence, []).append(
            When(d.start, d.end, d.kind, d.start_date, d.end_date, d.granularity)
        )
    return [
        Statement(
            doc=analysis.document.id,
            sentence=s.id,
            segment=s.segment,
            start=s.start,
            text=analysis.span_text(s.start, s.end),
            entities=tuple(entities.get(s.id, ())),
            counts=tuple(counts.get(s.id, ())),
            dates=tuple(dates.get(s.id, ())),
            question=s.features.get("is_question", is_question(analysis.span_text(s.start, s.end))),
            agents=tuple(agents.get(s.id, ())),
        )
        for s in analysis.sentences
        if s.segment not in furniture
    ]


def is_question(text: str) -> bool:
    """A sentence ending in a question mark asks; it asserts nothing to contradict."""
    return text.rstrip().rstrip("\"'”’)").endswith("?")
