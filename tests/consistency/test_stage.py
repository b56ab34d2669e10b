"""The contradictions stage in the pipeline, the JSON output and both reports."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from rich.console import Console

from claimscope import Settings, analyze
from claimscope.model import Analysis
from claimscope.pipeline import DEFAULT_STAGES
from claimscope.report import render_html, render_terminal
from tests.spans_check import assert_offsets_exact

# Written for these tests: one article that contradicts itself three ways.
ARTICLE = """Ostmark sends soldiers to the Halvik harbour
The government of Ostmark will send 400 soldiers to guard the Halvik harbour, the ministry said.
The deployment runs from March 1 to June 30, 2024.
The exact number of Ostmark soldiers remains undisclosed, according to the Halvik Herald.
Defence minister Lena Varga said Ostmark will not build a naval base in Halvik.
Under the agreement, the soldiers will stay from March 1 to June 29, 2024.
Satellite images published on Friday show that Ostmark has built a naval base <b>near</b> Halvik.
"""
SETTINGS = Settings(profile="rules", anchor_date="2024-02-20")


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return analyze(ARTICLE, settings=SETTINGS)


def _by_kind(a: Analysis) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for c in a.contradictions:
        out.setdefault(c.kind, []).append(
            (a.span_text(c.a_start, c.a_end), a.span_text(c.b_start, c.b_end))
        )
    return out


def test_stage_runs_after_claims():
    assert DEFAULT_STAGES.index("claimscope.contradictions.v1") > DEFAULT_STAGES.index(
        "claimscope.claims.v1"
    )


def test_stage_finds_each_kind_with_both_spans(analysis):
    found = _by_kind(analysis)
    assert found["number"] == [
        ("400 soldiers", "The exact number of Ostmark soldiers remains undisclosed")
    ]
    assert found["date"] == [("from March 1 to June 30, 2024", "from March 1 to June 29, 2024")]
    assert found["negation"] == [("will not build a naval base", "has built a naval base")]
    for c in analysis.contradictions:
        a, b = analysis.sentences[c.sentence_a], analysis.sentences[c.sentence_b]
        assert a.start <= c.a_start < c.a_end <= a.end
        assert b.start <= c.b_start < c.b_end <= b.end
        assert c.sentence_a != c.sentence_b and 0.5 <= c.score <= 1
    assert [c.id for c in analysis.contradictions] == list(range(len(analysis.contradictions)))
    assert_offsets_exact(analysis)


def test_stage_json_round_trip_carries_both_texts(analysis):
    data = analysis.to_dict()
    negation = next(c for c in data["contradictions"] if c["kind"] == "negation")
    assert negation["a_text"] == "will not build a naval base"
    assert negation["b_text"] == "has built a naval base"
    assert "vs." in negation["explanation"]
    assert Analysis.from_json(analysis.to_json()).contradictions == analysis.contradictions


def test_stage_finds_nothing_in_the_example_article(example_analysis):
    # The bundled article has numbers, dates and denials, but none that clash.
    assert example_analysis.contradictions == []


def test_stage_terminal_report_lists_both_sides(analysis):
    out = io.StringIO()
    render_terminal([analysis], Console(file=out, width=400, color_system=None))
    text = out.getvalue()
    section = text[text.index("Contradictions") : text.index("Key entities")]
    for c in analysis.contradictions:
        assert c.kind in section
    assert "ends June 30, 2024 vs. June 29, 2024" in section
    assert "“will not build a naval base” vs. “has built a naval base”" in section


class _Spans(HTMLParser):
    """The contradiction spans of a report: id, the other side's id, and the tooltip."""

    def __init__(self) -> None:
        super().__init__()
        self.sides: dict[str, tuple[str, str]] = {}
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "span" and "data-cx-other" in a and a.get("id"):
            self.sides[a["id"]] = (a["data-cx-other"], a.get("title") or "")
        if tag == "a" and "cs-cx-side" in (a.get("class") or ""):
            self.links.append(a["href"])


def test_stage_html_marks_both_sides_each_linked_to_the_other(analysis):
    html = render_html([analysis])
    parser = _Spans()
    parser.feed(html)
    assert len(parser.sides) == 2 * len(analysis.contradictions)
    for anchor, (other, title) in parser.sides.items():
        assert parser.sides[other][0] == anchor  # each side points at the other
        assert "Contradiction" in title and "vs." in title
    # The panel links to every side, and shows each explanation.
    assert sorted(h.lstrip("#") for h in parser.links) == sorted(parser.sides)
    for c in analysis.contradictions:
        assert str(escape(c.explanation)) in html


def test_stage_html_escapes_document_text(analysis):
    html = render_html([analysis])
    assert "<b>near</b>" not in html
    assert "&lt;b&gt;near&lt;/b&gt;" in html
    assert not re.search(r"<b>", html.split("<article", 1)[1].split("</article>", 1)[0])
