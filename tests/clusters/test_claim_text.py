"""Compact shingles: 32-bit codes that score as the shingle strings do."""

from __future__ import annotations

import hashlib
import itertools

import numpy as np
import pytest

from claimscope.clusters.claim_text import (
    Thresholds,
    describe,
    jaccard_bound,
    jaccard_score,
    join_how,
    normalize,
    shingle_hashes,
    shingles,
)

# Made up for these tests: near-duplicates, inflections, short texts, punctuation only, and
# characters above U+1000 (hashed, not packed) mixed with Latin ones.
TEXTS = [
    "The ferry between Ostmark and Halvik carried 1,240 passengers on May 3, 2024.",
    "The ferry between Ostmark and Halvik carried 1,240 passengers on 3 May 2024",
    "A ferry from Ostmark to Halvik carried 1,240 passengers.",
    "The ferries between Ostmark and Halvik carry passengers.",
    "Dravonia's parliament approved a budget of 4.5 billion euros.",
    "Le parlement dravonien a approuvé un budget de 4,5 milliards d'euros.",
    "Парламент Дравонии утвердил бюджет.",
    "Dravonia 议会批准了预算 budget of 4.5 billion",
    "议会批准了预算",
    "Ostmark 😀 ferry 😀 Halvik",
    "ferry",
    "fer",
    "ferry!",
    "...",
    "",
]


def test_claim_text_codes_one_per_shingle() -> None:
    for text in TEXTS:
        norm = normalize(text)
        codes = shingle_hashes(norm)
        assert codes.dtype == np.uint32
        assert len(codes) == len(shingles(norm))
        assert bool(np.all(codes[1:] > codes[:-1]))  # sorted and distinct


def test_claim_text_compact_jaccard_equals_set_jaccard() -> None:
    norms = [normalize(t) for t in TEXTS]
    overlapping = 0
    for a, b in itertools.combinations(norms, 2):
        expected = jaccard_score(shingles(a), shingles(b))
        assert jaccard_score(shingle_hashes(a), shingle_hashes(b)) == expected, (a, b)
        assert jaccard_bound(shingle_hashes(a), shingle_hashes(b)) >= expected
        overlapping += 0 < expected < 1
    assert overlapping >= 5  # the pairs are not all trivially disjoint


def test_claim_text_codes_are_stable() -> None:
    # Not Python's salted hash: the same code in every process. A Latin shingle is its code
    # points packed 12 bits each, a CJK one a 60-bit hash above 2**60; either is mixed down to
    # 32 bits.
    def mixed(code: int) -> int:
        return (code * 0x9E3779B97F4A7C15 % 2**64) >> 32

    assert shingle_hashes("abcde").tolist() == [
        mixed(0x61 | 0x62 << 12 | 0x63 << 24 | 0x64 << 36 | 0x65 << 48)
    ]
    digest = hashlib.blake2b("议会批准了".encode(), digest_size=8).digest()
    wide = int.from_bytes(digest, "big") & (2**60 - 1) | 0xF << 60
    assert shingle_hashes("议会批准了").tolist() == [mixed(wide)]


@pytest.mark.parametrize(
    ("a", "b", "how"),
    [
        (
            "The ferry carried 1,240 passengers on May 3.",
            "The ferry carried 1,240 passengers.",
            "near",
        ),
        ("The ferry carried 1,240 passengers.", "A budget of 4.5 billion euros.", None),
    ],
)
def test_claim_text_join_uses_compact_shingles(a: str, b: str, how: str | None) -> None:
    thresholds = Thresholds(near_duplicate=0.7, semantic=0.99, semantic_quantity=0.99)
    joined = join_how(describe(a), describe(b), 0.0, thresholds)
    assert (joined[0] if joined else None) == how
    if joined:
        assert joined[1] == jaccard_score(shingles(normalize(a)), shingles(normalize(b)))
