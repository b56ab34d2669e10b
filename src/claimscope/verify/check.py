"""``check``: what the passages of an evidence index say about a claim.

The top passages for the claim (``EvidenceIndex.search``) each get a stance from the stance
model (supports, refutes, neutral, with probabilities) and the number, date and negation
disagreements the contradiction rules find between the claim and the passage's sentences; the
verdict rule (``claimscope.verify.verdict``) weighs them into a verdict with a confidence and
the reasons behind it. Without a stance model the passages and the disagreements are still
given, and the verdict rests on the disagreements alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from claimscope.consistency import DEFAULT_RULES, Context, Rules, Statement, compare
from claimscope.consistency.bare import EntityFinder, bare_statements
from claimscope.consistency.topic import shared_names
from claimscope.errors import InputError
from claimscope.model.verification import CheckResult, Disagreement, Evidence, Passage, Reason
from claimscope.text.sentences import split_sentences
from claimscope.verify.evidence_index import EvidenceIndex
from claimscope.verify.verdict import (
    DEFAULT_RULE,
    NOT_ENOUGH,
    REFUTED,
    SUPPORTED,
    VerdictRule,
    Vote,
    decide,
)

log = logging.getLogger(__name__)

# The claim's side of a finding is told apart by this document id.
CLAIM_DOC = "<claim>"
STANCES = ("supports", "refutes", "neutral")
# A passage whose weighted say in the verdict is below this is not given as a reason.
MIN_REASON_WEIGHT = 0.05


class StanceModel(Protocol):
    """What ``check`` needs of a stance model: ``predict`` over ``(claim, passage)`` pairs."""

    @property
    def name(self) -> str: ...

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]: ...


def check(
    claim: str,
    index: EvidenceIndex | str | Path,
    *,
    k: int = 5,
    scorer: StanceModel | None = None,
    stance: bool = True,
    rule: VerdictRule = DEFAULT_RULE,
    rules: Rules = DEFAULT_RULES,
    entities: EntityFinder | None = None,
) -> CheckResult:
    """Check ``claim`` against the evidence index (an opened one or its folder).

    ``scorer``: the stance model; by default the installed one (``stance-minilm``), or none
    when it is not installed or ``stance`` is off: the verdict then rests on the rules alone.
    """
    claim = " ".join(claim.split())
    if not claim:
        raise InputError("the claim is empty")
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}")
    if scorer is None and stance:
        scorer = default_scorer()
    if isinstance(index, EvidenceIndex):
        passages = index.search(claim, k)
    else:
        with EvidenceIndex.open(index) as opened:
            passages = opened.search(claim, k)
    stances = scorer.predict([(claim, p.text) for p in passages]) if scorer and passages else None
    return assess(
        claim,
        passages,
        stances,
        stance_model=scorer.name if scorer else None,
        rule=rule,
        rules=rules,
        entities=entities,
        cited=cite_sentences(claim, passages, scorer) if scorer and passages else None,
    )


@dataclass(frozen=True, slots=True)
class Citation:
    """The sentence of a passage that says most for or against the claim, as offsets into the
    passage's document, with its own stance probabilities."""

    text: str
    start: int
    end: int
    probabilities: dict[str, float]


def cite_sentences(
    claim: str, passages: Sequence[Passage], scorer: StanceModel
) -> dict[int, Citation]:
    """For each passage (by rank), its sentence with the most support or refutation.

    A passage is up to three sentences: the stance model reads each one too (one batch), so a
    verdict quotes the sentence that decides rather than a window around it.
    """
    spans = [(p, s, e) for p in passages for s, e in split_sentences(p.text)]
    probs = scorer.predict([(claim, p.text[s:e]) for p, s, e in spans]) if spans else []
    out: dict[int, Citation] = {}
    for (p, s, e), pr in zip(spans, probs, strict=True):
        side = max(pr.get("supports", 0.0), pr.get("refutes", 0.0))
        kept = out.get(p.rank)
        if kept is None or side > max(kept.probabilities.get(x, 0.0) for x in STANCES[:2]):
            out[p.rank] = Citation(
                p.text[s:e], p.start + s, p.start + e, {x: float(pr.get(x, 0.0)) for x in STANCES}
            )
    return out


def default_scorer() -> StanceModel | None:
    """The installed stance model, or None when it is not installed."""
    from claimscope.models.stance import installed, load_stance_scorer

    return load_stance_scorer() if installed() else None


def assess(
    claim: str,
    passages: Sequence[Passage],
    stances: Sequence[dict[str, float]] | None,
    *,
    stance_model: str | None = None,
    rule: VerdictRule = DEFAULT_RULE,
    rules: Rules = DEFAULT_RULES,
    entities: EntityFinder | None = None,
    cited: dict[int, Citation] | None = None,
) -> CheckResult:
    """The verdict on ``claim`` from ranked passages and their stance probabilities (None
    without a stance model); ``cited``: the sentence each reason quotes, by passage rank (the
    whole passage when absent)."""
    evidence = [Evidence(p) for p in passages]
    if stances is not None:
        for ev, probs in zip(evidence, stances, strict=True):
            label = max(STANCES, key=lambda s: probs.get(s, 0.0))
            ev.stance, ev.probability = label, float(probs.get(label, 0.0))
            ev.probabilities = {s: float(probs.get(s, 0.0)) for s in STANCES}
    if evidence:
        disagreements(claim, evidence, rules=rules, entities=entities)
    verdict = decide(votes(evidence), rule)
    return CheckResult(
        claim=claim,
        verdict=verdict.label,
        confidence=verdict.confidence,
        support=verdict.support,
        refute=verdict.refute,
        evidence=evidence,
        reasons=reasons(evidence, verdict.label, rule, cited),
        stance_model=stance_model,
        rule=dataclasses.asdict(rule),
    )


def votes(evidence: Sequence[Evidence]) -> list[Vote]:
    """Each passage's say in the verdict: its stance probabilities and its strongest clash."""
    return [
        Vote(
            rank=ev.passage.rank,
            supports=(ev.probabilities or {}).get("supports", 0.0),
            refutes=(ev.probabilities or {}).get("refutes", 0.0),
            clash=max((d.score for d in ev.disagreements), default=0.0),
        )
        for ev in evidence
    ]


def disagreements(
    claim: str,
    evidence: Sequence[Evidence],
    *,
    rules: Rules = DEFAULT_RULES,
    entities: EntityFinder | None = None,
) -> None:
    """Fill each evidence's disagreements with the claim (the contradiction rules, run on the
    claim against each sentence of the passage)."""
    (claimed,) = bare_statements(claim, [(0, len(claim))], doc=CLAIM_DOC, entities=entities)
    for ev in evidence:
        p = ev.passage
        sentences = bare_statements(
            p.text,
            split_sentences(p.text),
            doc=p.doc,
            offset=p.start,
            anchor=_day(p.published),
            entities=entities,
        )
        names = frozenset(n for st in sentences for n in shared_names(claimed, st))
        context = Context(same_doc=False, shared_names=names)
        found: dict[tuple[str, int, int], Disagreement] = {}
        for st in sentences:
            for d in _clashes(claimed, st, context, rules):
                kept = found.get((d.kind, d.start, d.end))
                if kept is None or d.score > kept.score:
                    found[(d.kind, d.start, d.end)] = d
        ev.disagreements = sorted(found.values(), key=lambda d: (-d.score, d.start))


def _clashes(
    claimed: Statement, st: Statement, context: Context, rules: Rules
) -> list[Disagreement]:
    out = []
    for f in compare(claimed, st, context, rules):
        mine, theirs = (f.a, f.b) if f.a.doc == CLAIM_DOC else (f.b, f.a)
        out.append(
            Disagreement(
                **f.summary(),
                claim_start=mine.start,
                claim_end=mine.end,
                start=theirs.start,
                end=theirs.end,
            )
        )
    return out


def reasons(
    evidence: Sequence[Evidence],
    verdict: str,
    rule: VerdictRule,
    cited: dict[int, Citation] | None = None,
) -> list[Reason]:
    """Why: the passages that take a side, each quoting its deciding sentence with that
    sentence's stance probabilities, and the disagreements, strongest first (only the sides the
    verdict rests on, unless there is not enough evidence)."""
    out: list[Reason] = []
    sides = {SUPPORTED: ("supports",), REFUTED: ("refutes",)}.get(verdict, STANCES[:2])
    for ev in evidence:
        rank = ev.passage.rank
        where = ev.passage.title or ev.passage.source or ev.passage.doc
        clash = min(1.0, rule.clash_weight * max((d.score for d in ev.disagreements), default=0))
        for side in sides if ev.probabilities else ():
            p = (ev.probabilities or {}).get(side, 0.0)
            # A clash takes a passage's support away in the verdict; so it does here.
            weight = rule.weight(rank) * p * (1 - clash if side == "supports" else 1)
            # A passage counts when it takes that side, or when its probability of the side
            # reaches the side's threshold (the verdict rests on it even if neutral is likelier).
            decides = weight >= (rule.support if side == "supports" else rule.refute)
            if (ev.stance == side and weight >= MIN_REASON_WEIGHT) or decides:
                text = (
                    f"passage {rank} ({where}) {side} the claim (p={p:.2f}): "
                    f"{_quote(ev, (cited or {}).get(rank))}"
                )
                out.append(Reason(rank, side, text, round(weight, 4)))
        if verdict == SUPPORTED:
            continue
        for d in ev.disagreements:
            text = f"passage {rank} ({where}) disagrees on the {d.kind}: {d.explanation}"
            out.append(Reason(rank, d.kind, text, round(rule.weight(rank) * d.score, 4)))
    out.sort(key=lambda r: -r.score)
    if verdict == NOT_ENOUGH:
        out.append(_undecided(evidence, rule, cited))
    return out


def _quote(ev: Evidence, citation: Citation | None) -> str:
    """The sentence a reason cites, its offsets and its stance probabilities."""
    if citation is None:
        p = ev.passage
        citation = Citation(p.text, p.start, p.end, ev.probabilities or {})
    scores = ", ".join(f"{x} {citation.probabilities.get(x, 0.0):.2f}" for x in STANCES)
    return f'"{citation.text}" ({ev.passage.doc} [{citation.start}:{citation.end}]; {scores})'


def _undecided(
    evidence: Sequence[Evidence], rule: VerdictRule, cited: dict[int, Citation] | None
) -> Reason:
    """Why the evidence does not decide: the strongest side-taking passage, and the thresholds
    (fitted on a tune split) its probability does not reach."""
    scored = [ev for ev in evidence if ev.probabilities]
    if not scored:
        if any(ev.disagreements for ev in evidence):
            return Reason(0, "none", "the disagreements found are too weak to refute", 0.0)
        return Reason(0, "none", "no passage takes a side or disagrees with the claim", 0.0)
    best = max(
        scored, key=lambda ev: max((ev.probabilities or {}).get(x, 0.0) for x in STANCES[:2])
    )
    text = (
        f"no passage's rank-weighted probability reaches the support threshold "
        f"{rule.support:.2f} or the refute threshold "
        f"{rule.refute:.2f}; the strongest is passage {best.passage.rank}: "
        f"{_quote(best, (cited or {}).get(best.passage.rank))}"
    )
    return Reason(best.passage.rank, "none", text, 0.0)


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
