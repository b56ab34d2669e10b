"""Evaluation of the claim models on labelled sentences: check-worthiness F1, subjectivity
macro-F1."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from claimscope.errors import SettingsError
from claimscope.evaluation.claim_data import read_examples
from claimscope.metrics import accuracy_score, binary_scores, macro_f1_score
from claimscope.models.scorer import scorer_for
from claimscope.settings import Settings

LABELS = {"checkworthiness": ("No", "Yes"), "subjectivity": ("OBJ", "SUBJ")}


def evaluate_claims(
    task: str,
    data: str | Path,
    *,
    settings: Settings | None = None,
    threshold: float | None = None,
) -> dict[str, Any]:
    """Score every sentence of ``data`` for ``task`` and measure against its labels.

    Returns the report as data: the model, threshold, counts, precision/recall/F1 of the
    positive class, macro-F1, accuracy, and the per-sentence predictions.
    """
    if task not in LABELS:
        raise SettingsError(f"unknown task {task!r}; known: {', '.join(LABELS)}")
    settings = settings or Settings()
    scorer = scorer_for(settings)
    if scorer is None:
        raise SettingsError("profile 'rules' has no claim model to evaluate")
    examples = read_examples(data)
    scores = scorer.score([e.text for e in examples])[task]
    cut = scorer.threshold(task) if threshold is None else threshold
    preds = [int(s >= cut) for s in scores]
    labels = [e.label for e in examples]
    report: dict[str, Any] = dict(binary_scores(labels, preds))
    report.update(
        task=task,
        data=str(data),
        model=scorer.name,
        threshold=cut,
        macro_f1=macro_f1_score(labels, preds),
        accuracy=accuracy_score(labels, preds),
    )
    report["predictions"] = [
        {
            "id": e.id,
            "score": round(float(s), 4),
            "predicted": LABELS[task][p],
            "gold": LABELS[task][e.label],
        }
        for e, s, p in zip(examples, scores, preds, strict=True)
    ]
    return report


def write_predictions(report: dict[str, Any], path: str | Path) -> None:
    """The per-sentence predictions as TSV: id, score, predicted, gold."""
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t")
        writer.writerow(["id", "score", "predicted", "gold"])
        for row in report["predictions"]:
            writer.writerow([row["id"], row["score"], row["predicted"], row["gold"]])
