"""Contradictions between statements: numbers, dates and negation, in and across documents.

``find_in_document`` runs the rules over the statements of one document (the pipeline stage
``claimscope.contradictions.v1`` does this for every analysis); ``statement_keys`` and
``compare`` are what the corpus store uses to compare documents with each other.
"""

from __future__ import annotations

from claimscope.consistency.detect import compare, find_in_document, statement_keys
from claimscope.consistency.findings import KINDS, Finding, Kind, Side
from claimscope.consistency.rules import DEFAULT_RULES, Rules
from claimscope.consistency.statements import Count, Statement, When, statements_of
from claimscope.consistency.topic import Context

__all__ = [
    "DEFAULT_RULES",
    "KINDS",
    "Context",
    "Count",
    "Finding",
    "Kind",
    "Rules",
    "Side",
    "Statement",
    "When",
    "compare",
    "find_in_document",
    "statement_keys",
    "statements_of",
]
