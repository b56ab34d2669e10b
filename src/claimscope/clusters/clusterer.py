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

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np

from claimscope.corpus.claim_index import ClaimIndex, as_stored, store_state
from claimscope.corpus.claim_text import (
    ClaimText,
    Thresholds,
    describe,
    jaccard_bound,
    join_how,
    numbers_agree,
    numbers_counted,
    numbers_text,
)
from claimscope.corpus.neighbours import Neighbours
from claimscope.corpus.store import Store, _message, _now, insert_rows
from claimscope.errors import SettingsError, StoreError
from claimscope.models.embedder import EMBEDDER, Embedder, load_embedder

log = logging.getLogger(__name__)

# How a claim came into its cluster.
HOWS = ("new", "exact", "near", "semantic")
# Claims clustered per transaction.
CHUNK_SIZE = 2048
# Nearest clustered claims a claim is compared with: enough to reach, past closer claims on the
# same topic, a claim that counts the same thing with a lower cosine.
CANDIDATES = 16
# Indexed claims whose cluster and comparable text a run keeps at hand (``Neighbours``), at most:
# about 0.5 KB an entry, so some 150 MB. Searches find only the claims of the window, so a cache
# larger than the window would keep entries never asked for.
SEEN_CACHE = 300_000
# Indexed claims a claim can meet by meaning: the newest, in clustering (publication) order.
# The index's memory and the cost of each search stop growing there (about 1 KB a claim with
# its graph); exact duplicates are found among all claims whatever the window.
WINDOW = 300_000


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterConfig:
    """How claims are clustered: the embedding model, the newest indexed claims a claim can
    join by meaning (``window``; 0: all), and thresholds (None: the model card's, which were
    measured for it)."""

    model: str = EMBEDDER
    chunk_size: int = CHUNK_SIZE
    candidates: int = CANDIDATES
    window: int = WINDOW
    near_duplicate: float | None = None
    semantic: float | None = None
    semantic_quantity: float | None = None

    def __post_init__(self) -> None:
        if self.chunk_size < 1 or self.candidates < 1:
            raise SettingsError("chunk_size and candidates must be 1 or more")
        if self.window < 0:
            raise SettingsError(f"window must be 0 (no limit) or more, got {self.window}")
        for name in ("near_duplicate", "semantic", "semantic_quantity"):
            value = getattr(self, name)
            if value is not None and not 0 < value <= 1:
                raise SettingsError(f"{name} must be in (0, 1], got {value}")


@dataclass(slots=True)
class ClusterStats:
    """What a clustering run did: claims clustered, by how they joined, and the time taken."""

    total: int = 0
    claims: int = 0
    joined: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HOWS, 0))
    clusters: int = 0
    rebuilt_index: bool = False
    seconds: float = 0.0


Progress = Callable[[ClusterStats], None]


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
        self._clusterer: _Clusterer | None = None
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
                    self.stats.seconds = time.monotonic() - self._started
                    if progress is not None:
                        progress(self.stats)
                    if stop is not None and stop():
                        return self.stats  # not all clustered: the mark stays where it was
        except duckdb.Error as exc:  # a read (a write says so itself): one line, no traceback
            raise StoreError(
                f"cannot cluster claims: {_message(exc)}", source=str(self.store.path)
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

    def _open(self) -> _Clusterer:
        config = self.config
        embedder = load_embedder(config.model)
        thresholds = Thresholds(
            near_duplicate=config.near_duplicate or embedder.threshold("near_duplicate"),
            semantic=config.semantic or embedder.threshold("semantic"),
            semantic_quantity=config.semantic_quantity or embedder.threshold("semantic_quantity"),
        )
        index = ClaimIndex.open(self.store, embedder, config.window)
        self.stats.rebuilt_index = index.rebuilt
        self._clusterer = _Clusterer(self.store, embedder, index, config, thresholds)
        return self._clusterer


def _forget(store: Store) -> None:
    """Delete every cluster and member (the index, now stale, is rebuilt when next opened)."""
    con = store.connection
    try:
        con.begin()
        con.execute("DELETE FROM cluster_members")
        con.execute("DELETE FROM clusters")
        con.commit()
    except duckdb.Error as exc:
        con.rollback()
        raise StoreError(
            f"cannot reset clusters: {_message(exc)}", source=str(store.path)
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


def _next_chunk(store: Store, size: int, mark: _Mark) -> list[_Claim]:
    """The next claims to cluster, in publication order."""
    rows = store.connection.execute(
        "SELECT c.doc_id, c.id, c.text, c.score, d.outlet, "
        f"coalesce(d.published, CAST(d.ingested_at AS DATE)) {_UNCLUSTERED} "
        "ORDER BY d.published ASC NULLS LAST, d.ingested_at, c.doc_id, c.id LIMIT ?",
        [*mark.params(), size],
    ).fetchall()
    return [_Claim(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class _Claim:
    """A claim to cluster, with what its cluster's summary needs of it and its document."""

    doc_id: str
    id: int
    text: str
    score: float
    outlet: str | None
    day: dt.date

    def rank(self) -> tuple[float, dt.date, str, int]:
        """Representatives first: the highest score, then the earliest day, doc and claim."""
        return (-self.score, self.day, self.doc_id, self.id)


@dataclass(slots=True)
class _Member:
    cluster_id: int
    how: str
    similarity: float
    key: int | None


class _Clusterer:
    """Clusters chunks of claims into the store and the index (one run)."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        index: ClaimIndex,
        config: ClusterConfig,
        thresholds: Thresholds,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.index = index
        self.config = config
        self.thresholds = thresholds
        con = store.connection
        row = con.execute("SELECT coalesce(max(id), 0) FROM clusters").fetchone()
        self.next_cluster = int(row[0]) + 1 if row else 1
        row = con.execute(
            "SELECT coalesce(max(vector_key), 0), coalesce(max(seq), 0) FROM cluster_members"
        ).fetchone()
        self.next_key = int(row[0]) + 1 if row else 1
        # Members in the order they were clustered, across runs.
        self.next_seq = int(row[1]) + 1 if row else 1
        # Cluster and comparable text of the indexed claims (a member's cluster never changes
        # within a run, so an entry never goes stale). The room of a chunk beyond the window
        # spares the claims the index holds while a chunk's are added before the oldest go.
        window = config.window
        held = min(SEEN_CACHE, window) if window else SEEN_CACHE
        self._seen = Neighbours(held + config.chunk_size)
        # Documents whose claims may go on in a later chunk, with the clusters they joined so
        # far (None: not known, at a run's first chunk, which asks the store). A document's
        # claims come one after the other, so only the last document of a full chunk can be
        # split; but documents stored meanwhile (the ingest's loop, beside a cluster thread)
        # may come before the rest of it, so more than one can be open at a time.
        self._open: dict[str, set[int]] | None = None

    def chunk(self, rows: list[_Claim], stats: ClusterStats) -> None:
        """Cluster one chunk and store it in one transaction; then index its new vectors."""
        texts = [r.text for r in rows]
        described = [describe(t) for t in texts]
        exact = self._known_hashes({d.hash for d in described})
        # Vectors as the index stores them, so that a claim compares the same with an earlier
        # claim of its chunk as with one already in the index.
        vectors = as_stored(self.embedder.embed(texts))
        norms = np.linalg.norm(vectors, axis=1)
        valid = norms > 0
        vectors[valid] /= norms[valid, None]
        # A claim whose text was clustered before, in the store or earlier in this chunk, joins
        # that cluster as an exact duplicate whatever its neighbours: it is not searched for.
        first: dict[int, int] = {}
        for i, d in enumerate(described):
            first.setdefault(d.hash, i)
        wanted = [
            i
            for i, d in enumerate(described)
            if valid[i] and d.hash not in exact and first[d.hash] == i
        ]
        found = self.index.search(vectors[wanted], self.config.candidates)
        searched: list[list[tuple[int, float]]] = [[] for _ in rows]
        for row, matches in zip(wanted, found, strict=True):
            searched[row] = matches
        known = self._candidates({k for matches in searched for k, _ in matches})
        founders = _Founders(self._cluster_numbers({cluster for cluster, _ in known.values()}))
        numbers = [numbers_text(d.numbers) for d in described]
        within = vectors @ vectors.T

        members: list[_Member] = []
        indexed: list[int] = []  # rows of this chunk given a vector key, in order
        for i, text in enumerate(described):
            member = self._join(
                i, text, exact, searched[i], indexed, within, (known, founders), members
            )
            if member is None:
                member = _Member(self.next_cluster, "new", 1.0, None)
                self.next_cluster += 1
            founders.note(member.cluster_id, numbers[i])
            exact.setdefault(text.hash, member.cluster_id)
            if member.how in ("new", "semantic") and valid[i]:
                member.key = self.next_key
                self.next_key += 1
                known[member.key] = (member.cluster_id, text)
                self._seen.put(member.key, member.cluster_id, text)
                indexed.append(i)
            members.append(member)
            stats.joined[member.how] += 1
        self._write(rows, described, numbers, members)
        keys = np.array([members[i].key for i in indexed], dtype=np.uint64)
        self.index.add(keys, vectors[indexed])
        stats.claims += len(rows)

    def _join(
        self,
        i: int,
        text: ClaimText,
        exact: dict[int, int],
        searched: list[tuple[int, float]],
        indexed: list[int],
        within: np.ndarray,
        seen: tuple[dict[int, tuple[int, ClaimText]], _Founders],
        members: list[_Member],
    ) -> _Member | None:
        """The cluster claim ``i`` joins, and how; None when it starts one.

        ``seen`` holds the cluster and text of each candidate key, and the numbers of each
        cluster's first claim that states any: a claim must agree with those too, or a claim
        stating no number would let "on Dec. 11" and "in 2005" into one cluster through it.
        """
        known, founders = seen
        if text.hash in exact:
            return _Member(exact[text.hash], "exact", 1.0, None)
        count = self.config.candidates
        candidates = list(searched)
        if indexed:
            sims = within[i, indexed]
            if len(sims) > count:
                # Only the ``count`` nearest can be kept below: those at or above the
                # count-th cosine, ties included (so the order below is the full sort's).
                floor = np.partition(sims, len(sims) - count)[len(sims) - count]
                near = np.flatnonzero(sims >= floor)
            else:
                near = np.arange(len(sims))
            for j in near[np.argsort(-sims[near], kind="stable")][:count].tolist():
                key = members[indexed[j]].key
                assert key is not None
                candidates.append((key, float(sims[j])))
        # The nearest of all earlier claims, whichever chunk they came in.
        candidates.sort(key=lambda c: (-c[1], c[0]))
        thresholds = self.thresholds
        floor = min(thresholds.semantic, thresholds.semantic_quantity)
        best: tuple[str, float, int] | None = None
        for key, cosine in candidates[:count]:
            if key not in known:
                continue
            cluster, other = known[key]
            # Too far in meaning and too unlike in size to be a near-duplicate: join_how would
            # say no, after the costlier number checks.
            if cosine < floor and jaccard_bound(text.shingles, other.shingles) < (
                thresholds.near_duplicate
            ):
                continue
            joined = join_how(text, other, cosine, thresholds)
            if joined is None or not founders.agree(cluster, text):
                continue
            how, similarity = joined
            rank = (how != "semantic", similarity)
            if best is None or rank > (best[0] != "semantic", best[1]):
                best = (how, similarity, cluster)
        if best is None:
            return None
        return _Member(best[2], best[0], best[1], None)

    def _known_hashes(self, hashes: set[int]) -> dict[int, int]:
        """Cluster of each text hash already clustered."""
        if not hashes:
            return {}
        rows = self.store.connection.execute(
            "SELECT text_hash, min(cluster_id) FROM cluster_members "
            "WHERE text_hash IN (SELECT unnest(?::BIGINT[])) GROUP BY text_hash",
            [sorted(hashes)],
        ).fetchall()
        return {int(h): int(c) for h, c in rows}

    def _cluster_numbers(self, clusters: set[int]) -> dict[int, str]:
        """The numbers of each cluster's first claim that states any, as stored (counted only
        for the few clusters a claim could join: counting them all was a tenth of a run)."""
        if not clusters:
            return {}
        rows = self.store.connection.execute(
            "SELECT id, numbers FROM clusters "
            "WHERE numbers <> '' AND id IN (SELECT unnest(?::INTEGER[]))",
            [sorted(clusters)],
        ).fetchall()
        return {int(cluster): str(found) for cluster, found in rows}

    def _candidates(self, keys: set[int]) -> dict[int, tuple[int, ClaimText]]:
        """Cluster and comparable text of each indexed claim among ``keys``."""
        found = {k: held for k in keys if (held := self._seen.get(k)) is not None}
        missing = sorted(keys - found.keys())
        if missing:
            rows = self.store.connection.execute(
                "SELECT m.vector_key, m.cluster_id, c.text FROM cluster_members m "
                "JOIN claims c ON c.doc_id = m.doc_id AND c.id = m.claim "
                "WHERE m.vector_key IN (SELECT unnest(?::BIGINT[]))",
                [missing],
            ).fetchall()
            for key, cluster, text in rows:
                described = describe(text)
                found[int(key)] = (int(cluster), described)
                self._seen.put(int(key), int(cluster), described)
        return found

    def _write(
        self,
        rows: list[_Claim],
        described: list[ClaimText],
        numbers: list[str],
        members: list[_Member],
    ) -> None:
        """Insert the members and update the clusters they joined, in one transaction.

        A cluster's row is updated from its stored row and its new members alone, never from
        all its members, so that a chunk costs the same in a large store as in a small one.
        """
        con = self.store.connection
        now = _now()
        touched = {m.cluster_id for m in members}
        stored = self._stored_summaries(touched)
        before = self._docs_before(rows)
        summaries = _merge(rows, members, numbers, stored, before)
        fresh = [s for s in summaries if s.id not in stored]
        changed = [s for s in summaries if s.id in stored]
        types = self.store._column_types("clusters")
        member_types = self.store._column_types("cluster_members")
        unnest = ", ".join(f"unnest(?::{types[c]}[])" for c in _SUMMARY_COLUMNS)
        try:
            con.begin()
            try:
                insert_rows(
                    con,
                    "cluster_members",
                    _MEMBER_COLUMNS,
                    [member_types[c] for c in _MEMBER_COLUMNS],
                    list(
                        zip(
                            [m.cluster_id for m in members],
                            [r.doc_id for r in rows],
                            [r.id for r in rows],
                            [m.similarity for m in members],
                            [m.how for m in members],
                            [d.hash for d in described],
                            numbers,
                            [m.key for m in members],
                            range(self.next_seq, self.next_seq + len(members)),
                            strict=True,
                        )
                    ),
                    stamp=("joined_at", now),
                )
                if fresh:
                    con.execute(
                        f"INSERT INTO clusters ({', '.join(_SUMMARY_COLUMNS)}, updated_at) "
                        f"SELECT {unnest}, ?::TIMESTAMP",
                        [*_columns(fresh), now],
                    )
                if changed:
                    assignments = ", ".join(f"{c} = u.{c}" for c in _SUMMARY_COLUMNS[1:])
                    con.execute(
                        f"UPDATE clusters SET {assignments}, updated_at = ?::TIMESTAMP FROM "
                        f"(SELECT {unnest}) AS u({', '.join(_SUMMARY_COLUMNS)}) "
                        "WHERE clusters.id = u.id",
                        [now, *_columns(changed)],
                    )
                con.commit()
            except BaseException:
                con.rollback()
                raise
            self.next_seq += len(members)
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot store clusters: {_message(exc)}", source=str(self.store.path)
            ) from None
        if len(rows) < self.config.chunk_size:
            self._open = {}  # the chunk took every claim stored so far: none is split
            return
        joined: dict[str, set[int]] = {}
        for row, member in zip(rows, members, strict=True):
            joined.setdefault(row.doc_id, set()).add(member.cluster_id)
        self._open = {d: c for d, c in (self._open or {}).items() if d not in joined}
        last = rows[-1].doc_id
        self._open[last] = before.get(last, set()) | joined[last]

    def _stored_summaries(self, clusters: set[int]) -> dict[int, _Summary]:
        """The stored rows of those of ``clusters`` that exist, with their representative's day."""
        if not clusters:
            return {}
        rows = self.store.connection.execute(
            f"SELECT {', '.join('k.' + c for c in _SUMMARY_COLUMNS)}, "
            "coalesce(d.published, CAST(d.ingested_at AS DATE)) FROM clusters k "
            "JOIN documents d ON d.id = k.doc_id WHERE k.id IN (SELECT unnest(?::INTEGER[]))",
            [sorted(clusters)],
        ).fetchall()
        found = {}
        for row in rows:
            summary = found[int(row[0])] = _Summary(*row)
            summary.outlets = summary.outlets or []  # NULL: no outlet
        return found

    def _docs_before(self, rows: list[_Claim]) -> dict[str, set[int]]:
        """The clusters that the documents of ``rows`` joined before this chunk."""
        docs = {r.doc_id for r in rows}
        if self._open is not None:
            return {d: c for d, c in self._open.items() if d in docs}
        found: dict[str, set[int]] = {}
        for doc, cluster in self.store.connection.execute(
            "SELECT DISTINCT doc_id, cluster_id FROM cluster_members "
            "WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
            [sorted(docs)],
        ).fetchall():
            found.setdefault(doc, set()).add(int(cluster))
        return found


# cluster_members as a chunk writes it (joined_at aside).
_MEMBER_COLUMNS = (
    "cluster_id",
    "doc_id",
    "claim",
    "similarity",
    "how",
    "text_hash",
    "numbers",
    "vector_key",
    "seq",
)
# A cluster's row, as ``_Summary`` holds it, in the table's column order.
_SUMMARY_COLUMNS = (
    "id",
    "doc_id",
    "claim",
    "text",
    "score",
    "size",
    "documents",
    "outlets",
    "first_seen",
    "last_seen",
    "numbers",
)


def _columns(summaries: list[_Summary]) -> list[list[Any]]:
    # No outlet is NULL in the table, as the summary query makes it.
    return [[getattr(s, c) or None if c == "outlets" else getattr(s, c) for s in summaries]
            for c in _SUMMARY_COLUMNS]  # fmt: skip


def _merge(
    rows: list[_Claim],
    members: list[_Member],
    numbers: list[str],
    stored: dict[int, _Summary],
    docs_before: dict[str, set[int]],
) -> list[_Summary]:
    """The rows of the clusters that ``members`` joined: their ``stored`` rows (if any) with the
    new members added. A document counts once per cluster, the members it had before
    (``docs_before``) included; the representative is the best ranked claim of all."""
    merged = dict(stored)
    counted = {(doc, c) for doc, clusters in docs_before.items() for c in clusters}
    for row, member, found in zip(rows, members, numbers, strict=True):
        summary = merged.get(member.cluster_id)
        if summary is None:
            merged[member.cluster_id] = summary = _Summary(
                member.cluster_id, row.doc_id, row.id, row.text, row.score, 0, 0, [],
                row.day, row.day, "", row.day,
            )  # fmt: skip
        elif row.rank() < summary.rank():
            summary.doc_id, summary.claim, summary.text = row.doc_id, row.id, row.text
            summary.score, summary.rep_day = row.score, row.day
        summary.size += 1
        if (row.doc_id, member.cluster_id) not in counted:
            counted.add((row.doc_id, member.cluster_id))
            summary.documents += 1
        if row.outlet is not None and row.outlet not in summary.outlets:
            summary.outlets = sorted([*summary.outlets, row.outlet])
        summary.first_seen = min(summary.first_seen or row.day, row.day)
        summary.last_seen = max(summary.last_seen or row.day, row.day)
        summary.numbers = summary.numbers or found
    touched = {m.cluster_id for m in members}
    return [merged[c] for c in sorted(touched)]


@dataclass(slots=True)
class _Founders:
    """The numbers of each cluster's first claim that states any (``stored`` as the clusters
    table keeps them), counted once per chunk rather than once per comparison."""

    stored: dict[int, str]
    counted: dict[int, Counter[str]] = field(default_factory=dict)

    def note(self, cluster: int, numbers: str) -> None:
        """A claim stating ``numbers`` joined ``cluster``: its founder's, if it has none yet."""
        if numbers and not self.stored.get(cluster):
            self.stored[cluster] = numbers

    def agree(self, cluster: int, text: ClaimText) -> bool:
        """Whether ``text``'s numbers agree with those of ``cluster``'s founder (if any)."""
        founder = self.stored.get(cluster)
        if not founder:
            return True
        counts = self.counted.get(cluster)
        if counts is None:
            counts = self.counted[cluster] = numbers_counted(founder)
        return numbers_agree(text.numbers, counts)


def _summary_sql(where: str) -> str:
    """The SELECT (up to its last column) summarizing the members matching ``where`` per
    cluster: representative (highest score, then earliest), size, documents, outlets, first and
    last seen. A document's day is its publication date, else the day it was stored."""
    return (
        "WITH m AS (SELECT m.cluster_id, m.doc_id, m.claim, c.text, c.score, d.outlet, "
        "coalesce(d.published, CAST(d.ingested_at AS DATE)) AS day FROM cluster_members m "
        "JOIN claims c ON c.doc_id = m.doc_id AND c.id = m.claim "
        f"JOIN documents d ON d.id = m.doc_id WHERE {where}), "
        "ranked AS (SELECT *, row_number() OVER (PARTITION BY cluster_id "
        "ORDER BY score DESC, day, doc_id, claim) AS r FROM m) "
        "SELECT cluster_id, any_value(doc_id) FILTER (WHERE r = 1), "
        "any_value(claim) FILTER (WHERE r = 1), any_value(text) FILTER (WHERE r = 1), "
        "any_value(score) FILTER (WHERE r = 1), count(*), count(DISTINCT doc_id), "
        "list(DISTINCT outlet ORDER BY outlet) FILTER (WHERE outlet IS NOT NULL), "
        "min(day), max(day)"
    )


# -- reading ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Cluster:
    """A claim cluster: its representative claim and a summary of its members."""

    id: int
    doc_id: str
    claim: int
    text: str
    score: float
    size: int
    documents: int
    outlets: list[str]
    first_seen: dt.date | None
    last_seen: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (dates as ISO text)."""
        return {
            "id": self.id,
            "text": self.text,
            "doc_id": self.doc_id,
            "claim": self.claim,
            "score": self.score,
            "size": self.size,
            "documents": self.documents,
            "outlets": list(self.outlets),
            "first_seen": _iso(self.first_seen),
            "last_seen": _iso(self.last_seen),
        }


@dataclass(slots=True)
class _Summary(Cluster):
    """A cluster's row as clustering keeps it: with the numbers of its first claim that states
    any, and its representative's day (which breaks ties between equal scores)."""

    numbers: str
    rep_day: dt.date

    def rank(self) -> tuple[float, dt.date, str, int]:
        return (-self.score, self.rep_day, self.doc_id, self.claim)


@dataclass(slots=True)
class Member:
    """A claim of a cluster, with its document's outlet, day and title, and how it joined."""

    doc_id: str
    claim: int
    text: str
    outlet: str | None
    day: dt.date | None
    title: str | None
    how: str
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the day as ISO text)."""
        return {
            "doc_id": self.doc_id,
            "claim": self.claim,
            "text": self.text,
            "outlet": self.outlet,
            "day": _iso(self.day),
            "title": self.title,
            "how": self.how,
            "similarity": self.similarity,
        }


def top_clusters(
    store: Store,
    *,
    top: int = 20,
    since: dt.date | None = None,
    outlets: Sequence[str] = (),
    min_size: int = 1,
) -> list[Cluster]:
    """The largest clusters (size, then documents, then the latest seen), at most ``top``.

    With ``since`` or ``outlets``, only the members from documents of that day or later, or of
    one of those outlets (any case), count: sizes, outlets, days and the representative are
    theirs.
    """
    if top < 1 or min_size < 1:
        raise SettingsError("--top and --min-size must be 1 or more")
    order = "ORDER BY size DESC, documents DESC, last_seen DESC NULLS LAST, id LIMIT ?"
    if since is None and not outlets:
        sql = (
            "SELECT id, doc_id, claim, text, score, size, documents, outlets, first_seen, "
            f"last_seen FROM clusters WHERE size >= ? {order}"
        )
        params: list[Any] = [min_size, top]
    else:
        where, params = ["true"], []
        if since is not None:
            where.append("coalesce(d.published, CAST(d.ingested_at AS DATE)) >= ?")
            params.append(since)
        if outlets:
            where.append("lower(d.outlet) IN (SELECT lower(unnest(?::VARCHAR[])))")
            params.append(list(outlets))
        sql = (
            "SELECT * FROM ("
            + _summary_sql(" AND ".join(where))
            + " FROM ranked GROUP BY cluster_id) AS s(id, doc_id, claim, text, score, size, "
            f"documents, outlets, first_seen, last_seen) WHERE size >= ? {order}"
        )
        params += [min_size, top]
    rows = _fetch(store, sql, params)
    return [
        Cluster(
            id=r[0],
            doc_id=r[1],
            claim=r[2],
            text=r[3],
            score=r[4],
            size=r[5],
            documents=r[6],
            outlets=list(r[7] or []),
            first_seen=r[8],
            last_seen=r[9],
        )
        for r in rows
    ]


def get_cluster(store: Store, cluster_id: int) -> tuple[Cluster, list[Member]]:
    """A cluster and its members, by day; StoreError when there is no such cluster."""
    rows = _fetch(
        store,
        "SELECT id, doc_id, claim, text, score, size, documents, outlets, first_seen, last_seen "
        "FROM clusters WHERE id = ?",
        [cluster_id],
    )
    if not rows:
        raise StoreError(f"no cluster {cluster_id}", source=str(store.path))
    r = rows[0]
    cluster = Cluster(r[0], r[1], r[2], r[3], r[4], r[5], r[6], list(r[7] or []), r[8], r[9])
    members = [
        Member(*row)
        for row in _fetch(
            store,
            "SELECT m.doc_id, m.claim, c.text, d.outlet, "
            "coalesce(d.published, CAST(d.ingested_at AS DATE)) AS day, d.title, m.how, "
            "m.similarity FROM cluster_members m "
            "JOIN claims c ON c.doc_id = m.doc_id AND c.id = m.claim "
            "JOIN documents d ON d.id = m.doc_id WHERE m.cluster_id = ? "
            "ORDER BY day NULLS LAST, d.ingested_at, m.doc_id, m.claim",
            [cluster_id],
        )
    ]
    return cluster, members


def _fetch(store: Store, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    try:
        return store.connection.execute(sql, params).fetchall()
    except duckdb.Error as exc:
        raise StoreError(_message(exc), source=str(store.path)) from None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None
