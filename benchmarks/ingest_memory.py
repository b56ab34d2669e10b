"""What an ingest's main process holds, chunk by chunk: its resident memory (anonymous and
file-backed), DuckDB's buffer by tag (``duckdb_memory()``), the claim index, Python's live
blocks and glibc's heap (bytes in use and free).

Runs ``ingest_paths`` in this process with two workers and, after each chunk of claims
clustered, records one row. A small ``--window`` fills the index early, so that what grows
after is the rest: DuckDB's buffer, the neighbour cache, Python's heap.

    python benchmarks/ingest_memory.py CORPUS.jsonl --docs 10000 --window 30000
    CLAIMSCOPE_DB_MEMORY=64MB python benchmarks/ingest_memory.py ...   # another DuckDB limit

Results go to ``benchmarks/results/ingest_memory.json`` (``--out`` for another file).
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import functools
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

from claimscope.clusters import clusterer
from claimscope.clusters.config import WINDOW, ClusterConfig
from claimscope.corpus import ingest_paths
from claimscope.settings import Settings
from claimscope.store.connection import MEMORY_ENV, WRITE_MEMORY_LIMIT

RESULTS = Path(__file__).resolve().parent / "results" / "ingest_memory.json"


def process_memory() -> dict[str, int]:
    """This process's resident memory in MB: all of it, anonymous, file-backed."""
    found = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                found[key] = int(value.split()[0]) // 1024
    return found


# struct mallinfo2 (glibc 2.33): ten size_t fields, in this order.
_MALLINFO2 = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in _MALLINFO2.split()]


@functools.cache
def _libc() -> ctypes.CDLL:
    """The C library, loaded once (``find_library`` runs a subprocess)."""
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


def heap_memory() -> dict[str, float]:
    """glibc's heap in MB (every arena): in use, free but kept, and mmapped blocks; empty where
    the C library has no ``mallinfo2`` (glibc before 2.33, musl)."""
    mallinfo2 = getattr(_libc(), "mallinfo2", None)
    if mallinfo2 is None:
        return {}
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    mb = 2.0**20
    return {
        "heap_used_mb": round(info.uordblks / mb, 1),
        "heap_free_mb": round(info.fordblks / mb, 1),
        "heap_mmap_mb": round(info.hblkhd / mb, 1),
    }


def grown(snapshots: list[Any], documents: int) -> None:
    """Take a tracemalloc snapshot; print what grew since the first one, by call stack."""
    import tracemalloc

    snapshots.append(tracemalloc.take_snapshot())
    if len(snapshots) < 2:
        return
    print(f"--- grown since the first snapshot, at {documents} documents", file=sys.stderr)
    for stat in snapshots[-1].compare_to(snapshots[0], "traceback")[:8]:
        print(f"{stat.size_diff / 2**20:+.1f} MB, {stat.count_diff:+d} blocks", file=sys.stderr)
        for line in stat.traceback.format(limit=8):
            print("   ", line, file=sys.stderr)


def malloc_trim() -> None:
    """glibc's ``malloc_trim(0)``: free pages of every arena back to the system."""
    _libc().malloc_trim(0)


def traced(rows: list[dict[str, Any]], started: float, saved: Any, trim: bool, every: int) -> None:
    """Record a row after each chunk the clusterer stores, and save the rows so far."""
    chunk = clusterer.Clusterer.chunk
    snapshots: list[Any] = []

    def chunk_and_record(self: Any, claims: Any, stats: Any) -> None:
        chunk(self, claims, stats)
        con = self.store.connection
        tags = con.execute(
            "SELECT tag, memory_usage_bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0"
        ).fetchall()
        (documents,) = con.execute("SELECT count(*) FROM documents").fetchone()
        rows.append(
            {
                "s": round(time.monotonic() - started, 1),
                "documents": documents,
                "claims": stats.claims,
                **process_memory(),
                **heap_memory(),
                "python_blocks": sys.getallocatedblocks(),
                "duckdb_mb": {tag: round(size / 2**20, 1) for tag, size in tags},
                "index_mb": round(self.index.index.memory_usage / 2**20, 1),
                "indexed": len(self.index),
            }
        )
        if every and documents >= every * (len(snapshots) + 1):
            grown(snapshots, documents)
        if trim:
            malloc_trim()
            rows[-1]["RssAnon_trimmed"] = process_memory()["RssAnon"]
        saved(rows, None)

    clusterer.Clusterer.chunk = chunk_and_record  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="a JSONL corpus (benchmarks/lib/corpus.py)")
    parser.add_argument("--docs", type=int, default=10_000, help="its first N documents")
    parser.add_argument("--window", type=int, default=WINDOW)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engine", choices=("local", "dask"), default="local")
    parser.add_argument(
        "--tracemalloc",
        type=int,
        default=0,
        metavar="DOCS",
        help="trace Python allocations: what grew from DOCS documents to each DOCS more",
    )
    parser.add_argument(
        "--trim", action="store_true", help="give the C heap's free pages back after each row"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args()

    rows: list[dict[str, Any]] = []
    started = time.monotonic()

    def save(rows: list[dict[str, Any]], stored: int | None) -> None:
        """Write the result: partial (``complete`` false) until the ingest returns ``stored``."""
        seconds = time.monotonic() - started
        done = stored if stored is not None else (rows[-1]["documents"] if rows else 0)
        result = {
            "benchmark": "ingest_memory",
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": machine(),
            "parameters": {
                "docs": args.docs,
                "window": args.window,
                "workers": args.workers,
                "engine": args.engine,
                "trim": args.trim,
                "duckdb_memory_limit": os.environ.get(MEMORY_ENV) or WRITE_MEMORY_LIMIT,
            },
            "complete": stored is not None,
            "stored": done,
            "seconds": round(seconds, 1),
            "docs_per_s": round(done / seconds, 2),
            "rows": rows,
        }
        args.out.write_text(json.dumps(result, indent=1) + "\n")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(12)
    traced(rows, started, save, args.trim, args.tracemalloc)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "corpus.jsonl"
        with args.corpus.open() as src, source.open("w") as dst:
            dst.writelines(itertools.islice(src, args.docs))
        stats = ingest_paths(
            [source],
            db=Path(tmp) / "store.duckdb",
            settings=Settings(profile="fast"),
            workers=args.workers,
            engine=args.engine,
            count=False,
            cluster_config=ClusterConfig(window=args.window),
        )
    save(rows, stats.stored)
    seconds = time.monotonic() - started
    last = rows[-1] if rows else {}
    print(
        f"{stats.stored} documents in {seconds:.0f} s; last row: RssAnon {last.get('RssAnon')} MB, "
        f"DuckDB {last.get('duckdb_mb')}",
        file=sys.stderr,
    )


if __name__ == "__main__":  # the workers are spawned: they import this module
    main()
