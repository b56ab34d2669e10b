"""What the store's keys hold in DuckDB's memory as a corpus grows, under an ingest's limit.

DuckDB keeps a primary key's index (an ART) whole in its memory and counts it against the memory
limit. This benchmark opens a fresh store with DuckDB held to ``--memory`` (64MB, the ingest's
limit when the results were recorded; 256MB since), at the latest schema or an older one
(``--schema 7``: the documents, clusters and checked documents keyed), and inserts rows shaped
like an ingest's: per document one ``documents`` row (a 16-hex content hash, short text),
``--clusters`` new ``clusters`` rows (21 a document on the generated corpus) and one
``contradiction_checked`` row, ``--batch`` documents per transaction. Every ``--every``
documents it records DuckDB's memory by tag; it stops at ``--documents`` or at the first write
DuckDB refuses, and says which.

    python benchmarks/store_keys.py --documents 400000 --schema 7
    python benchmarks/store_keys.py --documents 400000
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
from unittest import mock

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

from claimscope.store import Store
from claimscope.store.migrations import MIGRATIONS

RESULTS = Path(__file__).resolve().parent / "results" / "store_keys.json"

_DOCUMENTS = """
    INSERT INTO documents (id, source, text, ingested_at)
    SELECT left(sha256(i::VARCHAR), 16), 'doc-' || i, 'text of document ' || i, now()
    FROM range(?, ?) AS r(i)
"""
_CLUSTERS = """
    INSERT INTO clusters (id, doc_id, claim, text, score, size, documents, updated_at)
    SELECT i, left(sha256((i // ?)::VARCHAR), 16), i % ?, 'claim ' || i, 0.5, 1, 1, now()
    FROM range(?, ?) AS r(i)
"""
_CHECKED = """
    INSERT INTO contradiction_checked (doc_id, keys, found, checked_at)
    SELECT left(sha256(i::VARCHAR), 16), 0, 0, now() FROM range(?, ?) AS r(i)
"""


def run(
    documents: int, clusters: int, batch: int, every: int, schema: int, memory: str
) -> dict[str, Any]:
    trace: list[dict[str, Any]] = []
    refused = None
    with (
        tempfile.TemporaryDirectory() as tmp,
        mock.patch("claimscope.store.connection.MIGRATIONS", MIGRATIONS[:schema]),
        Store.open(Path(tmp) / "s.duckdb", memory_limit=memory) as store,
    ):
        con = store.connection
        stored, started = 0, time.perf_counter()
        while stored < documents:
            end = stored + batch
            try:
                con.begin()
                con.execute(_DOCUMENTS, [stored, end])
                con.execute(_CLUSTERS, [clusters, clusters, stored * clusters, end * clusters])
                con.execute(_CHECKED, [stored, end])
                con.commit()
            except duckdb.Error as exc:
                refused = {"documents": stored, "error": str(exc).splitlines()[0]}
                print(json.dumps(refused), flush=True)
                break
            stored = end
            if stored % every == 0 or stored >= documents:
                duck = con.execute(
                    "SELECT tag, round(memory_usage_bytes / 1e6, 1) FROM duckdb_memory() "
                    "WHERE memory_usage_bytes > 0 ORDER BY 2 DESC"
                ).fetchall()
                point = {
                    "documents": stored,
                    "s": round(time.perf_counter() - started, 1),
                    "duckdb_mb": dict(duck),
                }
                trace.append(point)
                print(json.dumps(point), flush=True)
    return {"trace": trace, "refused": refused}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=400_000)
    parser.add_argument("--clusters", type=int, default=21, help="new clusters per document")
    parser.add_argument("--batch", type=int, default=1_000, help="documents per transaction")
    parser.add_argument("--every", type=int, default=20_000, help="documents between records")
    parser.add_argument(
        "--schema", type=int, default=len(MIGRATIONS), help="open the store at this version"
    )
    parser.add_argument("--memory", default="64MB", help="DuckDB's memory limit")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args(argv)
    if not 7 <= args.schema <= len(MIGRATIONS):
        parser.error(f"--schema must be 7 to {len(MIGRATIONS)}")
    result = {
        "benchmark": "store_keys",
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "limit": args.memory,
        "parameters": vars(args) | {"out": str(args.out)},
        **run(args.documents, args.clusters, args.batch, args.every, args.schema, args.memory),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
