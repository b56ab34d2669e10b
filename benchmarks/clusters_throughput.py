"""Throughput of claim clustering (``claimscope.clusters``) on generated claims.

Sentences of generated articles (``benchmarks/lib/corpus.py``), split by claimscope's sentence
splitter, are written straight into a fresh store as claims (one document per article, with its
outlet and date), so that only clustering is timed, not analysis. ``update_clusters`` then
clusters them all, cold (the embedding model loaded, the index built from nothing), and the
claims per second, how they joined, the peak memory and the index size are reported. Results go
to ``benchmarks/results/clusters_throughput.json``.

    python benchmarks/clusters_throughput.py --claims 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

import corpus

RESULTS = Path(__file__).resolve().parent / "results" / "clusters_throughput.json"


def claims(n: int, seed: int) -> list[dict[str, Any]]:
    """The first ``n`` sentences of generated articles, each with its article's id and metadata."""
    from claimscope.text.sentences import split_sentences

    out: list[dict[str, Any]] = []
    for i, record in enumerate(corpus.generate(n, seed=seed)):
        text = record["text"]
        for k, (s, e) in enumerate(split_sentences(text)):
            out.append(
                {
                    "doc_id": f"doc{i:06d}",
                    "id": k,
                    "start": s,
                    "end": e,
                    "text": text[s:e],
                    "outlet": record["outlet"],
                    "published": record["published"],
                    "article": text,
                }
            )
        if len(out) >= n:
            break
    return out[:n]


def fill_store(db: Path, rows: list[dict[str, Any]]) -> None:
    """A store holding ``rows`` as claims of their documents (only the columns clustering reads
    are meaningful)."""
    from claimscope.store import Store

    with Store.open(db) as store:
        insert_claims(store, rows, [0.5] * len(rows))


def insert_claims(store: Any, rows: list[dict[str, Any]], scores: list[float]) -> None:
    """Write ``rows`` (sentences, as ``claims`` makes them) as the claims of their documents,
    with ``scores``, into an open store."""
    docs = {r["doc_id"]: r for r in rows}
    con = store.connection
    con.execute(
        "INSERT INTO documents (id, source, text, published, outlet, ingested_at) "
        "SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
        "unnest(?::DATE[]), unnest(?::VARCHAR[]), now()::TIMESTAMP",
        [
            list(docs),
            [f"generated#{d}" for d in docs],
            [r["article"] for r in docs.values()],
            [r["published"] for r in docs.values()],
            [r["outlet"] for r in docs.values()],
        ],
    )
    con.execute(
        "INSERT INTO claims (doc_id, id, sentence, start_char, end_char, text, score, rank) "
        "SELECT unnest(?::VARCHAR[]), unnest(?::INTEGER[]), unnest(?::INTEGER[]), "
        "unnest(?::INTEGER[]), unnest(?::INTEGER[]), unnest(?::VARCHAR[]), "
        "unnest(?::DOUBLE[]), 1",
        [
            [r["doc_id"] for r in rows],
            [r["id"] for r in rows],
            [r["id"] for r in rows],
            [r["start"] for r in rows],
            [r["end"] for r in rows],
            [r["text"] for r in rows],
            scores,
        ],
    )


def main(argv: list[str] | None = None) -> int:
    """Time the clustering of generated claims."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--claims", type=int, default=10_000, help="claims (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args(argv)

    from claimscope.clusters import ClusterConfig, update_clusters
    from claimscope.clusters.claim_index import index_path
    from claimscope.models.embedder import load_embedder
    from claimscope.store import Store

    rows = claims(args.claims, args.seed)
    with tempfile.TemporaryDirectory(prefix="claimscope-clusters-") as tmp:
        db = Path(tmp) / "bench.duckdb"
        fill_store(db, rows)
        started = time.perf_counter()
        load_embedder()
        load_s = time.perf_counter() - started
        load_avg = os.getloadavg()[0]
        with Store.open(db) as store:
            wall, cpu = time.perf_counter(), time.process_time()
            stats = update_clusters(store)
            seconds = time.perf_counter() - wall
            cpu_s = time.process_time() - cpu
            sizes = list(
                store.query(
                    "SELECT size, count(*) FROM clusters GROUP BY size ORDER BY size DESC LIMIT 5"
                ).rows
            )
        index = index_path(db)
        index_bytes = index.stat().st_size if index is not None else 0

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "benchmark": "clusters_throughput",
        "date": dt.date.today().isoformat(),
        "claims": stats.claims,
        "documents": len({r["doc_id"] for r in rows}),
        "seconds": seconds,
        "cpu_seconds": cpu_s,
        "claims_per_s": stats.claims / seconds,
        "joined": stats.joined,
        "clusters": stats.clusters,
        "largest_clusters": [{"size": s, "clusters": n} for s, n in sizes],
        "chunk_size": ClusterConfig().chunk_size,
        "candidates": ClusterConfig().candidates,
        "model_load_seconds": load_s,
        "index_bytes": index_bytes,
        "peak_rss_mb": peak_mb,
        "load_average_before": load_avg,
        "machine": machine(),
    }
    print(
        f"{stats.claims} claims in {seconds:.1f} s: {result['claims_per_s']:.0f} claims/s "
        f"(cpu {cpu_s:.1f} s, load {load_avg:.2f}); joined {stats.joined}; "
        f"{stats.clusters} clusters; peak RSS {peak_mb:.0f} MB"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
