"""Fact-check matching speed: one claim against a large store of fact-checks, after loading.

The store holds ``--checks`` fact-checks. With the CheckThat! 2022 2A data (``--checkthat``,
default ``../shared/data/factcheck_matching/clef2022_task2a`` when present) they are its 14,231
verified claims, and queries are its dev-test tweets; the rest of the store is synthesised
deterministically: sentences of generated articles (``benchmarks/lib/corpus.py``). Without that
data, every fact-check is a generated sentence and queries are sentences of other generated
articles (half of them a stored claim reworded by dropping words, so that candidates are found).

Reported: import and index build time, the time to compute and keep the collection's claim
vectors (once; a second sync must find nothing to do), and the median and 95th percentile time
of ``FactCheckMatcher.match`` per query, for BM25 alone and for BM25 fused with the shipped
pair model (``match-minilm``, or ``--model DIR``). With the CheckThat! queries, the rankings are
scored too (MAP@5 of the dev-test queries among all the distractors).
Results go to ``benchmarks/results/matching_speed.json``.

    python benchmarks/matching_speed.py --checks 100000
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
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


def timed(matcher: Any, queries: list[str]) -> tuple[dict[str, Any], list[list[str]]]:
    """Median and p95 milliseconds per query (after a warm-up query that is not one of them),
    and each query's top 10 ids."""
    matcher.match("A warm-up query about the ferry fares, not one of the measured ones.", 5)
    times, rankings = [], []
    for q in queries:
        started = time.perf_counter()
        found = matcher.match(q, 10)
        times.append(1000 * (time.perf_counter() - started))
        rankings.append([m.check.id for m in found])
    times.sort()
    timing = {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
    }
    return timing, rankings


def checkthat_data(root: Path) -> tuple[list[Any], dict[str, str], dict[str, set[str]]]:
    """The verified claims, the dev-test queries and their qrels."""
    from claimscope.evaluation.checkthat import read_qrels, read_queries
    from claimscope.model import FactCheck
    from claimscope.verify.factchecks import read_factchecks

    test = root / "original_twitter_data" / "test_data"
    checks = [c for c in read_factchecks([root / "vclaims"]) if isinstance(c, FactCheck)]
    queries = read_queries(test / "CT2022-Task2A-EN-Dev-Test_Queries.tsv")
    qrels = read_qrels(test / "CT2022-Task2A-EN-Dev-Test_QRELs.tsv")
    return checks, {q: queries[q] for q in qrels if q in queries}, qrels


def main() -> None:
    from claimscope.evaluation.checkthat import ranking_scores
    from claimscope.model import FactCheck
    from claimscope.models.reranker import MATCH_MODEL, installed, load_pair_scorer
    from claimscope.store import Store
    from claimscope.store.factchecks import (
        count_factchecks,
        fetch_factchecks,
        import_factchecks,
        open_factcheck_index,
    )
    from claimscope.verify.claim_vectors import ClaimVectors
    from claimscope.verify.matching import FactCheckMatcher

    default_data = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300, help="Without CheckThat! data.")
    parser.add_argument(
        "--checkthat",
        type=Path,
        default=default_data / "factcheck_matching" / "clef2022_task2a",
        help="CheckThat! 2022 2A folder (vclaims/, original_twitter_data/); skipped if absent.",
    )
    parser.add_argument("--model", default=MATCH_MODEL, help="A pair-model folder.")
    parser.add_argument("--threads", type=int, default=0, help="onnxruntime threads (0: auto).")
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="Keep the store, its index and claim vectors here, and reuse them on the next run "
        "(default: a temporary folder).",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    rng = random.Random(0)
    real: list[Any] = []
    qrels: dict[str, set[str]] = {}
    queries: dict[str, str] = {}
    if (args.checkthat / "vclaims").is_dir():
        real, queries, qrels = checkthat_data(args.checkthat)
        real = real[: args.checks]
    claims: list[str] = []
    for text in sentences(seed=11):
        if len(real) + len(claims) >= args.checks:
            break
        claims.append(text)
    if not queries:
        fresh = sentences(seed=12)
        for i in range(args.queries):
            if i % 2:
                queries[f"q{i}"] = next(fresh)
            else:
                words = rng.choice(claims).split()
                queries[f"q{i}"] = " ".join(w for w in words if rng.random() > 0.3)
    synthetic = (
        FactCheck(id=f"fc-{i}", claim=c, rating="False", verdict="false", source="bench")
        for i, c in enumerate(claims)
    )
    result: dict[str, Any] = {
        "benchmark": "matching_speed",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {
            "checks": len(real) + len(claims),
            "checkthat_claims": len(real),
            "synthetic_claims": len(claims),
            "queries": len(queries),
            "queries_from": "CheckThat! 2022 2A dev-test tweets" if qrels else "generated",
        },
    }
    texts = list(queries.values())
    with contextlib.ExitStack() as stack:
        folder = args.work or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        folder.mkdir(parents=True, exist_ok=True)
        store = stack.enter_context(Store.open(folder / "c.duckdb"))
        if count_factchecks(store) == result["parameters"]["checks"]:
            result["import_s"] = "reused"  # --work from an earlier run: its index and vectors too
        else:
            started = time.perf_counter()
            import_factchecks(store, itertools.chain(real, synthetic))
            result["import_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        index = open_factcheck_index(store)
        result["index_build_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        index.close()
        index = open_factcheck_index(store)
        result["index_open_s"] = round(time.perf_counter() - started, 3)
        fetch = fetch_factchecks(store)
        runs = {"bm25": FactCheckMatcher(index, fetch)}
        if installed(args.model):
            scorer = load_pair_scorer(args.model, args.threads)
            result["model"] = scorer.name
            vectors = ClaimVectors(index, scorer)  # type: ignore[arg-type]
            started = time.perf_counter()
            embedded = vectors.sync()
            result["claim_vectors"] = {
                "embedded": embedded,
                "seconds": round(time.perf_counter() - started, 1),
                "again": vectors.sync(),  # kept: nothing to embed a second time
                "index_file_mb": round(Path(index.path).stat().st_size / 2**20, 1),
            }
            runs["bm25_biencoder"] = FactCheckMatcher(
                index, fetch, reranker=scorer, vectors=vectors
            )
        for name, matcher in runs.items():
            timing, rankings = timed(matcher, texts)
            result[name] = timing
            if qrels:
                ids = {q: rankings[i] for i, q in enumerate(queries)}
                scores = ranking_scores(ids, qrels)
                result[name]["dev_test"] = {k: round(v, 4) for k, v in scores.items()}
        index.close()
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
