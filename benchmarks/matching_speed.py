"""Fact-check matching speed: one claim against a large store of fact-checks, after loading.

Fact-checks are sentences of generated articles (``benchmarks/lib/corpus.py``), imported into a
fresh store with ``import_factchecks``; queries are sentences of other generated articles (half of
them a stored claim reworded by dropping words, so that candidates are found). Reported: import
and index build time, and the median and 95th percentile time of ``FactCheckMatcher.match`` per
query, BM25 alone and, with ``--model DIR``, re-ranked by a pair model.
Results go to ``benchmarks/results/matching_speed.json``.

    python benchmarks/matching_speed.py --checks 100000 --queries 300
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

import corpus

RESULTS = Path(__file__).resolve().parent / "results" / "matching_speed.json"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def sentences(seed: int, start: int = 0) -> Iterator[str]:
    """Sentences of 8 to 60 words from generated articles, in order."""
    index = start
    while True:
        for line in corpus.article(seed, index)["text"].splitlines():
            for s in _SENTENCE.split(line):
                if 8 <= len(s.split()) <= 60:
                    yield s
        index += 1


def timed(matcher: Any, queries: list[str]) -> dict[str, float]:
    """Median and p95 milliseconds per query (after one warm-up query)."""
    matcher.match(queries[0], 5)
    times = []
    for q in queries:
        started = time.perf_counter()
        matcher.match(q, 5)
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
    }


def main() -> None:
    from claimscope.model import FactCheck
    from claimscope.models.reranker import PairScorer
    from claimscope.store import Store
    from claimscope.store.factchecks import (
        fetch_factchecks,
        import_factchecks,
        open_factcheck_index,
    )
    from claimscope.verify.matching import FactCheckMatcher

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--model", type=Path, default=None, help="A pair-model folder.")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    rng = random.Random(0)
    claims: list[str] = []
    for text in sentences(seed=11):
        claims.append(text)
        if len(claims) >= args.checks:
            break
    queries: list[str] = []
    fresh = sentences(seed=12)
    for i in range(args.queries):
        if i % 2:
            queries.append(next(fresh))
        else:
            words = rng.choice(claims).split()
            queries.append(" ".join(w for w in words if rng.random() > 0.3))
    checks = (
        FactCheck(id=f"fc-{i}", claim=c, rating="False", verdict="false", source="bench")
        for i, c in enumerate(claims)
    )
    result: dict[str, Any] = {
        "benchmark": "matching_speed",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {"checks": len(claims), "queries": len(queries)},
    }
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "c.duckdb") as store:
        started = time.perf_counter()
        import_factchecks(store, checks)
        result["import_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        index = open_factcheck_index(store)
        result["index_build_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        index.close()
        index = open_factcheck_index(store)
        result["index_open_s"] = round(time.perf_counter() - started, 3)
        fetch = fetch_factchecks(store)
        result["bm25"] = timed(FactCheckMatcher(index, fetch), queries)
        if args.model:
            scorer = PairScorer(str(args.model)).load()
            result["bm25_rerank20"] = timed(
                FactCheckMatcher(index, fetch, reranker=scorer), queries
            )
        index.close()
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
