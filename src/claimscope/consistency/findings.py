"""What the contradiction rules return: two sides, each a span of a sentence, and why they clash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
