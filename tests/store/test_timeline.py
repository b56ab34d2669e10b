"""The corpus timeline: dated claims of matching documents, merged across sources, in date
order; anchored dates; the HTML page and the CLI on the example corpus."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimscope.cli import app
from claimscope.errors import QueryError
from claimscope.model import DateRef
from claimscope.report.corpus_html import render_timeline_html
from claimscope.store.query import parse_filters, parse_query
from claimscope.store.timeline import EventSource, context_words, merge_sources, timeline
from tests.store.ferry_story import HOSTILE

runner = CliRunner()
PERU = Path(str(resources.files("claimscope.examples").joinpath("peru_corpus.jsonl")))


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _source(text: str, date: str, start: int, end: int, *, outlet: str = "A") -> EventSource:
    """A source built by hand: ``text`` is the claim's sentence, ``[start, end)`` its date."""
    return EventSource(
        doc_id=outlet,
        outlet=outlet,
        published="2024-03-06",
        title=None,
        url=None,
        claim=0,
        sentence=0,
        start=0,
        end=len(text),
        text=text,
        score=0.5,
        speaker=None,
        date=DateRef(
            id=0,
            sentence=0,
            start=start,
            end=end,
            kind="date",
            start_date=date,
            end_date=date,
            granularity="day",
            value=date,
        ),
    )


# -- merging ------------------------------------------------------------------------------------


def test_merge_sources_joins_similar_wording_only():
    strike = "The ferry strike ended on March 5, after talks, the union said."
    resumed = "Crossings resumed when the ferry strike ended on March 5, after talks."
    budget = "The council approved its budget on March 5 and cut bus fares."
    sources = [
        _source(strike, "2024-03-05", strike.index("March"), strike.index("March") + 7),
        _source(budget, "2024-03-05", budget.index("March"), budget.index("March") + 7),
        _source(resumed, "2024-03-05", resumed.index("March"), resumed.index("March") + 7),
    ]
    events = merge_sources(sources)
    assert [[s.text for s in e.sources] for e in events] == [[strike, resumed], [budget]]
    assert len(merge_sources(sources, overlap=1.01)) == 3  # nothing is ever that similar


def test_context_words_leave_the_date_out():
    text = "The strike ended on March 5, the union said."
    words = context_words(_source(text, "2024-03-05", 20, 27))
    assert {"strike", "ended", "union"} <= words
    assert not words & {"march", "the", "said", "on"}


# -- the timeline of a store --------------------------------------------------------------------


def test_timeline_is_in_date_order_with_merged_sources(store):
    events = timeline(store, parse_query("ferry"))
    starts = [e.start_date for e in events]
    assert starts == sorted(starts)
    march5 = [e for e in events if e.start_date == "2024-03-05"]
    assert len(march5) == 2  # the strike (two outlets), the council budget (one)
    strike, budget = march5
    assert [s.outlet for s in strike.sources] == ["Harbour Post", "Coastal Times"]
    assert "strike" in strike.text and strike.lead.outlet == "Harbour Post"
    assert [s.outlet for s in budget.sources] == ["Coastal Times"] and "budget" in budget.text
    for event in events:
        for s in event.sources:
            assert s.text[s.date_span[0] : s.date_span[1]] == s.date_text
            assert s.date_text  # the span falls inside the claim


def test_timeline_keeps_undated_documents_and_marks_anchored_dates(store):
    events = timeline(store, parse_query("ferr*"))
    undated = [e for e in events if e.sources[0].published is None]
    assert [e.start_date for e in undated] == ["2023-06-02"]
    (anchored,) = [e for e in events if e.anchored]
    assert anchored.start_date == "2024-03-19" and anchored.value == "2024-03-19*"
    assert anchored.sources[0].date_text == "March 19"
    without = timeline(store, parse_query("ferr*"), include_anchored=False)
    assert len(without) == len(events) - 1 and not any(e.anchored for e in without)


def test_timeline_scope_claim_keeps_only_matching_claims(store):
    everything = timeline(store, parse_query("strike"))
    only = timeline(store, parse_query("strike"), scope="claim")
    assert len(only) < len(everything)
    assert all("strike" in s.text.lower() for e in only for s in e.sources)
    assert [len(e.sources) for e in only] == [2]


def test_timeline_limit_and_filters(store):
    assert len(timeline(store, parse_query("ferry"), limit=2)) == 2
    harbour = timeline(store, parse_query("ferry"), filters=parse_filters(outlets=["harbour post"]))
    assert {s.outlet for e in harbour for s in e.sources} == {"Harbour Post"}
    dated = timeline(store, parse_query("ferry"), filters=parse_filters(since="2024-01-01"))
    assert all(s.published for e in dated for s in e.sources)
    for bad in ({"limit": 0}, {"scope": "sentence"}):
        with pytest.raises(QueryError):
            timeline(store, parse_query("ferry"), **bad)


def test_timeline_html_escapes_document_text_and_drops_unsafe_links(store):
    events = timeline(store, parse_query("ferry"))
    html = render_timeline_html(events, query="ferry <i>", filters=parse_filters())
    assert "<script" not in html.lower() and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Ferry&lt;/b&gt;" in html
    assert "javascript:" not in html
    assert 'href="https://harbour-post.example/strike"' in html
    assert "<mark>March 5, 2024</mark>" in html
    assert HOSTILE not in html


# -- the command, on the example corpus ------------------------------------------------------------


@pytest.fixture(scope="module")
def peru(tmp_path_factory):
    db = tmp_path_factory.mktemp("peru") / "peru.duckdb"
    result = _run("ingest", PERU, "--db", db, "--profile", "rules", "-q")
    assert result.exit_code == 0, result.output
    return db


def test_cli_timeline_of_troops(peru, tmp_path):
    result = _run("timeline", "troops", "--db", peru, "--json", "-")
    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)["events"]
    assert [e["start_date"] for e in events] == sorted(e["start_date"] for e in events)
    by_interval = {(e["start_date"], e["end_date"]): e for e in events}

    def outlets(start, end):
        return [s["outlet"] for s in by_interval[(start, end)]["sources"]]

    # The deployment's first period, told by two outlets, is one event with both sources.
    assert outlets("2023-06-01", "2023-09-30") == ["Pacific Ledger", "Andean Monitor"]
    first = by_interval[("2023-06-01", "2023-09-30")]
    assert first["kind"] == "range" and not first["anchored"]
    assert {s["date"]["text"] for s in first["sources"]} == {"from June 1 to September 30"}
    # Its end: December 30 in one outlet, December 31 in two others (a range and a date).
    assert outlets("2023-10-01", "2023-12-30") == ["Andean Monitor"]
    assert outlets("2023-10-01", "2023-12-31") == ["Pacific Ledger"]
    assert outlets("2023-12-31", "2023-12-31") == ["Northern Dispatch"]
    for event in events:
        for s in event["sources"]:
            assert s["url"].startswith("https://") and s["published"]
            assert (
                s["text"][s["date"]["start"] - s["start"] : s["date"]["end"] - s["start"]]
                == (s["date"]["text"])
            )


def test_cli_timeline_terminal_and_html(peru, tmp_path):
    page = tmp_path / "timeline.html"
    result = _run("timeline", "troops", "--db", peru, "--html", page, "--limit", "3")
    assert result.exit_code == 0, result.output
    assert "Timeline of troops: 3 events" in result.stdout
    assert "2023-06-01/2023-09-30" in result.stdout and "Pacific Ledger" in result.stdout
    html = page.read_text()
    assert html.count("<time ") == 3 and "Andean Monitor" in html
    # A query that starts with "-" follows "--", or it would read as an option.
    bad = _run("timeline", "--db", peru, "--", "-troops")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: the query only excludes")
