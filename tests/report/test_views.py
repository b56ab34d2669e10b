"""What both reports show: grouped entities."""

from __future__ import annotations

from claimscope.model import Entity
from claimscope.report.views import group_entities


def test_group_entities_counts_by_norm_most_mentioned_first() -> None:
    ents = [
        Entity(0, 0, 0, 3, "ORG", "Acme"),
        Entity(1, 0, 10, 14, "PERSON", "Lena"),
        Entity(2, 1, 20, 24, "ORG", "Lena"),
        Entity(3, 1, 30, 34, "PERSON", "Lena"),
    ]
    groups = group_entities(ents)
    assert [(g.norm, g.count, g.label) for g in groups] == [
        ("Lena", 3, "PERSON/ORG"),
        ("Acme", 1, "ORG"),
    ]
    assert groups[0].ids == [1, 2, 3]
