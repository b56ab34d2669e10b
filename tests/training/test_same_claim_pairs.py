"""The labelled same-claim dev pairs: read with their texts, PolNeAR's skipped without ../shared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimscope.clusters.claim_text import describe, numbers_agree
from claimscope.training.same_claim_pairs import PAIRS, PARTS, read_same_claim_pairs

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
ROWS = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]


def test_every_pair_is_labelled_with_a_reason_and_a_part():
    assert len(ROWS) == 326
    assert {r["part"] for r in ROWS} == set(PARTS)
    assert all(isinstance(r["same"], bool) and r["why"].strip() for r in ROWS)
    # Spans, never text, for the third-party articles.
    assert all(set(r[side]) <= {"polnear", "example", "record", "start", "end"} for r in ROWS
               for side in ("a", "b"))  # fmt: skip


def test_without_shared_data_only_the_example_pairs_are_read(tmp_path):
    loaded = read_same_claim_pairs(None)
    examples = sum("example" in r["a"] for r in ROWS)
    assert len(loaded.pairs) == examples and loaded.skipped == len(ROWS) - examples
    # A data folder without PolNeAR skips its pairs the same way, without an error.
    assert read_same_claim_pairs(tmp_path).skipped == loaded.skipped
    troops = [p for p in loaded.pairs if p.same and "700" in p.a]
    assert troops and all("700" in p.b for p in troops)
    assert all(p.a.strip() and p.b.strip() for p in loaded.pairs)


@pytest.mark.shared
def test_with_shared_data_every_pair_is_read():
    if not (DATA / "attribution" / "polnear" / "train").is_dir():
        pytest.skip("../shared/data/attribution/polnear is absent")
    loaded = read_same_claim_pairs(DATA)
    assert loaded.skipped == 0 and len(loaded.pairs) == len(ROWS)
    # The labels hold the numbers rule: a pair labelled the same claim states agreeing numbers,
    # but for the one whose figures are rounded ($27 and $27.16), and two whose number words
    # count other things ("less than two weeks ago" and "Friday"; "two periods" and "seven
    # months"), both missed by the gate's cosine anyway.
    disagree = [
        p.why for p in loaded.pairs
        if p.same and not numbers_agree(describe(p.a).numbers, describe(p.b).numbers)
    ]  # fmt: skip
    assert disagree == [
        "both: the average donation was $27 ($27.16)",
        "both: the State Department said for the first time that top-secret information passed "
        "through Clinton's server",
        "both: the deployment ends on December 31, 2023",
    ]
