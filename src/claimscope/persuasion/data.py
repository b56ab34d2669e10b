"""Moved to ``claimscope.evaluation.ptc``; this re-export remains only for
``claimscope.training``, which still imports it from here. Remove it once training imports
from evaluation/ (docs/architecture.md, "Compatibility re-exports")."""

from claimscope.evaluation.ptc import Article, GoldSpan, read_ptc, split_articles

__all__ = ["Article", "GoldSpan", "read_ptc", "split_articles"]
