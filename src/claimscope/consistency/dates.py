"""Date contradictions: one period given two different ends (or starts), such as
``from October 1 to December 31, 2023`` against ``from October 1 to December 30, 2023``.

Periods come from the date extractor's ranges (day precision only), from ranges that follow on
from each other in one sentence (``from June 1 to September 30 and from October 1 to December
30`` is one period, June 1 to December 30), and from single dates that end something
(``ending on December 31``). Two periods are one period misdated when they share one end
exactly and their other ends differ by a few days; an end on its own is compared with another
end when the sentences share their topic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from claimscope.consistency.findings import Finding, Side
from claimscope.consistency.rules import Rules
from claimscope.consistency.statements import Statement, When
from claimscope.consistency.topic import Context, shared
from claimscope.consistency.words import word_set

# Words just before a date that make it the end of something ("ending on December 31").
_END_CUES = word_set("ending ends end until till through expires expire expiring concluding")


@dataclass(frozen=True, slots=True)
class Period:
    """An interval of days a statement gives; ``first`` is None for an end on its own.

    ``first_span`` and ``last_span`` are the date mentions giving each end (document offsets).
    """

    first: dt.date | None
    last: dt.date
    first_span: tuple[int, int] | None
    last_span: tuple[int, int]


def _day(iso: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(iso)
    except ValueError:
        return None


def periods(st: Statement) -> list[Period]:
    """The periods ``st`` gives: its day ranges, chains of them, and dates that end something."""
    return st.memo("periods", _periods)


def _periods(st: Statement) -> list[Period]:
    """The periods ``st`` gives: its day ranges, chains of them, and dates that end something."""
    if st.question:
        return []
    ranges: list[tuple[dt.date, dt.date, When]] = []
    for w in st.dates:
        first, last = _day(w.first), _day(w.last)
        if w.kind == "range" and w.granularity == "day" and first and last and first < last:
            ranges.append((first, last, w))
    ranges.sort(key=lambda r: (r[0], r[1]))
    out = [Period(f, la, (w.start, w.end), (w.start, w.end)) for f, la, w in ranges]
    # Ranges that follow on from each other make one period: the chain's first and last day.
    chain = ranges[:1]
    for item in [*ranges[1:], None]:
        if item is not None and item[0] == chain[-1][1] + dt.timedelta(days=1):
            chain.append(item)
            continue
        if len(chain) > 1:
            head, tail = chain[0][2], chain[-1][2]
            out.append(
                Period(chain[0][0], chain[-1][1], (head.start, head.end), (tail.start, tail.end))
            )
        chain = [item] if item is not None else []
    toks = st.words
    for w in st.dates:
        day = _day(w.last)
        if w.kind != "date" or w.granularity != "day" or day is None:
            continue
        before = [t.word for t in toks if t.end <= w.start - st.start][-2:]
        if any(word in _END_CUES for word in before):
            out.append(Period(None, day, None, (w.start, w.end)))
    return out


def _written(st: Statement, p: Period) -> bool:
    """Whether the period's days are written as days (``Sept. 19 to 22``), not worked out from
    words such as ``this week`` or ``last month``, which may be about another time than they
    seem (the week of the article, of a quote, of an event)."""
    spans = [p.last_span] if p.first_span is None else [p.first_span, p.last_span]
    return all(any(ch.isdigit() for ch in st.part(*span)) for span in spans)


def _say(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def date_findings(a: Statement, b: Statement, context: Context, rules: Rules) -> list[Finding]:
    """Periods of ``a`` and ``b`` that are one period given different ends."""
    pa, pb = periods(a), periods(b)
    if not pa or not pb:
        return []
    topic = bool(shared(a, b, context))
    # Two periods sharing an exact end are related when they are in one document, or in
    # documents naming the same things, even when their sentences share no word.
    related = topic or context.same_doc or len(context.shared_names) >= 2
    found = []
    for p in pa:
        for q in pb:
            finding = _compare(a, b, p, q, rules, topic=topic, related=related)
            if finding is not None:
                found.append(finding)
    return found


def _compare(
    a: Statement,
    b: Statement,
    p: Period,
    q: Period,
    rules: Rules,
    *,
    topic: bool,
    related: bool,
) -> Finding | None:
    gap = rules.max_date_gap
    if not (_written(a, p) and _written(b, q)):
        return None
    if p.first is not None and q.first is not None:
        if not related:
            return None
        if p.first == q.first and p.last != q.last and abs((p.last - q.last).days) <= gap:
            spans = p.last_span, q.last_span
            text = f"ends {_say(p.last)} vs. {_say(q.last)} (both from {_say(p.first)})"
        elif p.last == q.last and p.first != q.first and abs((p.first - q.first).days) <= gap:
            assert p.first_span is not None and q.first_span is not None
            spans = p.first_span, q.first_span
            text = f"starts {_say(p.first)} vs. {_say(q.first)} (both until {_say(p.last)})"
        else:
            return None
        score = 0.85 if topic else 0.75
    else:
        # An end on its own has nothing else to anchor it: the sentences must share a topic.
        if not topic or p.last == q.last or abs((p.last - q.last).days) > gap:
            return None
        spans = p.last_span, q.last_span
        text = f"ends {_say(p.last)} vs. {_say(q.last)}"
        score = 0.7
    return Finding(
        "date",
        Side(a.doc, a.sentence, *spans[0]),
        Side(b.doc, b.sentence, *spans[1]),
        text,
        score,
    )
