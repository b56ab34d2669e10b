"""The corpus timeline: dated events from the claims of the documents that match a query.

Each claim's date mentions (``claims.dates``) are read with their document's outlet, date and
URL, in date order, straight from DuckDB. Mentions are ``DateRef``s and are ordered as
``Analysis.timeline`` orders a single document's (by first day, then position); the same event
told by several sources (the same interval, and similar wording around it) becomes one event
listing every source. Rows arrive sorted by interval and only rows of one interval are held at a
time, so ``limit`` stops the scan early on a large store.

Dates whose year was taken from the anchor date (``anchored``: "on June 19" read in an article
published in 2023) are kept and marked, as the single-document report marks them with ``*``; an
event is anchored only when every source's date is. ``include_anchored=False`` skips them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import duckdb

from claimscope.errors import QueryError, StoreError
from claimscope.model import DateRef
from claimscope.model.corpus import CorpusEvent, EventSource
from claimscope.store.connection import Store
from claimscope.store.query import Filters, Query, document_predicate
from claimscope.store.sql import duckdb_message

# Two claims dated to the same interval are one event when the words around the date overlap
# this much (Jaccard over content words): the same day can hold unrelated events.
MERGE_OVERLAP = 0.2
SCOPES = ("document", "claim")
# Sources of an event a new source is compared with (its first ones): bounds the work when
# thousands of documents date the same day.
_COMPARED = 8
# Rows fetched from DuckDB at a time.
_FETCH = 500

_TOKEN = re.compile(r"[^\W_]+")
# Function words and reporting verbs: shared by any two sentences, they say nothing of the event.
_STOPWORDS = frozenset(
    """a about after against all also an and are as at be been before being between but by
    could did do does during for from had has have he her his how i in into is it its last
    more most not of on or our over said say says she so some such than that the their them
    then there these they this those through to told under until up was we were what when
    where which while who will with would according""".split()
)


def timeline(
    store: Store,
    query: Query,
    *,
    filters: Filters | None = None,
    scope: str = "document",
    limit: int | None = None,
    include_anchored: bool = True,
    overlap: float = MERGE_OVERLAP,
) -> list[CorpusEvent]:
    """Dated events from the claims of documents matching ``query`` (``scope="claim"``: only
    claims whose own sentence matches), in date order; at most ``limit`` events."""
    if scope not in SCOPES:
        raise QueryError(f"unknown scope {scope!r}: choose from {', '.join(SCOPES)}")
    if limit is not None and limit < 1:
        raise QueryError("--limit must be at least 1")
    events: list[CorpusEvent] = []
    for group in _intervals(_rows(store, query, filters or Filters(), scope, include_anchored)):
        for event in merge_sources(group, overlap=overlap):
            events.append(event)
            if limit is not None and len(events) >= limit:
                return events
    return events


def merge_sources(
    sources: list[EventSource], *, overlap: float = MERGE_OVERLAP
) -> list[CorpusEvent]:
    """Sources dated to one interval, grouped into events: a source joins the first event one
    of whose (first few) sources it shares enough words with (``overlap``); each source is in
    one event."""
    events: list[CorpusEvent] = []
    words: list[list[frozenset[str]]] = []
    for source in sources:
        mine = context_words(source)
        for event, theirs in zip(events, words, strict=True):
            if any(_jaccard(mine, other) >= overlap for other in theirs):
                event.sources.append(source)
                if len(theirs) < _COMPARED:
                    theirs.append(mine)
                break
        else:
            date = source.date
            events.append(
                CorpusEvent(
                    start_date=date.start_date,
                    end_date=date.end_date,
                    kind=date.kind,
                    granularity=date.granularity,
                    sources=[source],
                )
            )
            words.append([mine])
    return events


def context_words(source: EventSource) -> frozenset[str]:
    """The content words of the claim around its date (the date's own span left out: every
    source of the interval shares it)."""
    lo, hi = source.date_span
    around = source.text[:lo] + " " + source.text[hi:]
    return frozenset(
        w for w in (t.lower() for t in _TOKEN.findall(around)) if len(w) > 1 and w not in _STOPWORDS
    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _intervals(rows: Iterator[EventSource]) -> Iterator[list[EventSource]]:
    """Consecutive sources with the same interval, as lists."""
    group: list[EventSource] = []
    for source in rows:
        if group and (group[0].date.start_date, group[0].date.end_date) != (
            source.date.start_date,
            source.date.end_date,
        ):
            yield group
            group = []
        group.append(source)
    if group:
        yield group


def _rows(
    store: Store, query: Query, filters: Filters, scope: str, include_anchored: bool
) -> Iterator[EventSource]:
    """Every dated claim of the matching documents, ordered by interval then source."""
    docs_where, params = document_predicate(query, filters, "d")
    claim_where, claim_params = query.predicate("c.text") if scope == "claim" else ("TRUE", [])
    anchored = "" if include_anchored else "AND NOT coalesce(m.anchored, FALSE)"
    sql = f"""
        WITH docs AS (
            SELECT d.id, d.outlet, d.published, d.title, d.url FROM documents d WHERE {docs_where}
        ),
        dated AS (
            SELECT c.doc_id, c.id, c.sentence, c.start_char, c.end_char, c.text, c.score,
                   c.speaker, unnest(c.dates) AS date_id
            FROM claims c SEMI JOIN docs ON docs.id = c.doc_id
            WHERE {claim_where}
        )
        SELECT docs.id, docs.outlet, docs.published, docs.title, docs.url,
               dated.id, dated.sentence, dated.start_char, dated.end_char, dated.text, dated.score,
               coalesce(dated.speaker, s.speaker),
               m.id, m.sentence, m.start_char, m.end_char, m.date_kind, m.start_date, m.end_date,
               m.granularity, m.iso, coalesce(m.anchored, FALSE), a.speaker
        FROM dated
        JOIN docs ON docs.id = dated.doc_id
        JOIN mentions m ON m.doc_id = dated.doc_id AND m.kind = 'date' AND m.id = dated.date_id
        LEFT JOIN sentences s ON s.doc_id = dated.doc_id AND s.id = dated.sentence
        -- the sentence's main attribution, when a pronoun there was resolved to the speaker
        LEFT JOIN attributions a ON a.doc_id = s.doc_id AND a.id = s.attribution
             AND a.resolved = coalesce(dated.speaker, s.speaker)
        WHERE m.start_date IS NOT NULL {anchored}
        ORDER BY m.start_date, m.end_date, docs.published NULLS LAST, docs.id, dated.sentence,
                 m.start_char
    """
    try:
        cursor = store.connection.execute(sql, [*params, *claim_params])
        while batch := cursor.fetchmany(_FETCH):
            for row in batch:
                yield _source(row)
    except duckdb.Error as exc:
        raise StoreError(duckdb_message(exc), source=str(store.path)) from None


def _source(row: tuple[Any, ...]) -> EventSource:
    (doc_id, outlet, published, title, url, claim, sentence, start, end, text, score, speaker) = (
        row[:12]
    )
    mid, msentence, mstart, mend, kind, first, last, granularity, iso, anchored, pronoun = row[12:]
    return EventSource(
        doc_id=doc_id,
        outlet=outlet,
        published=_iso(published),
        title=title,
        url=url,
        claim=claim,
        sentence=sentence,
        start=start,
        end=end,
        text=text,
        score=float(score),
        speaker=speaker,
        speaker_pronoun=pronoun,
        date=DateRef(
            id=mid,
            sentence=msentence,
            start=mstart,
            end=mend,
            kind=kind,
            start_date=_iso(first) or "",
            end_date=_iso(last or first) or "",
            granularity=granularity,
            value=iso,
            anchored=bool(anchored),
        ),
    )


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None
