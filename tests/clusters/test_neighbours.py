"""The clusterer's compact cache of indexed claims: a ring of the newest vector keys."""

from __future__ import annotations

import numpy as np
import pytest

from claimscope.clusters.claim_text import describe
from claimscope.clusters.neighbours import Neighbours

TEXTS = [
    "About 700 American troops will arrive in Peru, officials said.",
    "The ferry carried 1,240 passengers on May 3 and 2 crew.",
    "Nobody has said how many troops will come.",
    "Ostmark 😀 议会批准了预算 budget of 4.5 billion",
    "",
]


def test_neighbours_give_back_the_text_they_were_given():
    ring = Neighbours(8)
    for key, text in enumerate(TEXTS, start=1):
        ring.put(key, 100 + key, describe(text))
    for key, text in enumerate(TEXTS, start=1):
        held = ring.get(key)
        assert held is not None
        cluster, back = held
        want = describe(text)
        assert cluster == 100 + key
        assert back.hash == want.hash
        assert np.array_equal(back.shingles, want.shingles)
        assert back.numbers == want.numbers and back.quantities == want.quantities
        assert not back.shingles.flags.writeable
    assert ("700", "american") in ring.get(1)[1].quantities  # type: ignore[index]
    assert len(ring) == len(TEXTS) and ring.keys() == {1, 2, 3, 4, 5}


def test_neighbours_keep_the_newest_keys():
    ring = Neighbours(3)
    text = describe(TEXTS[0])
    for key in range(1, 6):
        ring.put(key, key, text)
    assert ring.keys() == {3, 4, 5}
    assert 2 not in ring and ring.get(2) is None and 5 in ring
    # An older key looked up in the store again does not push out a newer one.
    ring.put(2, 2, text)
    assert ring.keys() == {3, 4, 5}


def test_neighbours_refuse_no_room():
    with pytest.raises(ValueError, match="capacity"):
        Neighbours(0)
