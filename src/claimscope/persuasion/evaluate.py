"""Moved to ``claimscope.evaluation.persuasion``; this re-export remains only for
``claimscope.training``, which still imports it from here. Remove it once training imports
from evaluation/ (docs/architecture.md, "Compatibility re-exports")."""

from claimscope.evaluation.persuasion import (
    ScoredLines,
    decode_articles,
    measure,
    prf,
    score_articles,
    span_counts,
)

__all__ = ["ScoredLines", "decode_articles", "measure", "prf", "score_articles", "span_counts"]
