"""Coverage and timeline as one self-contained HTML file: inline CSS and SVG, no script.

Every piece of document text (titles, outlets, sentences, the query) goes through Jinja2 with
autoescaping on; the chart's SVG comes from vl-convert, whose renderer escapes the text it draws;
links are kept only when they are http(s) URLs. The page's policy forbids scripts and fetches.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from claimscope._version import __version__
from claimscope.report.html import environment, safe_href
from claimscope.store.coverage import Coverage
from claimscope.store.query import Filters
from claimscope.store.timeline import CorpusEvent, EventSource

NO_OUTLET = "(no outlet)"


def render_coverage_html(coverage: Coverage, *, svg: str | None = None, store: str = "") -> str:
    """The coverage page: query and filters, the chart (``svg``, from report.charts), the table."""
    columns = [*coverage.by(), "documents", "sentences", "claims"]
    rows = [
        [NO_OUTLET if k == "outlet" and v is None else v for k, v in record.items()]
        for record in coverage.table()
    ]
    totals = coverage.to_dict()["totals"]
    return _render(
        title=f"Coverage of {coverage.query}",
        query=coverage.query,
        filters=coverage.filters,
        store=store,
        coverage={
            "columns": columns,
            "rows": rows,
            "key_columns": len(coverage.by()),
            "totals": [totals[k] for k in ("documents", "sentences", "claims")],
            "undated": coverage.undated,
            "svg": _svg(svg),
        },
        events=None,
    )


def render_timeline_html(
    events: list[CorpusEvent], *, query: str, filters: Filters, store: str = ""
) -> str:
    """The timeline page: each event's date, its representative claim and its sources."""
    return _render(
        title=f"Timeline of {query}",
        query=query,
        filters=filters,
        store=store,
        coverage=None,
        events=[_event_view(e) for e in events],
    )


def _render(
    *,
    title: str,
    query: str,
    filters: Filters,
    store: str,
    coverage: dict[str, Any] | None,
    events: list[dict[str, Any]] | None,
) -> str:
    return (
        environment()
        .get_template("corpus.html.j2")
        .render(
            title=title,
            query=query,
            filters=filters.describe(),
            store=store,
            coverage=coverage,
            events=events,
            anchored=bool(events) and any(e["anchored"] for e in events or []),
            version=__version__,
        )
    )


def _svg(svg: str | None) -> Markup | None:
    """The chart's SVG markup, without an XML prolog (it sits inside HTML)."""
    if not svg:
        return None
    start = svg.find("<svg")
    return Markup(svg[start:] if start != -1 else svg)


def _event_view(event: CorpusEvent) -> dict[str, Any]:
    lead = event.lead
    return {
        "value": event.value,
        "anchored": event.anchored,
        "start_date": event.start_date,
        "claim": _pieces(lead),
        "sources": [_source_view(s, lead=s is lead) for s in event.sources],
    }


def _source_view(source: EventSource, *, lead: bool) -> dict[str, Any]:
    """A source; the lead's sentence is the event's claim, so it is not quoted again."""
    return {
        "lead": lead,
        "outlet": source.outlet or NO_OUTLET,
        "published": source.published or "undated",
        "title": source.title or source.url or source.doc_id,
        "href": safe_href(source.url),
        "speaker": source.speaker,
        "speaker_pronoun": source.speaker_pronoun,
        "anchored": source.date.anchored,
        "sentence": _pieces(source),
    }


def _pieces(source: EventSource) -> dict[str, str]:
    """The claim cut at its date's span (offsets, never a search), for the template to mark."""
    lo, hi = source.date_span
    return {"before": source.text[:lo], "date": source.text[lo:hi], "after": source.text[hi:]}
