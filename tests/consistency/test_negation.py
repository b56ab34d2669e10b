"""Negation contradictions: one statement asserts what another denies."""

from __future__ import annotations

import pytest

from claimscope.consistency import DEFAULT_RULES, Context
from claimscope.consistency.negation import negation_findings, propositions
from tests.consistency.builders import stmt

TWO_DOCS = Context(same_doc=False)


def _s(text, *, entities=("Ostmark",), doc="d1", sentence=0):
    return stmt(text, entities=entities, doc=doc, sentence=sentence)


@pytest.mark.parametrize(
    ("text", "part", "negated"),
    [
        ("Ostmark will not build a bridge to Halvik.", "will not build a bridge", True),
        ("Ostmark won't build a new bridge.", "won't build a new bridge", True),
        (
            "The minister said there are no plans for Ostmark to build a bridge.",
            "no plans for Ostmark to build a bridge",
            True,
        ),
        ("Ostmark does not plan to build a bridge.", "does not plan to build a bridge", True),
        ("Ostmark will build a bridge to Halvik.", "will build a bridge", False),
        ("Ostmark has built a stone bridge.", "has built a stone bridge", False),
        ("Ostmark builds a bridge every decade.", "builds a bridge", False),
    ],
)
def test_negation_propositions_are_read_with_their_polarity(text, part, negated):
    found = [p for p in propositions(_s(text)) if p.key == "build:bridg"]
    assert len(found) == 1, propositions(_s(text))
    assert text[found[0].start : found[0].end] == part
    assert found[0].negated is negated


@pytest.mark.parametrize(
    "text",
    [
        "Ostmark could build a bridge.",  # speculation
        "If Ostmark builds a bridge, Halvik will protest.",  # a condition
        "Will Ostmark build a bridge?",  # a question
        "The new bridge was built quickly.",  # no object after the verb
    ],
)
def test_negation_speculation_conditions_and_questions_assert_nothing(text):
    assert [p for p in propositions(_s(text)) if p.key == "build:bridg"] == []


def test_negation_a_noun_phrase_is_not_a_verb_and_its_object():
    # "stone bridge" is a noun phrase: no auxiliary, "to" or determiner makes "stone" a verb.
    assert propositions(_s("Ostmark opened the old stone bridge.")) == [
        p for p in propositions(_s("Ostmark opened the old stone bridge.")) if p.verb == "open"
    ]
    assert [p.key for p in propositions(_s("A stone bridge links the towns."))] == ["link:town"]


def test_negation_assertion_against_denial_is_found():
    a = _s(
        "The United States will establish a military base in Ostmark.",
        entities=["United States", "Ostmark"],
    )
    b = _s(
        "The minister said there are no plans for the US to establish a base.",
        entities=["US"],
        doc="d2",
    )
    (found,) = negation_findings(a, b, TWO_DOCS, DEFAULT_RULES)
    assert found.kind == "negation"
    assert found.explanation == (
        "“will establish a military base” vs. “no plans for the US to establish a base”"
    )
    assert (found.a.doc, found.b.doc) == ("d1", "d2")


def test_negation_needs_a_subject_both_name():
    a = _s("Ostmark will build a bridge.")
    b = _s("Halvik will not build a bridge.", entities=["Halvik"], doc="d2")
    assert negation_findings(a, b, TWO_DOCS, DEFAULT_RULES) == []


def test_negation_same_polarity_or_other_object_is_no_contradiction():
    denial = _s("Ostmark will not build a bridge.")
    assert (
        negation_findings(
            denial, _s("Ostmark did not build a bridge.", sentence=1), TWO_DOCS, DEFAULT_RULES
        )
        == []
    )
    assert (
        negation_findings(
            denial, _s("Ostmark will build a tunnel.", sentence=1), TWO_DOCS, DEFAULT_RULES
        )
        == []
    )


def test_negation_a_past_denial_does_not_contradict_a_promise():
    denial = _s("Ostmark did not build a bridge in 2020.")
    promise = _s("Ostmark will build a bridge next year.", sentence=1)
    assert negation_findings(denial, promise, TWO_DOCS, DEFAULT_RULES) == []
    done = _s("Ostmark has built a bridge.", sentence=2)
    refusal = _s("Ostmark will not build a bridge.", sentence=3)
    assert len(negation_findings(done, refusal, TWO_DOCS, DEFAULT_RULES)) == 1
