"""Evaluation of the technique model on PTC-format articles.

Three views, as the shared tasks measured them:
- sentence level, binary: does the sentence use any technique (SemEval-2019 SLC);
- sentence level, micro-F1 over (sentence, technique) pairs;
- span level, SemEval-2020 task 11 / 2019 FLC partial-overlap scoring: a predicted span earns
  the share of it that overlaps gold spans of the same technique (precision), a gold span the
  share of it that predictions cover (recall); also reported without labels (span identification).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from claimscope.errors import SettingsError
from claimscope.evaluation.ptc import Article, read_ptc
from claimscope.metrics import binary_scores
from claimscope.models.scorer import ClaimScorer, TokenScores, scorer_for
from claimscope.persuasion.decode import Decoding, find_techniques
from claimscope.persuasion.techniques import BY_KEY, KEYS
from claimscope.settings import Settings, TechniquesShown

Span = tuple[str, int, int]  # technique key, start, end


@dataclass(slots=True)
class ScoredLines:
    """The model's outputs for every sentence (line) of some articles: one encoder pass, which
    can then be decoded under several thresholds."""

    articles: Sequence[Article]
    lines: list[tuple[Article, int, int]]
    scores: dict[str, np.ndarray]
    tokens: list[TokenScores]


def score_articles(scorer: ClaimScorer, articles: Sequence[Article]) -> ScoredLines:
    """Run the model once over every sentence of ``articles``."""
    lines = [(a, start, end) for a in articles for start, end in a.sentences()]
    scores, tokens = scorer.score_with_tokens([a.text[s:e] for a, s, e in lines])
    if tokens is None:
        raise SettingsError(f"model {scorer.name} has no technique heads")
    return ScoredLines(articles, lines, scores, tokens)


def predict_articles(
    scorer: ClaimScorer,
    articles: Sequence[Article],
    decoding: Decoding | None = None,
    shown: TechniquesShown = "precise",
) -> list[tuple[list[set[str]], list[Span]]]:
    """For each article: the techniques of each sentence (line) and the spans shown (the
    card's decoding unless ``decoding`` is given)."""
    return decode_articles(
        score_articles(scorer, articles),
        decoding or Decoding.from_card(scorer.folder_.card),
        shown,
    )


def decode_articles(
    scored: ScoredLines, decoding: Decoding, shown: TechniquesShown = "precise"
) -> list[tuple[list[set[str]], list[Span]]]:
    """``predict_articles`` from outputs already computed."""
    scores, tokens = scored.scores, scored.tokens
    out: dict[str, tuple[list[set[str]], list[Span]]] = {a.id: ([], []) for a in scored.articles}
    for i, (article, start, end) in enumerate(scored.lines):
        offsets, token_probs = tokens[i]
        text = article.text[start:end]
        found = find_techniques(
            scores["techniques"][i], token_probs, offsets, text, decoding, shown
        )
        labels, spans = out[article.id]
        labels.append({f.technique for f in found})
        spans += [(f.technique, start + f.start, start + f.end) for f in found]
    return [out[a.id] for a in scored.articles]


def _merge(spans: Iterable[Span], labelled: bool) -> list[Span]:
    """Overlapping spans of one technique (or of any, unlabelled) become one."""
    merged: list[Span] = []
    for tech, start, end in sorted(spans, key=lambda s: ((s[0] if labelled else ""), s[1])):
        key = tech if labelled else ""
        if merged and merged[-1][0] == key and start <= merged[-1][2]:
            merged[-1] = (key, merged[-1][1], max(end, merged[-1][2]))
        else:
            merged.append((key, start, end))
    return merged


def span_counts(gold: Iterable[Span], pred: Iterable[Span], *, labelled: bool) -> list[float]:
    """``[precision numerator, predicted spans, recall numerator, gold spans]`` of one article."""
    g, p = _merge(gold, labelled), _merge(pred, labelled)

    def overlap(a: Span, b: Span) -> int:
        return max(0, min(a[2], b[2]) - max(a[1], b[1])) if a[0] == b[0] else 0

    precision = sum(sum(overlap(s, t) for t in g) / (s[2] - s[1]) for s in p)
    recall = sum(sum(overlap(s, t) for s in p) / (t[2] - t[1]) for t in g)
    return [precision, len(p), recall, len(g)]


def prf(p_num: float, p_den: float, r_num: float, r_den: float) -> dict[str, float]:
    """Precision, recall and F1 from their numerators and denominators (as span_counts gives)."""
    precision = float(p_num / p_den) if p_den else 0.0
    recall = float(r_num / r_den) if r_den else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def evaluate_persuasion(
    data: str | Path,
    *,
    settings: Settings | None = None,
    split: str | None = None,
) -> dict[str, Any]:
    """Measure the technique model on the PTC-format articles under ``data``.

    ``split`` (``train``, ``validation`` or ``dev``) keeps only the articles the model card
    lists for it: the dev articles are the ones the model never trained or was selected on.
    """
    settings = settings or Settings()
    scorer = scorer_for(settings)
    if scorer is None or not scorer.has_techniques_:
        raise SettingsError("this model has no technique heads: use the default profile")
    articles = read_ptc(data)
    if split is not None:
        splits = scorer.folder_.card["techniques"]["split"]
        if split not in splits:
            raise SettingsError(f"unknown split {split!r}; the card has {', '.join(splits)}")
        keep = set(splits[split])
        articles = [a for a in articles if a.id in keep]
        if not articles:
            raise SettingsError(f"no article of split {split!r} under {data}")
    shown = settings.techniques_shown
    return {"data": str(data), "split": split, **measure(scorer, articles, shown=shown)}


def measure(
    scorer: ClaimScorer,
    articles: Sequence[Article],
    decoding: Decoding | None = None,
    *,
    shown: TechniquesShown = "precise",
    scored: ScoredLines | None = None,
) -> dict[str, Any]:
    """The report on ``articles`` with the spans ``shown``: counts, the three measures,
    per-technique scores (sentence and span level), spans per 1,000 words and the predicted
    spans (under ``predictions``). ``scored``: the model's outputs for these articles, when
    already computed."""
    decoding = decoding or Decoding.from_card(scorer.folder_.card)
    scored = scored or score_articles(scorer, articles)
    predicted = decode_articles(scored, decoding, shown)

    gold_any: list[int] = []
    pred_any: list[int] = []
    per_technique = {k: [0, 0, 0] for k in KEYS}  # tp, predicted, gold
    labelled = np.zeros(4)
    unlabelled = np.zeros(4)
    by_technique = {k: np.zeros(4) for k in KEYS}
    words = 0
    for article, (labels, spans) in zip(articles, predicted, strict=True):
        words += len(article.text.split())
        for gold, pred in zip(article.sentence_labels(), labels, strict=True):
            gold_any.append(int(bool(gold)))
            pred_any.append(int(bool(pred)))
            for k in gold | pred:
                per_technique[k][0] += int(k in gold and k in pred)
                per_technique[k][1] += int(k in pred)
                per_technique[k][2] += int(k in gold)
        gold_spans = [(g.technique, g.start, g.end) for g in article.spans]
        labelled += span_counts(gold_spans, spans, labelled=True)
        unlabelled += span_counts(gold_spans, spans, labelled=False)
        for k in KEYS:
            by_technique[k] += span_counts(
                [g for g in gold_spans if g[0] == k],
                [p for p in spans if p[0] == k],
                labelled=True,
            )

    tp, npred, ngold = (sum(v[i] for v in per_technique.values()) for i in range(3))
    micro = prf(tp, npred, tp, ngold)
    n_spans = sum(len(spans) for _, spans in predicted)
    return {
        "model": scorer.name,
        "techniques_shown": shown,
        "shown": list(KEYS) if shown == "all" else [k for k in KEYS if k in decoding.precise],
        "articles": len(articles),
        "sentences": len(gold_any),
        "words": words,
        "predicted_spans": n_spans,
        "density": round(1000 * n_spans / words, 2) if words else 0.0,
        "binary": binary_scores(gold_any, pred_any),
        "micro": {**micro, "tp": tp, "predicted": npred, "gold": ngold},
        "per_technique": {
            k: {**prf(v[0], v[1], v[0], v[2]), "support": v[2]} for k, v in per_technique.items()
        },
        "spans": prf(*labelled),
        "spans_unlabelled": prf(*unlabelled),
        "spans_per_technique": {
            k: {**prf(*v), "predicted": int(v[1]), "gold": int(v[3])}
            for k, v in by_technique.items()
        },
        "predictions": [
            (article.id, spans) for article, (_, spans) in zip(articles, predicted, strict=True)
        ],
    }


def write_predictions(report: dict[str, Any], path: str | Path) -> None:
    """Predicted spans in the PTC task2-TC format: article id, technique, start, end."""
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")
        for article_id, spans in report["predictions"]:
            for tech, start, end in sorted(spans, key=lambda s: (s[1], s[2], s[0])):
                writer.writerow([article_id, BY_KEY[tech].ptc, start, end])
