"""Claim clusters: the same claim, worded alike or differently, grouped across documents.

Clustering is online and incremental. The claims of the store that are in no cluster yet are
taken in publication order (``documents.published``, then ``ingested_at``), a chunk at a time,
and each joins the first of:

1. **exact**: the cluster of a claim with the same normalized text;
2. **near**: the cluster of a near-duplicate: character-shingle overlap (Jaccard) at or above the
   embedding model's ``near_duplicate`` threshold;
3. **semantic**: the cluster of the most similar claim by embedding cosine, at or above the
   model's ``semantic`` threshold, or its lower ``semantic_quantity`` one when both claims
   count the same thing with the same salient number ("700 US troops", "700 American troops");

else it starts a cluster of its own (``new``). Near and semantic joins need the claim's numbers
to agree (``claim_text.numbers_agree``) with those of the claim it joins and of the cluster's
first claim: "700 troops" never joins "1,000 troops". The
candidates for 2 and 3 are the nearest clustered claims in the vector index (``claim_index``)
and the earlier claims of the same chunk, so a claim meets every claim before it, whether it came
in the same run or an earlier one. A cluster's row (representative, size, documents, outlets,
first and last seen) is updated from its stored row and its new members whenever one joins; its
representative is the member with the highest claim score, the earliest one among equals.

Memory stays bounded: one chunk of claims, its candidates, a cache of described neighbours, and
the vector index, which holds the ``window`` newest indexed claims (``WINDOW`` by default, some
10,000 documents): a claim joins by meaning a claim clustered before those only through an exact
duplicate, or through a later member of its cluster.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from claimscope.clusters.claim_index import ClaimIndex, store_state
from claimscope.clusters.claim_text import Thresholds
from claimscope.clusters.clusterer import Claim, Clusterer
from claimscope.clusters.config import ClusterConfig, ClusterStats, Progress
from claimscope.clusters.gate import ACTORS_SQL, ClusterGate
from claimscope.clusters.same_claim import SameClaimThresholds, load_same_claim_model
from claimscope.errors import StoreError
from claimscope.models.embedder import load_embedder
from claimscope.store import Store
from claimscope.store.sql import duckdb_message, transaction


def update_clusters(
    store: Store,
    *,
    config: ClusterConfig | None = None,
    progress: Progress | None = None,
    recluster: bool = False,
) -> ClusterStats:
    """Cluster the claims of ``store`` that are in no cluster yet; what was done.

    Each chunk is one transaction: a run stopped at any point keeps the chunks it finished, and
    the next run goes on from there. Running it again with nothing new does nothing.
    ``recluster`` first forgets every cluster, so that all claims are clustered anew (after a
    change of thresholds or model).
    """
    if store.read_only:
        raise StoreError("opened read-only: clusters cannot be updated", source=str(store.path))
    if recluster:
        _forget(store)
    session = ClusterSession(store, config)
    try:
        session.update(progress=progress)
    finally:
        stats = session.close()
    return stats


class ClusterSession:
    """Clusters a store's claims as they arrive, the model and the index loaded once.

    An ingest calls ``update`` after every few writes, so that clustering runs while its
    workers analyze the next documents, instead of all at the end; ``close`` saves the index.
    """

    def __init__(self, store: Store, config: ClusterConfig | None = None) -> None:
        if store.read_only:
            raise StoreError("opened read-only: clusters cannot be updated", source=str(store.path))
        self.store = store
        self.config = config or ClusterConfig()
        self.stats = ClusterStats()
        self._clusterer: Clusterer | None = None
        self._started = time.monotonic()
        # Rows appended to (documents, claims, cluster_members) before this mark have every
        # claim clustered: later updates look only at rows past it.
        self._mark = _Mark()

    def update(
        self, *, progress: Progress | None = None, stop: Callable[[], bool] | None = None
    ) -> ClusterStats:
        """Cluster every claim not clustered yet (or, once ``stop`` says so, no further chunk:
        the next update goes on from there); the session's counts so far."""
        # The rows stored up to now: once their claims are all clustered, later updates look
        # only at rows appended since (finding unclustered claims among all of them at every
        # update made an ingest's cost grow with the square of its size). Rows are only ever
        # appended while a session runs, so a row id past the mark is a row stored after it.
        try:
            upto = _Mark.now(self.store)
            pending = _pending(self.store, self._mark)
            if pending:
                self.stats.total = self.stats.claims + pending
                clusterer = self._clusterer or self._open()
                while rows := _next_chunk(self.store, self.config.chunk_size, self._mark):
                    clusterer.chunk(rows, self.stats)
                    self._gate_stats(clusterer)
                    self.stats.seconds = time.monotonic() - self._started
                    if progress is not None:
                        progress(self.stats)
                    if stop is not None and stop():
                        return self.stats  # not all clustered: the mark stays where it was
        except duckdb.Error as exc:  # a read (a write says so itself): one line, no traceback
            raise StoreError(
                f"cannot cluster claims: {duckdb_message(exc)}", source=str(self.store.path)
            ) from None
        self._mark = upto
        return self.stats

    def finish(self) -> ClusterStats:
        """Cluster what is left and save the index; the session's counts."""
        self.update()
        return self.close()

    def stop(self) -> None:
        """Nothing to end: a session's updates run in the caller's thread (see ClusterThread)."""

    def close(self) -> ClusterStats:
        """Save the index (when anything was clustered); the session's counts."""
        if self._clusterer is not None:
            index = self._clusterer.index
            index.save(store_state(self.store, self._clusterer.embedder, self.config.window))
            self._clusterer = None
        self.stats.clusters = _count(self.store, "SELECT count(*) FROM clusters")
        self.stats.seconds = time.monotonic() - self._started
        return self.stats

    def _open(self) -> Clusterer:
        config = self.config
        embedder = load_embedder(config.model)
        gate = self._gate()
        semantic = embedder.threshold("semantic")
        if gate is not None:
            # With the gate, the static stage only finds candidates for it: those under the
            # gate card's static floor (with no quantity shared) were all refused on the dev
            # pairs, and comparing them was most of the gate's cost.
            semantic = max(semantic, gate.thresholds.static_floor)
        thresholds = Thresholds(
            near_duplicate=config.near_duplicate or embedder.threshold("near_duplicate"),
            semantic=config.semantic or semantic,
            semantic_quantity=config.semantic_quantity or embedder.threshold("semantic_quantity"),
        )
        index = ClaimIndex.open(self.store, embedder, config.window)
        self.stats.rebuilt_index = index.rebuilt
        self._clusterer = Clusterer(self.store, embedder, index, config, thresholds, gate)
        return self._clusterer

    def _gate(self) -> ClusterGate | None:
        """The same-claim gate, with the model card's thresholds or the config's."""
        config = self.config
        if config.same_claim_model is None:
            return None
        # One thread: during an ingest the workers have the cores.
        model = load_same_claim_model(config.same_claim_model, threads=1)
        card = model.thresholds()
        thresholds = SameClaimThresholds(
            same_claim=config.same_claim or card.same_claim,
            same_claim_quantity=config.same_claim_quantity or card.same_claim_quantity,
            static_floor=card.static_floor,
        )
        return ClusterGate(self.store, model, thresholds)

    def _gate_stats(self, clusterer: Clusterer) -> None:
        if clusterer.gate is not None:
            self.stats.compared = clusterer.gate.stats.compared
            self.stats.refused = clusterer.gate.stats.refused


def _forget(store: Store) -> None:
    """Delete every cluster and member (the index, now stale, is rebuilt when next opened)."""
    con = store.connection
    try:
        with transaction(con):
            con.execute("DELETE FROM cluster_members")
            con.execute("DELETE FROM clusters")
    except duckdb.Error as exc:
        raise StoreError(
            f"cannot reset clusters: {duckdb_message(exc)}", source=str(store.path)
        ) from None


@dataclass(frozen=True, slots=True)
class _Mark:
    """The first row id not yet seen of documents, claims and cluster members (0: from the
    start). A claim stored past the mark is in a document stored past it, and can only have
    joined a cluster past it, so each scan below skips, by row id, the row groups before it."""

    documents: int = 0
    claims: int = 0
    members: int = 0

    @classmethod
    def now(cls, store: Store) -> _Mark:
        row = store.connection.execute(
            "SELECT (SELECT coalesce(max(rowid) + 1, 0) FROM documents), "
            "(SELECT coalesce(max(rowid) + 1, 0) FROM claims), "
            "(SELECT coalesce(max(rowid) + 1, 0) FROM cluster_members)"
        ).fetchone()
        return cls(*(int(v) for v in row)) if row else cls()

    def params(self) -> list[int]:
        return [self.claims, self.documents, self.members]


# Claims in no cluster, past a mark; with the columns a cluster's summary needs.
_UNCLUSTERED = (
    "FROM claims c JOIN documents d ON d.id = c.doc_id "
    "WHERE c.rowid >= ? AND d.rowid >= ? AND NOT EXISTS (SELECT 1 FROM cluster_members m "
    "WHERE m.rowid >= ? AND m.doc_id = c.doc_id AND m.claim = c.id)"
)


def _pending(store: Store, mark: _Mark) -> int:
    """Claims in no cluster yet, among those stored past ``mark``."""
    return _count(store, f"SELECT count(*) {_UNCLUSTERED}", mark.params())


def _count(store: Store, sql: str, params: list[Any] | None = None) -> int:
    row = store.connection.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def _next_chunk(store: Store, size: int, mark: _Mark) -> list[Claim]:
    """The next claims to cluster, in publication order."""
    rows = store.connection.execute(
        "SELECT c.doc_id, c.id, c.text, c.score, d.outlet, "
        f"coalesce(d.published, CAST(d.ingested_at AS DATE)), {ACTORS_SQL} "
        f"{_UNCLUSTERED} "
        "ORDER BY d.published ASC NULLS LAST, d.ingested_at, c.doc_id, c.id LIMIT ?",
        [*mark.params(), size],
    ).fetchall()
    return [Claim(*row) for row in rows]
