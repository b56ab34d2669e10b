"""Stance model quality on the dev and held-out slices and the FEVER-Symmetric bias check.

Runs ``evaluate_stance`` (what ``claimscope eval stance`` runs) on the SICK and Climate-FEVER
dev and test slices that the model card lists, and on all of FEVER-Symmetric dev (2-way). Needs
../shared/data/verification. Results go to ``benchmarks/results/stance_quality.json``.

    python benchmarks/stance_quality.py [--model DIR] [--data ../shared/data/verification]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

from claimscope.evaluation.stance import evaluate_stance

RESULTS = Path(__file__).resolve().parent / "results" / "stance_quality.json"
SETS = {
    "sick_dev": ("sick/sick_train_trial.tsv", "dev"),
    "climate_fever_dev": ("climate_fever/climate-fever-train.jsonl", "dev"),
    "sick_test": ("sick/sick_train_trial.tsv", "test"),
    "climate_fever_test": ("climate_fever/climate-fever-train.jsonl", "test"),
    "fever_symmetric_dev": ("fever_symmetric/fever_symmetric_dev.jsonl", None),
}
# Issue 30: SICK dev (the card's split of train + trial) >= 0.87, FEVER-Symmetric 2-way >= 0.65.
TARGETS = {"sick_dev": 0.87, "fever_symmetric_dev": 0.65}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="a stance model folder (default: shipped)")
    parser.add_argument("--data", type=Path, default=Path("../shared/data/verification"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results: dict[str, object] = {
        "recorded": dt.date.today().isoformat(),
        "machine": machine(),
    }
    for name, (path, split) in SETS.items():
        report = evaluate_stance(args.data / path, model=args.model, split=split, threads=1)
        report.pop("predictions")
        report["data"] = path
        report["target_accuracy"] = TARGETS.get(name)
        results[name] = report
        results["model"] = report["model"]
        print(
            f"{name}: accuracy {report['accuracy']:.4f}, macro-F1 {report['macro_f1']:.4f} "
            f"({report['n']} pairs, {report['pairs_per_second']:.0f} pairs/s)"
        )
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
