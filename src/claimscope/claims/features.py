"""Sentence features a fact-checker looks at: numbers, dates, names, sources, hedges, questions."""

from __future__ import annotations

import re

from claimscope.model import Analysis

FEATURES = (
    "has_quantity",
    "has_date",
    "has_entity",
    "attributed",
    "is_question",
    "is_from_post",
    "hedged",
    "first_person",
    "exclamation",
)

# Case-insensitive except "may": "May" is usually the month.
_HEDGES = re.compile(
    r"\b(?:may|(?i:could|might|reportedly|allegedly|rumou?rs?|rumou?red|suggestions?|suggests?|"
    r"possibly|possible|potential(?:ly)?|perhaps|apparently|appears?|seems?|likely|unlikely|"
    r"unconfirmed|speculat\w*|hints?|hinted|claimed|purportedly|supposedly|unverified))\b"
)
# Lower-case "us" only: "US" is the country.
_FIRST_PERSON = re.compile(r"\b(?:I|me|my|mine|we|our|ours|us)\b")
_QUESTION = re.compile(r"\?[\"”’')\]!?]*\s*(?:https?://\S*)?$")


def sentence_features(analysis: Analysis) -> None:
    """Fill ``features`` for every sentence of ``analysis`` from its mentions and segment."""
    text = analysis.text
    counts: dict[str, set[int]] = {"q": set(), "d": set(), "e": set()}
    for key, items in (("q", analysis.quantities), ("d", analysis.dates), ("e", analysis.entities)):
        for item in items:
            counts[key].add(item.sentence)
    for s in analysis.sentences:
        body = text[s.start : s.end]
        s.features = {
            "has_quantity": s.id in counts["q"],
            "has_date": s.id in counts["d"],
            "has_entity": s.id in counts["e"],
            "attributed": s.speaker is not None,
            "is_question": bool(_QUESTION.search(body)),
            "is_from_post": analysis.segments[s.segment].kind == "post",
            "hedged": bool(_HEDGES.search(body)),
            "first_person": bool(_FIRST_PERSON.search(body)),
            "exclamation": "!" in body,
        }
