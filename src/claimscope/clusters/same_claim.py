"""Whether two claims state the same claim: the gate a claim passes to join a cluster.

The static embedding that finds a claim's candidates (``embed-static``) reads topics: on 2016
election news, "It takes 2,383 delegates to win" and "Clinton has at least 723 delegates" have a
cosine of 0.8, and one claim close to the next put 1,095 claims of 489 articles into one cluster.
So a claim that the static stage would join to a cluster must also state the same claim, by the
same-claim model, as the cluster's **founder** (its first claim, which never changes) and as the
member it matched. Every member is then close to one fixed claim: a cluster cannot drift away
from it one neighbour at a time.

The same-claim model is ``match-minilm``, the bi-encoder fine-tuned to match posts with the claims
fact-checkers checked (``verify/``); a pair's similarity is the cosine of its two vectors. On the
labelled dev pairs (``training/same_claim_pairs``) it separates same-claim pairs from the rest
better than the static cosine, the claim model's own sentence vectors or the stance model's
mutual entailment (docs/clusters.md). Its thresholds are in its card (``same_claim``, and the
lower ``same_claim_quantity`` for two claims led by the same salient number of the same thing).
Rules that no cosine overrides (``gate_rules``) come first: claims naming different actors, and
an editorial notice with a claim, are never one.

Only claims that pass the static stage are embedded, one text at a time (the int8 model's
vectors then do not depend on what else is in a batch), and the vectors of indexed claims are
kept, so the cost is bounded by the claims that have a candidate at all.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from claimscope.clusters.claim_text import shares_quantity
from claimscope.clusters.config import SAME_CLAIM_MODEL
from claimscope.clusters.gate_rules import GateFacts, gate_facts, refusal, text_actors
from claimscope.errors import SettingsError
from claimscope.models.folder import ModelFolder

__all__ = [
    "SAME_CLAIM_MODEL",
    "SameClaimModel",
    "SameClaimThresholds",
    "is_same_claim",
    "same_claim_pair",
    "same_claim_similarity",
    "same_claim_thresholds",
]
# Vectors of indexed claims kept (float16, 384 dimensions: about 1 KB an entry with its key).
VECTOR_CACHE = 50_000


@dataclass(frozen=True, slots=True, kw_only=True)
class SameClaimThresholds:
    """The same-claim model's cosine at or above which two claims are one; the lower one when
    both count the same thing with the same salient number ("700 US troops"); and the static
    cosine a candidate needs (with no quantity shared) for the gate to compare it at all."""

    same_claim: float
    same_claim_quantity: float
    static_floor: float = 0.0

    def passes(self, cosine: float, shared_quantity: bool) -> bool:
        """Whether a pair with this cosine (and a quantity shared, or not) is one claim."""
        return cosine >= (self.same_claim_quantity if shared_quantity else self.same_claim)


class SameClaimModel:
    """The same-claim model's vectors, one text at a time (``load()`` does the work)."""

    def __init__(self, model: str = SAME_CLAIM_MODEL, *, threads: int = 1) -> None:
        self.model = model
        self.threads = threads

    def load(self) -> SameClaimModel:
        """Open the bi-encoder folder; refuse another kind of model."""
        from claimscope.models.reranker import EmbeddingScorer

        folder = ModelFolder.open(self.model)
        if folder.card.get("architecture") != "bi-encoder":
            raise SettingsError(f"{folder.path}: the same-claim model must be a bi-encoder")
        # One text at a time: no padding, so a text's vector is the same in any company.
        self.encoder_ = EmbeddingScorer(self.model, batch_size=1, threads=self.threads).load()
        self.folder_ = folder
        return self

    @property
    def name(self) -> str:
        """The model's name and version."""
        return self.encoder_.name

    def thresholds(self) -> SameClaimThresholds:
        """The card's same-claim thresholds."""
        try:
            return SameClaimThresholds(
                same_claim=self.folder_.threshold("same_claim"),
                same_claim_quantity=self.folder_.threshold("same_claim_quantity"),
                static_floor=self.folder_.threshold("same_claim_static"),
            )
        except KeyError:
            raise SettingsError(
                f"{self.folder_.path}/card.json has no same_claim thresholds"
            ) from None

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row a text, rounded to float16 as the cache keeps them (so that a
        vector compares the same fresh or cached), as float32."""
        return as_kept(self.encoder_.encode(list(texts)))


@functools.cache
def load_same_claim_model(model: str = SAME_CLAIM_MODEL, threads: int = 1) -> SameClaimModel:
    """The same-claim model, loaded once per process."""
    return SameClaimModel(model, threads=threads).load()


def same_claim_similarity(
    a: Sequence[str], b: Sequence[str], *, model: str = SAME_CLAIM_MODEL
) -> np.ndarray:
    """The same-claim similarity of each pair ``(a[i], b[i])``: the cosine of their vectors by
    the same-claim model, as the cluster gate computes it. Compare it with
    ``same_claim_thresholds()`` as ``same_claim_pair`` does (``is_same_claim``)."""
    if len(a) != len(b):
        raise ValueError(f"{len(a)} texts against {len(b)}")
    if not a:
        return np.zeros(0, dtype=np.float32)
    loaded = load_same_claim_model(model)
    left, right = loaded.vectors(a), loaded.vectors(b)
    return np.sum(left * right, axis=1).astype(np.float32)


def same_claim_thresholds(model: str = SAME_CLAIM_MODEL) -> SameClaimThresholds:
    """The same-claim model's thresholds, from its card."""
    return load_same_claim_model(model).thresholds()


def same_claim_pair(
    a: GateFacts, b: GateFacts, cosine: float, thresholds: SameClaimThresholds
) -> bool:
    """The gate's decision for a pair, from what its rules read of each claim
    (``gate_rules.gate_facts``): no refusal, and the cosine at the threshold (the same-quantity
    one when a quantity leads both)."""
    if refusal(a, b) is not None:
        return False
    return thresholds.passes(cosine, shares_quantity(a.quantities, b.quantities))


def is_same_claim(
    a: str,
    b: str,
    *,
    model: str = SAME_CLAIM_MODEL,
    actors: tuple[Iterable[str], Iterable[str]] | None = None,
) -> bool:
    """Whether two claim texts state the same claim, as the cluster gate decides for a pair
    (the numbers rule of the clusters aside): its rules (``gate_rules``) and its thresholds.
    ``actors``: the names of the people and organisations each mentions; by default, those the
    entity model finds in each text."""
    (cosine,) = same_claim_similarity([a], [b], model=model)
    names = text_actors([a, b]) if actors is None else actors
    facts = gate_facts(a, names[0]), gate_facts(b, names[1])
    return same_claim_pair(*facts, float(cosine), same_claim_thresholds(model))


def as_kept(vectors: np.ndarray) -> np.ndarray:
    """Vectors as the cache keeps them: float16 values, as float32."""
    return vectors.astype(np.float16).astype(np.float32)


class VectorCache:
    """The same-claim vectors of the claims last asked for (at most ``capacity``), by vector
    key, each with what the gate's rules read of its claim (``gate_rules.GateFacts``)."""

    def __init__(self, capacity: int = VECTOR_CACHE) -> None:
        self.capacity = capacity
        self._held: OrderedDict[int, tuple[np.ndarray, GateFacts]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, key: int) -> bool:
        return key in self._held

    def get(self, key: int) -> tuple[np.ndarray, GateFacts] | None:
        """``key``'s vector (float32) and its claim's facts, or None."""
        found = self._held.get(key)
        if found is None:
            return None
        self._held.move_to_end(key)
        return found[0].astype(np.float32), found[1]

    def put(self, key: int, vector: np.ndarray, facts: GateFacts) -> None:
        """Keep ``key``'s vector (as float16) and its claim's facts, letting the least recently
        used go."""
        self._held[key] = (vector.astype(np.float16), facts)
        self._held.move_to_end(key)
        while len(self._held) > self.capacity:
            self._held.popitem(last=False)
