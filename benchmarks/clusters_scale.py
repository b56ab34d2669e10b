"""The cost of clustering one claim as a corpus grows: the ingest's serial stage, alone.

An ingest's main process clusters the new claims every 200 stored documents; its cost per claim
decides whether the ingest's cost stays linear in the corpus size. This benchmark replays that
without analysis: the sentences of generated articles (``benchmarks/lib/corpus.py``, split by
claimscope's sentence splitter) are written straight into a fresh store as claims, 200
documents at a time, each batch followed by a ``ClusterSession.update``, as an ingest does. Every
``--every`` documents it records the microseconds per claim of the clustering (the chunk as a
whole) and of its parts (index search and insert, neighbour lookups, text descriptions, joins,
store queries and writes; the parts overlap where one calls another), the claims the index holds,
and the peak memory. Results go to ``benchmarks/results/clusters_scale.json``.

    python benchmarks/clusters_scale.py --documents 24000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from clusters_throughput import insert_claims
from common import machine

import corpus

RESULTS = Path(__file__).resolve().parent / "results" / "clusters_scale.json"
# Documents stored between two clustering updates, as an ingest does (corpus.runner.CLUSTER_EVERY).
BATCH = 200


def _timed(times: dict[str, float]) -> None:
    """Wrap the clustering's parts so that each adds its wall time to ``times``."""
    import claimscope.clusters.claim_index as claim_index
    import claimscope.clusters.clusterer as clusterer
    import claimscope.clusters.session as session

    parts: list[tuple[Any, str, str]] = [
        (claim_index.ClaimIndex, "search", "search"),
        (claim_index.ClaimIndex, "add", "add"),
        (clusterer.Clusterer, "chunk", "chunk"),
        (clusterer.Clusterer, "_join", "join"),
        (clusterer.Clusterer, "_candidates", "neighbours"),
        (clusterer.Clusterer, "_known_hashes", "exact_lookup"),
        (clusterer.Clusterer, "_cluster_numbers", "founder_numbers"),
        (clusterer.Clusterer, "_write", "write"),
        (session, "_next_chunk", "next_claims"),
        (clusterer, "describe", "describe"),
    ]
    for owner, name, label in parts:
        setattr(owner, name, _wrap(getattr(owner, name), label, times))


def _wrap(function: Callable[..., Any], label: str, times: dict[str, float]) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            times[label] += time.perf_counter() - started

    return timed


def main(argv: list[str] | None = None) -> int:
    """Cluster generated claims batch by batch and trace the cost per claim."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--documents", type=int, default=24_000, help="articles (default 24000)")
    parser.add_argument("--every", type=int, default=2_000, help="documents between records")
    parser.add_argument("--window", type=int, default=None, help="index window (default 300000)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args(argv)

    from claimscope.clusters import ClusterConfig, ClusterSession
    from claimscope.clusters.config import WINDOW
    from claimscope.store import Store
    from claimscope.text.sentences import split_sentences

    window = WINDOW if args.window is None else args.window
    times: dict[str, float] = defaultdict(float)
    _timed(times)
    rng = random.Random(args.seed)
    trace: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="claimscope-clusters-scale-") as tmp,
        Store.open(Path(tmp) / "bench.duckdb") as store,
    ):
        session = ClusterSession(store, ClusterConfig(window=window))
        batch: list[dict[str, Any]] = []
        claims = since_claims = 0
        since = dict(times)
        started = time.perf_counter()
        for i, record in enumerate(corpus.generate(args.documents, seed=args.seed)):
            text = record["text"]
            for k, (start, end) in enumerate(split_sentences(text)):
                batch.append(
                    {"doc_id": f"doc{i:07d}", "id": k, "start": start, "end": end,
                     "text": text[start:end], "outlet": record["outlet"],
                     "published": record["published"], "article": text}
                )  # fmt: skip
            if (i + 1) % BATCH and i + 1 < args.documents:
                continue
            insert_claims(store, batch, [rng.random() for _ in batch])
            claims += len(batch)
            batch = []
            session.update()
            if (i + 1) % args.every and i + 1 < args.documents:
                continue
            count = claims - since_claims
            parts = {k: round((times[k] - since.get(k, 0.0)) / count * 1e6) for k in times}
            row = {
                "documents": i + 1,
                "claims": claims,
                "seconds": round(time.perf_counter() - started, 1),
                "us_per_claim": parts.pop("chunk"),
                "parts_us_per_claim": dict(sorted(parts.items())),
                "indexed_held": len(session._clusterer.index) if session._clusterer else 0,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            }
            print(json.dumps(row), flush=True)
            trace.append(row)
            since, since_claims = dict(times), claims
        stats = session.close()

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    result = {
        "benchmark": "clusters_scale",
        "date": dt.date.today().isoformat(),
        "commit": commit,
        "parameters": {"documents": args.documents, "window": window, "seed": args.seed},
        "joined": stats.joined,
        "clusters": stats.clusters,
        "trace": trace,
        "machine": machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
