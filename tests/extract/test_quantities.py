"""Tests for claimscope.extract.quantities: numbers, units, qualifiers, exclusions, offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimscope.extract.quantities import find_quantities
from claimscope.model import Quantity


def quantities(text: str, exclude: list[tuple[int, int]] | None = None) -> list[Quantity]:
    found = find_quantities(text, exclude=exclude or [])
    for q in found:
        assert 0 <= q.start < q.end <= len(text)
    return found


def one(text: str) -> Quantity:
    found = quantities(text)
    assert len(found) == 1, [text[q.start : q.end] for q in found]
    return found[0]


def summary(text: str, exclude: list[tuple[int, int]] | None = None) -> list[tuple]:
    return [
        (text[q.start : q.end], q.value, q.unit, q.noun, q.qualifier)
        for q in quantities(text, exclude)
    ]


# -- numbers and units -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expression", "value", "unit", "noun"),
    [
        (
            "The ministry sent 450 Colombian police to the port.",
            "450 Colombian police",
            450,
            "police",
            "Colombian police",
        ),
        (
            "Nearby, 85,000 displaced families waited for aid.",
            "85,000 displaced families",
            85_000,
            "families",
            "displaced families",
        ),
        (
            "The region lost 1.5 million hectares of forest.",
            "1.5 million hectares",
            1_500_000,
            "hectares",
            "hectares",
        ),
        ("Inflation reached 12.4 percent in the quarter.", "12.4 percent", 12.4, "%", None),
        ("Inflation reached 12.4% in the quarter.", "12.4%", 12.4, "%", None),
        ("Inflation reached 12.4 per cent in the quarter.", "12.4 per cent", 12.4, "%", None),
        (
            "Support fell 6 percentage points in a week.",
            "6 percentage points",
            6,
            "percentage points",
            "percentage points",
        ),
        ("The strike lasted nine days in total.", "nine days", 9, "days", "days"),
        (
            "Guards found twenty-three rifles in the truck.",
            "twenty-three rifles",
            23,
            "rifles",
            "rifles",
        ),
        (
            "The court heard three hundred witnesses.",
            "three hundred witnesses",
            300,
            "witnesses",
            "witnesses",
        ),
        (
            "They arrested a dozen activists at dawn.",
            "a dozen activists",
            12,
            "activists",
            "activists",
        ),
        ("The plan spans two phases under the deal.", "two phases", 2, "phases", "phases"),
        (
            "Nobody expected 5 more ministers to resign.",
            "5 more ministers",
            5,
            "ministers",
            "more ministers",
        ),
        (
            "The rebels freed 12 kidnapped engineers on Sunday.",
            "12 kidnapped engineers",
            12,
            "engineers",
            "kidnapped engineers",
        ),
        ("Medics treated 300 wounded after the clashes.", "300 wounded", 300, "wounded", "wounded"),
        ("The fence runs for 12km along the river.", "12km", 12, "km", "km"),
        ("He is serving a 15-year sentence.", "15-year", 15, "year", "year"),
        ("About 40 NGOs signed the letter.", "About 40 NGOs", 40, "ngos", "NGOs"),
    ],
)
def test_find_quantities_value_unit_noun(
    text: str, expression: str, value: float, unit: str, noun: str | None
) -> None:
    q = one(text)
    assert text[q.start : q.end] == expression
    assert (q.value, q.unit, q.noun) == (value, unit, noun)


def test_find_quantities_glued_m_is_million_only_before_a_plural() -> None:
    assert summary("Some 1.2m voters and 3m people stayed home.") == [
        ("Some 1.2m voters", 1_200_000, "voters", "voters", "approx"),
        ("3m people", 3_000_000, "people", "people", "exact"),
    ]
    assert summary("They built a 5m wall.") == []


def test_find_quantities_votes_for_and_against() -> None:
    text = "The bill passed with 81 votes for, 29 votes against, and six abstentions."
    assert summary(text) == [
        ("81 votes for", 81, "votes for", "votes for", "exact"),
        ("29 votes against", 29, "votes against", "votes against", "exact"),
        ("six abstentions", 6, "abstentions", "abstentions", "exact"),
    ]


def test_find_quantities_us_before_the_noun_names_the_country() -> None:
    # "US" in capitals is the country, a modifier; "us" the pronoun still ends the phrase.
    assert summary("Congress said 700 US troops will stay.") == [
        ("700 US troops", 700, "troops", "US troops", "exact")
    ]
    assert summary("They gave 30 us.") == [("30", 30, None, None, "exact")]


def test_find_quantities_bare_number_has_no_unit() -> None:
    assert summary("The index closed at 1,250.5 on Friday.") == [
        ("1,250.5", 1250.5, None, None, "exact")
    ]


# -- money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expression", "value", "unit", "noun"),
    [
        ("The loan is worth $2bn, the bank said.", "$2bn", 2e9, "USD", "dollars"),
        ("The loan is worth $2.5 million, the bank said.", "$2.5 million", 2.5e6, "USD", "dollars"),
        ("The loan is worth US$ 8 million, the bank said.", "US$ 8 million", 8e6, "USD", "dollars"),
        ("The loan is worth €1.2 billion, the bank said.", "€1.2 billion", 1.2e9, "EUR", "euros"),
        ("The loan is worth £450m, the bank said.", "£450m", 4.5e8, "GBP", "pounds"),
        ("The loan is worth $300k, the bank said.", "$300k", 3e5, "USD", "dollars"),
        (
            "The loan is worth 40 million dollars, the bank said.",
            "40 million dollars",
            4e7,
            "USD",
            "dollars",
        ),
        (
            "The loan is worth 40 million euros, the bank said.",
            "40 million euros",
            4e7,
            "EUR",
            "euros",
        ),
        (
            "The fine was 3 million Canadian dollars.",
            "3 million Canadian dollars",
            3e6,
            "CAD",
            "Canadian dollars",
        ),
    ],
)
def test_find_quantities_money(
    text: str, expression: str, value: float, unit: str, noun: str
) -> None:
    q = one(text)
    assert text[q.start : q.end] == expression
    assert (q.value, q.unit, q.noun) == (pytest.approx(value), unit, noun)


# -- qualifiers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "qualifier"),
    [
        ("approximately 600 police", "approx"),
        ("about 600 police", "approx"),
        ("around 600 police", "approx"),
        ("roughly 600 police", "approx"),
        ("nearly 600 police", "approx"),
        ("almost 600 police", "approx"),
        ("some 600 police", "approx"),
        ("close to 600 police", "approx"),
        ("an estimated 600 police", "estimated"),
        ("estimated 600 police", "estimated"),
        ("at least 600 police", "at_least"),
        ("at most 600 police", "at_most"),
        ("no more than 600 police", "at_most"),
        ("more than 600 police", "more_than"),
        ("over 600 police", "more_than"),
        ("less than 600 police", "less_than"),
        ("fewer than 600 police", "less_than"),
        ("under 600 police", "less_than"),
        ("up to 600 police", "up_to"),
        ("600 police", "exact"),
    ],
)
def test_find_quantities_qualifiers(phrase: str, qualifier: str) -> None:
    text = f"The governor deployed {phrase} to the border town."
    q = one(text)
    assert text[q.start : q.end] == phrase
    assert (q.value, q.unit, q.qualifier) == (600, "police", qualifier)


def test_find_quantities_qualifier_inside_a_longer_phrase() -> None:
    text = "Reports suggest a possible force of approximately 1,200 marines."
    assert summary(text) == [("approximately 1,200 marines", 1200, "marines", "marines", "approx")]


def test_find_quantities_capitalized_qualifier_at_sentence_start() -> None:
    assert summary("More than 2,000 nurses walked out.") == [
        ("More than 2,000 nurses", 2000, "nurses", "nurses", "more_than")
    ]


# -- ranges and lists --------------------------------------------------------------------------


def test_find_quantities_range_shares_the_unit() -> None:
    text = "Between 20 and 30 miners were trapped; losses rose from 5 to 8 percent."
    assert summary(text) == [
        ("20", 20, "miners", "miners", "exact"),
        ("30 miners", 30, "miners", "miners", "exact"),
        ("5", 5, "%", None, "exact"),
        ("8 percent", 8, "%", None, "exact"),
    ]


def test_find_quantities_hyphen_range_shares_the_unit() -> None:
    assert summary("Officials expect 20-30 buses a day.") == [
        ("20", 20, "buses", "buses", "exact"),
        ("30 buses", 30, "buses", "buses", "exact"),
    ]


# -- what is not a quantity --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Brazil is the 5th-largest economy in the hemisphere.",
        "It finished third, behind the 2nd and 1st seeds.",
        "Resolution 2231 was adopted unanimously.",
        "Article 9 of the charter forbids it.",
        "Under Law No. 27444 the office is independent.",
        "COVID-19 closed the schools.",
        "A Boeing 777 landed in the storm.",
        "The G20 leaders met in Delhi.",
        "Flight MH17 was shot down.",
        "The session opened at 10:30 sharp.",
        "The session opened at 9 a.m. sharp.",
        "One of the judges dissented.",
        "No one claimed responsibility.",
        "She was the one who resigned.",
        "Hundreds of protesters and dozens of police clashed.",
        "The mandate ends in 2024 and began in 1999.",
        "Read it at https://example.org/news/2023/05/18/story-123 today.",
        "Two-thirds of deputies backed it.",
        "The hearing on May 18 was delayed to 18 May.",
        "The decree dated 2023-05-18 was withdrawn.",
        "Police said it was open 24/7 and version 2.1.3 is out.",
    ],
)
def test_find_quantities_skips_non_quantities(text: str) -> None:
    assert summary(text) == []


def test_find_quantities_verb_after_number_is_not_a_unit() -> None:
    assert summary("More than 100 marched; 40 injured were treated.") == [
        ("More than 100", 100, None, None, "more_than"),
        ("40 injured", 40, "injured", "injured", "exact"),
    ]


def test_find_quantities_year_with_a_counted_noun_is_a_quantity() -> None:
    assert summary("The army sent 1992 soldiers north.") == [
        ("1992 soldiers", 1992, "soldiers", "soldiers", "exact")
    ]


def test_find_quantities_thousands_separator_is_not_a_year() -> None:
    assert summary("Exactly 2,023 people signed.") == [
        ("2,023 people", 2023, "people", "people", "exact")
    ]


def test_find_quantities_possessive_before_number_is_not_an_identifier() -> None:
    assert summary("Chile's 45,000 miners struck.") == [
        ("45,000 miners", 45_000, "miners", "miners", "exact")
    ]


# -- exclusions and offsets --------------------------------------------------------------------


def test_find_quantities_exclude_skips_overlapping_numbers() -> None:
    text = "On June 12 about 400 families fled, see https://t.co/Xy12Ab."
    date = (text.index("June 12"), text.index("June 12") + len("June 12"))
    link = (text.index("https"), len(text) - 1)
    assert summary(text, [date, link]) == [
        ("about 400 families", 400, "families", "families", "approx")
    ]
    assert [q.value for q in quantities(text, [link])] == [400]


def test_find_quantities_exclude_cuts_noun_before_excluded_span() -> None:
    text = "They counted 40 @observers at the polls."
    handle = (text.index("@"), text.index("@") + len("@observers"))
    assert summary(text, [handle]) == [("40", 40, None, None, "exact")]


def test_find_quantities_offsets_are_document_offsets() -> None:
    document = "Title\n\nIn the end 70 deputies voted and 4 abstained."
    start = document.index("In the end")
    sentence = document[start:]
    found = find_quantities(sentence, offset=start, sentence=2, exclude=[(0, 5)])
    assert [document[q.start : q.end] for q in found] == ["70 deputies", "4"]
    assert all(q.sentence == 2 and q.id == 0 for q in found)
    # Exclusions are document offsets too.
    deputies = document.index("70")
    assert [
        q.value for q in find_quantities(sentence, offset=start, exclude=[(deputies, deputies + 2)])
    ] == [4]


# -- properties --------------------------------------------------------------------------------

FRAGMENTS = [
    "700",
    "140,000",
    "1.5",
    "3.2 million",
    "$4bn",
    "€2.5 billion",
    "US$ 3 million",
    "45%",
    "45 percent",
    "four",
    "twenty-one",
    "a dozen",
    "one of the",
    "no one",
    "approximately",
    "an estimated",
    "at least",
    "troops",
    "votes for",
    "American",
    "Resolution 4766",
    "COVID-19",
    "10:30",
    "2nd-biggest",
    "1992",
    "-",
    "–",
    "@x1",
    "https://t.co/a1",
]


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=12),
    offset=st.integers(0, 1000),
    data=st.data(),
)
def test_find_quantities_spans_lie_in_text_for_any_input(
    pieces: list[str], offset: int, data: st.DataObject
) -> None:
    text = " ".join(pieces)
    bound = offset + len(text)
    exclude = data.draw(
        st.lists(st.tuples(st.integers(offset, bound), st.integers(0, 20)), max_size=3)
    )
    spans = [(s, s + n) for s, n in exclude]
    for q in find_quantities(text, offset=offset, exclude=spans):
        assert offset <= q.start < q.end <= bound
        assert not any(s < e and q.start < e and s < q.end for s, e in spans)
        assert q.qualifier in {
            "exact", "approx", "at_least", "at_most", "more_than", "less_than", "up_to", "estimated"
        }  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_find_quantities_never_raises_on_random_text(text: str) -> None:
    for q in find_quantities(text):
        assert 0 <= q.start < q.end <= len(text)
