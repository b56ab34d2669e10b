"""The labelled same-claim dev pairs: two claims of real news, and whether they state one claim.

``data/same_claim_pairs.jsonl`` holds 326 pairs, each read and labelled by hand with its reason
(docs/clusters.md tells how they were found). A side is a span of an article, never its text:

- ``{"polnear": "train/<article>", "start": S, "end": E}``: characters S to E of the PolNeAR
  article ``<data>/attribution/polnear/train/text/<article>.txt`` (third-party text, read from
  ``../shared/data`` and never copied into the project);
- ``{"example": "peru_corpus.jsonl", "record": N, "start": S, "end": E}``: characters of the
  ``text`` of record N of a corpus in ``claimscope/examples`` (the project's own).

Each pair also says which ``part`` it belongs to: ``tune`` (the same-claim thresholds were chosen
on these) or ``heldout`` (only measured), one pair in two at random, and how the pair was
``found_by`` (``cluster``: two members of one cluster of the old clusterer; ``match_rank_N``: among
the most similar pairs by the same-claim model; ``static_X``: by the static cosine).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

PAIRS = Path(__file__).with_name("data") / "same_claim_pairs.jsonl"
PARTS = ("tune", "heldout")


@dataclass(frozen=True, slots=True)
class SameClaimPair:
    """Two claim texts, whether they state the same claim, why, and the pair's part."""

    a: str
    b: str
    same: bool
    why: str
    part: str
    found_by: str


@dataclass(slots=True)
class LoadedPairs:
    """The pairs whose texts could be read, and how many were left out because their articles
    are not here (``../shared`` absent)."""

    pairs: list[SameClaimPair]
    skipped: int


def read_same_claim_pairs(data_dir: Path | None, path: Path = PAIRS) -> LoadedPairs:
    """The labelled pairs with their texts. PolNeAR sides are read from ``data_dir`` (the
    shared data folder, holding ``attribution/polnear``); a pair whose article is not there
    (or ``data_dir`` None) is skipped and counted, not an error."""
    pairs: list[SameClaimPair] = []
    skipped = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        a, b = _text(row["a"], data_dir), _text(row["b"], data_dir)
        if a is None or b is None:
            skipped += 1
            continue
        if row["part"] not in PARTS:
            raise ValueError(f"{path}: part must be one of {PARTS}, got {row['part']!r}")
        pairs.append(
            SameClaimPair(a, b, bool(row["same"]), row["why"], row["part"], row["found_by"])
        )
    return LoadedPairs(pairs, skipped)


def _text(side: dict[str, Any], data_dir: Path | None) -> str | None:
    start, end = int(side["start"]), int(side["end"])
    if "example" in side:
        record = _example(side["example"])[int(side["record"])]
        return str(record["text"])[start:end]
    if data_dir is None:
        return None
    split, article = str(side["polnear"]).split("/", 1)
    file = data_dir / "attribution" / "polnear" / split / "text" / f"{article}.txt"
    if not file.is_file():
        return None
    return _article(file)[start:end]


@functools.cache
def _example(name: str) -> list[dict[str, Any]]:
    text = resources.files("claimscope.examples").joinpath(name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@functools.lru_cache(maxsize=256)
def _article(file: Path) -> str:
    return file.read_text(encoding="utf-8")
