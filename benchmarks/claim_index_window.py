"""The claim index with and without a window: search and insert cost, and memory, as it grows.

Embeds the sentences of generated articles (``benchmarks/lib/corpus.py``, the corpus profile's
static embedder), then adds them to a usearch index as the clusterer does (float16, cosine,
``EXPANSION_ADD``, one thread): batches of 2,048, each searched for its 16 nearest before it is
added. With ``--window W`` the oldest vectors beyond the W newest are removed after each batch,
as ``ClaimIndex.add`` does. Every 50 batches it prints the mean time of a search and of an
insert, the index's own memory and the process's resident memory.

    python benchmarks/claim_index_window.py --vectors 720000 --window 204800
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

import corpus
from claimscope.clusters.claim_index import DTYPE, EXPANSION_ADD
from claimscope.clusters.config import CANDIDATES
from claimscope.models.embedder import load_embedder

RESULTS = Path(__file__).resolve().parent / "results" / "claim_index_window.json"
BATCH = 2048
REPORT_EVERY = 50


def sentence_vectors(count: int, seed: int = 0) -> np.ndarray:
    """Unit vectors of the first ``count`` sentences (over 30 characters) of generated articles."""
    embedder = load_embedder()
    texts: list[str] = []
    for record in corpus.generate(10**7, seed=seed):
        texts += [s for s in re.split(r"(?<=[.!?])\s+", record["text"]) if len(s) > 30]
        if len(texts) >= count:
            break
    vectors = embedder.embed(texts[:count]).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 1e6


def grow(vectors: np.ndarray, window: int) -> list[dict[str, float]]:
    from usearch.index import Index

    index = Index(ndim=vectors.shape[1], metric="cos", dtype=DTYPE, expansion_add=EXPANSION_ADD)
    rows, searched, added, first = [], 0.0, 0.0, 1
    for step, start in enumerate(range(0, len(vectors) - BATCH + 1, BATCH), 1):
        batch = vectors[start : start + BATCH]
        keys = np.arange(start + 1, start + BATCH + 1, dtype=np.uint64)
        t = time.perf_counter()
        index.search(batch, CANDIDATES, threads=1)
        searched += time.perf_counter() - t
        t = time.perf_counter()
        index.add(keys, batch, threads=1)
        added += time.perf_counter() - t
        if window and int(keys[-1]) - window + 1 > first:
            index.remove(np.arange(first, int(keys[-1]) - window + 1, dtype=np.uint64))
            first = int(keys[-1]) - window + 1
        if step % REPORT_EVERY == 0:
            n = REPORT_EVERY * BATCH
            row = {
                "added": int(keys[-1]),
                "held": len(index),
                "search_us": round(searched / n * 1e6, 1),
                "insert_us": round(added / n * 1e6, 1),
                "index_mb": round(index.memory_usage / 1e6),
                "rss_mb": round(rss_mb()),
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
            searched = added = 0.0
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=720_000)
    parser.add_argument("--window", type=int, default=0, help="0: no window")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    rows = grow(sentence_vectors(args.vectors), args.window)
    result = {"vectors": args.vectors, "window": args.window, "rows": rows}
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
