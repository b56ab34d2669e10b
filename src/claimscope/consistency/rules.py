"""The thresholds of the contradiction rules, in one place (see docs/contradictions.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    """How far apart two statements may be and still be about the same thing, and when a
    difference counts as a contradiction. The defaults favour precision over recall."""

    # Two counts of one thing further apart than this ratio are taken to count different things
    # (700 troops of one deployment, 140,000 soldiers of an army).
    max_ratio: float = 5.0
    # "About 700" covers 700 +/- 15%.
    approx_tolerance: float = 0.15
    # Exact numbers this close (relatively) are rounding, not a contradiction (1,000 vs 1,020).
    rounding: float = 0.03
    # Range ends further apart than this (in days) are different periods, not one misdated.
    max_date_gap: int = 7
    # The second opinion (consistency/confirm.py), tuned on the labelled dev pairs
    # (benchmarks/contradictions_quality.py): the least cosine of two sentences by the
    # claim-matching model within one document (where one thing is often told in different
    # words), and across documents, unless one claim cluster holds both...
    min_similarity: float = 0.2
    min_corpus_similarity: float = 0.45
    # ...the least probability of "refutes" the stance model gives a negation's two sentences...
    min_refutes: float = 0.6
    # ...and a number's or a date's sentence against itself given the other side's value.
    min_value_refutes: float = 0.35
    # ...and for a date, lower: the model seldom reads a day's difference as a contradiction
    # (0.34 to 0.39 for the misdated periods of the seed, the example corpus and the docs).
    min_date_refutes: float = 0.25
    # Counts in documents published further apart than this (days) are not compared: tallies,
    # tolls and totals change as events unfold (a candidate's delegates two weeks later).
    max_days_apart: int = 10
    # Findings scoring below this are dropped.
    min_score: float = 0.5
    # Corpus comparison: a blocking key shared by more statements than this is too common to
    # say two statements are about the same thing, and is skipped.
    max_key_statements: int = 5000


DEFAULT_RULES = Rules()
