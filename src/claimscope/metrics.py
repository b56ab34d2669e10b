"""Evaluation metrics as plain functions: ``*_score`` is higher-better; each returns data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def binary_scores(y_true: Sequence[int], y_pred: Sequence[int]) -> dict[str, float]:
    """Precision, recall and F1 of the positive class, with the counts behind them."""
    tp = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t == 1 and p == 1)
    fp = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t == 0 and p == 1)
    fn = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t == 1 and p == 0)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "support": tp + fn,
        "n": len(y_true),
    }


def f1_score(y_true: Sequence[int], y_pred: Sequence[int]) -> float:
    """F1 of the positive class."""
    return binary_scores(y_true, y_pred)["f1"]


def macro_f1_score(y_true: Sequence[int], y_pred: Sequence[int]) -> float:
    """The mean of the F1 of both classes of a binary task."""
    pos = f1_score(y_true, y_pred)
    neg = f1_score([1 - t for t in y_true], [1 - p for p in y_pred])
    return (pos + neg) / 2


def accuracy_score(y_true: Sequence[int], y_pred: Sequence[int]) -> float:
    """The share of predictions equal to the truth."""
    if not y_true:
        return 0.0
    return sum(1 for t, p in zip(y_true, y_pred, strict=True) if t == p) / len(y_true)


def roc_auc_score(y_true: Sequence[int], scores: Sequence[float]) -> float:
    """ROC AUC: the chance that a positive outranks a negative, ties counting half."""
    import numpy as np

    gold = np.asarray(y_true, dtype=bool)
    values = np.asarray(scores, dtype=np.float64)
    pos, neg = values[gold], values[~gold]
    if not len(pos) or not len(neg):
        return 0.5
    return float((pos[:, None] > neg).mean() + 0.5 * (pos[:, None] == neg).mean())


def best_threshold(
    y_true: Sequence[int], scores: Sequence[float], *, metric: str = "f1"
) -> tuple[float, float]:
    """The threshold on ``scores`` that maximizes ``f1`` or ``macro_f1``, and that value."""
    score_fn = f1_score if metric == "f1" else macro_f1_score
    best = (0.5, -1.0)
    for step in range(5, 96):
        t = step / 100
        value = score_fn(y_true, [int(s >= t) for s in scores])
        if value > best[1]:
            best = (t, value)
    return best


def labelled_scores(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, macro-F1 over ``labels``, and precision, recall and F1 of each label."""
    per_label = {}
    for label in labels:
        s = binary_scores([int(t == label) for t in y_true], [int(p == label) for p in y_pred])
        per_label[label] = {k: s[k] for k in ("precision", "recall", "f1", "support")}
    correct = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t == p)
    return {
        "n": len(y_true),
        "accuracy": correct / len(y_true) if y_true else 0.0,
        "macro_f1": sum(c["f1"] for c in per_label.values()) / len(labels) if labels else 0.0,
        "per_label": per_label,
    }
