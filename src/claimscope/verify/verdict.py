"""Verdicts: what the passages found for a claim say together.

Each of the top passages casts a vote: its stance probabilities (supports, refutes) from the
stance model, and the score of the best number, date or negation clash the contradiction rules
find between the claim and it, which counts toward refutes. A passage's weight falls with its
retrieval rank, ``1 / (1 + rank_decay * (rank - 1))``. Each side's mass is its strongest
weighted vote, as a claim is labelled in Climate-FEVER (one supporting evidence is enough):

    support = max_i w_i * supports_i * (1 - clash_weight * clash_i)
    refute  = max_i w_i * max(refutes_i, clash_weight * clash_i)

(a passage that clashes with the claim on a number, a date or a negation does not support it).

(Not a noisy-or: the small probabilities a stance model leaves on each side of a neutral
passage would add up over five passages into a side no passage takes.)

The verdict is ``conflicting`` when both reach their thresholds, ``supported`` or ``refuted``
when one does, and ``not enough evidence`` otherwise. Its confidence is the share the two
masses give that verdict, taken as independent: supported ``support * (1 - refute)``, refuted
``refute * (1 - support)``, conflicting ``support * refute``, not enough evidence
``(1 - support) * (1 - refute)`` (the four sum to 1).

The thresholds are tuned on one half of Climate-FEVER train (``claimscope eval verdict``), and
reported on the other half.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from claimscope.model.verification import Verdict

SUPPORTED = "supported"
REFUTED = "refuted"
CONFLICTING = "conflicting"
NOT_ENOUGH = "not enough evidence"
VERDICTS: tuple[str, ...] = (SUPPORTED, REFUTED, CONFLICTING, NOT_ENOUGH)


@dataclass(frozen=True, slots=True, kw_only=True)
class VerdictRule:
    """The thresholds and weights of the verdict rule (see the module docstring)."""

    # The defaults, tuned by `claimscope eval verdict` (seed 0) with the shipped stance-minilm v2
    # on the tune half (174 claims) of the Climate-FEVER claims it was not trained on (macro-F1
    # 0.406 there, 0.388 on the report half). The rules find no clash in Climate-FEVER's
    # evidence, so the clash weight is not tuned: a clash counts fully. Tune again when the
    # stance model changes.
    support: float = 0.3
    refute: float = 0.35
    rank_decay: float = 0.25
    clash_weight: float = 1.0

    def weight(self, rank: int) -> float:
        """How much the passage at retrieval rank ``rank`` (from 1) counts."""
        return 1.0 / (1.0 + self.rank_decay * (rank - 1))


DEFAULT_RULE = VerdictRule()


@dataclass(frozen=True, slots=True)
class Vote:
    """One passage's say: its rank, stance probabilities (0 without a stance model) and the
    score of its best clash with the claim (0 without one)."""

    rank: int
    supports: float = 0.0
    refutes: float = 0.0
    clash: float = 0.0


def masses(votes: Sequence[Vote], rule: VerdictRule = DEFAULT_RULE) -> tuple[float, float]:
    """The support and refute masses of the votes: each side's strongest rank-weighted vote."""
    support, refute = 0.0, 0.0
    for v in votes:
        w = rule.weight(v.rank)
        clash = _unit(rule.clash_weight * v.clash)
        # A passage that contradicts the claim's number, date or negation does not support it,
        # whatever the stance model read (it reads words, not arithmetic).
        support = max(support, w * _unit(v.supports) * (1.0 - clash))
        refute = max(refute, w * max(_unit(v.refutes), clash))
    return support, refute


def decide(votes: Sequence[Vote], rule: VerdictRule = DEFAULT_RULE) -> Verdict:
    """The verdict the votes give under ``rule``."""
    s, r = masses(votes, rule)
    label = verdict_label(s >= rule.support, r >= rule.refute)
    return Verdict(label, confidence(label, s, r), s, r)


def confidence(label: str, support: float, refute: float) -> float:
    """The share of the two masses that goes to ``label``."""
    return {
        SUPPORTED: support * (1 - refute),
        REFUTED: refute * (1 - support),
        CONFLICTING: support * refute,
        NOT_ENOUGH: (1 - support) * (1 - refute),
    }[label]


def verdict_label(supported: bool, refuted: bool) -> str:
    """The verdict of a claim whose support and refute masses did (or did not) reach their
    thresholds."""
    if supported and refuted:
        return CONFLICTING
    return SUPPORTED if supported else REFUTED if refuted else NOT_ENOUGH


def _unit(p: float) -> float:
    return 0.0 if math.isnan(p) else min(1.0, max(0.0, p))
