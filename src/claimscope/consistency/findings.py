"""What the contradiction rules return: two sides, each a span of a sentence, and why they clash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

Kind = Literal["number", "date", "negation"]
KINDS: tuple[str, ...] = ("number", "date", "negation")


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a contradiction: the conflicting part of a sentence, in document offsets."""

    doc: str
    sentence: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Finding:
    """Two statements that cannot both be true, with a one-line explanation and a score."""

    kind: Kind
    a: Side
    b: Side
    explanation: str
    score: float

    def summary(self) -> Summary:
        """The kind, explanation and score, as each record made of a finding copies them (a
        document's contradiction, a checked claim's disagreement)."""
        return {"kind": self.kind, "explanation": self.explanation, "score": self.score}

    def sentence_spans(self) -> SentenceSpans:
        """Each side's sentence and offsets, as a document's and the store's contradictions
        record them."""
        a, b = self.a, self.b
        return {
            "sentence_a": a.sentence,
            "a_start": a.start,
            "a_end": a.end,
            "sentence_b": b.sentence,
            "b_start": b.start,
            "b_end": b.end,
        }


class Summary(TypedDict):
    """A finding's kind, explanation and score (``Finding.summary``)."""

    kind: Kind
    explanation: str
    score: float


class SentenceSpans(TypedDict):
    """Both sides of a finding by sentence and offsets (``Finding.sentence_spans``)."""

    sentence_a: int
    a_start: int
    a_end: int
    sentence_b: int
    b_start: int
    b_end: int
