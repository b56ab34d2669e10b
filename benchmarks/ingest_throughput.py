"""Throughput of ``claimscope ingest``: generated articles into a fresh corpus store.

Articles come from ``benchmarks/lib/corpus.py`` (full length), written to one JSONL file. For each
(profile, workers) pair a fresh store is filled with ``ingest_paths`` and the wall time is taken
end to end: process start-up of the workers, model loading, reading, analysis and DuckDB writes,
as a user sees them. Results go to ``benchmarks/results/ingest_throughput.json``.

    python benchmarks/ingest_throughput.py --docs 500 --workers 1 2 --profiles rules default
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

import corpus

RESULTS = Path(__file__).resolve().parent / "results" / "ingest_throughput.json"


def run(source: Path, db: Path, profile: str, workers: int) -> dict[str, Any]:
    """One ingest of ``source`` into a fresh ``db``; its counts and timings."""
    from claimscope.corpus import Store, ingest_paths
    from claimscope.settings import Settings

    started = time.perf_counter()
    stats = ingest_paths([source], db=db, settings=Settings(profile=profile), workers=workers)
    seconds = time.perf_counter() - started
    with Store.open(db, read_only=True) as store:
        counts = store.counts()
    return {
        "profile": profile,
        "workers": workers,
        "seconds": round(seconds, 2),
        "docs_per_s": round(stats.stored / seconds, 2),
        "stored": stats.stored,
        "failed": stats.failed,
        "rows": {k: v for k, v in counts.items() if v},
        "db_bytes": db.stat().st_size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--profiles", nargs="+", default=["rules", "default"])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "articles.jsonl"
        words = 0
        with source.open("w", encoding="utf-8") as handle:
            for record in corpus.generate(args.docs, seed=args.seed):
                words += len(record["text"].split())
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        runs = []
        for profile in args.profiles:
            for workers in args.workers:
                db = Path(tmp) / f"{profile}-{workers}.duckdb"
                runs.append(run(source, db, profile, workers))
                print(json.dumps(runs[-1]), file=sys.stderr)
    result = {
        "benchmark": "ingest_throughput",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {"docs": args.docs, "seed": args.seed, "words": words},
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
