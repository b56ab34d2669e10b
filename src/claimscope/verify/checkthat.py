"""Moved to ``claimscope.evaluation.checkthat``; this re-export remains only for
``claimscope.training``, which still imports it from here. Remove it once training imports
from evaluation/ (docs/architecture.md, "Compatibility re-exports")."""

from claimscope.evaluation.checkthat import Qrels, Queries, ranking_scores, read_qrels, read_queries

__all__ = ["Qrels", "Queries", "ranking_scores", "read_qrels", "read_queries"]
