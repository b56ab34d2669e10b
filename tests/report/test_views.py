"""What both reports show: excerpts, normalized numbers, grouped entities."""

from __future__ import annotations

from claimscope.model import Entity, Quantity
from claimscope.report.views import excerpt, format_number, format_quantity, group_entities


def test_excerpt_collapses_whitespace_and_cuts_at_words() -> None:
    text = "The  ferry\nran late on   most days of the week, riders said."
    assert excerpt(text, 200) == "The ferry ran late on most days of the week, riders said."
    short = excerpt(text, 25)
    assert short.endswith("…") and len(short) <= 26
    assert short[:-1] == "The ferry ran late on"


def test_excerpt_keeps_focus_visible() -> None:
    text = "Early words that do not matter at all, then on 4 June 2023 the ferry stopped running."
    start = 47
    assert text[start : start + 11] == "4 June 2023"
    cut = excerpt(text, 40, (start, start + 11))
    assert "4 June 2023" in cut and cut.startswith("…")


def test_format_quantity_uses_qualifier_and_unit() -> None:
    def q(value: float, unit: str | None, qualifier: str = "exact") -> str:
        return format_quantity(Quantity(0, 0, 0, 1, value, unit, qualifier))  # type: ignore[arg-type]

    assert q(700, "troops", "approx") == "~700 troops"
    assert q(12.5, "%", "at_least") == "≥12.5%"
    assert q(1_500_000, "USD") == "1,500,000 USD"
    assert q(3, None, "more_than") == ">3"
    assert format_number(0.25) == "0.25" and format_number(float("nan")) == "nan"


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
