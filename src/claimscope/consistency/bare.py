"""Statements of bare sentences: a claim typed by a user, the sentences of an evidence passage.

``statements_of`` reads statements from a full Analysis; text that never went through the
pipeline gets here only what the contradiction rules read: named entities (spaCy NER, the model
the pipeline uses), quantities and dates (the extractors' rules), each in document offsets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from claimscope.consistency.statements import Count, Statement, When, is_question
from claimscope.extract.dates import find_dates
from claimscope.extract.entities import find_entities, normalize_name
from claimscope.extract.quantities import find_quantities
from claimscope.settings import Settings
from claimscope.text.links import find_links

# ``(text, start, end)`` pieces -> each piece's entity names.
EntityFinder = Callable[[Sequence[tuple[str, int, int]]], list[list[str]]]


def spacy_entities(settings: Settings | None = None) -> EntityFinder:
    """Entity names by the pipeline's spaCy model (loaded once per process)."""
    settings = settings or Settings()

    def find(pieces: Sequence[tuple[str, int, int]]) -> list[list[str]]:
        found = find_entities(pieces, model=settings.spacy_model, batch_size=settings.batch_size)
        return [
            [n for s, e, _ in ents if (n := normalize_name(text[s:e]))]
            for (text, _, _), ents in zip(pieces, found, strict=True)
        ]

    return find


def bare_statements(
    text: str,
    spans: Sequence[tuple[int, int]],
    *,
    doc: str,
    offset: int = 0,
    anchor: dt.date | None = None,
    entities: EntityFinder | None = None,
) -> list[Statement]:
    """One Statement per sentence span of ``text``, whose first character is at ``offset`` in
    its document (the statements' offsets are document offsets); ``anchor`` resolves year-less
    dates; ``entities`` finds names (default: spaCy)."""
    finder = entities or spacy_entities()
    names = finder([(text, s, e) for s, e in spans])
    out = []
    for i, ((start, end), found) in enumerate(zip(spans, names, strict=True)):
        sentence = text[start:end]
        at = offset + start
        dates = find_dates(sentence, anchor=anchor, offset=at, sentence=i)
        exclude = [(d.start, d.end) for d in dates]
        exclude += [(offset + x.start, offset + x.end) for x in find_links(text, start, end)]
        counts = find_quantities(sentence, offset=at, sentence=i, exclude=exclude)
        out.append(
            Statement(
                doc=doc,
                sentence=i,
                segment=0,
                start=at,
                text=sentence,
                entities=tuple(found),
                counts=tuple(
                    Count(q.start, q.end, q.value, q.unit, q.qualifier, q.noun) for q in counts
                ),
                dates=tuple(
                    When(d.start, d.end, d.kind, d.start_date, d.end_date, d.granularity)
                    for d in dates
                ),
                question=is_question(sentence),
            )
        )
    return out
