"""Moved to ``claimscope.evaluation.stance_data``; this re-export remains only for
``claimscope.training``, which still imports it from here. Remove it once training imports
from evaluation/ (docs/architecture.md, "Compatibility re-exports")."""

from claimscope.evaluation.stance_data import StancePair, read_stance_data

__all__ = ["StancePair", "read_stance_data"]
