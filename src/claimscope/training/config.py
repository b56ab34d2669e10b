"""Settings that more than one trainer shares, declared once.

Each trainer's config subclasses one of these and adds its own fields. A dataclass lists the
base's fields first, so a recorded config (``asdict``, ``dataclasses.fields``) keeps the keys it
had; read a config's fields with those, not ``__slots__`` (a subclass's holds only its own).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class ClaimTaskConfig:
    """The claim model's tasks as the claim trainer and its teacher both read and train them
    (check-worthiness, subjectivity, persuasion techniques): the same data, splits and schedule."""

    epochs: int = 3
    batch_size: int = 32
    lr: float = 5e-5
    head_lr: float = 1e-3
    max_len: int = 96
    seed: int = 0
    val_fraction: float = 0.1
    subj_oversample: int = 4
    warmup: float = 0.1
    limit: int | None = None  # for smoke tests: this many examples per task at most


@dataclass(slots=True)
class CandidateConfig:
    """The fact-check candidates both matchers (re-ranker, bi-encoder) learn to rank: BM25's
    top ``candidates`` for a post, of which the model re-scores the first ``rerank``."""

    candidates: int = 30
    rerank: int = 20
    max_tokens: int = 128
    seed: int = 0
