"""Contradictions within the seed article from ../shared (skipped where it is absent)."""

import pytest

pytestmark = pytest.mark.shared


def _pairs(analysis, kind):
    return [
        (analysis.span_text(c.a_start, c.a_end), analysis.span_text(c.b_start, c.b_end), c)
        for c in analysis.contradictions
        if c.kind == kind
    ]


def test_seed_700_troops_against_the_undisclosed_number(seed_analysis):
    pairs = _pairs(seed_analysis, "number")
    undisclosed = [
        (a, c.explanation)
        for a, b, c in pairs
        if b.startswith("The exact number of US soldiers") and b.endswith("remains undisclosed")
    ]
    # Both the article's own count and the count it attributes to Mexico's president.
    assert {a for a, _ in undisclosed} == {"700 American troops", "approximately 700 troops"}
    assert all("an undisclosed number of US soldiers" in why for _, why in undisclosed)
    assert any(b == "an unspecified number of US military personnel" for _, b, _ in pairs)


def test_seed_december_31_against_december_30(seed_analysis):
    (date,) = _pairs(seed_analysis, "date")
    a, b, c = date
    assert "December 31, 2023" in a and "December 30, 2023" in b
    assert c.explanation.startswith("ends December 31, 2023 vs. December 30, 2023")


def test_seed_no_other_kinds_and_no_mobilised_soldiers(seed_analysis):
    # The 140,000 mobilised soldiers of Peru's forces are another count, not the 700.
    texts = [t for a, b, _ in _pairs(seed_analysis, "number") for t in (a, b)]
    assert not any("140,000" in t for t in texts)
    assert _pairs(seed_analysis, "negation") == []
