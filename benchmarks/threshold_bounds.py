"""How far threshold choice could take the shipped claim model: upper bounds, never used to choose.

The model card's thresholds are chosen on validation data. This script asks a different question,
for the targets that the model misses: with thresholds chosen on the reported file itself (which
no honest selection may do), what is the best the model's scores allow? When even that bound is
under a target, the scores' ranking is the limit, and no threshold choice can reach the target.

- Subjectivity (CT25 TSV): macro-F1 at the card's threshold, at the best threshold on the file,
  and the ROC AUC.
- Techniques (PTC folder; the card's article-level dev split): sentence micro-F1 over techniques
  at the card's shared threshold (the technique heads alone, without the any-head fallback that
  the decoding rule adds), at the best shared threshold on the dev articles, and with one
  threshold per technique fitted on them by coordinate ascent.

    python benchmarks/threshold_bounds.py \\
        --subjectivity ../shared/data/subjectivity/ct25_dev_test_en.tsv \\
        --ptc ../shared/data/persuasion/ptc
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

from claimscope.evaluation.claim_data import read_examples
from claimscope.evaluation.persuasion import score_articles
from claimscope.evaluation.ptc import read_ptc
from claimscope.metrics import macro_f1_score, roc_auc_score
from claimscope.models.scorer import ClaimScorer, scorer_for
from claimscope.persuasion.techniques import KEYS
from claimscope.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "threshold_bounds.json"
CUTS = [c / 100 for c in range(2, 99)]


def subjectivity_bounds(scorer: ClaimScorer, path: Path, card: float) -> dict[str, Any]:
    examples = read_examples(path)
    gold = [e.label for e in examples]
    scores = scorer.score([e.text for e in examples])["subjectivity"]

    def f1(cut: float) -> float:
        return macro_f1_score(gold, [int(v >= cut) for v in scores])

    best = max(CUTS, key=f1)
    return {
        "file": path.name,
        "sentences": len(gold),
        "card_threshold": card,
        "macro_f1_at_card_threshold": round(f1(card), 4),
        "best_threshold_on_this_file": best,
        "macro_f1_upper_bound": round(f1(best), 4),
        "roc_auc": round(roc_auc_score(gold, scores.tolist()), 4),
    }


def _micro(pred: np.ndarray, gold: np.ndarray) -> float:
    return float(2 * (pred & gold).sum() / max(1, pred.sum() + gold.sum()))


def technique_bounds(scorer: ClaimScorer, folder: Path, card: dict[str, Any]) -> dict[str, Any]:
    dev = set(card["techniques"]["split"]["dev"])
    articles = [a for a in read_ptc(folder) if a.id in dev]
    probs = score_articles(scorer, articles).scores["techniques"][:, 1:]
    gold = np.zeros(probs.shape, dtype=bool)
    row = 0
    for article in articles:
        for labels in article.sentence_labels():
            for key in labels:
                gold[row, KEYS.index(key)] = True
            row += 1
    shared_card = card["techniques"]["thresholds"][KEYS[0]]
    shared = max(CUTS, key=lambda c: _micro(probs >= c, gold))
    cuts = np.full(len(KEYS), shared)
    for _ in range(3):  # coordinate ascent: each technique's threshold with the others fixed
        for j in range(len(KEYS)):
            trial = cuts.copy()

            def score(c: float, j: int = j, trial: np.ndarray = trial) -> float:
                trial[j] = c
                return _micro(probs >= trial, gold)

            cuts[j] = max(CUTS, key=score)
    return {
        "articles": len(articles),
        "sentences": len(probs),
        "gold_pairs": int(gold.sum()),
        "micro_f1_at_card_threshold": round(_micro(probs >= shared_card, gold), 4),
        "best_shared_threshold_on_dev": shared,
        "micro_f1_upper_bound_shared": round(_micro(probs >= shared, gold), 4),
        "micro_f1_upper_bound_per_technique": round(_micro(probs >= cuts, gold), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjectivity", type=Path, required=True)
    parser.add_argument("--ptc", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    scorer = scorer_for(Settings())
    assert scorer is not None
    card = scorer.folder_.card
    result = {
        "benchmark": "threshold_bounds",
        "machine": machine(),
        "model": scorer.name,
        "subjectivity": subjectivity_bounds(
            scorer, args.subjectivity, card["thresholds"]["subjectivity"]
        ),
        "techniques": technique_bounds(scorer, args.ptc, card),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
