"""The contradictions stage: the consistency rules over the sentences of each document."""

from __future__ import annotations

from claimscope.consistency.confirm import load_confirmer
from claimscope.consistency.detect import find_in_document
from claimscope.consistency.findings import Finding
from claimscope.consistency.statements import statements_of
from claimscope.model import Analysis, Contradiction
from claimscope.registry import register
from claimscope.settings import Settings


def to_contradictions(findings: list[Finding]) -> list[Contradiction]:
    """Findings within one document as the data model's Contradictions, numbered in order."""
    return [
        Contradiction(id=i, **f.summary(), **f.sentence_spans()) for i, f in enumerate(findings)
    ]


@register(
    "claimscope.contradictions.v1",
    requires=("sentences", "entities", "dates", "quantities", "claims"),
    assigns=("contradictions",),
)
def contradictions_stage(batch: list[Analysis], settings: Settings) -> None:
    """Contradictions between sentences of each document: numbers, dates and negation."""
    confirmer = load_confirmer(settings)
    statements = {a.document.id: statements_of(a) for a in batch}
    found = {doc: find_in_document(sts) for doc, sts in statements.items()}
    # One call for the whole batch: the models read every document's candidates at once.
    by_key = {(st.doc, st.sentence): st for sts in statements.values() for st in sts}
    kept = set(confirmer.keep([f for fs in found.values() for f in fs], by_key))
    for a in batch:
        a.contradictions = to_contradictions([f for f in found[a.document.id] if f in kept])
