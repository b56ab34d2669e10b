"""Verdict evaluation at claim level on Climate-FEVER: the five gold evidences are the passages.

Each claim's evidence sentences are indexed as passages (one document each) and ranked for the
claim by the same fused BM25 and embedding search ``check`` uses; the stance model scores them;
the verdict rule weighs them with the contradiction rules' findings; the verdict is compared with
the claim label (SUPPORTS: supported, REFUTES: refuted, DISPUTED: conflicting, NOT_ENOUGH_INFO:
not enough evidence).

Claims are split in two halves by a seeded hash of their id: the rule's thresholds are tuned on
the ``tune`` half and scored on the ``report`` half (the shipped rule is scored there too). Claims
the stance model was trained on (its card's split of Climate-FEVER by claim id) are left out.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import random
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from claimscope.consistency.bare import EntityFinder
from claimscope.errors import InputError, RecordError
from claimscope.metrics import labelled_scores
from claimscope.model import Document, Failure
from claimscope.verify.check import CheckResult, StanceModel, assess, votes
from claimscope.verify.evidence_index import EvidenceIndex
from claimscope.verify.passages import Windows
from claimscope.verify.verdict import (
    DEFAULT_RULE,
    VERDICTS,
    VerdictRule,
    Vote,
    decide,
    masses,
    verdict_label,
)

GOLD = {
    "SUPPORTS": "supported",
    "REFUTES": "refuted",
    "DISPUTED": "conflicting",
    "NOT_ENOUGH_INFO": "not enough evidence",
}
SPLIT_SEED = 0
TUNE, REPORT = "tune", "report"
# Every evidence is one passage, however long.
_WHOLE = Windows(max_sentences=1_000_000, max_chars=1_000_000, min_chars=1)

# What tuning searches.
_THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))
_DECAYS = (0.0, 0.25, 0.5, 1.0)
# Full weight first: on data where the rules find nothing (Climate-FEVER), every weight ties and
# the rule findings keep their say.
_CLASH_WEIGHTS = (1.0, 0.5, 0.0)


@dataclass(frozen=True, slots=True)
class LabelledClaim:
    """A Climate-FEVER claim: id, text, verdict label and its evidence sentences."""

    id: str
    text: str
    label: str
    evidence: tuple[tuple[str, str], ...]  # (article, sentence)


def read_labelled_claims(path: Path) -> tuple[list[LabelledClaim], list[Failure]]:
    """The claims of a Climate-FEVER JSONL file; a bad line is a failure, the rest is read."""
    claims: list[LabelledClaim] = []
    failures: list[Failure] = []
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", source=str(path)) from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                claims.append(_claim(line))
            except RecordError as exc:
                failures.append(Failure(f"{path}#{number}", exc.message, "RecordError"))
    if not claims:
        raise InputError(
            "no Climate-FEVER claims read (claim, claim_label, evidences)", source=str(path)
        )
    return claims, failures


def _claim(line: str) -> LabelledClaim:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON at column {exc.colno}: {exc.msg}") from None
    if not isinstance(record, dict):
        raise RecordError("not a JSON object")
    text, label = record.get("claim"), record.get("claim_label")
    if not isinstance(text, str) or not text.strip():
        raise RecordError("claim is missing or empty")
    if label not in GOLD:
        raise RecordError(f"claim_label is not one of {', '.join(GOLD)}: {label!r}")
    evidence = []
    for item in record.get("evidences") or []:
        sentence = item.get("evidence") if isinstance(item, dict) else None
        if isinstance(sentence, str) and sentence.strip():
            evidence.append((str(item.get("article") or ""), sentence))
    if not evidence:
        raise RecordError("evidences is missing or empty")
    return LabelledClaim(str(record.get("claim_id", text)), text, GOLD[label], tuple(evidence))


def half(claim_id: str, seed: int = SPLIT_SEED) -> str:
    """The half a claim falls in, by a seeded hash of its id (the same in any file order)."""
    digest = hashlib.sha256(f"{seed}:{claim_id}".encode()).digest()
    return TUNE if digest[0] % 2 == 0 else REPORT


def stance_training_claims(card: dict[str, Any], claim_ids: Sequence[str]) -> set[str]:
    """The claim ids a stance model was trained on, from its card's split of Climate-FEVER by
    claim id: a seeded shuffle of the sorted ids, ``test_fraction`` held out, then
    ``dev_fraction`` of the rest (``claimscope.training.stance.split_groups``). Empty when the
    card does not say how it split."""
    config = card.get("training", {}).get("config", {})
    if not {"split_seed", "test_fraction", "dev_fraction"} <= set(config):
        return set()
    groups = sorted(set(claim_ids))
    random.Random(config["split_seed"]).shuffle(groups)
    n_test = round(len(groups) * config["test_fraction"])
    n_dev = round((len(groups) - n_test) * config["dev_fraction"])
    return set(groups[n_test + n_dev :])


def tune_rule(
    votes: Sequence[Sequence[Vote]], gold: Sequence[str], *, metric: str = "macro_f1"
) -> tuple[VerdictRule, float]:
    """The rule (from a grid) that scores best on ``gold`` by ``metric``, and that score.

    Ties go to the first in the grid: lower thresholds, less rank decay, more clash weight.
    """
    best: tuple[VerdictRule, float] = (DEFAULT_RULE, -1.0)
    for decay, clash in itertools.product(_DECAYS, _CLASH_WEIGHTS):
        base = VerdictRule(rank_decay=decay, clash_weight=clash)
        pairs = np.array([masses(v, base) for v in votes]).reshape(-1, 2)
        for ts, tr in itertools.product(_THRESHOLDS, _THRESHOLDS):
            predicted = [verdict_label(s >= ts, r >= tr) for s, r in pairs]
            value = labelled_scores(gold, predicted, VERDICTS)[metric]
            if value > best[1]:
                best = (
                    VerdictRule(support=ts, refute=tr, rank_decay=decay, clash_weight=clash),
                    value,
                )
    return best


def evaluate_verdict(
    path: Path,
    *,
    scorer: StanceModel | None = None,
    seed: int = SPLIT_SEED,
    k: int = 5,
    entities: EntityFinder | None = None,
) -> dict[str, Any]:
    """Verdicts for every claim not seen by the stance model; the rule tuned on one half and
    scored on the other. ``scorer`` None: the rules alone."""
    claims, failures = read_labelled_claims(path)
    card = getattr(getattr(scorer, "folder_", None), "card", None) or {}
    seen = stance_training_claims(card, [c.id for c in claims]) if scorer else set()
    kept = [c for c in claims if c.id not in seen]
    results = judge(kept, scorer, k, entities)
    halves = {c.id: half(c.id, seed) for c in kept}
    tune = [(c, r) for c, r in zip(kept, results, strict=True) if halves[c.id] == TUNE]
    report = [(c, r) for c, r in zip(kept, results, strict=True) if halves[c.id] == REPORT]
    tuned, tune_score = tune_rule([votes(r.evidence) for _, r in tune], [c.label for c, _ in tune])
    scores = {
        name: _score(report, rule) for name, rule in (("shipped", DEFAULT_RULE), ("tuned", tuned))
    }
    return {
        "data": str(path),
        "claims": len(claims),
        "failures": failures,
        "excluded_seen_by_stance_model": len(claims) - len(kept),
        "seed": seed,
        "halves": {TUNE: len(tune), REPORT: len(report)},
        "stance_model": scorer.name if scorer else None,
        "tuned_rule": tuned,
        "tune_macro_f1": tune_score,
        "report": scores,
        "predictions": [
            {
                "claim_id": c.id,
                "half": halves[c.id],
                "gold": c.label,
                **_prediction(r, tuned),
            }
            for c, r in zip(kept, results, strict=True)
        ],
    }


def judge(
    claims: Sequence[LabelledClaim],
    scorer: StanceModel | None,
    k: int = 5,
    entities: EntityFinder | None = None,
) -> list[CheckResult]:
    """Each claim checked against its own evidence sentences (ranked by the fused search, scored
    by ``scorer``), under the shipped rule; the votes are in each result's evidence."""
    with tempfile.TemporaryDirectory() as tmp, EvidenceIndex.create(tmp) as index:
        index.add(_documents(claims), windows=_WHOLE)
        ranked = [
            index.search(c.text, k, within={Document(s).id for _, s in c.evidence}) for c in claims
        ]
    stances: list[dict[str, float]] | None = None
    if scorer is not None:
        stances = scorer.predict(
            [(c.text, p.text) for c, ps in zip(claims, ranked, strict=True) for p in ps]
        )
    out = []
    at = 0
    for c, passages in zip(claims, ranked, strict=True):
        mine = stances[at : at + len(passages)] if stances is not None else None
        at += len(passages)
        out.append(assess(c.text, passages, mine, entities=entities))
    return out


def _documents(claims: Sequence[LabelledClaim]) -> Iterator[Document]:
    for c in claims:
        for article, sentence in c.evidence:
            yield Document(sentence, source=f"climate-fever:{c.id}", title=article or None)


def _score(pairs: Sequence[tuple[LabelledClaim, CheckResult]], rule: VerdictRule) -> dict[str, Any]:
    gold = [c.label for c, _ in pairs]
    predicted = [decide(votes(r.evidence), rule).label for _, r in pairs]
    return labelled_scores(gold, predicted, VERDICTS)


def _prediction(result: CheckResult, rule: VerdictRule) -> dict[str, Any]:
    verdict = decide(votes(result.evidence), rule)
    return {
        "predicted": verdict.label,
        "confidence": round(verdict.confidence, 4),
        "support": round(verdict.support, 4),
        "refute": round(verdict.refute, 4),
    }


def verdict_json(report: dict[str, Any]) -> dict[str, Any]:
    """The report of ``evaluate_verdict`` as JSON data: the tuned rule as a mapping, each
    failure as one line."""
    return {
        **report,
        "tuned_rule": dataclasses.asdict(report["tuned_rule"]),
        "failures": [f"{f.source}: {f.error}" for f in report["failures"]],
    }


def write_verdicts(predictions: Sequence[dict[str, Any]], path: Path) -> None:
    """The per-claim predictions as TSV (claim id, half, gold, predicted, confidence, masses)."""
    columns = ("claim_id", "half", "gold", "predicted", "confidence", "support", "refute")
    try:
        with path.open("w", encoding="utf-8") as handle:
            handle.write("\t".join(columns) + "\n")
            for row in predictions:
                handle.write("\t".join(str(row[c]) for c in columns) + "\n")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", source=str(path)) from None
