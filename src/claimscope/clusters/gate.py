"""The same-claim gate of a clustering run: a claim joins a cluster only when the same-claim
model says it states the same claim as the cluster's founder and as the member it matched.

``same_claim`` has the model and its thresholds; this keeps, for one run, what the gate needs
at hand: each cluster's founder (the key of its first claim, which never changes), the vectors
of the claims compared so far (``VectorCache``), and the texts of the claims that may be asked
for (those of the chunk, and the candidates the index found), fetched from the store once a
chunk. A claim is embedded only when it is compared, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from claimscope.clusters.gate_rules import ACTOR_LABELS, GateFacts, gate_facts
from claimscope.clusters.same_claim import (
    VECTOR_CACHE,
    SameClaimModel,
    SameClaimThresholds,
    VectorCache,
    same_claim_pair,
)
from claimscope.store import Store
from claimscope.store.sql import select_in

# The texts of a claim's actor mentions (``gate_rules.ACTOR_LABELS``), as a SQL expression over
# the claim ``c``: the names the gate's actor rule compares.
ACTORS_SQL = (
    "(SELECT coalesce(list(mt.text ORDER BY mt.id), []) FROM mentions mt "
    "WHERE mt.doc_id = c.doc_id AND mt.kind = 'entity' AND list_contains(c.entities, mt.id) "
    f"AND mt.label IN ({', '.join(repr(label) for label in sorted(ACTOR_LABELS))}))"
)


@dataclass(slots=True)
class GateStats:
    """What the gate did in a run: pairs compared, and joins it refused."""

    compared: int = 0
    refused: int = 0
    embedded: int = 0


@dataclass(slots=True)
class _Chunk:
    """One chunk's claims as the gate sees them: texts and the actors each names, what its rules
    read of those compared so far, the vectors computed so far, and the row of each vector key
    handed out in the chunk."""

    texts: Sequence[str]
    actors: Sequence[Sequence[str]]
    facts: dict[int, GateFacts] = field(default_factory=dict)
    vectors: dict[int, np.ndarray] = field(default_factory=dict)
    keyed: dict[int, int] = field(default_factory=dict)


class ClusterGate:
    """The same-claim gate over one store (one clustering run)."""

    def __init__(
        self,
        store: Store,
        model: SameClaimModel,
        thresholds: SameClaimThresholds,
        *,
        cache: int = VECTOR_CACHE,
    ) -> None:
        self.store = store
        self.model = model
        self.thresholds = thresholds
        self.stats = GateStats()
        self._vectors = VectorCache(cache)
        self._founders: dict[int, int | None] = {}
        self._texts: dict[int, tuple[str, GateFacts]] = {}
        self._chunk = _Chunk((), ())

    def start_chunk(
        self,
        texts: Sequence[str],
        actors: Sequence[Sequence[str]],
        keys: Iterable[int],
        clusters: set[int],
    ) -> None:
        """A new chunk of claims (``texts``, with the names of the ``actors`` each mentions),
        whose candidates are the indexed claims ``keys`` in ``clusters``: their founders and the
        texts of those not embedded yet are read."""
        self._chunk = _Chunk(texts, actors)
        self._founders = self._founder_keys(clusters)
        wanted = {k for k in keys if k not in self._vectors}
        wanted |= {k for k in self._founders.values() if k is not None and k not in self._vectors}
        self._texts = self._texts_of(wanted)

    def started(self, cluster: int, key: int | None) -> None:
        """Row keyed ``key`` (None: not indexed) started ``cluster``: it is its founder."""
        self._founders[cluster] = key

    def keyed(self, row: int, key: int) -> None:
        """Row ``row`` of the chunk was given vector key ``key``."""
        self._chunk.keyed[key] = row
        vector = self._chunk.vectors.get(row)
        if vector is not None:
            self._vectors.put(key, vector, self._row_facts(row))

    def allows(self, row: int, cluster: int, key: int) -> bool:
        """Whether row ``row`` states the same claim as the member keyed ``key`` it matched and
        as ``cluster``'s founder."""
        vector = self._row_vector(row)
        facts = self._row_facts(row)
        founder = self._founders.get(cluster)
        for target in (key,) if founder in (None, key) else (founder, key):
            found = self._key_vector(target)
            if found is None:  # a claim no longer stored: nothing to compare with
                continue
            other_vector, other = found
            self.stats.compared += 1
            if not same_claim_pair(facts, other, float(vector @ other_vector), self.thresholds):
                self.stats.refused += 1
                return False
        return True

    def _row_vector(self, row: int) -> np.ndarray:
        vector = self._chunk.vectors.get(row)
        if vector is None:
            vector = self._embed(self._chunk.texts[row])
            self._chunk.vectors[row] = vector
        return vector

    def _row_facts(self, row: int) -> GateFacts:
        """What the rules read of row ``row``, read once (only claims compared need it)."""
        facts = self._chunk.facts.get(row)
        if facts is None:
            facts = gate_facts(self._chunk.texts[row], self._chunk.actors[row])
            self._chunk.facts[row] = facts
        return facts

    def _key_vector(self, key: int) -> tuple[np.ndarray, GateFacts] | None:
        found = self._vectors.get(key)
        if found is not None:
            return found
        row = self._chunk.keyed.get(key)
        if row is not None:
            facts = self._row_facts(row)
            vector = self._row_vector(row)
        else:
            stored = self._texts.get(key) or self._texts_of({key}).get(key)
            if stored is None:
                return None
            text, facts = stored
            vector = self._embed(text)
        self._vectors.put(key, vector, facts)
        return vector, facts

    def _embed(self, text: str) -> np.ndarray:
        self.stats.embedded += 1
        return self.model.vectors([text])[0]

    def _founder_keys(self, clusters: set[int]) -> dict[int, int | None]:
        """The vector key of each cluster's first claim (None when it was not indexed)."""
        rows = select_in(
            self.store.connection,
            "SELECT cluster_id, vector_key FROM cluster_members "
            "WHERE how = 'new' AND cluster_id IN (SELECT unnest(?::INTEGER[]))",
            clusters,
        )
        return {int(c): None if k is None else int(k) for c, k in rows}

    def _texts_of(self, keys: set[int]) -> dict[int, tuple[str, GateFacts]]:
        """The claim text, and its facts, of each vector key among ``keys`` that is stored."""
        rows = select_in(
            self.store.connection,
            f"SELECT m.vector_key, c.text, {ACTORS_SQL} FROM cluster_members m "
            "JOIN claims c ON c.doc_id = m.doc_id AND c.id = m.claim "
            "WHERE m.vector_key IN (SELECT unnest(?::BIGINT[]))",
            keys,
        )
        return {int(k): (str(t), gate_facts(str(t), names)) for k, t, names in rows}
