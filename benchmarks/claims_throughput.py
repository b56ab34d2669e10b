"""Claim-model throughput: sentences scored per second and model load time, per profile.

Sentences come from generated articles (``benchmarks/lib/corpus.py``), split by claimscope's own
sentence splitter; each profile's scorer is loaded fresh several times (load time, median) and
scores the same sentences several times (throughput, median). Results go to
``benchmarks/results/claims_throughput.json``.

    python benchmarks/claims_throughput.py --sentences 5000 --repeats 5 --threads 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

import corpus
from claimscope.models.folder import SHIPPED, model_path
from claimscope.models.scorer import ClaimScorer
from claimscope.text.sentences import split_sentences

RESULTS = Path(__file__).resolve().parent / "results" / "claims_throughput.json"


def sentences(n: int, seed: int) -> list[str]:
    """``n`` sentences from generated articles."""
    out: list[str] = []
    for record in corpus.generate(10_000, seed=seed):
        text = record["text"]
        out += [text[s:e] for s, e in split_sentences(text)]
        if len(out) >= n:
            return out[:n]
    return out


def measure(profile: str, texts: list[str], repeats: int, threads: int) -> dict[str, object]:
    """Median load time and scoring throughput of one profile's shipped model."""
    folder = model_path(SHIPPED[profile])
    loads, runs = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        scorer = ClaimScorer(str(folder), threads=threads).load()
        loads.append(time.perf_counter() - started)
    scorer.score(texts[:256])  # warm-up
    for _ in range(repeats):
        started = time.perf_counter()
        scorer.score(texts)
        runs.append(time.perf_counter() - started)
    median = statistics.median(runs)
    return {
        "model": scorer.name,
        "load_seconds_median": statistics.median(loads),
        "load_seconds": loads,
        "score_seconds": runs,
        "sentences_per_s_median": len(texts) / median,
        "folder_mb": sum(f.stat().st_size for f in folder.iterdir()) / 1e6,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profiles", default="default,fast")
    args = parser.parse_args(argv)
    texts = sentences(args.sentences, args.seed)
    result: dict[str, object] = {
        "benchmark": "claims_throughput",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpu_count": os.cpu_count(), "python": platform.python_version()},
        "parameters": {
            "sentences": len(texts),
            "mean_chars": sum(map(len, texts)) / len(texts),
            "repeats": args.repeats,
            "threads": args.threads,
            "seed": args.seed,
        },
        "profiles": {},
    }
    for profile in args.profiles.split(","):
        figures = measure(profile, texts, args.repeats, args.threads)
        result["profiles"][profile] = figures  # type: ignore[index]
        rate, load = figures["sentences_per_s_median"], figures["load_seconds_median"]
        print(f"{profile:8s} {figures['model']}: {rate:,.0f} sentences/s, load {load:.2f} s")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
