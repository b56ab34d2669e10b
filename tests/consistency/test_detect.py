"""Blocking and comparison: which statements meet, and one finding per kind and pair."""

from __future__ import annotations

from claimscope.consistency import Context, compare, find_in_document, statement_keys
from claimscope.consistency.detect import candidate_pairs
from tests.consistency.builders import stmt


def _troops(text, part, value, *, sentence, entities=("Ostmark",)):
    return stmt(
        text, sentence=sentence, entities=entities, counts=[(part, value, "troops", "exact")]
    )


def test_detect_keys_pair_counts_of_one_thing_named_alike():
    a = _troops("Ostmark sent 700 troops north.", "700 troops", 700, sentence=0)
    b = _troops("Ostmark sent 1,000 troops north.", "1,000 troops", 1000, sentence=1)
    c = _troops("Halvik sent 900 troops south.", "900 troops", 900, sentence=2, entities=["Halvik"])
    assert candidate_pairs([statement_keys(s) for s in (a, b, c)]) == [(0, 1)]


def test_detect_keys_pair_a_count_with_an_unknown_number_of_it():
    count = _troops("Ostmark sent 700 troops north.", "700 troops", 700, sentence=0)
    unknown = stmt("The number of troops remains unknown.", sentence=1)
    ships = stmt("The number of ships remains unknown.", sentence=2)
    assert candidate_pairs([statement_keys(s) for s in (count, unknown, ships)]) == [(0, 1)]


def test_detect_keys_pair_a_proposition_with_its_opposite_only():
    texts = [
        "Ostmark will build a bridge.",
        "Ostmark has built a bridge.",
        "Ostmark will not build a bridge.",
    ]
    keys = [statement_keys(stmt(t, sentence=i, entities=["Ostmark"])) for i, t in enumerate(texts)]
    # The two assertions are never compared with each other, each is with the denial.
    assert candidate_pairs(keys) == [(0, 2), (1, 2)]


def test_detect_questions_have_no_keys():
    assert statement_keys(stmt("Will Ostmark build a bridge?", entities=["Ostmark"])) == set()


def test_detect_compare_keeps_one_finding_per_kind():
    text_a = "Ostmark will build a bridge and sent 700 troops north."
    text_b = "Ostmark will not build a bridge; it sent 1,000 troops north."
    a = stmt(text_a, entities=["Ostmark"], counts=[("700 troops", 700, "troops", "exact")])
    b = stmt(
        text_b,
        sentence=1,
        entities=["Ostmark"],
        counts=[("1,000 troops", 1000, "troops", "exact")],
    )
    found = compare(a, b, Context(same_doc=True))
    assert sorted(f.kind for f in found) == ["negation", "number"]
    assert compare(a, a, Context(same_doc=True)) == []


def test_detect_find_in_document_orders_by_position():
    statements = [
        _troops("Ostmark sent 700 troops north.", "700 troops", 700, sentence=0),
        stmt("Ostmark will build a bridge.", sentence=1, start=40, entities=["Ostmark"]),
        _troops("Ostmark sent 1,000 troops north.", "1,000 troops", 1000, sentence=2),
        stmt("Ostmark will not build a bridge.", sentence=3, start=120, entities=["Ostmark"]),
    ]
    found = find_in_document(statements)
    assert [(f.kind, f.a.sentence, f.b.sentence) for f in found] == [
        ("number", 0, 2),
        ("negation", 1, 3),
    ]
