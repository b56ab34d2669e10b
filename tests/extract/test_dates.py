"""Tests for claimscope.extract.dates: forms, ranges, anchor rules, offsets."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimscope.extract.dates import find_dates, infer_anchor
from claimscope.model import DateRef

ANCHOR = dt.date(2023, 5, 27)


def dates(text: str, anchor: dt.date | None = ANCHOR) -> list[DateRef]:
    found = find_dates(text, anchor=anchor)
    for ref in found:
        assert 0 <= ref.start < ref.end <= len(text)
        assert ref.start_date <= ref.end_date
    return found


def one(text: str, anchor: dt.date | None = ANCHOR) -> DateRef:
    found = dates(text, anchor)
    assert len(found) == 1, [(text[d.start : d.end], d.value) for d in found]
    return found[0]


def spans(text: str, anchor: dt.date | None = ANCHOR) -> list[tuple[str, str]]:
    return [(text[d.start : d.end], d.value) for d in dates(text, anchor)]


# -- single dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expression", "value"),
    [
        (
            "The senate voted on March 14, 2022 to extend the mandate.",
            "March 14, 2022",
            "2022-03-14",
        ),
        ("The senate voted on 14 March 2022 after a long debate.", "14 March 2022", "2022-03-14"),
        ("Ballots were counted on the 14th of March, 2022.", "14th of March, 2022", "2022-03-14"),
        ("The treaty was signed on June 22, 2021 in Quito.", "June 22, 2021", "2021-06-22"),
        ("The report is dated 2022-11-03 in the archive.", "2022-11-03", "2022-11-03"),
        ("The report is dated 2022/11/03 in the archive.", "2022/11/03", "2022-11-03"),
        ("A decree published 25/11/2022 set the curfew.", "25/11/2022", "2022-11-25"),
        ("A decree published 11/25/2022 set the curfew.", "11/25/2022", "2022-11-25"),
        ("A decree published 04.04.2022 set the curfew.", "04.04.2022", "2022-04-04"),
    ],
)
def test_find_dates_explicit_day_forms(text: str, expression: str, value: str) -> None:
    ref = one(text)
    assert text[ref.start : ref.end] == expression
    assert (ref.kind, ref.granularity, ref.value, ref.anchored) == ("date", "day", value, False)
    assert ref.start_date == ref.end_date == value


@pytest.mark.parametrize(
    ("text", "expression", "value"),
    [
        ("Lawmakers met on May 18 to approve the request.", "May 18", "2023-05-18"),
        ("Lawmakers met on May 18th to approve the request.", "May 18th", "2023-05-18"),
        ("Lawmakers met on 18 May to approve the request.", "18 May", "2023-05-18"),
        ("The first arrests came on Dec. 6 in the capital.", "Dec. 6", "2022-12-06"),
        ("The first arrests came on December 6 in the capital.", "December 6", "2022-12-06"),
        ("The mission will end by Sept 30 at the latest.", "Sept 30", "2023-09-30"),
        ("The mission will end by Aug 2 at the latest.", "Aug 2", "2023-08-02"),
    ],
)
def test_find_dates_yearless_day_takes_nearest_year(text: str, expression: str, value: str) -> None:
    ref = one(text)
    assert text[ref.start : ref.end] == expression
    assert (ref.value, ref.granularity, ref.anchored) == (value, "day", True)


def test_find_dates_nearest_year_tie_goes_to_earlier() -> None:
    # 2023-03-01 and 2024-03-01 are both 183 days from 2023-08-31.
    assert one("Prices rose after March 1 across the region.", dt.date(2023, 8, 31)).value == (
        "2023-03-01"
    )


def test_find_dates_yearless_without_anchor_is_skipped() -> None:
    text = "Troops arrived on May 18 and left on June 22, 2021."
    assert spans(text, anchor=None) == [("June 22, 2021", "2021-06-22")]


def test_find_dates_month_and_year() -> None:
    text = "The crisis that began in November 2022 deepened by Feb. 2023."
    assert spans(text) == [("November 2022", "2022-11"), ("Feb. 2023", "2023-02")]
    ref = dates(text)[0]
    assert (ref.start_date, ref.end_date, ref.granularity) == ("2022-11-01", "2022-11-30", "month")


@pytest.mark.parametrize(
    ("text", "expression", "value"),
    [
        ("Tensions have grown since the December coup in the capital.", "December", "2022-12"),
        ("Protests spread in December across the south.", "December", "2022-12"),
        ("Rains flooded the valley in early March this season.", "March", "2023-03"),
        ("Exports have fallen since mid-January, traders say.", "January", "2023-01"),
        ("Talks are expected to resume in May, officials said.", "May", "2023-05"),
        ("The inquiry should report by the end of May.", "May", "2023-05"),
    ],
)
def test_find_dates_month_alone_in_date_context(text: str, expression: str, value: str) -> None:
    ref = one(text)
    assert (text[ref.start : ref.end], ref.value, ref.granularity) == (expression, value, "month")
    assert ref.anchored


@pytest.mark.parametrize(
    "text",
    [
        "The court may rule on the appeal next term.",
        "May the best candidate win, the mayor told supporters.",
        "May brought heavy rain to the coast.",
        "The former prime minister, Theresa May, declined to comment.",
        "April Ramos, a teacher, joined the march.",
        "June said the march would go ahead.",
        "The Jan. committee met again.",
    ],
)
def test_find_dates_month_name_without_date_context_is_skipped(text: str) -> None:
    assert dates(text) == []


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("The constitution dates from his self-proclaimed coup of 1992.", "1992"),
        ("The party was founded in 1992 by students.", "1992"),
        ("Inflation has doubled since 2019, the bank said.", "2019"),
        ("Fraud claims followed the 2020 election in several states.", "2020"),
        ("The country's 2021 census counted fewer farms.", "2021"),
        ("A novel (1992) inspired the film.", "1992"),
    ],
)
def test_find_dates_year_in_date_context(text: str, expression: str) -> None:
    ref = one(text)
    assert text[ref.start : ref.end] == expression
    assert (ref.value, ref.granularity, ref.anchored) == (expression, "year", False)
    assert (ref.start_date, ref.end_date) == (f"{expression}-01-01", f"{expression}-12-31")


@pytest.mark.parametrize(
    "text",
    [
        "Resolution 4766 was approved without debate.",
        "Some 140,000 police officers were deployed.",
        "Exactly 2,023 people signed the petition.",
        "The ministry sent 1992 soldiers to the border.",
        "Flight 2019 landed safely; the code was 20195.",
        "The 1900 workers went on strike and lost the 2000 hectares they farmed.",
    ],
)
def test_find_dates_numbers_that_are_not_years_are_skipped(text: str) -> None:
    assert dates(text) == []


def test_find_dates_decade() -> None:
    ref = one("Wages stagnated in the 1990s, the study found.")
    assert (ref.kind, ref.value, ref.start_date, ref.end_date) == (
        "range",
        "1990/1999",
        "1990-01-01",
        "1999-12-31",
    )


def test_find_dates_years_in_a_list() -> None:
    text = "Floods hit the region in 2019 and 2021."
    assert spans(text) == [("2019", "2019"), ("2021", "2021")]


# -- ranges ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expression", "value", "anchored"),
    [
        (
            "The permit runs between March 1 and November 30, 2023, officials said.",
            "between March 1 and November 30, 2023",
            "2023-03-01/2023-11-30",
            False,
        ),
        (
            "The permit runs from March 1 to November 30 under the new rules.",
            "from March 1 to November 30",
            "2023-03-01/2023-11-30",
            True,
        ),
        (
            "The permit runs March 1 - November 30, 2023 under the new rules.",
            "March 1 - November 30, 2023",
            "2023-03-01/2023-11-30",
            False,
        ),
        (
            "Voting takes place July 1–15 in most provinces.",
            "July 1–15",
            "2023-07-01/2023-07-15",
            True,
        ),
        ("Voting took place 3-5 March 2021.", "3-5 March 2021", "2021-03-03/2021-03-05", False),
        (
            "The fair runs from July 3 to 9, 2022.",
            "from July 3 to 9, 2022",
            "2022-07-03/2022-07-09",
            False,
        ),
        ("Output fell over 2019-2021 in mining.", "2019-2021", "2019/2021", False),
        ("Output fell in the 2019–21 period.", "2019–21", "2019/2021", False),
        ("Output fell from 2019 to 2021 in mining.", "from 2019 to 2021", "2019/2021", False),
        (
            "The ban lasted from December 2022 to February.",
            "from December 2022 to February",
            "2022-12/2023-02",
            False,
        ),
        (
            "The ban lasts from November 15, 2023 to January 10.",
            "from November 15, 2023 to January 10",
            "2023-11-15/2024-01-10",
            False,
        ),
        (
            "The ban lasted between December 20 and January 5, 2023.",
            "between December 20 and January 5, 2023",
            "2022-12-20/2023-01-05",
            False,
        ),
    ],
)
def test_find_dates_ranges(text: str, expression: str, value: str, anchored: bool) -> None:
    ref = one(text)
    assert text[ref.start : ref.end] == expression
    assert (ref.kind, ref.value, ref.anchored) == ("range", value, anchored)
    first, last = value.split("/")
    assert ref.start_date.startswith(first)
    assert ref.end_date.startswith(last)


def test_find_dates_day_after_to_that_counts_something_is_not_a_range_end() -> None:
    assert spans("Support rose on July 3 to 9 percent.") == [("July 3", "2023-07-03")]


def test_find_dates_month_range_crosses_year_boundary() -> None:
    ref = one("Roadblocks lasted from December to February, farmers said.")
    assert (ref.start_date, ref.end_date, ref.granularity) == ("2022-12-01", "2023-02-28", "month")
    assert (ref.value, ref.anchored) == ("2022-12/2023-02", True)


def test_find_dates_year_stated_later_in_a_list_applies_to_earlier_ranges() -> None:
    text = (
        "Crews will rotate in two shifts: from March 1 to June 30, "
        "and from July 1 to October 31, 2024."
    )
    expected = [
        ("from March 1 to June 30", "2024-03-01/2024-06-30"),
        ("from July 1 to October 31, 2024", "2024-07-01/2024-10-31"),
    ]
    assert spans(text) == expected
    assert spans(text, anchor=None) == expected
    assert not any(d.anchored for d in dates(text))


def test_find_dates_list_year_steps_back_across_new_year() -> None:
    text = "Strikes were held on December 30 and January 2, 2021."
    assert spans(text, anchor=None) == [
        ("December 30", "2020-12-30"),
        ("January 2, 2021", "2021-01-02"),
    ]


# -- relative dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "kind", "value"),
    [
        ("today", "date", "2023-05-27"),
        ("yesterday", "date", "2023-05-26"),
        ("tomorrow", "date", "2023-05-28"),
        ("last Monday", "date", "2023-05-22"),
        ("next Monday", "date", "2023-05-29"),
        ("last Saturday", "date", "2023-05-20"),
        ("last week", "range", "2023-05-15/2023-05-21"),
        ("last month", "date", "2023-04"),
        ("next month", "date", "2023-06"),
        ("last year", "date", "2022"),
        ("this year", "date", "2023"),
        ("last December", "date", "2022-12"),
    ],
)
def test_find_dates_relative_to_anchor(expression: str, kind: str, value: str) -> None:
    text = f"The minister said {expression} that nothing would change."
    ref = one(text)
    assert text[ref.start : ref.end] == expression
    assert (ref.kind, ref.value, ref.anchored) == (kind, value, True)


def test_find_dates_datetime_anchor_counts_as_its_date() -> None:
    ref = one("The talks collapsed yesterday.", dt.datetime(2023, 5, 27, 23, 30))
    assert ref.value == "2023-05-26"


def test_find_dates_relative_without_anchor_is_skipped() -> None:
    assert dates("The minister resigned yesterday, and last week the cabinet fell.", None) == []


def test_find_dates_today_as_a_name_is_skipped() -> None:
    assert dates("The poll was published by USA Today on its website.") == []
    assert spans("Today the streets were calm.") == [("Today", "2023-05-27")]


# -- invalid dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The decree is dated February 30 in the gazette.",
        "The decree is dated February 29, 2023 in the gazette.",
        "The decree is dated 2023-02-30 in the gazette.",
        "The decree is dated 31/04/2023 in the gazette.",
        "The decree is dated 05/06/2023 in the gazette.",
    ],
)
def test_find_dates_invalid_or_ambiguous_dates_are_skipped(text: str) -> None:
    assert dates(text) == []


def test_find_dates_yearless_leap_day_takes_nearest_leap_year() -> None:
    assert one("Registration closes on February 29 this cycle.").value == "2024-02-29"


# -- offsets and bookkeeping -------------------------------------------------------------------


def test_find_dates_offsets_are_document_offsets() -> None:
    document = "Headline.\nThe assembly met on May 18 and again on June 22, 2021."
    start = document.index("The")
    found = find_dates(document[start:], anchor=ANCHOR, offset=start, sentence=3)
    assert [document[d.start : d.end] for d in found] == ["May 18", "June 22, 2021"]
    assert all(d.sentence == 3 and d.id == 0 for d in found)


def test_find_dates_several_in_one_sentence_are_in_order() -> None:
    text = (
        "After the December coup, Congress on May 18 allowed troops in "
        "between June 1 and December 31, 2023."
    )
    assert spans(text) == [
        ("December", "2022-12"),
        ("May 18", "2023-05-18"),
        ("between June 1 and December 31, 2023", "2023-06-01/2023-12-31"),
    ]


# -- infer_anchor ------------------------------------------------------------------------------


def test_infer_anchor_is_latest_explicit_day() -> None:
    texts = [
        "— Ana Ruiz (@anaruiz) March 3, 2023",
        "The vote on May 18 passed; the bill dates from June 22, 2021.",
        "— Luis Paz (@luispaz) April 9, 2023",
        "Protests will continue through 2024.",
    ]
    assert infer_anchor(texts) == dt.date(2023, 4, 9)


def test_infer_anchor_without_dates_is_none() -> None:
    assert infer_anchor(["No dates here.", "Only May 18 and last week."]) is None


# -- properties --------------------------------------------------------------------------------

FRAGMENTS = [
    "May 18",
    "18 May",
    "May",
    "may",
    "December 6, 2022",
    "Dec.",
    "Sept 30",
    "2023-05-18",
    "18/05/2023",
    "1992",
    "in 1992",
    "the 1990s",
    "2019-2021",
    "from",
    "to",
    "between",
    "and",
    "June 1–30",
    "February 30",
    "February 29",
    "today",
    "last week",
    "next Monday",
    "Today",
    ",",
    "-",
    "–",
    "140,000",
    "Resolution 4766",
]


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=12),
    anchor=st.one_of(st.none(), st.dates(dt.date(1801, 1, 1), dt.date(2099, 12, 31))),
    offset=st.integers(0, 1000),
)
def test_find_dates_spans_lie_in_text_for_any_input(
    pieces: list[str], anchor: dt.date | None, offset: int
) -> None:
    text = " ".join(pieces)
    for ref in find_dates(text, anchor=anchor, offset=offset):
        assert offset <= ref.start < ref.end <= offset + len(text)
        assert ref.start_date <= ref.end_date
        dt.date.fromisoformat(ref.start_date)
        dt.date.fromisoformat(ref.end_date)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_find_dates_never_raises_on_random_text(text: str) -> None:
    for ref in find_dates(text, anchor=ANCHOR):
        assert 0 <= ref.start < ref.end <= len(text)
