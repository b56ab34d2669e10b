"""The clusterer's cache of indexed claims: each one's cluster and comparable text, compact.

A clustering chunk compares each claim with its nearest indexed claims, and the same neighbours
come back chunk after chunk: describing their texts again (``claim_text.describe``) was most of
a run's time. So the clusterer keeps what it knows of the indexed claims, as many as the vector
index holds. As Python objects (an ``OrderedDict`` of ``ClaimText``) an entry took about 2 KB,
some 600 MB for a full window; here it is a few fixed-width numbers in arrays and two strings,
about 0.5 KB, and the ``ClaimText`` is rebuilt when it is asked for (a few microseconds).

Vector keys are consecutive integers handed out in clustering order, and the index holds the
newest of them, so the cache is a ring: key ``k`` lives in slot ``k % capacity``. With a
capacity of at least the index's window and a chunk, a key the index holds is never pushed out.
"""

from __future__ import annotations

import numpy as np

from claimscope.clusters.claim_text import ClaimText, numbers_counted, numbers_text

_NOTHING: frozenset[tuple[str, str]] = frozenset()


class Neighbours:
    """Cluster and ``ClaimText`` of the newest ``capacity`` vector keys put (keys are 1 or
    more); an older key put where a newer one lives is not kept."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be 1 or more, got {capacity}")
        self.capacity = capacity
        self._keys = np.zeros(capacity, dtype=np.int64)  # 0: an empty slot
        self._clusters = np.zeros(capacity, dtype=np.int64)
        self._hashes = np.zeros(capacity, dtype=np.int64)
        # Shingle codes as bytes, numbers and quantities as text (``_pack``).
        self._texts: list[tuple[bytes, str, str] | None] = [None] * capacity

    def __contains__(self, key: int) -> bool:
        return bool(self._keys[key % self.capacity] == key)

    def __len__(self) -> int:
        return int(np.count_nonzero(self._keys))

    def keys(self) -> set[int]:
        """The keys held."""
        return {int(k) for k in self._keys[self._keys > 0]}

    def put(self, key: int, cluster: int, text: ClaimText) -> None:
        """Hold ``key``'s cluster and text, in the place of the key ``capacity`` before it."""
        slot = key % self.capacity
        if key < self._keys[slot]:
            return
        self._keys[slot] = key
        self._clusters[slot] = cluster
        self._hashes[slot] = text.hash
        self._texts[slot] = _pack(text)

    def get(self, key: int) -> tuple[int, ClaimText] | None:
        """``key``'s cluster and text, or None when it is not held."""
        slot = key % self.capacity
        packed = self._texts[slot]
        if self._keys[slot] != key or packed is None:
            return None
        return int(self._clusters[slot]), _unpack(int(self._hashes[slot]), packed)


def _pack(text: ClaimText) -> tuple[bytes, str, str]:
    # A quantity is a number and a word of letters: neither has a space or a colon.
    quantities = " ".join(f"{number}:{word}" for number, word in sorted(text.quantities))
    return text.shingles.tobytes(), numbers_text(text.numbers), quantities


def _unpack(hash_: int, packed: tuple[bytes, str, str]) -> ClaimText:
    shingles, numbers, quantities = packed
    # Most claims count nothing: those are spared the parsing.
    return ClaimText(
        hash_,
        # A read-only view of the bytes: a ClaimText is frozen.
        np.frombuffer(shingles, dtype=np.uint32),
        numbers_counted(numbers),
        frozenset(_pair(q) for q in quantities.split()) if quantities else _NOTHING,
    )


def _pair(quantity: str) -> tuple[str, str]:
    number, word = quantity.split(":", 1)
    return number, word
