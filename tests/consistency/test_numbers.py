"""Number contradictions: counts of one thing that disagree, and counts against 'unknown'."""

from __future__ import annotations

import pytest

from claimscope.consistency import DEFAULT_RULES, Context
from claimscope.consistency.numbers import (
    count_findings,
    unknown_counts,
    unknown_findings,
    usable_counts,
)
from tests.consistency.builders import stmt

ONE_DOC = Context(same_doc=True)
TWO_DOCS = Context(same_doc=False)


def _troops(text, part, value, qualifier="exact", *, unit="troops", sentence=0, doc="d1", **kw):
    entities = kw.pop("entities", ["Ostmark"])
    return stmt(
        text,
        doc=doc,
        sentence=sentence,
        entities=entities,
        counts=[(part, value, unit, qualifier)],
        **kw,
    )


def test_numbers_counts_of_one_thing_that_disagree_are_found():
    a = _troops("Ostmark will send 700 US troops to the border.", "700 US troops", 700)
    b = _troops(
        "Officials in Ostmark said 1,000 soldiers are on their way.",
        "1,000 soldiers",
        1000,
        unit="soldiers",
        sentence=3,
    )
    (found,) = count_findings(a, b, ONE_DOC, DEFAULT_RULES)
    assert found.kind == "number"
    assert found.explanation == "700 US troops vs. 1,000 soldiers"
    assert a.part(found.a.start, found.a.end) == "700 US troops"
    assert b.part(found.b.start, found.b.end) == "1,000 soldiers"
    assert (found.a.sentence, found.b.sentence) == (0, 3)
    assert 0.5 <= found.score <= 1.0


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("about 700 troops", 700, "approx"), ("roughly 700 troops", 700, "approx")),
        (("about 700 troops", 700, "approx"), ("750 troops", 750, "exact")),
        (("at least 70 troops", 70, "at_least"), ("100 troops", 100, "exact")),
        (("1,000 troops", 1000, "exact"), ("1,020 troops", 1020, "exact")),  # rounding
        (("700 troops", 700, "exact"), ("140,000 troops", 140000, "exact")),  # other scale
    ],
)
def test_numbers_compatible_or_incomparable_counts_are_not_contradictions(first, second):
    a = _troops(f"Ostmark sent {first[0]} north.", *first)
    b = _troops(f"Ostmark sent {second[0]} north.", *second, sentence=1)
    assert count_findings(a, b, ONE_DOC, DEFAULT_RULES) == []


def test_numbers_an_upper_bound_below_a_count_is_a_contradiction():
    a = _troops("Ostmark sent at most 50 troops north.", "at most 50 troops", 50, "at_most")
    b = _troops("Ostmark sent 70 troops north.", "70 troops", 70, sentence=1)
    assert [f.explanation for f in count_findings(a, b, ONE_DOC, DEFAULT_RULES)] == [
        "at most 50 troops vs. 70 troops"
    ]


def test_numbers_need_a_name_both_sentences_share():
    a = _troops("Ostmark sent 700 troops north.", "700 troops", 700)
    b = _troops("Halvik sent 1,000 troops south.", "1,000 troops", 1000, entities=["Halvik"])
    assert count_findings(a, b, TWO_DOCS, DEFAULT_RULES) == []


def test_numbers_different_nationalities_count_different_troops():
    a = _troops("Ostmark hosts 700 American troops.", "700 American troops", 700)
    b = _troops("Ostmark hosts 1,000 Peruvian troops.", "1,000 Peruvian troops", 1000, sentence=1)
    assert count_findings(a, b, ONE_DOC, DEFAULT_RULES) == []


def test_numbers_different_counted_things_are_not_compared():
    a = _troops("Ostmark sent 700 troops north.", "700 troops", 700)
    b = _troops("Ostmark sent 1,000 tonnes north.", "1,000 tonnes", 1000, unit="tonnes")
    assert count_findings(a, b, ONE_DOC, DEFAULT_RULES) == []


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("Ostmark sent another 50 troops north.", "50 troops"),
        ("The first group of 50 troops reached Ostmark.", "50 troops"),
        ("Ostmark now has 1,000 troops, up from 50 troops last year.", "50 troops"),
        ("Ostmark sent 50 more troops north.", "50 more troops"),
    ],
)
def test_numbers_parts_and_changes_are_not_whole_counts(text, part):
    value = float(part.split()[0].replace(",", ""))
    partial = _troops(text, part, value)
    assert usable_counts(partial) == []
    whole = _troops("Ostmark sent 700 troops north.", "700 troops", 700, sentence=1)
    assert count_findings(whole, partial, ONE_DOC, DEFAULT_RULES) == []


def test_numbers_two_counts_in_one_sentence_are_a_breakdown():
    text = "Ostmark sent 700 troops to the coast and 300 troops to the border."
    s = stmt(
        text,
        entities=["Ostmark"],
        counts=[("700 troops", 700, "troops", "exact"), ("300 troops", 300, "troops", "exact")],
    )
    assert usable_counts(s) == []


def test_numbers_counts_of_different_years_can_both_hold():
    a = _troops(
        "Ostmark had 700 troops in 2021.",
        "700 troops",
        700,
        dates=[("2021", "date", "2021-01-01", "2021-12-31")],
        granularity="year",
    )
    b = _troops(
        "Ostmark had 1,000 troops in 2023.",
        "1,000 troops",
        1000,
        sentence=1,
        dates=[("2023", "date", "2023-01-01", "2023-12-31")],
        granularity="year",
    )
    assert count_findings(a, b, ONE_DOC, DEFAULT_RULES) == []


def test_numbers_money_needs_a_shared_topic_word_as_well_as_a_name():
    def money(text, part, value, sentence):
        return stmt(
            text,
            sentence=sentence,
            entities=["Ostmark"],
            counts=[(part, value, "USD", "exact")],
        )

    bridge = money("The Ostmark bridge will cost $12 million.", "$12 million", 12e6, 0)
    harbour = money("Ostmark spent $40 million on its harbour.", "$40 million", 40e6, 1)
    assert count_findings(bridge, harbour, TWO_DOCS, DEFAULT_RULES) == []
    again = money("The Ostmark bridge will cost $40 million.", "$40 million", 40e6, 2)
    (found,) = count_findings(bridge, again, TWO_DOCS, DEFAULT_RULES)
    assert found.explanation == "$12 million vs. $40 million"


@pytest.mark.parametrize(
    ("text", "phrase", "word"),
    [
        (
            "The exact number of Ostmark soldiers involved remains undisclosed.",
            "The exact number of Ostmark soldiers involved remains undisclosed",
            "undisclosed",
        ),
        (
            "In the coming weeks an unspecified number of US military personnel could arrive.",
            "an unspecified number of US military personnel",
            "unspecified",
        ),
        (
            "The ministry said the number of troops has not been disclosed.",
            "the number of troops has not been disclosed",
            "undisclosed",
        ),
        (
            "The army declined to give the number of soldiers it sent.",
            "declined to give the number of soldiers",
            "undisclosed",
        ),
    ],
)
def test_numbers_statements_that_a_count_is_unknown(text, phrase, word):
    (gap,) = unknown_counts(stmt(text))
    assert text[gap.start : gap.end].lower() == phrase.lower()
    assert (gap.kind, gap.word) == ("troops", word)


@pytest.mark.parametrize(
    "text",
    [
        "The number of troops is expected to rise next year.",
        "The number of troops has been disclosed to parliament.",
        "A number of soldiers were seen near the border.",
        "The number of unknown visitors rose again.",
    ],
)
def test_numbers_other_uses_of_number_are_not_unknown_counts(text):
    assert unknown_counts(stmt(text)) == []


def test_numbers_a_count_against_an_unknown_number_is_a_contradiction():
    known = _troops("Ostmark will send 700 US troops.", "700 US troops", 700)
    unknown = stmt(
        "In Ostmark, the exact number of soldiers has not been disclosed.",
        sentence=4,
        entities=["Ostmark"],
    )
    # The count comes first whichever order the statements are given in.
    for a, b in ((known, unknown), (unknown, known)):
        (found,) = unknown_findings(a, b, ONE_DOC, DEFAULT_RULES)
        assert found.explanation == "700 US troops vs. an undisclosed number of soldiers"
        assert (found.a.sentence, found.b.sentence) == (0, 4)


def test_numbers_an_unknown_number_of_something_else_is_no_contradiction():
    known = _troops("Ostmark will send 700 US troops.", "700 US troops", 700)
    unknown = stmt(
        "In Ostmark, the exact number of ships has not been disclosed.",
        sentence=4,
        entities=["Ostmark"],
    )
    assert unknown_findings(known, unknown, ONE_DOC, DEFAULT_RULES) == []
