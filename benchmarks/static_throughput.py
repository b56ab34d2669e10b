"""Throughput of the fast claim model (``--profile fast``) on generated sentences.

Sentences come from generated articles (``benchmarks/lib/corpus.py``), split by claimscope's own
sentence splitter, as the pipeline would score them. The shipped static model is loaded once and
warmed up; ``ClaimScorer.score`` is then timed on all sentences at once, several times, and the
median is reported, with the tokenizer's share of the time. Results go to
``benchmarks/results/static_throughput.json``.

    python benchmarks/static_throughput.py --sentences 20000 --repeats 5
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

import corpus

RESULTS = Path(__file__).resolve().parent / "results" / "static_throughput.json"
TARGET = 20_000  # sentences per second on the 2-core machine


def sentences(n: int, seed: int) -> list[str]:
    """The first ``n`` sentences of generated articles, in order."""
    from claimscope.text.sentences import split_sentences

    out: list[str] = []
    for record in corpus.generate(n, seed=seed):  # far fewer articles than n are needed
        text = record["text"]
        out += [text[s:e] for s, e in split_sentences(text)]
        if len(out) >= n:
            break
    return out[:n]


def machine() -> dict[str, Any]:
    import numpy
    import tokenizers

    env = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "RAYON_NUM_THREADS", "TOKENIZERS_PARALLELISM")
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": numpy.__version__,
        "tokenizers": tokenizers.__version__,
        "env": {k: os.environ[k] for k in env if k in os.environ},
    }


def main(argv: list[str] | None = None) -> int:
    """Time the static claim model on generated sentences."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--sentences", type=int, default=20_000, help="sentences (default 20000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--model", default="claims-static", help="model folder (default shipped)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args(argv)

    from claimscope.models.scorer import ClaimScorer

    texts = sentences(args.sentences, args.seed)
    started = time.perf_counter()
    scorer = ClaimScorer(args.model).load()
    load_s = time.perf_counter() - started
    scorer.score(texts[:256])  # warm-up
    encodings = scorer.tokenizer_.encode_batch_fast(texts, add_special_tokens=False)
    tokens = sum(len(e.ids) for e in encodings)

    runs: list[float] = []
    cpu: list[float] = []
    tokenize: list[float] = []
    load_avg: list[float] = []
    for i in range(args.repeats):
        load_avg.append(os.getloadavg()[0])
        wall, proc = time.perf_counter(), time.process_time()
        scorer.score(texts)
        runs.append(time.perf_counter() - wall)
        cpu.append(time.process_time() - proc)
        wall = time.perf_counter()
        scorer.tokenizer_.encode_batch_fast(texts, add_special_tokens=False)
        tokenize.append(time.perf_counter() - wall)
        print(
            f"run {i + 1}: {runs[-1]:.3f}s (cpu {cpu[-1]:.3f}s; tokenizer alone "
            f"{tokenize[-1]:.3f}s), load before {load_avg[-1]:.2f}"
        )

    median = statistics.median(runs)
    result = {
        "benchmark": "static_throughput",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "model": scorer.name,
        "parameters": {
            "sentences": len(texts),
            "repeats": args.repeats,
            "seed": args.seed,
            "tokens": tokens,
            "characters": sum(map(len, texts)),
            "max_tokens": scorer.folder_.card.get("max_tokens"),
        },
        "load_seconds": load_s,
        "median": {
            "seconds": median,
            "sentences_per_s": len(texts) / median,
            "tokens_per_s": tokens / median,
            "tokenizer_seconds": statistics.median(tokenize),
        },
        "target_sentences_per_s": TARGET,
        "runs": {
            "seconds": runs,
            "cpu_seconds": cpu,
            "tokenizer_seconds": tokenize,
            "load_average_before": load_avg,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    m = result["median"]
    print(
        f"\n{len(texts):,} sentences ({tokens:,} tokens): median {median:.3f}s, "
        f"{m['sentences_per_s']:,.0f} sentences/s (target >= {TARGET:,}), "
        f"tokenizer {m['tokenizer_seconds']:.3f}s of it"
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
