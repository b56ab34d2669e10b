"""Store rows from an Analysis, built where the analysis was made, by column name.

Rows are built in the worker process, so the parent (the only writer) just inserts them; they are
plain data (str, int, float, bool, date, lists), cheap to pickle: each is a tuple in the order
``schema.py`` declares its table's columns, built from values named after those columns
(``Table.row``). Covered text is sliced from the document by each span's offsets, never searched
for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any, Protocol, TypedDict

from claimscope.model import (
    Analysis,
    Attribution,
    Claim,
    Contradiction,
    Segment,
    Sentence,
    Technique,
)
from claimscope.store.schema import (
    ATTRIBUTIONS,
    CLAIMS,
    CONTRADICTIONS,
    DOCUMENTS,
    MENTIONS,
    QUOTES,
    SEGMENTS,
    SENTENCES,
    TECHNIQUES,
    Row,
)


class DocumentRows(TypedDict):
    """One analyzed document as rows: its id and source, and its rows per table."""

    id: str
    source: str
    tables: dict[str, list[Row]]


def analysis_rows(analysis: Analysis, *, profile: str) -> DocumentRows:
    """The rows of every table for one analysis (``profile``: the settings it was made with)."""
    doc = analysis.document
    key, text = doc.id, doc.text
    tables: dict[str, list[Row]] = {
        "documents": [_document_row(analysis, profile)],
        "segments": [_segment_row(key, s) for s in analysis.segments],
        "sentences": [_sentence_row(key, s, text[s.start : s.end]) for s in analysis.sentences],
        "mentions": _mention_rows(analysis),
        "attributions": [_attribution_row(key, a) for a in analysis.attributions],
        "quotes": [
            QUOTES.record_row(q, doc_id=key, text=text[q.start : q.end]) for q in analysis.quotes
        ],
        "claims": [_claim_row(key, c, text) for c in analysis.claims],
        "techniques": [_technique_row(key, t, text) for t in analysis.techniques],
        "contradictions": [_contradiction_row(key, c, text) for c in analysis.contradictions],
    }
    return {"id": key, "source": doc.source, "tables": tables}


def _document_row(analysis: Analysis, profile: str) -> Row:
    doc = analysis.document
    return DOCUMENTS.row(
        id=doc.id,
        source=doc.source,
        url=doc.url,
        title=doc.title,
        published=_date(doc.published),
        outlet=doc.outlet,
        lang=doc.lang or analysis.language,  # declared, else detected
        encoding=doc.encoding,
        repairs=list(doc.repairs),
        meta=_json(doc.meta),
        text=doc.text,
        anchor_date=_date(analysis.anchor_date),
        anchor_source=analysis.anchor_source,
        ranking=analysis.ranking or None,
        pipeline=list(analysis.pipeline),
        profile=profile,
        schema_version=analysis.schema_version,
    )


def _segment_row(key: str, s: Segment) -> Row:
    post = s.post
    return SEGMENTS.record_row(
        s,
        doc_id=key,
        post_author=post.author if post else None,
        post_handle=post.handle if post else None,
        post_date=_date(post.date) if post else None,
        post_platform=post.platform if post else None,
        post=_json(dataclasses.asdict(post)) if post else None,
    )


def _sentence_row(key: str, s: Sentence, text: str) -> Row:
    return SENTENCES.record_row(
        s,
        doc_id=key,
        text=text,
        checkworthiness=_score(s.scores.get("checkworthiness")),
        subjectivity=_score(s.scores.get("subjectivity")),
        subjectivity_label=s.labels.get("subjectivity"),
        persuasion=_score(s.scores.get("persuasion")),
        claim_score=_score(s.scores.get("claim")),
        scores=_json(s.scores),
        labels=_json(s.labels),
        features=_json(s.features),
    )


def _mention_rows(analysis: Analysis) -> list[Row]:
    """Entities, quantities and dates: one table, each kind filling its own columns."""
    key, text = analysis.document.id, analysis.document.text

    def row(kind: str, m: _InSentence, **fields: Any) -> Row:
        values = {**MENTIONS.nulls(), **_in_sentence(key, m, text), "kind": kind, **fields}
        return MENTIONS.row(**values)

    return [
        *(row("entity", e, label=e.label, norm=e.norm) for e in analysis.entities),
        *(
            row(
                "quantity", q, value=float(q.value), unit=q.unit, qualifier=q.qualifier, noun=q.noun
            )
            for q in analysis.quantities
        ),
        *(
            row(
                "date",
                d,
                date_kind=d.kind,
                start_date=_date(d.start_date),
                end_date=_date(d.end_date),
                granularity=d.granularity,
                iso=d.value,
                anchored=d.anchored,
            )
            for d in analysis.dates
        ),
    ]


class _InSentence(Protocol):
    """An annotation of a span within one sentence (a mention, quote, claim, technique)."""

    @property
    def id(self) -> int: ...
    @property
    def sentence(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def _in_sentence(key: str, m: _InSentence, text: str) -> dict[str, Any]:
    """The columns such an annotation's row starts with (``schema._IN_SENTENCE``)."""
    return {
        "doc_id": key,
        "id": m.id,
        "sentence": m.sentence,
        "start_char": m.start,
        "end_char": m.end,
        "text": text[m.start : m.end],
    }


def _attribution_row(key: str, a: Attribution) -> Row:
    # The speaker as found ("he") and, for a pronoun, the name it stands for.
    return ATTRIBUTIONS.record_row(a, doc_id=key)


def _claim_row(key: str, c: Claim, text: str) -> Row:
    return CLAIMS.row(
        **_in_sentence(key, c, text),
        score=float(c.score),
        rank=c.rank,
        speaker=c.speaker,
        entities=list(c.entities),
        quantities=list(c.quantities),
        dates=list(c.dates),
        reasons=list(c.reasons),
    )


def _technique_row(key: str, t: Technique, text: str) -> Row:
    # The techniques table has no column for ``precise``: the flag is not stored.
    return TECHNIQUES.record_row(
        t, omit=("precise",), doc_id=key, text=text[t.start : t.end], score=float(t.score)
    )


def _contradiction_row(key: str, c: Contradiction, text: str) -> Row:
    """A contradiction found within the document (scope ``document``): both sides are in it."""
    return CONTRADICTIONS.record_row(
        c,
        doc_id=key,
        scope="document",
        doc_a=key,
        a_text=text[c.a_start : c.a_end],
        doc_b=key,
        b_text=text[c.b_start : c.b_end],
        score=float(c.score),
    )


def _score(value: float | None) -> float | None:
    return None if value is None else float(value)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
