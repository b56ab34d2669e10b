"""The terminal report, read as plain text from a recording console."""

from __future__ import annotations

import io
import random

from rich.console import Console

from claimscope.model import Analysis, Document
from claimscope.report import render_terminal
from tests.report.builder import Day, Ent, Qty, Url, Who, Writer, add_technique


def _render(analyses: list[Analysis], **kwargs: int) -> tuple[str, str]:
    """The report as plain text, and the raw bytes the console wrote."""
    console = Console(record=True, width=120, file=io.StringIO())
    render_terminal(analyses, console, **kwargs)
    raw = console.file.getvalue()  # type: ignore[attr-defined]
    return console.export_text(), raw


def test_render_terminal_lists_claims_in_rank_order(newsroom: Analysis) -> None:
    random.Random(7).shuffle(newsroom.claims)  # the report must sort by rank, not trust order
    out, _ = _render([newsroom])
    claims = out[out.index("Claims to check") : out.index("Key entities")]
    openings = [
        "The Port of Kellby's harbour",
        "She added that about",
        "According to the Kellby Town",
        "Dredger spotted in the outer",
        "The European Investment Bank",
        "We were never shown the",
    ]
    positions = [claims.index(o) for o in openings]
    assert positions == sorted(positions)
    for speaker in ("Mara Osei", "Kellby Town Council", "@KellbyWatch", "Ivo Brandt"):
        assert speaker in claims
    assert ">40,000,000 EUR" in claims and "~1,200 jobs" in claims and "2021-03" in claims
    assert "Ranked by claim score" in claims


def test_render_terminal_caps_claims_and_says_how_many_are_left(newsroom: Analysis) -> None:
    out, _ = _render([newsroom], max_claims=2)
    assert "She added that" in out
    assert "We were never shown" not in out
    assert "4 more claims not shown" in out


def test_render_terminal_shows_header_and_structure(newsroom: Analysis) -> None:
    out, _ = _render([newsroom])
    assert "Harbour authority says dredging budget tripled" in out
    assert "The Coastal Ledger" in out and "2024-04-12" in out
    assert "anchor date 2024-04-12 (published)" in out
    assert "3 paragraphs · 1 heading · 1 quote · 2 posts · 9 sentences · 6 claims" in out


def test_render_terminal_lists_posts_with_handles(newsroom: Analysis) -> None:
    out, _ = _render([newsroom])
    posts = out[out.index("Embedded posts") : out.index("Claims to check")]
    assert posts.index("@KellbyWatch") < posts.index("@MaraOseiPort")
    assert "Kellby Harbour Watch" in posts and "2024-04-10" in posts
    assert "https://pic.twitter.com/Ab12Cd" in posts
    assert "Dredger spotted" in posts


def test_render_terminal_groups_entities_with_counts(newsroom: Analysis) -> None:
    out, _ = _render([newsroom])
    entities = out[out.index("Key entities") : out.index("Numbers")]
    first = entities.splitlines()[3]
    assert "Port of Kellby" in first and "ORG" in first and first.rstrip().endswith("2")


def test_render_terminal_lists_numbers_normalized(newsroom: Analysis) -> None:
    out, _ = _render([newsroom])
    numbers = out[out.index("Numbers") : out.index("Timeline")]
    assert "more than €40 million" in numbers
    assert "more than" in numbers and "approx" in numbers
    assert "~1,200 jobs" in numbers and "15%" in numbers


def test_render_terminal_timeline_in_date_order(newsroom: Analysis) -> None:
    out, _ = _render([newsroom])
    timeline = out[out.index("Timeline") :]
    dates = ["2021 ", "2021-03", "2024-03-27/2024-04-10", "2024-04-09*"]
    positions = [timeline.index(d) for d in dates]
    assert positions == sorted(positions)
    assert "@KellbyWatch" in timeline
    assert "* year taken from the anchor date" in timeline


def test_render_terminal_handles_empty_analysis() -> None:
    empty = Analysis(document=Document(text=""))
    plain = Writer(source="memo.txt")
    with plain.segment("paragraph"):
        plain.sentence("Nothing here is worth checking.")
    out, _ = _render([empty, plain.build()])
    assert out.count("No check-worthy claims found.") == 2
    assert "No entities found." in out and "No numbers found." in out
    assert "No dated events." in out
    assert "Embedded posts" not in out
    assert "memo.txt" in out and "0 claims" in out


def test_render_terminal_prints_rich_markup_literally() -> None:
    w = Writer(title="[bold red]Breaking[/] news [/]", source="[link=x]src[/link]")
    with w.segment("paragraph"):
        w.sentence(
            Who("[i]Officials[/i]", cue=" said "),
            Qty("[bold]500[/]", 500, "[red]units[/]"),
            " were sent on ",
            Day("[blink]1 May[/]", "2024-05-01"),
            ". [/]",
            score=0.8,
        )
    with w.post("[b]Author[/b]", "@[u]handle", "2024-05-02"):
        w.sentence("Look :smile: [/] ", Url("https://e.org/[x]"))
        w.signature("— [b]Author[/b] (@[u]handle) May 2, 2024")
    analysis = w.build(ranking="[green]heuristic[/]")
    out, _ = _render([analysis])
    for literal in (
        "[bold red]Breaking[/] news [/]",
        "[i]Officials[/i]",
        "[bold]500[/]",
        "[blink]1 May[/]",
        "[b]Author[/b]",
        "@[u]handle",
        "Look :smile: [/]",
        "https://e.org/[x]",
        "[green]heuristic[/]",
        "[red]units[/]",
    ):
        assert literal in out, literal


def test_render_terminal_neutralises_control_characters() -> None:
    w = Writer(title="evil\x1b[2Jtitle")
    with w.segment("paragraph"):
        w.sentence(
            "The vote was \x1b]0;pwned\x07 rigged by ", Ent("X\u202eY", "ORG"), ".", score=0.5
        )
    out, raw = _render([w.build()])
    assert "\x1b" not in raw and "\u202e" not in raw
    assert "evil\ufffd[2Jtitle" in out


def test_render_terminal_separates_several_analyses(newsroom: Analysis) -> None:
    other = Writer(title="Second story")
    with other.segment("paragraph"):
        other.sentence("A quiet day.")
    out, _ = _render([newsroom, other.build()])
    assert out.index("Harbour authority says") < out.index("Second story")


def test_render_terminal_lists_techniques_with_density(newsroom: Analysis) -> None:
    assert "Persuasion techniques" not in _render([newsroom])[0]
    sentence = newsroom.sentences[2]
    phrase = newsroom.text[sentence.start : sentence.end].split()[0]
    add_technique(newsroom, phrase, "name_calling", 0.66)
    out = _render([newsroom])[0]
    assert "Persuasion techniques" in out
    words = len(newsroom.text.split())
    assert f"1 span in 1 sentence · {round(1000 / words, 2):g} per 1,000 words" in out
    assert "Name calling 0.66" in out
