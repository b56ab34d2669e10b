"""Subjectivity labels on news: CT25 at the card's threshold, and how many news sentences it
calls subjective.

The card's threshold is chosen by ``claimscope train thresholds`` so that the share of
mainstream-news sentences (PolNeAR train) marked SUBJ matches a news prior. This measures, at
that threshold and at the one it replaced:

- CT25 dev (52% SUBJ; it chose the earlier threshold) and dev_test (25% SUBJ; the report split,
  never used to choose anything): macro-F1, SUBJ precision and recall, sentences called SUBJ;
- the share of sentences called SUBJ on PolNeAR dev, mainstream outlets and the others, cut into
  sentences as ``analyze`` does;
- for the record, the threshold that re-weighting CT25 dev to the news prior would pick (the
  alternative the issue named) and what it does on the same files.

    python benchmarks/subjectivity_quality.py --data-dir ../shared/data
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

from claimscope import Document, Settings
from claimscope.evaluation.claim_data import read_examples
from claimscope.ingest import read_path
from claimscope.metrics import binary_scores, macro_f1_score
from claimscope.model import Analysis
from claimscope.models.scorer import scorer_for
from claimscope.text.stage import structure

RESULTS = Path(__file__).resolve().parent / "results" / "subjectivity_quality.json"
MAINSTREAM = ("nyt", "wash-post", "usa-today", "politico")
CUTS = [c / 100 for c in range(1, 100)]


def at(labels: list[int], scores: np.ndarray, threshold: float) -> dict[str, Any]:
    preds = [int(s >= threshold) for s in scores]
    row = binary_scores(labels, preds)
    return {
        "threshold": threshold,
        "macro_f1": round(macro_f1_score(labels, preds), 4),
        "subj_precision": round(row["precision"], 4),
        "subj_recall": round(row["recall"], 4),
        "called_subj": sum(preds),
        "gold_subj": sum(labels),
        "n": len(labels),
    }


def reweighted_choice(labels: list[int], scores: np.ndarray, prior: float) -> float:
    """The threshold maximizing macro-F1 on ``labels`` re-weighted to a SUBJ share of
    ``prior``."""
    y = np.array(labels)
    weights = np.where(y == 1, prior / y.mean(), (1 - prior) / (1 - y.mean()))

    def weighted_macro(cut: float) -> float:
        pred = scores >= cut
        f1s = []
        for cls in (True, False):
            truth = y == int(cls)
            tp = weights[(pred == cls) & truth].sum()
            fp = weights[(pred == cls) & ~truth].sum()
            fn = weights[(pred != cls) & truth].sum()
            f1s.append(2 * tp / (2 * tp + fp + fn))
        return float(np.mean(f1s))

    return max(CUTS, key=weighted_macro)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    settings = Settings()
    scorer = scorer_for(settings)
    assert scorer is not None
    card = scorer.folder_.card
    chosen = card["subjectivity_threshold"]
    threshold, previous = float(card["thresholds"]["subjectivity"]), chosen["previous_threshold"]
    prior = chosen["news_prior"]

    files = {"ct25_dev": "ct25_dev_en.tsv", "ct25_dev_test": "ct25_dev_test_en.tsv"}
    ct25: dict[str, Any] = {}
    dev_scores: tuple[list[int], np.ndarray] | None = None
    for name, file in files.items():
        examples = read_examples(args.data_dir / "subjectivity" / file)
        labels = [e.label for e in examples]
        scores = scorer.score([e.text for e in examples])["subjectivity"]
        ct25[name] = {
            "card": at(labels, scores, threshold),
            "previous": at(labels, scores, previous),
        }
        if name == "ct25_dev":
            dev_scores = (labels, scores)
        ct25[name]["scores"] = (labels, scores)
    assert dev_scores is not None
    alternative = reweighted_choice(*dev_scores, prior)
    for name in files:
        labels, scores = ct25[name].pop("scores")
        ct25[name]["reweighted_dev_alternative"] = at(labels, scores, alternative)

    groups: dict[str, list[float]] = {}
    for file in sorted((args.data_dir / "attribution" / "polnear" / "dev" / "text").glob("*.txt")):
        (doc,) = read_path(file, settings=settings)
        assert isinstance(doc, Document)
        analysis = Analysis(document=doc)
        structure(analysis, settings)
        group = "mainstream" if file.name.split("_", 1)[0] in MAINSTREAM else "other"
        scores = scorer.score([doc.text[s.start : s.end] for s in analysis.sentences])
        groups.setdefault(group, []).extend(scores["subjectivity"].tolist())
    news = {
        group: {
            "sentences": len(values),
            "share_subj_card": round(float(np.mean(np.array(values) >= threshold)), 4),
            "share_subj_previous": round(float(np.mean(np.array(values) >= previous)), 4),
            "share_subj_reweighted_dev_alternative": round(
                float(np.mean(np.array(values) >= alternative)), 4
            ),
        }
        for group, values in groups.items()
    }
    result = {
        "benchmark": "subjectivity_quality",
        "command": "python benchmarks/subjectivity_quality.py --data-dir ../shared/data",
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "model": f"{card['name']} v{card['version']}",
        "threshold": threshold,
        "previous_threshold": previous,
        "news_prior": prior,
        "method": chosen["method"],
        "reweighted_dev_alternative_threshold": alternative,
        "ct25": ct25,
        "polnear_dev": news,
        "target": {
            "ct25_dev_test_macro_f1": 0.78,
            "measured": ct25["ct25_dev_test"]["card"]["macro_f1"],
        },
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("threshold", "ct25", "polnear_dev")}, indent=2))


if __name__ == "__main__":
    main()
