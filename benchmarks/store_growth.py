"""The store's writes as it grows: the ingest's main loop, alone, with no analysis or clustering.

An ingest's main process stores each chunk its workers send in one transaction
(``Store.write``). This benchmark analyzes one batch of generated articles once
(``benchmarks/lib/corpus.py``, ``--profile fast``), then writes that batch again and again under new
document ids into a fresh store file, until it holds ``--documents`` documents. Every ``--every``
documents it records the milliseconds per write, the process's resident memory, and DuckDB's own
memory by tag (``duckdb_memory()``). A write that costs more as the store grows, or memory that
grows past DuckDB's limit, would show here. Results go to ``benchmarks/results/store_growth.json``.

    python benchmarks/store_growth.py --documents 96000
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
from claimscope.corpus.runner import analyze_chunk
from claimscope.model import Document
from claimscope.settings import Settings
from claimscope.store import Store
from claimscope.store.rows import DocumentRows
from claimscope.store.schema import COLUMNS

RESULTS = Path(__file__).resolve().parent / "results" / "store_growth.json"
PAGE = 4096


def _batch(size: int, seed: int) -> list[DocumentRows]:
    """``size`` generated articles, analyzed once, as store rows."""
    settings = Settings(profile="fast", threads=1)
    documents = [
        Document(
            text=a["text"], source=f"gen-{i}", url=a["url"], title=a["title"],
            published=a["published"], outlet=a["outlet"],
        )
        for i, a in enumerate(corpus.generate(size, seed=seed))
    ]  # fmt: skip
    return analyze_chunk(documents, settings)["documents"]


def _renamed(rows: DocumentRows, n: int) -> DocumentRows:
    """``rows`` as document number ``n``: a new id and source in every table."""
    doc_id, source = f"{rows['id'][:40]}{n:024d}", f"gen-{n}"
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for table, values in rows["tables"].items():
        at = COLUMNS[table].index("id" if table == "documents" else "doc_id")
        tables[table] = [(*row[:at], doc_id, *row[at + 1 :]) for row in values]
    at = COLUMNS["documents"].index("source")
    tables["documents"] = [(*row[:at], source, *row[at + 1 :]) for row in tables["documents"]]
    return {**rows, "id": doc_id, "source": source, "tables": tables}


def _rss_mb() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE >> 20


def run(documents: int, batch: int, every: int, seed: int) -> list[dict[str, Any]]:
    rows = _batch(batch, seed)
    trace: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "s.duckdb") as store:
        stored, spent, writes = 0, 0.0, 0
        while stored < documents:
            chunk = [_renamed(r, stored + i) for i, r in enumerate(rows)]
            started = time.perf_counter()
            store.write(chunk)
            spent += time.perf_counter() - started
            writes += 1
            stored += len(chunk)
            if stored % every < len(chunk) or stored >= documents:
                duck = store.connection.execute(
                    "SELECT tag, memory_usage_bytes >> 20 FROM duckdb_memory() "
                    "WHERE memory_usage_bytes >= 1 << 20 ORDER BY 2 DESC"
                ).fetchall()
                point = {
                    "documents": stored,
                    "ms_per_write": round(1000 * spent / writes, 1),
                    "rss_mb": _rss_mb(),
                    "duckdb_mb": dict(duck),
                }
                trace.append(point)
                print(json.dumps(point), flush=True)
                spent, writes = 0.0, 0
    return trace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=96_000)
    parser.add_argument("--batch", type=int, default=64, help="documents per write")
    parser.add_argument("--every", type=int, default=6_400, help="documents between records")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args(argv)
    trace = run(args.documents, args.batch, args.every, args.seed)
    result = {
        "benchmark": "store_growth",
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "parameters": vars(args) | {"out": str(args.out)},
        "trace": trace,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
