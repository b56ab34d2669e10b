"""Moved to ``claimscope.evaluation.stance``; this re-export remains only for
``claimscope.training``, which still imports it from here. Remove it once training imports
from evaluation/ (docs/architecture.md, "Compatibility re-exports")."""

from claimscope.evaluation.stance import stance_scores

__all__ = ["stance_scores"]
