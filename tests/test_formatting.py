"""Values and spans as plain text, as the reports and the corpus views show them."""

from __future__ import annotations

from claimscope.formatting import excerpt, format_number, format_quantity, window
from claimscope.model import Quantity


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


def test_window_keeps_the_part_whole_and_cuts_around_it() -> None:
    text = "Officials said on Monday that the harbour would reopen in June, weeks late."
    start = text.index("harbour")
    before, part, after, cut_lo, cut_hi = window(text, start, start + 7, 30)
    assert part == "harbour" and cut_lo and cut_hi
    assert before.endswith("the ") and after.startswith(" would")
    assert window("short text", 0, 5, 100) == ("", "short", " text", False, False)
