"""What the learned attribution tagger adds to the cost of a full analysis.

One process, the same generated articles (``benchmarks/lib/corpus.py``), default profile; the runs
alternate between:

- ``rules``: ``Settings(attribution="rules")``: the cue rules alone, as the default profile ran
  before the tagger (the issue's baseline);
- ``model``: ``Settings()``: the tagger merged with the rules; with the claim encoder at hand it
  reads the encoder's token states (the scores stage hands them over from the same pass).

Warm-up first (models loaded); medians of wall and CPU seconds (CPU seconds are the steadier
measure on a shared machine), and the slowdown of ``model`` against ``rules``. Results go to
``benchmarks/results/attribution_cost.json``.

    python benchmarks/attribution_cost.py --docs 100 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from analyze_throughput import _documents, run_claimscope
from common import header

import corpus

RESULTS = Path(__file__).resolve().parent / "results" / "attribution_cost.json"
STAGES = ("claimscope.scores.v1", "claimscope.attribution.v1")


def main(argv: list[str] | None = None) -> int:
    """Time the analysis with the rules' attributions and with the tagger's."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--docs", type=int, default=100, help="articles (default 100)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args(argv)

    import claimscope

    records = list(corpus.generate(args.docs, seed=args.seed))
    docs = _documents(records)
    words = sum(len(r["text"].split()) for r in records)
    variants = {"rules": claimscope.Settings(attribution="rules"), "model": claimscope.Settings()}
    for settings in variants.values():
        claimscope.analyze_many(docs[:8], settings=settings)  # warm-up: load the models
    print(f"{len(docs)} articles, {words:,} words")

    wall: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    stage_s: dict[str, dict[str, list[float]]] = {k: defaultdict(list) for k in variants}
    found: dict[str, int] = {}
    for i in range(args.repeats):
        for name, settings in variants.items():
            stages: dict[str, float] = defaultdict(float)
            elapsed, cpu_s, batch = run_claimscope(docs, stages, settings)
            wall[name].append(elapsed)
            cpu[name].append(cpu_s)
            for stage in STAGES:
                stage_s[name][stage].append(stages.get(stage, 0.0))
            found[name] = sum(len(a.attributions) for a in batch.analyses)
            print(f"run {i + 1} {name:>5}: {elapsed:.2f}s wall, {cpu_s:.2f}s CPU")

    median_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    median_wall = {k: statistics.median(v) for k, v in wall.items()}
    result = {
        **header(
            "attribution_cost",
            docs=len(docs),
            words=words,
            repeats=args.repeats,
            seed=args.seed,
            claimscope_version=claimscope.__version__,
        ),
        "median_cpu_seconds": median_cpu,
        "median_wall_seconds": median_wall,
        "slowdown_cpu": median_cpu["model"] / median_cpu["rules"] - 1,
        "slowdown_wall": median_wall["model"] / median_wall["rules"] - 1,
        "median_stage_seconds": {
            k: {s: statistics.median(v) for s, v in per.items()} for k, per in stage_s.items()
        },
        "target": "model at most 10% slower than rules (the issue's limit)",
        "runs": {"wall_seconds": wall, "cpu_seconds": cpu},
        "attributions_found": found,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"slowdown: CPU {100 * result['slowdown_cpu']:+.1f}%, "
          f"wall {100 * result['slowdown_wall']:+.1f}% (limit +10%)")  # fmt: skip
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
