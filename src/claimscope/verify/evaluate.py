"""Moved to ``claimscope.evaluation.matching``; this re-export remains only for
``claimscope.training``, which still imports it from here. Remove it once training imports
from evaluation/ (docs/architecture.md, "Compatibility re-exports")."""

from claimscope.evaluation.matching import evaluate_matching

__all__ = ["evaluate_matching"]
