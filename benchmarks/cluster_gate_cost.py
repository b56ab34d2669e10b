"""What the same-claim gate of claim clusters costs an ingest (issue 30: within 20%).

The same records (a JSONL file: the first ``--docs`` of it) are ingested into a fresh store with
``ingest_paths``, clustering as an ingest does (``--workers`` processes, the default profile),
with the gate (``ClusterConfig()``) and without it (``ClusterConfig(same_claim_model=None)``),
the two alternated ``--runs`` times, each in turn first, so that the machine's load falls on both
alike; the median
wall time of each is reported, with the clusters each made. Results go to
``benchmarks/results/cluster_gate_cost.json``.

    python benchmarks/cluster_gate_cost.py polnear_train.jsonl --docs 120 --runs 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

RESULTS = Path(__file__).resolve().parent / "results" / "cluster_gate_cost.json"


def run(source: Path, db: Path, gate: bool, workers: int) -> dict[str, Any]:
    from claimscope.clusters import ClusterConfig
    from claimscope.corpus import ingest_paths
    from claimscope.settings import Settings

    config = ClusterConfig() if gate else ClusterConfig(same_claim_model=None)
    started = time.perf_counter()
    stats = ingest_paths(
        [source], db=db, settings=Settings(), workers=workers, cluster_config=config
    )
    seconds = time.perf_counter() - started
    clusters = stats.clusters
    return {
        "seconds": round(seconds, 2),
        "docs_per_s": round(stats.stored / seconds, 3),
        "stored": stats.stored,
        "claims": clusters.claims if clusters else None,
        "joined": clusters.joined if clusters else None,
        "clusters": clusters.clusters if clusters else None,
        "gate_compared": clusters.compared if clusters else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--docs", type=int, default=120)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "docs.jsonl"
        with args.source.open(encoding="utf-8") as lines:
            source.write_text("".join(itertools.islice(lines, args.docs)), encoding="utf-8")
        runs: dict[str, list[dict[str, Any]]] = {"without_gate": [], "with_gate": []}
        for i in range(args.runs):
            # Each in turn first (ABBA...), so that a drift of the load falls on both alike.
            order = ("without_gate", "with_gate") if i % 2 == 0 else ("with_gate", "without_gate")
            for name in order:
                db = Path(tmp) / f"{name}-{i}.duckdb"
                runs[name].append(run(source, db, name == "with_gate", args.workers))
                print(name, runs[name][-1], flush=True)
    median = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    result = {
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "source": args.source.name,
        "docs": args.docs,
        "workers": args.workers,
        "profile": "default",
        "median_seconds": median,
        "slowdown": round(median["with_gate"] / median["without_gate"] - 1, 3),
        "runs": runs,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("median_seconds", "slowdown")}))


if __name__ == "__main__":
    main()
