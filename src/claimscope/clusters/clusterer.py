"""The clusterer: one chunk of claims joined to clusters, stored in one transaction, indexed.

How a claim joins a cluster is told in ``session.py``; this is the work of one chunk: the exact
duplicates found by text hash, the candidates searched in the vector index and among the chunk's
earlier claims, the join itself (``claim_text.join_how``, with the founders' numbers), then the
members inserted and the clusters' rows updated from their stored rows and new members alone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np

from claimscope.clusters.claim_index import ClaimIndex, as_stored
from claimscope.clusters.claim_text import (
    ClaimText,
    Thresholds,
    describe,
    jaccard_bound,
    join_how,
    numbers_agree,
    numbers_counted,
    numbers_text,
)
from claimscope.clusters.config import GATE_TRIES, SEEN_CACHE, ClusterConfig, ClusterStats
from claimscope.clusters.gate import ClusterGate
from claimscope.clusters.neighbours import Neighbours
from claimscope.clusters.read import Cluster
from claimscope.errors import StoreError
from claimscope.models.embedder import Embedder
from claimscope.store import Store
from claimscope.store.schema import CLUSTER_MEMBERS, CLUSTERS
from claimscope.store.sql import duckdb_message, insert_rows, select_in, transaction, utc_now


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim to cluster, with what its cluster's summary needs of it and its document."""

    doc_id: str
    id: int
    text: str
    score: float
    outlet: str | None
    day: dt.date
    # The names of the people and organisations the claim mentions (the same-claim gate's
    # actor rule compares them).
    actors: Sequence[str] = ()

    def rank(self) -> tuple[float, dt.date, str, int]:
        """Representatives first: the highest score, then the earliest day, doc and claim."""
        return (-self.score, self.day, self.doc_id, self.id)


@dataclass(slots=True)
class _Member:
    """Where a claim of the chunk goes; its fields but ``key`` (the ``vector_key``, None when not
    indexed) are cluster_members columns of the same name."""

    cluster_id: int
    how: str
    similarity: float
    key: int | None


class Clusterer:
    """Clusters chunks of claims into the store and the index (one run)."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        index: ClaimIndex,
        config: ClusterConfig,
        thresholds: Thresholds,
        gate: ClusterGate | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.index = index
        self.config = config
        self.thresholds = thresholds
        # The same-claim gate (None: the static stage alone decides, as before issue 30).
        self.gate = gate
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

    def chunk(self, rows: list[Claim], stats: ClusterStats) -> None:
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
        clusters = {cluster for cluster, _ in known.values()}
        founders = _Founders(self._cluster_numbers(clusters))
        numbers = [numbers_text(d.numbers) for d in described]
        within = vectors @ vectors.T
        if self.gate is not None:
            floor = min(self.thresholds.semantic, self.thresholds.semantic_quantity)
            near = {k for matches in searched for k, cosine in matches if cosine >= floor}
            self.gate.start_chunk(texts, [r.actors for r in rows], near, clusters)

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
                if self.gate is not None:
                    self.gate.keyed(i, member.key)
            if member.how == "new" and self.gate is not None:
                self.gate.started(member.cluster_id, member.key)
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
        joins: list[tuple[tuple[bool, float], str, float, int, int]] = []
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
            joins.append(((how != "semantic", similarity), how, similarity, cluster, key))
        # The best join first (a near duplicate before a semantic one, then the most similar;
        # the nearest candidate among equals) that the same-claim gate allows.
        joins.sort(key=lambda j: j[0], reverse=True)
        refused: set[int] = set()
        for _, how, similarity, cluster, key in joins:
            if self.gate is not None:
                if cluster in refused:
                    continue
                if len(refused) == GATE_TRIES:
                    break  # the next candidates are further still: not worth their cost
                if not self.gate.allows(i, cluster, key):
                    refused.add(cluster)
                    continue
            return _Member(cluster, how, similarity, None)
        return None

    def _known_hashes(self, hashes: set[int]) -> dict[int, int]:
        """Cluster of each text hash already clustered."""
        rows = select_in(
            self.store.connection,
            "SELECT text_hash, min(cluster_id) FROM cluster_members "
            "WHERE text_hash IN (SELECT unnest(?::BIGINT[])) GROUP BY text_hash",
            hashes,
        )
        return {int(h): int(c) for h, c in rows}

    def _cluster_numbers(self, clusters: set[int]) -> dict[int, str]:
        """The numbers of each cluster's first claim that states any, as stored (counted only
        for the few clusters a claim could join: counting them all was a tenth of a run)."""
        rows = select_in(
            self.store.connection,
            "SELECT id, numbers FROM clusters "
            "WHERE numbers <> '' AND id IN (SELECT unnest(?::INTEGER[]))",
            clusters,
        )
        return {int(cluster): str(found) for cluster, found in rows}

    def _candidates(self, keys: set[int]) -> dict[int, tuple[int, ClaimText]]:
        """Cluster and comparable text of each indexed claim among ``keys``."""
        found = {k: held for k in keys if (held := self._seen.get(k)) is not None}
        rows = select_in(
            self.store.connection,
            "SELECT m.vector_key, m.cluster_id, c.text FROM cluster_members m "
            "JOIN claims c ON c.doc_id = m.doc_id AND c.id = m.claim "
            "WHERE m.vector_key IN (SELECT unnest(?::BIGINT[]))",
            keys - found.keys(),
        )
        for key, cluster, text in rows:
            described = describe(text)
            found[int(key)] = (int(cluster), described)
            self._seen.put(int(key), int(cluster), described)
        return found

    def _write(
        self,
        rows: list[Claim],
        described: list[ClaimText],
        numbers: list[str],
        members: list[_Member],
    ) -> None:
        """Insert the members and update the clusters they joined, in one transaction.

        A cluster's row is updated from its stored row and its new members alone, never from
        all its members, so that a chunk costs the same in a large store as in a small one.
        """
        now = utc_now()
        stored = self._stored_summaries({m.cluster_id for m in members})
        before = self._docs_before(rows)
        summaries = _merge(rows, members, numbers, stored, before)
        joined = [
            CLUSTER_MEMBERS.record_row(
                m,
                omit=("key",),
                doc_id=r.doc_id,
                claim=r.id,
                text_hash=d.hash,
                numbers=found,
                vector_key=m.key,
                seq=seq,
            )
            for seq, (r, d, found, m) in enumerate(
                zip(rows, described, numbers, members, strict=True), start=self.next_seq
            )
        ]
        con = self.store.connection
        try:
            with transaction(con):
                insert_rows(con, CLUSTER_MEMBERS, joined, now=now)
                fresh = [s for s in summaries if s.id not in stored]
                _store_summaries(con, fresh, [s for s in summaries if s.id in stored], now)
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot store clusters: {duckdb_message(exc)}", source=str(self.store.path)
            ) from None
        self.next_seq += len(members)
        self._keep_open(rows, members, before)

    def _keep_open(
        self, rows: list[Claim], members: list[_Member], before: dict[str, set[int]]
    ) -> None:
        """Note the clusters joined by the document a full chunk may have split."""
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
        rows = select_in(
            self.store.connection,
            f"SELECT {', '.join('k.' + c for c in _SUMMARY_COLUMNS)}, "
            "coalesce(d.published, CAST(d.ingested_at AS DATE)) FROM clusters k "
            "JOIN documents d ON d.id = k.doc_id WHERE k.id IN (SELECT unnest(?::INTEGER[]))",
            clusters,
        )
        found = {}
        for row in rows:
            summary = _Summary(
                **dict(zip(_SUMMARY_COLUMNS, row[:-1], strict=True)), rep_day=row[-1]
            )
            summary.outlets = summary.outlets or []  # NULL: no outlet
            found[int(summary.id)] = summary
        return found

    def _docs_before(self, rows: list[Claim]) -> dict[str, set[int]]:
        """The clusters that the documents of ``rows`` joined before this chunk."""
        docs = {r.doc_id for r in rows}
        if self._open is not None:
            return {d: c for d, c in self._open.items() if d in docs}
        found: dict[str, set[int]] = {}
        for doc, cluster in select_in(
            self.store.connection,
            "SELECT DISTINCT doc_id, cluster_id FROM cluster_members "
            "WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
            docs,
        ):
            found.setdefault(doc, set()).add(int(cluster))
        return found


# A cluster's row, as ``_Summary`` holds it, in the table's column order (the write time aside).
_SUMMARY_COLUMNS = CLUSTERS.written


def _store_summaries(
    con: duckdb.DuckDBPyConnection, fresh: list[_Summary], changed: list[_Summary], now: dt.datetime
) -> None:
    """Insert the rows of new clusters and update those of the others (in the caller's
    transaction)."""
    unnest = ", ".join(f"unnest(?::{CLUSTERS.types[c]}[])" for c in _SUMMARY_COLUMNS)
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


def _columns(summaries: list[_Summary]) -> list[list[Any]]:
    # No outlet is NULL in the table, as the summary query makes it.
    return [[getattr(s, c) or None if c == "outlets" else getattr(s, c) for s in summaries]
            for c in _SUMMARY_COLUMNS]  # fmt: skip


def _merge(
    rows: list[Claim],
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
                id=member.cluster_id,
                doc_id=row.doc_id,
                claim=row.id,
                text=row.text,
                score=row.score,
                size=0,
                documents=0,
                outlets=[],
                first_seen=row.day,
                last_seen=row.day,
                numbers="",
                rep_day=row.day,
            )
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


@dataclass(slots=True)
class _Summary(Cluster):
    """A cluster's row as clustering keeps it: with the numbers of its first claim that states
    any, and its representative's day (which breaks ties between equal scores)."""

    # Keyword-only: the data model's fields before them are documented ``doc(...)`` fields, which
    # a type checker takes for fields with defaults.
    numbers: str = field(kw_only=True)
    rep_day: dt.date = field(kw_only=True)

    def rank(self) -> tuple[float, dt.date, str, int]:
        return (-self.score, self.rep_day, self.doc_id, self.claim)
