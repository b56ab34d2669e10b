"""Counts of the same thing, or of different things: the subject and action checks."""

from __future__ import annotations

import pytest

from claimscope.consistency import DEFAULT_RULES, Context
from claimscope.consistency.dates import date_findings
from claimscope.consistency.frames import governing_word, subject_clash
from claimscope.consistency.negation import negation_findings
from claimscope.consistency.numbers import count_findings
from tests.consistency.builders import stmt

ONE_DOC = Context(same_doc=True)


def _money(text, part, value, **kw):
    return stmt(text, entities=["Brenton"], counts=[(part, value, "USD", "exact")], **kw)


def test_frames_one_cost_given_two_amounts_is_a_contradiction():
    a = _money("The Brenton bridge will cost $12 million, the council said.", "$12 million", 12e6)
    b = _money("The mayor said the Brenton bridge will cost $20 million.", "$20 million", 20e6)
    b.sentence = 4
    (found,) = count_findings(a, b, ONE_DOC, DEFAULT_RULES)
    assert found.explanation == "$12 million vs. $20 million"


def test_frames_a_loan_and_an_investment_are_different_amounts():
    a = _money("In the end, Brenton agreed to lend Ms. Okafor $5 million.", "$5 million", 5e6)
    b = _money("The union invested $10 million in the Brenton mine.", "$10 million", 10e6)
    b.sentence = 4
    assert governing_word(a, a.counts[0]) == "lend"
    assert governing_word(b, b.counts[0]) == "invest"
    assert count_findings(a, b, ONE_DOC, DEFAULT_RULES) == []


def _women(text, part, value, qualifier, agents, sentence):
    return stmt(
        text,
        sentence=sentence,
        entities=["Dale Whitmore", *agents],
        counts=[(part, value, "women", qualifier)],
        agents=agents,
    )


def test_frames_women_who_accused_different_men_are_different_counts():
    a = _women(
        "Dale Whitmore appeared with four women who accused Ray Albers.",
        "four women",
        4,
        "exact",
        ["Dale Whitmore", "Ray Albers"],
        0,
    )
    b = _women(
        "The paper said over 10 women have accused Dale Whitmore.",
        "over 10 women",
        10,
        "more_than",
        ["Dale Whitmore"],
        3,
    )
    # The women who accused Ray Albers are not the women who accused Dale Whitmore...
    assert subject_clash(a, a.counts[0], b, b.counts[0])
    assert count_findings(a, b, ONE_DOC, DEFAULT_RULES) == []
    c = _women(
        "Ray Albers said four women had accused him.",
        "four women",
        4,
        "exact",
        ["Ray Albers"],
        5,
    )
    # ...nor are the women Ray Albers spoke of, counted in a clause that names only him.
    assert subject_clash(c, c.counts[0], b, b.counts[0]) is False
    same = _women(
        "Exactly 4 women have accused Dale Whitmore, his lawyer said.",
        "4 women",
        4,
        "exact",
        ["Dale Whitmore"],
        6,
    )
    (found,) = count_findings(same, b, ONE_DOC, DEFAULT_RULES)
    assert found.explanation == "4 women vs. over 10 women"


def test_frames_a_week_worked_out_from_words_is_no_written_date():
    poll = stmt(
        "The Dunmore poll was conducted from May 6 to May 9, 2024.",
        entities=["Dunmore"],
        dates=[("from May 6 to May 9, 2024", "range", "2024-05-06", "2024-05-09")],
    )
    week = stmt(
        "The Dunmore campaign held rallies this week.",
        sentence=2,
        entities=["Dunmore"],
        dates=[("this week", "range", "2024-05-06", "2024-05-12")],
    )
    same = stmt(
        "The Dunmore poll ran from May 6 to May 12, 2024.",
        sentence=3,
        entities=["Dunmore"],
        dates=[("from May 6 to May 12, 2024", "range", "2024-05-06", "2024-05-12")],
    )
    assert date_findings(poll, week, ONE_DOC, DEFAULT_RULES) == []
    (found,) = date_findings(poll, same, ONE_DOC, DEFAULT_RULES)
    assert found.explanation.startswith("ends May 9, 2024 vs. May 12, 2024")


def test_frames_a_denial_by_someone_else_is_no_contradiction():
    some = stmt(
        "Several Republican lawmakers rescinded their endorsement of Ray Albers.",
        entities=["Ray Albers"],
    )
    speaker = stmt(
        "Speaker Tom Mercer has not rescinded his endorsement of Ray Albers.",
        sentence=1,
        entities=["Tom Mercer", "Ray Albers"],
    )
    same = stmt(
        "A spokesman said Speaker Tom Mercer rescinded his endorsement of Ray Albers.",
        sentence=2,
        entities=["Tom Mercer", "Ray Albers"],
    )
    assert negation_findings(some, speaker, ONE_DOC, DEFAULT_RULES) == []
    (found,) = negation_findings(same, speaker, ONE_DOC, DEFAULT_RULES)
    assert found.kind == "negation"


# Sentences written for these tests: two counts of the same kind that are not two claims of how
# many there are of one thing, and the same thing given two numbers.
DIFFERENT_THINGS = [
    ("Overall, Albers leads with 182 delegates.", "Albers leads with 221 delegates."),
    ("There are 595 delegates at stake in Dunmore.", "It takes 1,237 delegates to win Dunmore."),
    (
        "Albers won the first two states of the Dunmore race.",
        "Albers won four states in the Dunmore race.",
    ),
    ("Voters in six states backed Albers in Dunmore.", "Albers won 11 states in the Dunmore race."),
    ("Albers holds a 214-delegate lead in Dunmore.", "Albers has 300 delegates in Dunmore."),
    ("Nine of 10 voters in Dunmore backed Albers.", "Albers won 3 voters in Dunmore."),
    ("If Albers wins 30 delegates in Dunmore, he leads.", "Albers won 70 delegates in Dunmore."),
    (
        "Ray Albers drew 5,000 people to his rally in Dunmore.",
        "Dale Whitmore drew 12,000 people to his rally in Dunmore.",
    ),
    ("Albers won three delegate slots in Dunmore.", "Albers won 14 delegates in Dunmore."),
]
SAME_THING = [
    ("Albers won 30 delegates in Dunmore.", "Albers won 70 delegates in Dunmore, the party said."),
    (
        "The Kessing earthquake killed 120 people.",
        "Officials said the Kessing earthquake killed 310 people.",
    ),
]


def _found(first: str, second: str) -> list[str]:
    from claimscope import Settings, analyze
    from claimscope.consistency import find_in_document, statements_of

    analysis = analyze(f"{first}\n{second}\n", settings=Settings(profile="rules"))
    return [f.explanation for f in find_in_document(statements_of(analysis)) if f.kind == "number"]


@pytest.mark.parametrize(("first", "second"), DIFFERENT_THINGS)
def test_frames_counts_of_different_things_are_not_contradictions(first, second):
    assert _found(first, second) == []


@pytest.mark.parametrize(("first", "second"), SAME_THING)
def test_frames_one_thing_given_two_numbers_is_a_contradiction(first, second):
    assert len(_found(first, second)) == 1
