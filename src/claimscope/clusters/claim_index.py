"""The vector index of clustered claims: a usearch file next to the store, derived from it.

Each claim that starts a cluster or joins one by meaning gets a ``vector_key`` in
``cluster_members``; the index holds its embedding under that key (claims joined as exact or
near duplicates add nothing a search could not already find). Keys grow in clustering order,
and the index holds the ``window`` newest of them (0: all): its memory, and the cost of a
search or an insert, then stop growing with the corpus. The index is derived data
(``<db>.claims.usearch``, with ``<db>.claims.usearch.json`` describing it): when it is missing,
or does not match the store's members (another model, a run killed before it was saved, another
database), it is rebuilt from the claim texts in the store, in chunks.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from claimscope.errors import StoreError
from claimscope.models.embedder import Embedder
from claimscope.store import Store

log = logging.getLogger(__name__)

# Vectors are stored as bfloat16: half the memory of float32, a cosine within ~5e-4 of it, and
# distances computed natively where the CPU has AVX-512 BF16 (this project's 2-core machine, an
# AMD EPYC: searches 30% and inserts 20% faster than float16, which it converts; same recall).
DTYPE = "bf16"
# One thread to build the graph: with several, its shape (and so an approximate search's
# answers) would change from run to run, and so would the clusters.
_THREADS = 1
# HNSW build effort: half usearch's default. Measured on 60k clustered 256-d vectors: inserts
# 40% faster, recall@16 against exact search 0.990 (0.993 at the default, 0.970 at 32).
EXPANSION_ADD = 64
# Claims embedded at a time when the index is rebuilt.
_REBUILD_CHUNK = 8192


@dataclass(frozen=True, slots=True)
class IndexState:
    """What an index file holds, as its description and the store must agree on."""

    model: str
    dim: int
    # How vectors are stored (an index written as another type is rebuilt).
    dtype: str
    # The newest keys the index holds at most (0: all of them).
    window: int
    count: int
    max_key: int
    # The sum of the indexed members' text hashes: another database with as many members is
    # told apart by it.
    checksum: int


def as_stored(vectors: np.ndarray) -> np.ndarray:
    """float32 ``vectors`` rounded as the index stores them (bfloat16, to nearest even, as
    usearch rounds), so that vectors compared outside the index compare as inside it."""
    bits = np.ascontiguousarray(vectors, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return rounded.astype(np.uint32).view(np.float32)


def index_path(db: str | Path) -> Path | None:
    """Where the index of the store at ``db`` lives (None for an in-memory store)."""
    if str(db) == ":memory:":
        return None
    path = Path(db)
    return path.with_name(path.name + ".claims.usearch")


def store_state(store: Store, embedder: Embedder, window: int = 0) -> IndexState:
    """The index the store's members call for: the ``window`` newest keys (0: all)."""
    row = store.connection.execute(
        "SELECT count(*), coalesce(max(vector_key), 0), coalesce(sum(text_hash::HUGEINT), 0) "
        "FROM cluster_members WHERE vector_key > ?",
        [_first_held(store, window) - 1],
    ).fetchone()
    count, max_key, checksum = row if row else (0, 0, 0)
    return IndexState(
        embedder.name, embedder.dim, DTYPE, window, int(count), int(max_key), int(checksum)
    )


def _first_held(store: Store, window: int) -> int:
    """The oldest key an index of ``window`` keys holds (1 when it holds them all)."""
    if not window:
        return 1
    row = store.connection.execute(
        "SELECT coalesce(max(vector_key), 0) FROM cluster_members"
    ).fetchone()
    return _first_key(int(row[0]) if row else 0, window)


def _first_key(max_key: int, window: int) -> int:
    """The oldest key a window of ``window`` keys ending at ``max_key`` holds (0: all)."""
    return max(1, max_key - window + 1) if window else 1


class ClaimIndex:
    """Nearest clustered claims by cosine similarity; ``open`` loads or rebuilds it."""

    def __init__(self, path: Path | None, state: IndexState) -> None:
        from usearch.index import Index

        self.path = path
        self.state = state
        self.index = Index(ndim=state.dim, metric="cos", dtype=DTYPE, expansion_add=EXPANSION_ADD)
        # Whether vectors had to be embedded again (the file was missing or stale).
        self.rebuilt = False
        # The oldest key that may still be held (those below it were let go).
        self.first = _first_key(state.max_key, state.window)

    @classmethod
    def open(cls, store: Store, embedder: Embedder, window: int = 0) -> ClaimIndex:
        """The index of ``store`` (its ``window`` newest keys; 0: all): read from its file when
        that matches the store's members, rebuilt from the store otherwise."""
        wanted = store_state(store, embedder, window)
        path = index_path(store.path)
        found = cls._read_state(path)
        if path is not None and found == wanted and path.is_file():
            index = cls(path, wanted)
            try:
                index.index.load(str(path))
            except Exception as exc:  # usearch raises plain RuntimeErrors
                log.warning("%s: cannot be read (%s); rebuilding it", path, exc)
            else:
                if len(index.index) == wanted.count:
                    return index
        if wanted.count:
            log.info("%s: rebuilding the claim index (%d vectors)", store.path, wanted.count)
        index = cls(path, IndexState(wanted.model, wanted.dim, DTYPE, window, 0, 0, 0))
        index.first = _first_held(store, window)
        index._rebuild(store, embedder)
        index.rebuilt = wanted.count > 0
        index.save(wanted)
        return index

    @staticmethod
    def _read_state(path: Path | None) -> IndexState | None:
        if path is None:
            return None
        meta = path.with_name(path.name + ".json")
        try:
            return IndexState(**json.loads(meta.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def _rebuild(self, store: Store, embedder: Embedder) -> None:
        """Embed the held members' claim texts again, in key order, a chunk at a time."""
        last = self.first - 1
        while True:
            rows = store.connection.execute(
                "SELECT m.vector_key, c.text FROM cluster_members m "
                "JOIN claims c ON c.doc_id = m.doc_id AND c.id = m.claim "
                "WHERE m.vector_key > ? ORDER BY m.vector_key LIMIT ?",
                [last, _REBUILD_CHUNK],
            ).fetchall()
            if not rows:
                return
            keys = np.array([r[0] for r in rows], dtype=np.uint64)
            self.add(keys, embedder.embed([r[1] for r in rows]))
            last = int(rows[-1][0])

    def __len__(self) -> int:
        return len(self.index)

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under their keys (unique, never reused, growing); then let the oldest
        go, beyond the window."""
        if not len(keys):
            return
        with _interruptible():
            self.index.add(keys.astype(np.uint64), vectors, log=False, threads=_THREADS)
        first = _first_key(int(keys.max()), self.state.window)
        if first > self.first:
            # usearch marks them removed, and reuses their slots for the next vectors.
            old = np.arange(self.first, first, dtype=np.uint64)
            with _interruptible():
                self.index.remove(old, threads=_THREADS)
            self.first = first

    def search(self, vectors: np.ndarray, count: int) -> list[list[tuple[int, float]]]:
        """The ``count`` nearest indexed claims of each vector: ``(key, cosine)``, nearest first."""
        if not len(self.index) or not len(vectors):
            return [[] for _ in range(len(vectors))]
        with _interruptible():
            matches: Any = self.index.search(vectors, count, log=False, threads=_THREADS)
        keys, distances = np.atleast_2d(matches.keys), np.atleast_2d(matches.distances)
        # One query vector: usearch answers it unbatched, with no counts.
        counts = matches.counts.tolist() if hasattr(matches, "counts") else [keys.shape[1]]
        # Whole arrays to Python at once: converting each match apart was a twentieth of the
        # clustering's time. The cosines are the float64 of 1 - each float32 distance; past a
        # query's count, usearch leaves NaN, which is cut off below.
        with np.errstate(invalid="ignore"):
            sims = (1.0 - distances.astype(np.float64)).tolist()
        return [
            list(zip(k[:n], s[:n], strict=True))
            for k, s, n in zip(keys.tolist(), sims, counts, strict=True)
        ]

    def save(self, state: IndexState) -> None:
        """Write the index and ``state``, its description: the store's members it holds (the
        description last, so that an index is never read with the description of another)."""
        self.state = state
        if self.path is None:
            return
        meta = self.path.with_name(self.path.name + ".json")
        try:
            meta.unlink(missing_ok=True)
            partial = self.path.with_name(self.path.name + ".partial")
            self.index.save(str(partial))
            os.replace(partial, self.path)
            meta.write_text(json.dumps(asdict(self.state)) + "\n", encoding="utf-8")
        except OSError as exc:
            raise StoreError(
                f"cannot write the claim index: {exc.strerror}", source=str(self.path)
            ) from None


@contextmanager
def _interruptible() -> Iterator[None]:
    """Ctrl-C during a usearch call as a KeyboardInterrupt: usearch catches SIGINT itself and
    raises RuntimeError("Operation has been terminated"), which an ingest took for a crash."""
    try:
        yield
    except RuntimeError as exc:
        if "terminated" in str(exc):
            raise KeyboardInterrupt from None
        raise
