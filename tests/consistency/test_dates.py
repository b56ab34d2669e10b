"""Date contradictions: one period given two different ends (or starts)."""

from __future__ import annotations

import datetime as dt

from claimscope.consistency import DEFAULT_RULES, Context
from claimscope.consistency.dates import date_findings, periods
from tests.consistency.builders import stmt

ONE_DOC = Context(same_doc=True)
RELATED_DOCS = Context(same_doc=False, shared_names=frozenset({"ostmark", "halvik"}))
UNRELATED_DOCS = Context(same_doc=False, shared_names=frozenset({"ostmark"}))

LEDGER = "The ferry contract runs from March 1 to June 30, 2024, the ministry said."
MONITOR = "Halvik's port will be closed from March 1 to June 29, 2024."


def _range(text, part, first, last, *, doc="d1", sentence=0, entities=()):
    return stmt(
        text,
        doc=doc,
        sentence=sentence,
        entities=entities,
        dates=[(part, "range", first, last)],
    )


def _ledger(**kw):
    return _range(LEDGER, "from March 1 to June 30, 2024", "2024-03-01", "2024-06-30", **kw)


def _monitor(**kw):
    return _range(MONITOR, "from March 1 to June 29, 2024", "2024-03-01", "2024-06-29", **kw)


def test_dates_one_period_with_two_ends_across_related_documents():
    a, b = _ledger(doc="d1"), _monitor(doc="d2")
    (found,) = date_findings(a, b, RELATED_DOCS, DEFAULT_RULES)
    assert found.kind == "date"
    assert found.explanation == "ends June 30, 2024 vs. June 29, 2024 (both from March 1, 2024)"
    assert a.part(found.a.start, found.a.end) == "from March 1 to June 30, 2024"
    assert b.part(found.b.start, found.b.end) == "from March 1 to June 29, 2024"


def test_dates_unrelated_documents_are_not_compared_on_dates_alone():
    assert date_findings(_ledger(doc="d1"), _monitor(doc="d2"), UNRELATED_DOCS, DEFAULT_RULES) == []


def test_dates_a_shared_topic_relates_the_sentences():
    a = _ledger(doc="d1")
    b = _range(
        "The ferry contract ends early: from March 1 to June 29, 2024.",
        "from March 1 to June 29, 2024",
        "2024-03-01",
        "2024-06-29",
        doc="d2",
    )
    assert len(date_findings(a, b, UNRELATED_DOCS, DEFAULT_RULES)) == 1


def test_dates_ranges_that_follow_on_make_one_period():
    text = "The talks run from May 2 to May 31 and from June 1 to July 14, 2024."
    s = stmt(
        text,
        dates=[
            ("from May 2 to May 31", "range", "2024-05-02", "2024-05-31"),
            ("from June 1 to July 14, 2024", "range", "2024-06-01", "2024-07-14"),
        ],
    )
    spans = {(p.first, p.last) for p in periods(s)}
    assert (dt.date(2024, 5, 2), dt.date(2024, 7, 14)) in spans
    other = _range(
        "Delegates will meet between May 2 and July 15, 2024.",
        "between May 2 and July 15, 2024",
        "2024-05-02",
        "2024-07-15",
        sentence=3,
    )
    (found,) = date_findings(s, other, ONE_DOC, DEFAULT_RULES)
    assert found.explanation.startswith("ends July 14, 2024 vs. July 15, 2024")
    assert s.part(found.a.start, found.a.end) == "from June 1 to July 14, 2024"


def test_dates_a_part_of_a_period_is_not_a_misdated_period():
    whole = _range(
        "The talks run between May 2 and July 14, 2024.",
        "between May 2 and July 14, 2024",
        "2024-05-02",
        "2024-07-14",
    )
    part = _range(
        "The first round runs from May 2 to May 31, 2024.",
        "from May 2 to May 31, 2024",
        "2024-05-02",
        "2024-05-31",
        sentence=1,
    )
    assert date_findings(whole, part, ONE_DOC, DEFAULT_RULES) == []


def test_dates_an_end_on_its_own_needs_a_shared_topic():
    ending = stmt(
        "The ferry contract will last four months, ending on June 30, 2024.",
        doc="d2",
        dates=[("June 30, 2024", "date", "2024-06-30", "2024-06-30")],
    )
    (end_only,) = periods(ending)
    assert end_only.first is None and end_only.last == dt.date(2024, 6, 30)
    contract = _range(
        "The ferry contract runs from March 1 to June 28, 2024.",
        "from March 1 to June 28, 2024",
        "2024-03-01",
        "2024-06-28",
    )
    (found,) = date_findings(contract, ending, RELATED_DOCS, DEFAULT_RULES)
    assert found.explanation == "ends June 28, 2024 vs. June 30, 2024"
    closure = _monitor(doc="d3")  # shares no word with the ferry contract
    assert date_findings(closure, ending, RELATED_DOCS, DEFAULT_RULES) == []


def test_dates_a_date_that_ends_nothing_is_not_a_period():
    s = stmt(
        "The ferry contract was signed on June 30, 2024.",
        dates=[("June 30, 2024", "date", "2024-06-30", "2024-06-30")],
    )
    assert periods(s) == []


def test_dates_month_ranges_are_too_coarse_to_compare():
    a = stmt(
        "Works on the Halvik road run from March to June.",
        dates=[("from March to June", "range", "2024-03-01", "2024-06-30")],
        granularity="month",
    )
    b = _range(
        "Works on the Halvik road run from March 1 to June 29.",
        "from March 1 to June 29",
        "2024-03-01",
        "2024-06-29",
        sentence=1,
    )
    assert periods(a) == []
    assert date_findings(a, b, ONE_DOC, DEFAULT_RULES) == []
