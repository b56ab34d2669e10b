"""The records verification answers with: fact-check matches, evidence passages with their
stance, and verdicts with their reasons.

They serialise through ``Record`` (``model/fields.py``) as an analysis does; their JSON Schemas
(``claimscope.schema.record_schemas``) document ``claimscope match``/``check --json`` and the
REST API's /matches and /check.
"""

from __future__ import annotations

from dataclasses import dataclass

from claimscope.model.document import FactCheck
from claimscope.model.fields import Record, doc

# Passage has a field named ``doc``, which hides the function inside its class body.
from claimscope.model.fields import doc as _doc


@dataclass(slots=True)
class Match(Record):
    """A stored fact-check that a text may repeat: the check, its rank and its scores."""

    check: FactCheck = doc("The fact-check.")
    rank: int = doc("1 for the best match.")
    score: float = doc("The score matches are ranked by (fused, or BM25 alone without a model).")
    bm25: float = doc("The BM25 score of the fact-check's claim for the text.")
    probability: float | None = doc(
        "Probability that the text repeats the checked claim (calibrated), with a model.",
        default=None,
    )


@dataclass(slots=True)
class MatchList(Record):
    """Fact-checks a text may repeat, best first, and a note on how they were ranked."""

    matches: list[Match] = doc("The matches, best first.")
    note: str | None = doc(
        "Why the list is short or how it was ranked (no fact-checks, BM25 alone).", default=None
    )


@dataclass(slots=True)
class Passage(Record):
    """An evidence passage found for a claim: where it is, its text and its retrieval scores."""

    id: int = _doc("Id of the passage in the evidence index.")
    doc: str = _doc("Id of the passage's document in the evidence index.")
    start: int = _doc("Offset where the passage starts in its document.")
    end: int = _doc("Offset where the passage ends in its document.")
    text: str = _doc("The passage.")
    source: str | None = _doc("Where its document came from.", default=None)
    title: str | None = _doc("Its document's title, when known.", default=None)
    url: str | None = _doc("Its document's URL, when known.", default=None)
    published: str | None = _doc("Its document's publication date, when known.", default=None)
    rank: int = _doc("1 for the best passage.", default=0)
    score: float = _doc("The score passages are ranked by.", default=0.0)
    bm25: float = _doc("The BM25 score of the passage for the claim.", default=0.0)
    cosine: float | None = _doc(
        "Cosine similarity of the passage's and the claim's vectors, with vectors.", default=None
    )


@dataclass(slots=True)
class Disagreement(Record):
    """A number, date or negation clash between the claim and a passage's sentence.

    ``claim_start``/``claim_end`` are offsets into the claim; ``start``/``end`` are offsets
    into the passage's document."""

    kind: str = doc("`number`, `date` or `negation`.")
    explanation: str = doc("One line on what disagrees.")
    score: float = doc("Confidence in [0, 1] that the two disagree.")
    claim_start: int = doc("Offset where the clashing part starts in the claim.")
    claim_end: int = doc("Offset where the clashing part ends in the claim.")
    start: int = doc("Offset where the clashing part starts in the passage's document.")
    end: int = doc("Offset where the clashing part ends in the passage's document.")


@dataclass(slots=True)
class Evidence(Record):
    """A passage, its stance toward the claim and the disagreements the rules found."""

    passage: Passage = doc("The passage.")
    stance: str | None = doc(
        "`supports`, `refutes` or `neutral`; None without a stance model.", default=None
    )
    probability: float | None = doc("The stance's probability.", default=None)
    probabilities: dict[str, float] | None = doc("The probability of each stance.", default=None)
    disagreements: list[Disagreement] = doc(
        "Number, date and negation clashes with the claim.", default_factory=list
    )


@dataclass(slots=True)
class Reason(Record):
    """One reason for a verdict: a passage (by rank) taking a side, or a disagreement."""

    passage: int = doc("Rank of the passage the reason comes from (0: none).")
    kind: str = doc("`supports`, `refutes`, `number`, `date`, `negation` or `none`.")
    text: str = doc("The reason in one line.")
    score: float = doc("Its weighted say in the verdict.")


@dataclass(frozen=True, slots=True)
class Verdict(Record):
    """The verdict rule's answer: a verdict, its confidence, and the two evidence masses."""

    label: str = doc("`supported`, `refuted` or `not enough evidence`.")
    confidence: float = doc("Confidence in the verdict, in [0, 1].")
    support: float = doc("The support mass: the strongest rank-weighted supporting vote.")
    refute: float = doc("The refute mass: the strongest rank-weighted refuting vote.")


@dataclass(slots=True)
class CheckResult(Record):
    """What the evidence says about a claim: the passages, a verdict, its confidence and why."""

    claim: str = doc("The claim, its white space normalised.")
    verdict: str = doc("`supported`, `refuted` or `not enough evidence`.")
    confidence: float = doc("Confidence in the verdict, in [0, 1].")
    support: float = doc("The support mass.")
    refute: float = doc("The refute mass.")
    evidence: list[Evidence] = doc("The passages found, best first, with stance.")
    reasons: list[Reason] = doc("Why: the passages and disagreements that weighed.")
    stance_model: str | None = doc("The stance model used, when one was.", default=None)
    rule: dict[str, float] = doc("The verdict rule's thresholds and weights.", default_factory=dict)


__all__ = [
    "CheckResult",
    "Disagreement",
    "Evidence",
    "Match",
    "MatchList",
    "Passage",
    "Reason",
    "Verdict",
]
