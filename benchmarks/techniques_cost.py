"""What finding persuasion techniques adds to the cost of a full analysis.

One process, the same generated articles (``benchmarks/lib/corpus.py``), default profile; the runs
alternate between:

- ``without``: ``Settings(techniques=False)``: the shipped model, technique heads unused;
- ``with``: ``Settings()``: techniques found, spans decoded (the same encoder pass);
- ``baseline`` (with ``--baseline-model DIR``): a model folder without technique heads, e.g.
  the previous claims-only model, for the cost of the heads themselves.

Warm-up first (models loaded); medians reported, and the slowdown of ``with`` against each.
Results go to ``benchmarks/results/techniques_cost.json``.

    python benchmarks/techniques_cost.py --docs 200 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from analyze_throughput import _documents, run_claimscope
from common import header

import corpus

RESULTS = Path(__file__).resolve().parent / "results" / "techniques_cost.json"


def main(argv: list[str] | None = None) -> int:
    """Time the analysis with and without technique detection."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--docs", type=int, default=200, help="articles (default 200)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--baseline-model", type=Path, help="a model folder without techniques")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args(argv)

    import claimscope

    records = list(corpus.generate(args.docs, seed=args.seed))
    docs = _documents(records)
    words = sum(len(r["text"].split()) for r in records)
    variants: dict[str, Any] = {
        "without": claimscope.Settings(techniques=False),
        "with": claimscope.Settings(),
    }
    if args.baseline_model:
        variants["baseline"] = claimscope.Settings(model=str(args.baseline_model))
    for settings in variants.values():
        claimscope.analyze_many(docs[:8], settings=settings)  # warm-up: load the models
    print(f"{len(docs)} articles, {words:,} words; variants: {', '.join(variants)}")

    runs: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    scoring: dict[str, list[float]] = defaultdict(list)
    found: dict[str, int] = {}
    for i in range(args.repeats):
        for name, settings in variants.items():
            stages: dict[str, float] = defaultdict(float)
            elapsed, cpu_s, batch = run_claimscope(docs, stages, settings)
            runs[name].append(elapsed)
            cpu[name].append(cpu_s)
            scoring[name].append(stages.get("claimscope.scores.v1", 0.0))
            if name == "with":
                found = {
                    "sentences": sum(len(a.sentences) for a in batch.analyses),
                    "technique_spans": sum(len(a.techniques) for a in batch.analyses),
                }
            print(f"run {i + 1} {name:>8}: {elapsed:.2f}s (scoring stage {scoring[name][-1]:.2f}s)")

    median = {name: statistics.median(v) for name, v in runs.items()}
    slowdown = {
        f"with_vs_{name}": median["with"] / median[name] - 1 for name in variants if name != "with"
    }
    result = {
        **header(
            "techniques_cost",
            docs=len(docs),
            words=words,
            repeats=args.repeats,
            seed=args.seed,
            baseline_model=str(args.baseline_model) if args.baseline_model else None,
            claimscope_version=claimscope.__version__,
            threads=os.environ.get("OMP_NUM_THREADS"),
        ),
        "median_seconds": median,
        "median_scoring_stage_seconds": {k: statistics.median(v) for k, v in scoring.items()},
        "docs_per_s": {k: len(docs) / v for k, v in median.items()},
        "slowdown": slowdown,
        "target": "with techniques under 30% slower than without",
        "runs": {"seconds": runs, "cpu_seconds": cpu, "scoring_stage_seconds": scoring},
        "found": found,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print()
    for name, seconds in median.items():
        print(f"{name:>8}: median {seconds:.2f}s, {len(docs) / seconds:.1f} docs/s")
    for name, value in slowdown.items():
        print(f"{name}: {100 * value:+.1f}%  (target < +30%)")
    print(f"found: {found}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
