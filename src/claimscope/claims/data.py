"""Moved to ``claimscope.evaluation.claim_data``; this re-export remains only for
``claimscope.training``, which still imports it from here. Remove it once training imports
from evaluation/ (docs/architecture.md, "Compatibility re-exports")."""

from claimscope.evaluation.claim_data import Example, deduplicate, read_examples

__all__ = ["Example", "deduplicate", "read_examples"]
