"""A fact-check collection's claim vectors, computed once and kept beside the collection.

The bi-encoder embeds each checked claim's passage (``claim_passage``) once; the vectors are kept
in the collection's text index file (table ``vectors``, float16, by the index's key id), so a
query costs one encoder pass: its own. The table is derived data and invalidates itself: a
passage added again drops its vector (``TextIndex.add``), an index rebuilt from the store starts
without vectors, and another model (by ``identity``: name, version and a digest of the weights)
clears them all.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from claimscope.errors import StoreError
from claimscope.verify.textindex import VECTORS, TextIndex

log = logging.getLogger(__name__)

# Passages embedded, then written, per transaction: a stopped run keeps what it wrote.
BATCH = 512


class Encoder(Protocol):
    """What keeping vectors needs of a bi-encoder (``models.reranker.EmbeddingScorer``)."""

    @property
    def identity(self) -> str:
        """The model's name, version and a digest of its weights."""
        ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts``, rows in input order."""
        ...


Matrix = tuple[list[str], dict[str, int], np.ndarray]

# Every kept vector of recently used collections, in memory, by (collection token, model): the
# generation they were read at and (keys, each key's row, float32 rows). A server that opens a
# collection for each request reads its vectors once, and again only after they change.
_MATRICES: dict[tuple[str, str], tuple[int, Matrix]] = {}
_MATRICES_KEPT = 2


class ClaimVectors:
    """The vectors of a text index's passages under one encoder; ``sync()`` fills them in.

    ``vectors_meta`` holds the model, a token naming the collection's vectors and their
    generation, which triggers raise on every write: what ``matrix()`` checks its copy by.
    """

    def __init__(self, index: TextIndex, encoder: Encoder) -> None:
        self.index = index
        self.encoder = encoder
        self.synced = False

    def sync(self, progress: Callable[[int], None] | None = None) -> int:
        """Embed every passage without a vector (all of them after a change of model); how
        many were embedded."""
        try:
            return self._sync(progress)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot keep claim vectors: {exc}", source=self.index.path) from None

    def _sync(self, progress: Callable[[int], None] | None) -> int:
        con = self.index.connection
        with con:
            con.execute(f"CREATE TABLE IF NOT EXISTS {VECTORS} (id INTEGER PRIMARY KEY, v BLOB)")
            con.execute(
                "CREATE TABLE IF NOT EXISTS vectors_meta (key TEXT PRIMARY KEY, value TEXT)"
            )
            con.execute(
                "INSERT OR IGNORE INTO vectors_meta VALUES ('token', ?), ('generation', '0')",
                (uuid.uuid4().hex,),
            )
            for event in ("INSERT", "UPDATE", "DELETE"):
                con.execute(
                    f"CREATE TRIGGER IF NOT EXISTS vectors_{event.lower()} AFTER {event} ON "
                    f"{VECTORS} BEGIN UPDATE vectors_meta SET value = CAST(value AS INTEGER) + 1 "
                    "WHERE key = 'generation'; END"
                )
            row = con.execute("SELECT value FROM vectors_meta WHERE key = 'model'").fetchone()
            if row is None or row[0] != self.encoder.identity:
                con.execute(f"DELETE FROM {VECTORS}")
                con.execute(
                    "INSERT OR REPLACE INTO vectors_meta VALUES ('model', ?)",
                    (self.encoder.identity,),
                )
        self.synced = True
        (kept,) = con.execute(f"SELECT count(*) FROM {VECTORS}").fetchone()
        if kept == len(self.index):
            return 0
        rows = con.execute(
            "SELECT keys.id, passages.text FROM keys JOIN passages ON passages.rowid = keys.id "
            f"WHERE keys.id NOT IN (SELECT id FROM {VECTORS})"
        ).fetchall()
        log.info("embedding %d fact-check claim(s) for matching, once (%s)", len(rows),
                 self.encoder.identity)  # fmt: skip
        rows.sort(key=lambda r: len(r[1]))  # similar lengths together: less padding
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            self._store([i for i, _ in chunk], self.encoder.encode([t for _, t in chunk]))
            if progress:
                progress(len(chunk))
        return len(rows)

    def _store(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        blobs = vectors.astype(np.float16)
        with self.index.connection as con:
            con.executemany(
                f"INSERT OR REPLACE INTO {VECTORS} (id, v) VALUES (?, ?)",
                [(i, blobs[row].tobytes()) for row, i in enumerate(ids)],
            )

    def _slot(self) -> tuple[tuple[str, str], int]:
        """This collection's key in ``_MATRICES`` and the generation of its vectors now."""
        if not self.synced:
            self.sync()
        meta = dict(self.index.connection.execute("SELECT key, value FROM vectors_meta"))
        return (meta["token"], self.encoder.identity), int(meta["generation"])

    def matrix(self) -> Matrix:
        """Every kept vector, in memory (float32: 150 MB for 100,000 claims): the keys, each
        key's row, and the rows; read once, and again after the vectors change."""
        slot, generation = self._slot()
        kept = _MATRICES.get(slot)
        if kept is not None and kept[0] == generation:
            return kept[1]
        rows = self.index.connection.execute(
            f"SELECT keys.key, {VECTORS}.v FROM keys JOIN {VECTORS} ON {VECTORS}.id = keys.id"
        ).fetchall()
        keys = [key for key, _ in rows]
        blob = b"".join(v for _, v in rows)
        matrix = np.frombuffer(blob, dtype=np.float16).reshape(len(rows), -1).astype(np.float32)
        _MATRICES.pop(slot, None)
        while len(_MATRICES) >= _MATRICES_KEPT:
            _MATRICES.pop(next(iter(_MATRICES)))
        _MATRICES[slot] = (generation, (keys, {k: i for i, k in enumerate(keys)}, matrix))
        return _MATRICES[slot][1]

    def nearest(self, query: np.ndarray, k: int) -> list[str]:
        """The keys of the ``k`` passages nearest ``query`` (a unit vector) by cosine, nearest
        first: an exact search over every kept vector."""
        keys, _, matrix = self.matrix()
        if k <= 0 or not keys:
            return []
        scores = matrix @ query.astype(np.float32)
        top = np.argpartition(-scores, k - 1)[:k] if k < len(keys) else np.arange(len(keys))
        return [keys[i] for i in top[np.argsort(-scores[top], kind="stable")]]

    def get(self, keys: Sequence[str]) -> np.ndarray:
        """The vectors of these keys' passages (float32), rows in order; a passage without one
        (added since the last sync) is embedded and kept now."""
        if not self.synced:
            self.sync()
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        slot, generation = self._slot()
        kept = _MATRICES.get(slot)
        if kept is not None and kept[0] == generation and all(k in kept[1][1] for k in keys):
            _, where, matrix = kept[1]  # in memory already (``nearest`` read them)
            return matrix[[where[k] for k in keys]]
        con = self.index.connection
        marks = ",".join("?" * len(keys))
        found = {
            key: np.frombuffer(blob, dtype=np.float16)
            for key, blob in con.execute(
                f"SELECT keys.key, {VECTORS}.v FROM keys JOIN {VECTORS} ON {VECTORS}.id = keys.id "
                f"WHERE keys.key IN ({marks})",
                list(keys),
            )
        }
        missing = [k for k in keys if k not in found]
        if missing:
            rows = con.execute(
                "SELECT keys.id, keys.key, passages.text FROM keys JOIN passages "
                f"ON passages.rowid = keys.id WHERE keys.key IN ({','.join('?' * len(missing))})",
                missing,
            ).fetchall()
            vectors = self.encoder.encode([text for _, _, text in rows])
            self._store([i for i, _, _ in rows], vectors)
            found.update(
                (key, vectors[row].astype(np.float16)) for row, (_, key, _) in enumerate(rows)
            )
        return np.stack([found[k] for k in keys]).astype(np.float32)
