"""Stance evaluation: accuracy, macro-F1 and per-class figures of a model on a labelled file."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from claimscope.errors import InputError, SettingsError
from claimscope.evaluation.stance_data import read_stance_data
from claimscope.metrics import binary_scores
from claimscope.models.stance import STANCE_LABELS, STANCE_MODEL, StanceScorer


def stance_scores(
    gold: Sequence[str], predicted: Sequence[str], *, two_way: bool = False
) -> dict[str, Any]:
    """Accuracy, macro-F1 over the labels scored, and precision, recall, F1 per label.

    ``two_way`` scores supports and refutes only (a file with no neutral gold label).
    """
    labels = STANCE_LABELS[:2] if two_way else STANCE_LABELS
    per_class = {}
    for label in labels:
        s = binary_scores([int(g == label) for g in gold], [int(p == label) for p in predicted])
        per_class[label] = {k: s[k] for k in ("precision", "recall", "f1", "support")}
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    return {
        "n": len(gold),
        "accuracy": correct / len(gold) if gold else 0.0,
        "macro_f1": sum(c["f1"] for c in per_class.values()) / len(labels),
        "per_class": per_class,
    }


def evaluate_stance(
    path: Path, *, model: str | None = None, split: str | None = None, threads: int = 0
) -> dict[str, Any]:
    """Score a SICK, Climate-FEVER or FEVER-Symmetric file (FEVER-Symmetric two-way).

    ``split`` (``dev`` or ``test``) keeps only the pairs of the groups (SICK pairs, claims)
    that the model card lists for that split of this file's format.
    """
    data = read_stance_data(path)
    scorer = StanceScorer(model or STANCE_MODEL, threads=threads).load()
    if split is not None:
        groups = scorer.folder_.card.get("splits", {}).get(data.format, {}).get(split)
        if groups is None:
            raise SettingsError(
                f"the card of {scorer.name} lists no {split!r} split for {data.format} data"
            )
        keep = set(groups)
        data.pairs = [p for p in data.pairs if p.group in keep]
        if not data.pairs:
            raise InputError(
                f"no pairs of the card's {split} split are in this file", source=str(path)
            )
    started = time.perf_counter()
    probs = scorer.probabilities([(p.claim, p.passage) for p in data.pairs])
    seconds = time.perf_counter() - started
    columns = 2 if data.two_way else len(STANCE_LABELS)
    predicted = [STANCE_LABELS[i] for i in probs[:, :columns].argmax(axis=1)]
    report = stance_scores([p.label for p in data.pairs], predicted, two_way=data.two_way)
    report.update(
        format=data.format,
        split=split,
        two_way=data.two_way,
        model=scorer.name,
        failures=data.failures,
        pairs_per_second=len(data.pairs) / seconds if seconds > 0 else 0.0,
        predictions=[
            {
                "group": p.group,
                "gold": p.label,
                "predicted": label,
                **dict(zip(STANCE_LABELS, (round(float(x), 6) for x in row), strict=True)),
            }
            for p, label, row in zip(data.pairs, predicted, probs, strict=True)
        ],
    )
    return report


def write_predictions(report: dict[str, Any], path: Path) -> None:
    """One JSON line per pair: its group, gold and predicted label, and the probabilities."""
    with path.open("w", encoding="utf-8") as handle:
        for row in report["predictions"]:
            handle.write(json.dumps(row) + "\n")
