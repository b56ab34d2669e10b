"""The evidence index: passages of a user's documents, searchable by words and by meaning.

An index is a folder:

- ``passages.sqlite``: the documents (exact text and metadata, keyed by content hash), their
  passages as offsets (``doc.text[start:end]`` is the passage), and the BM25 full-text index of
  the passages (``TextIndex``, SQLite FTS5, keyed by passage id);
- ``vectors.usearch``: the passages' embeddings (``embed-static``), keyed by passage id, when the
  index was built with vectors;
- ``manifest.json``: format, version, counts and how documents were cut, written last.

Indexing is incremental: a document whose content hash is indexed already is skipped. Documents
and passages are committed a chunk at a time; the vectors are saved at the end of a run, and a
run that stopped before that embeds the passages they lack on the next run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from claimscope.errors import StoreError
from claimscope.ingest.inputs import check_paths, iter_inputs
from claimscope.model import Document, Failure
from claimscope.model.verification import Passage
from claimscope.models.embedder import EMBEDDER, Embedder, load_embedder
from claimscope.settings import Settings
from claimscope.verify.matching import fuse
from claimscope.verify.passages import Windows, passage_spans
from claimscope.verify.textindex import Closing, TextIndex

log = logging.getLogger(__name__)

FORMAT = "claimscope.evidence"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "passages.sqlite"
VECTORS = "vectors.usearch"
# Documents per transaction: a run that stops loses at most one chunk of work.
CHUNK = 512
# Candidates each retriever gives before fusion: enough that a passage ranked low by one and
# high by the other still reaches the top k.
CANDIDATES = 30
# Weight of BM25 against embedding cosine in the fused score (both standardized over the
# candidates, as fact-check matching fuses them).
BM25_WEIGHT = 1.0
# Vectors as float16: half the memory of float32, cosine within ~1e-3.
_DTYPE = "f16"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, source TEXT, title TEXT, url TEXT, published TEXT, outlet TEXT,
    text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS evidence_passages (
    id INTEGER PRIMARY KEY, doc TEXT NOT NULL, start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS evidence_passages_doc ON evidence_passages (doc);
CREATE TABLE IF NOT EXISTS failures (source TEXT, error TEXT, kind TEXT, at TEXT);
"""


@dataclass(slots=True)
class IndexStats:
    """What an indexing run did."""

    read: int = 0
    added: int = 0
    skipped: int = 0
    passages: int = 0
    failures: list[Failure] = field(default_factory=list)


# The Passage fields ``EvidenceIndex._rows`` selects, in its SELECT's order.
_PASSAGE_FIELDS = ("doc", "start", "end", "text", "source", "title", "url", "published")


class EvidenceIndex(Closing):
    """A passage index folder; ``open`` reads one, ``create`` makes or extends one."""

    def __init__(
        self,
        folder: Path,
        text: TextIndex,
        manifest: dict[str, Any],
        embedder: Embedder | None,
        vectors: Any | None,
    ) -> None:
        self.folder = folder
        self.text = text
        self.manifest = manifest
        self.embedder = embedder
        self.vectors = vectors
        self.candidates = CANDIDATES

    @property
    def connection(self) -> sqlite3.Connection:
        return self.text.connection

    @classmethod
    def open(cls, folder: str | Path, *, vectors: bool = True) -> EvidenceIndex:
        """Open an index to search it (its vectors memory-mapped, unless ``vectors`` is off);
        StoreError when the folder holds none."""
        path = Path(folder)
        manifest = read_manifest(path)
        if not (path / DATABASE).is_file():
            raise StoreError(f"{DATABASE} is missing: index the documents again", source=str(path))
        use = vectors and bool(manifest.get("vectors")) and (path / VECTORS).is_file()
        embedder = load_embedder(manifest.get("embedder_model", EMBEDDER)) if use else None
        index = _load_vectors(path / VECTORS, embedder.dim, view=True) if embedder else None
        return cls(path, TextIndex.open(path / DATABASE), manifest, embedder, index)

    @classmethod
    def create(cls, folder: str | Path, *, vectors: bool = True) -> EvidenceIndex:
        """Open an index to add documents, making the folder when it is new."""
        path = Path(folder)
        if path.exists() and not path.is_dir():
            raise StoreError("is a file, not an index folder", source=str(path))
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the index folder: {exc.strerror}", source=str(path)
            ) from None
        manifest: dict[str, Any] = {}
        if (path / MANIFEST).is_file():
            manifest = read_manifest(path)
            vectors = bool(manifest.get("vectors"))  # an index keeps what it was built with
        elif any(path.iterdir()):
            raise StoreError("is not empty and holds no evidence index", source=str(path))
        text = TextIndex.open(path / DATABASE)
        try:
            text.connection.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write the index: {exc}", source=str(path)) from None
        embedder = load_embedder(manifest.get("embedder_model") or EMBEDDER) if vectors else None
        index = None
        if embedder is not None:
            index = _load_vectors(path / VECTORS, embedder.dim, view=False)
        made = cls(path, text, manifest, embedder, index)
        made._sync_vectors()
        return made

    def close(self) -> None:
        """Close the database."""
        self.text.close()

    # -- counts ---------------------------------------------------------------------------

    def count(self, table: str) -> int:
        """Rows of ``documents`` or ``evidence_passages``."""
        if table not in ("documents", "evidence_passages"):
            raise ValueError(table)
        row = self.connection.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0

    # -- adding ---------------------------------------------------------------------------

    def add(
        self,
        items: Iterable[Document | Failure],
        *,
        windows: Windows | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> IndexStats:
        """Index the documents not indexed yet (by content hash); failures are recorded.

        ``windows``: how documents are cut (default: as the index was cut before, else the
        defaults)."""
        if windows is None:
            windows = Windows(**self.manifest.get("windows", {}))
        stats = IndexStats()
        chunk: list[Document] = []
        for item in items:
            if isinstance(item, Failure):
                stats.failures.append(item)
            else:
                stats.read += 1
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    self._add_chunk(chunk, windows, stats)
                    chunk = []
            if progress:
                progress(1)
        if chunk:
            self._add_chunk(chunk, windows, stats)
        self._record_failures(stats.failures)
        self.save(windows)
        return stats

    def _add_chunk(self, docs: list[Document], windows: Windows, stats: IndexStats) -> None:
        con = self.connection
        ids = list({d.id: None for d in docs})
        marks = ",".join("?" * len(ids))
        known = {r[0] for r in con.execute(f"SELECT id FROM documents WHERE id IN ({marks})", ids)}
        row = con.execute("SELECT coalesce(max(id), 0) FROM evidence_passages").fetchone()
        next_id = int(row[0]) + 1
        rows: list[tuple[int, str, int, int]] = []
        texts: list[str] = []
        for doc in docs:
            if doc.id in known:
                stats.skipped += 1
                continue
            known.add(doc.id)
            con.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc.id, doc.source, doc.title, doc.url, doc.published, doc.outlet, doc.text),
            )
            for start, end in passage_spans(doc.text, windows):
                rows.append((next_id, doc.id, start, end))
                texts.append(doc.text[start:end])
                next_id += 1
            stats.added += 1
        con.executemany("INSERT INTO evidence_passages VALUES (?, ?, ?, ?)", rows)
        # TextIndex.add commits: the documents, their passages and their words land together.
        self.text.add((str(r[0]), t) for r, t in zip(rows, texts, strict=True))
        stats.passages += len(rows)
        if self.vectors is not None and rows:
            keys = np.array([r[0] for r in rows], dtype=np.uint64)
            self.vectors.add(keys, self._embedder().embed(texts), log=False)

    def _sync_vectors(self) -> None:
        """Embed the passages the vector file lacks (a run that stopped before saving it)."""
        if self.vectors is None:
            return
        missing = self.count("evidence_passages") - len(self.vectors)
        if missing <= 0:
            return
        log.info("%s: embedding %d passages the vectors lack", self.folder, missing)
        last = 0
        while True:
            rows = self.connection.execute(
                "SELECT p.id, substr(d.text, p.start_char + 1, p.end_char - p.start_char) "
                "FROM evidence_passages p JOIN documents d ON d.id = p.doc "
                "WHERE p.id > ? ORDER BY p.id LIMIT 8192",
                (last,),
            ).fetchall()
            if not rows:
                break
            keys = np.array([r[0] for r in rows], dtype=np.uint64)
            absent = ~np.asarray(self.vectors.contains(keys), dtype=bool)
            if absent.any():
                texts = [r[1] for r, a in zip(rows, absent, strict=True) if a]
                self.vectors.add(keys[absent], self._embedder().embed(texts), log=False)
            last = int(rows[-1][0])
        self.save(Windows(**self.manifest.get("windows", {})))

    def _record_failures(self, failures: Sequence[Failure]) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.connection as con:
            con.executemany(
                "INSERT INTO failures VALUES (?, ?, ?, ?)",
                [(f.source, f.error, f.kind, now) for f in failures],
            )

    def _embedder(self) -> Embedder:
        assert self.embedder is not None
        return self.embedder

    def save(self, windows: Windows) -> None:
        """Write the vectors, then the manifest (last: it vouches for the rest)."""
        if self.vectors is not None:
            target = self.folder / VECTORS
            partial = self.folder / (VECTORS + ".partial")
            try:
                self.vectors.save(str(partial))
                os.replace(partial, target)
            except OSError as exc:
                raise StoreError(f"cannot write the vectors: {exc}", source=str(target)) from None
        self.manifest = {
            "format": FORMAT,
            "version": VERSION,
            "documents": self.count("documents"),
            "passages": self.count("evidence_passages"),
            "vectors": len(self.vectors) if self.vectors is not None else 0,
            "embedder": self.embedder.name if self.embedder else None,
            "embedder_model": self.embedder.model if self.embedder else None,
            "windows": dataclasses.asdict(windows),
            "updated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        path = self.folder / MANIFEST
        try:
            path.write_text(json.dumps(self.manifest, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            raise StoreError(
                f"cannot write the manifest: {exc.strerror}", source=str(path)
            ) from None

    # -- searching ------------------------------------------------------------------------

    def search(self, text: str, k: int = 5, *, within: set[str] | None = None) -> list[Passage]:
        """The ``k`` passages best matching ``text``: BM25 and embedding candidates, fused.

        ``within``: rank only the passages of these documents (an evaluation ranks the evidence
        it is given).
        """
        if within is None:
            n = max(self.candidates, k)
            bm25 = dict(self.text.search(text, n))
        else:
            only = [str(p) for d in sorted(within) for p, _, _ in self.passages(d)]
            n = len(only)
            bm25 = dict(self.text.search(text, n, only=only)) if only else {}
        cosine = self._cosines(text, n, bm25, None if within is None else only)
        keys = list({**bm25, **cosine})
        if not keys:
            return []
        rows = self._rows([int(key) for key in keys])
        lexical = np.array([bm25.get(key, 0.0) for key in keys])
        if cosine:
            scores = fuse(np.array([cosine[key] for key in keys]), lexical, BM25_WEIGHT)
        else:
            scores = lexical
        order = np.argsort(-scores, kind="stable")[:k]
        out = []
        for rank, i in enumerate(order, 1):
            key = keys[i]
            out.append(
                Passage(
                    id=int(key),
                    **rows[int(key)],
                    rank=rank,
                    score=float(scores[i]),
                    bm25=float(lexical[i]),
                    cosine=cosine.get(key),
                )
            )
        return out

    def _cosines(
        self, text: str, n: int, bm25: dict[str, float], only: list[str] | None
    ) -> dict[str, float]:
        """Cosine of the query with the nearest passages (or with ``only``), and with every
        BM25 candidate, so that each fused candidate has both scores."""
        if self.vectors is None or self.embedder is None or not len(self.vectors):
            return {}
        query = self.embedder.embed([text])[0]
        cosine: dict[str, float] = {}
        if only is None:
            found: Any = self.vectors.search(query, n, log=False, threads=1)
            pairs = zip(found.keys, found.distances, strict=True)
            cosine = {str(int(key)): 1.0 - float(d) for key, d in pairs}
        rest = [key for key in (only if only is not None else bm25) if key not in cosine]
        if rest:
            stored = self.vectors.get(np.array([int(x) for x in rest], dtype=np.uint64))
            sims = np.asarray(stored, dtype=np.float32) @ query
            cosine.update(zip(rest, map(float, sims), strict=True))
        return cosine

    def _rows(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The stored fields of each passage (``_PASSAGE_FIELDS``) by its id."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        cursor = self.connection.execute(
            "SELECT p.id, p.doc, p.start_char, p.end_char, "
            "substr(d.text, p.start_char + 1, p.end_char - p.start_char), "
            "d.source, d.title, d.url, d.published "
            f"FROM evidence_passages p JOIN documents d ON d.id = p.doc WHERE p.id IN ({marks})",
            list(ids),
        )
        return {int(r[0]): dict(zip(_PASSAGE_FIELDS, r[1:], strict=True)) for r in cursor}

    def document(self, doc_id: str) -> Document:
        """A stored document, its text exactly as indexed; StoreError when unknown."""
        row = self.connection.execute(
            "SELECT id, source, title, url, published, outlet, text FROM documents WHERE id = ?",
            (doc_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"no document {doc_id} in the index", source=str(self.folder))
        i, source, title, url, published, outlet, text = row
        return Document(
            text=text, id=i, source=source, title=title, url=url, published=published, outlet=outlet
        )

    def passages(self, doc_id: str) -> Iterator[tuple[int, int, int]]:
        """``(passage id, start, end)`` of one document's passages, in order."""
        yield from self.connection.execute(
            "SELECT id, start_char, end_char FROM evidence_passages WHERE doc = ? ORDER BY id",
            (doc_id,),
        )


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of an index folder; StoreError when there is none or it is not ours."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise StoreError(
            "no such evidence index (build it: claimscope evidence index PATH --index DIR)",
            source=str(folder),
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError("holds no evidence index (no manifest.json)", source=str(folder)) from None
    except (OSError, ValueError) as exc:
        raise StoreError(f"cannot read {MANIFEST}: {exc}", source=str(folder)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise StoreError(f"{MANIFEST} is not a claimscope evidence index", source=str(folder))
    if manifest.get("version") != VERSION:
        raise StoreError(
            f"index version {manifest.get('version')} (this claimscope reads {VERSION}): "
            "index the documents again into a new folder",
            source=str(folder),
        )
    return manifest


def _load_vectors(path: Path, dim: int, *, view: bool) -> Any:
    from usearch.index import Index

    index = Index(ndim=dim, metric="cos", dtype=_DTYPE)
    if path.is_file():
        try:
            index.view(str(path)) if view else index.load(str(path))
        except Exception as exc:  # usearch raises plain RuntimeErrors
            raise StoreError(f"cannot read the vectors: {exc}", source=str(path)) from None
    return index


def index_paths(
    paths: Sequence[str | Path],
    folder: str | Path,
    *,
    settings: Settings | None = None,
    vectors: bool = True,
    windows: Windows | None = None,
    progress: Callable[[int], None] | None = None,
) -> IndexStats:
    """Index the documents under ``paths`` into the index folder (read with the ingest
    readers; unreadable inputs become failures and the rest goes on)."""
    checked = check_paths(paths)
    settings = settings or Settings()
    with EvidenceIndex.create(folder, vectors=vectors) as index:
        return index.add(
            iter_inputs(checked, settings=settings), windows=windows, progress=progress
        )
