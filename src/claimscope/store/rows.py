"""Store rows from an Analysis: plain tuples per table, built where the analysis was made.

Rows are built in the worker process, so the parent (the only writer) just inserts them; they are
plain data (str, int, float, bool, date, lists), cheap to pickle. Covered text is sliced from the
document by each span's offsets, never searched for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any, TypedDict

from claimscope.corpus.schema import COLUMNS
from claimscope.model import Analysis, Sentence

Row = tuple[Any, ...]


class DocumentRows(TypedDict):
    """One analyzed document as rows: its id and source, and its rows per table."""

    id: str
    source: str
    tables: dict[str, list[Row]]


def analysis_rows(analysis: Analysis, *, profile: str) -> DocumentRows:
    """The rows of every table for one analysis (``profile``: the settings it was made with)."""
    doc = analysis.document
    text = doc.text
    key = doc.id

    def covered(start: int, end: int) -> str:
        return text[start:end]

    tables: dict[str, list[Row]] = {
        "documents": [
            (
                key,
                doc.source,
                doc.url,
                doc.title,
                _date(doc.published),
                doc.outlet,
                doc.lang or analysis.language,  # declared, else detected
                doc.encoding,
                list(doc.repairs),
                _json(doc.meta),
                text,
                _date(analysis.anchor_date),
                analysis.anchor_source,
                analysis.ranking or None,
                list(analysis.pipeline),
                profile,
                analysis.schema_version,
            )
        ],
        "segments": [
            (
                key,
                s.id,
                s.kind,
                s.start,
                s.end,
                s.post.author if s.post else None,
                s.post.handle if s.post else None,
                _date(s.post.date) if s.post else None,
                s.post.platform if s.post else None,
                _json(dataclasses.asdict(s.post)) if s.post else None,
            )
            for s in analysis.segments
        ],
        "sentences": [_sentence_row(key, s, covered(s.start, s.end)) for s in analysis.sentences],
        "mentions": [
            *(
                (key, "entity", e.id, e.sentence, e.start, e.end, covered(e.start, e.end))
                + (e.label, e.norm)
                + (None,) * 10
                for e in analysis.entities
            ),
            *(
                (key, "quantity", q.id, q.sentence, q.start, q.end, covered(q.start, q.end))
                + (None, None, float(q.value), q.unit, q.qualifier, q.noun)
                + (None,) * 6
                for q in analysis.quantities
            ),
            *(
                (key, "date", d.id, d.sentence, d.start, d.end, covered(d.start, d.end))
                + (None,) * 6
                + (d.kind, _date(d.start_date), _date(d.end_date), d.granularity, d.value)
                + (d.anchored,)
                for d in analysis.dates
            ),
        ],
        "attributions": [
            (
                key,
                a.id,
                a.sentence,
                a.kind,
                a.speaker,
                a.speaker_start,
                a.speaker_end,
                a.cue_start,
                a.cue_end,
                a.content_start,
                a.content_end,
            )
            for a in analysis.attributions
        ],
        "quotes": [
            (key, q.id, q.sentence, q.start, q.end, covered(q.start, q.end))
            for q in analysis.quotes
        ],
        "claims": [
            (
                key,
                c.id,
                c.sentence,
                c.start,
                c.end,
                covered(c.start, c.end),
                float(c.score),
                c.rank,
                c.speaker,
                list(c.entities),
                list(c.quantities),
                list(c.dates),
                list(c.reasons),
            )
            for c in analysis.claims
        ],
        "techniques": [
            (
                key,
                t.id,
                t.sentence,
                t.start,
                t.end,
                covered(t.start, t.end),
                t.technique,
                t.name,
                float(t.score),
                t.explanation,
            )
            for t in analysis.techniques
        ],
        "contradictions": [
            (
                key,
                c.id,
                "document",
                c.kind,
                key,
                c.sentence_a,
                c.a_start,
                c.a_end,
                covered(c.a_start, c.a_end),
                key,
                c.sentence_b,
                c.b_start,
                c.b_end,
                covered(c.b_start, c.b_end),
                c.explanation,
                float(c.score),
            )
            for c in analysis.contradictions
        ],
    }
    for table, rows in tables.items():
        width = len(COLUMNS[table])
        if any(len(row) != width for row in rows):
            raise AssertionError(f"{table} rows do not match its {width} columns")
    return {"id": key, "source": doc.source, "tables": tables}


def _sentence_row(key: str, s: Sentence, text: str) -> Row:
    return (
        key,
        s.id,
        s.segment,
        s.start,
        s.end,
        text,
        s.speaker,
        s.attribution,
        _score(s.scores.get("checkworthiness")),
        _score(s.scores.get("subjectivity")),
        s.labels.get("subjectivity"),
        _score(s.scores.get("persuasion")),
        _score(s.scores.get("claim")),
        _json(s.scores),
        _json(s.labels),
        _json(s.features),
    )


def _score(value: float | None) -> float | None:
    return None if value is None else float(value)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
