"""Dates, months, years and ranges in one sentence, normalized to ISO intervals.

Everything here is regexes and tables compiled at import: ``find_dates`` runs on every sentence
of every document. A year-less date ("May 18") takes its year from the anchor (the date nearest
to it) or from a year stated later in the same list of dates ("June 1 to September 30, and
October 1 to December 30, 2023"); with neither it is skipped.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from claimscope.model import DateKind, DateRef, Granularity


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FULL_MONTHS = _words(
    "january february march april may june july august september october november december"
)
_MONTH_NUMBER = {name: i for i, name in enumerate(_FULL_MONTHS, 1)}
_ABBREVIATIONS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NUMBER.update(_ABBREVIATIONS)
_WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")


def _cased(words: Iterable[str]) -> str:
    # Month names count only capitalized ("may" is a verb, "march" a noun) or in capitals.
    forms = {f for w in words for f in (w.title(), w.upper())}
    return "|".join(sorted(forms, key=lambda f: (-len(f), f)))


_FULL = _cased(_FULL_MONTHS)
_ABBR = _cased(_ABBREVIATIONS)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?!\d)(?:st|nd|rd|th)?\b"
# A year is four digits 1800-2100 that are not part of a longer number ("2,023", "140,000").
_YEAR_END = r"(?![\d%]|[.,:/]\d|\s?percent\b)"
_YEAR_DIGITS = r"(?:1[89]\d\d|20\d\d|2100)"
_YEAR_CORE = _YEAR_DIGITS + _YEAR_END
_YEAR = r"(?<![\d,.])" + _YEAR_CORE


_MONTH_NAME = rf"(?P<mname>\b(?:{_FULL})\b|\b(?:{_ABBR})\b\.?)"
_DAY_MONTH = rf"(?:of\s+)?(?P<{{0}}>\b(?:{_FULL})\b|\b(?:{_ABBR})\b\.?)(?:,?\s+(?P<{{1}}>{_YEAR}))?"

# One pattern for every form. Each branch opens with a one-character lookahead so that most
# positions in a sentence are rejected at once: this runs on every sentence of a corpus.
_ATOM = re.compile(
    r"(?=\d)(?:"
    # 2023-05-18, 2023/05/18
    r"(?P<iso>(?<![\w/.,-])(?P<iy>" + _YEAR_DIGITS + r")(?P<isep>[-/])(?P<im>0[1-9]|1[0-2])"
    r"(?P=isep)(?P<id>0[1-9]|[12]\d|3[01])(?![\w/-]|[.,:]\d))"
    # 18/05/2023, 05.18.2023 (kept only when day and month cannot be confused)
    r"|(?P<num>(?<![\w/.:-])(?P<na>\d{1,2})(?P<nsep>[/.])(?P<nb>\d{1,2})(?P=nsep)"
    r"(?P<ny>" + _YEAR_CORE + r")(?![\w/-]))"
    # 1-3 June 2023, 1–3 June
    r"|(?P<ddm>(?<![\d,.])\b(?P<dd1>"
    + _DAY
    + r")\s?[-–—]\s?(?P<dd2>"
    + _DAY
    + r")\s+"
    + _DAY_MONTH.format("ddmon", "ddy")
    + r")"
    # 18 May, 18th of May 2023
    r"|(?P<dmy>(?<![\d,.])\b(?P<dmday>"
    + _DAY
    + r")\s+"
    + _DAY_MONTH.format("dmmon", "dmyear")
    + ")"
    # 2019-2021, 2019–21
    r"|(?P<yr>(?<![\w.,/-])(?P<yr1>" + _YEAR + r")\s?[-–—]\s?(?P<yr2>" + _YEAR + r"|\d\d)"
    r"(?![\w%/-]|[.,:]\d))"
    # the 1990s
    r"|(?P<dec>(?<![\w.,'’])(?P<decade>1[89]\d0|20\d0)s\b)"
    # 1992 (kept only in a date-like context)
    r"|(?P<year>(?<![\w$€£#/@-])" + _YEAR + r"(?![\w-]))"
    r")"
    # May 18, May 18th, Dec. 6, May 18, 2023 | December 2022, May of 2021 | December
    r"|(?=[JFMASOND])(?P<mdate>" + _MONTH_NAME + r"(?:\s+(?P<mdday>" + _DAY + r")(?!,\d|[:.]\d)"
    r"(?:,?\s+(?P<mdyear>" + _YEAR + r"))?|(?:\s+of)?,?\s+(?P<myyear>" + _YEAR + r"))?)"
    # today, last week, next Monday, last December
    r"|(?=[TtYyLlNn])(?:(?P<rel>\b(?:today|Today|TODAY|yesterday|Yesterday|YESTERDAY|tomorrow"
    r"|Tomorrow|TOMORROW)\b)"
    r"|(?P<reldir>(?P<rdir>\b(?:last|Last|LAST|next|Next|NEXT|this|This|THIS))\s+(?P<runit>"
    r"(?:week|Week|month|Month|year|Year|" + _cased(_WEEKDAYS) + "|" + _FULL + r")\b)))"
)

# The end day of "June 1–30" or "March 3 to 5" ("to" only when no counted noun follows).
_DAY_TAIL = re.compile(
    r"(?:\s?[-–—]\s?|\s+(?:to|through|until)\s+(?=\d+(?:,?\s+" + _YEAR_DIGITS + r"|\s*[,.;:)]"
    r"|\s*$|\s+(?:and|in|at|on|for|when|while|but|after|before)\b)))(" + _DAY + r")"
    r"(?![\d%]|[/:.,-]\d|\s*(?:percent|per\s+cent)\b)(?:,?\s+(" + _YEAR + r"))?"
)
_PREV_WORD = re.compile(r"([A-Za-z]+)(['’]s)?(?:\s+|-)$")
_LAST_TOKEN = re.compile(r"([A-Za-z]+)\s+$")
_NEXT_WORD = re.compile(r"\s+([A-Za-z]+)")
_RANGE_OPEN = re.compile(r"(?i:\b(from|between)\s+)$")
_RANGE_LINK = re.compile(r"(?i:\s*(?:-|–|—|to|until|till|through|thru)\s*)")
_AND_LINK = re.compile(r"(?i:\s+and\s+)")
_LIST_LINK = re.compile(r"[\s,;]*(?:(?:and|or|then)\b[\s,]*)?(?:(?:on|in)\s+)?")
_YEAR_LIST_LINK = re.compile(r"\s*(?:,|and|or|,\s*and|,\s*or)\s+")

# Words before a bare month or year that make it a date ("in December", "since 2019").
_MONTH_CONTEXT = frozenset(
    _words("in since until till by from through during before after early mid late of the")
)
_MAY_CONTEXT = frozenset(_words("in since until till by from through during early mid late"))
_YEAR_CONTEXT = frozenset(
    _words(
        """in of since until till by from through during before after early mid late circa the
    year fiscal between spring summer autumn fall winter"""
    )
)
# "the 1900 soldiers" counts soldiers; "the 2020 election" is a date.
_COUNT_NOUNS = frozenset(
    _words(
        """people persons soldiers troops men women children workers votes voters dollars euros
    residents protesters families homes houses cases deaths victims members students officers
    police civilians casualties units tons tonnes kilometres kilometers miles metres meters
    hectares acres jobs copies signatures words pages seats hours days"""
    )
)

_GRAN_RANK = {"day": 0, "month": 1, "year": 2}


@dataclass(slots=True)
class _Part:
    """A date as written: the year may be missing; month and day are missing for coarser ones."""

    year: int | None
    month: int | None = None
    day: int | None = None

    @property
    def granularity(self) -> Granularity:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def with_year(self, year: int) -> _Part:
        return _Part(year, self.month, self.day)

    def bounds(self) -> tuple[dt.date, dt.date] | None:
        """First and last day covered, or None for an invalid date (February 30)."""
        assert self.year is not None
        try:
            if self.day is not None:
                assert self.month is not None
                day = dt.date(self.year, self.month, self.day)
                return day, day
            if self.month is not None:
                last = calendar.monthrange(self.year, self.month)[1]
                return dt.date(self.year, self.month, 1), dt.date(self.year, self.month, last)
            return dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        except ValueError:
            return None

    def iso(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"


@dataclass(slots=True)
class _Item:
    """A date or range found in the sentence, before its missing years are filled in."""

    start: int
    end: int
    first: _Part
    last: _Part | None = None  # set for a range
    # A relative date, already placed: first day, last day, granularity, value, is a range.
    resolved: tuple[dt.date, dt.date, Granularity, str, bool] | None = None
    bare: str = ""  # "month" or "year" when written alone (needs a context to count)


def _month_number(name: str) -> int:
    return _MONTH_NUMBER[name.rstrip(".").lower()]


def _day(raw: str) -> int:
    return int(raw.rstrip("stndrh"))


def _year(raw: str | None) -> int | None:
    return int(raw) if raw else None


def _plausible(month: int, day: int) -> bool:
    # Year-less February 29 is possible: the anchor may land on a leap year.
    return day <= calendar.monthrange(2000, month)[1]


def _prev_word(text: str, pos: int) -> tuple[str, bool]:
    m = _PREV_WORD.search(text, max(0, pos - 24), pos)
    if not m:
        return "", False
    return m.group(1).lower(), m.group(2) is not None


def _bare_month_ok(text: str, m: re.Match[str]) -> bool:
    word, possessive = _prev_word(text, m.start())
    month = m.group().lower()
    if month == "may":
        if word == "of":
            # "the end of May"; "of May" alone may be a person.
            before, _ = _prev_word(text, m.start() - 3)
            return before in {"end", "start", "beginning", "middle", "rest", "half", "month"}
        return word in _MAY_CONTEXT
    if word == "the" or possessive:
        # "the December coup", "Peru's December protests"
        nxt = _NEXT_WORD.match(text, m.end())
        return nxt is not None and nxt.group(1).islower()
    return word in _MONTH_CONTEXT


def _bare_year_ok(text: str, m: re.Match[str]) -> bool:
    start, end = m.span()
    if start > 0 and text[start - 1] == "(" and text[end : end + 1] == ")":
        return True
    word, possessive = _prev_word(text, start)
    if possessive:
        return True
    if word not in _YEAR_CONTEXT:
        return False
    if word == "the":
        nxt = _NEXT_WORD.match(text, end)
        return nxt is None or nxt.group(1).lower() not in _COUNT_NOUNS
    return True


def _after_name(text: str, pos: int) -> bool:
    m = _LAST_TOKEN.search(text, max(0, pos - 24), pos)
    return m is not None and m.group(1)[0].isupper()


def _week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _relative(
    word: str, direction: str | None, anchor: dt.date
) -> tuple[dt.date, dt.date, Granularity, str, bool] | None:
    """The interval a relative expression ("yesterday", "last week") names, from the anchor."""
    word = word.lower()
    if direction is None:
        shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[word]
        day = anchor + dt.timedelta(days=shift)
        return day, day, "day", day.isoformat(), False
    step = {"last": -1, "next": 1, "this": 0}[direction.lower()]
    if word == "week":
        first, last = _week_bounds(anchor + dt.timedelta(weeks=step))
        return first, last, "day", f"{first.isoformat()}/{last.isoformat()}", True
    if word == "month":
        index = anchor.year * 12 + anchor.month - 1 + step
        part = _Part(index // 12, index % 12 + 1)
    elif word == "year":
        part = _Part(anchor.year + step)
    elif word in _WEEKDAYS:
        if step == 0:
            return None  # "this Monday" may be either side of the anchor
        delta = (_WEEKDAYS.index(word) - anchor.weekday()) * step % 7 or 7
        day = anchor + dt.timedelta(days=delta * step)
        return day, day, "day", day.isoformat(), False
    else:
        month = _MONTH_NUMBER[word]
        if step == 0:
            part = _Part(anchor.year, month)
        else:
            year = anchor.year + (step if (month - anchor.month) * step <= 0 else 0)
            part = _Part(year, month)
    bounds = part.bounds()
    if bounds is None:
        return None  # before year 1
    return bounds[0], bounds[1], part.granularity, part.iso(), False


def _atoms(text: str, anchor: dt.date | None) -> list[_Item]:
    items: list[_Item] = []
    for m in _ATOM.finditer(text):
        kind = m.lastgroup
        start, end = m.span()
        if kind == "iso":
            items.append(_Item(start, end, _Part(int(m["iy"]), int(m["im"]), int(m["id"]))))
        elif kind == "num":
            a, b = int(m["na"]), int(m["nb"])
            if a > 12 >= b or a == b <= 12:
                day, month = a, b
            elif b > 12 >= a:
                day, month = b, a
            else:
                continue  # 05/06/2023: May 6 or June 5
            items.append(_Item(start, end, _Part(int(m["ny"]), month, day)))
        elif kind == "ddm":
            month = _month_number(m["ddmon"])
            d1, d2, year = _day(m["dd1"]), _day(m["dd2"]), _year(m["ddy"])
            if d1 < d2 and _plausible(month, d2):
                items.append(_Item(start, end, _Part(year, month, d1), _Part(year, month, d2)))
        elif kind == "mdate" and m["mdday"]:
            month, day, year = _month_number(m["mname"]), _day(m["mdday"]), _year(m["mdyear"])
            if not _plausible(month, day):
                continue
            tail = None if year is not None else _DAY_TAIL.match(text, end)
            if tail and _day(tail[1]) > day and _plausible(month, _day(tail[1])):
                # June 1–30: the end day shares the month.
                year = _year(tail[2])
                last = _Part(year, month, _day(tail[1]))
                opener = _RANGE_OPEN.search(text, max(0, start - 10), start)
                if opener is not None and opener.group(1).lower() == "from":
                    start = opener.start()
                items.append(_Item(start, tail.end(), _Part(year, month, day), last))
            else:
                items.append(_Item(start, end, _Part(year, month, day)))
        elif kind == "mdate" and m["myyear"]:
            items.append(_Item(start, end, _Part(int(m["myyear"]), _month_number(m["mname"]))))
        elif kind == "mdate":
            if m.group().lower() not in _MONTH_NUMBER or m.group().lower() in _ABBREVIATIONS:
                continue  # "Dec." alone, "Jan" (also a name)
            bare = "month" if _bare_month_ok(text, m) else "month?"
            items.append(_Item(start, end, _Part(None, _month_number(m.group())), bare=bare))
        elif kind == "dmy":
            month, day = _month_number(m["dmmon"]), _day(m["dmday"])
            if _plausible(month, day):
                items.append(_Item(start, end, _Part(_year(m["dmyear"]), month, day)))
        elif kind == "yr":
            y1, raw2 = int(m["yr1"]), m["yr2"]
            y2 = int(raw2) if len(raw2) == 4 else y1 // 100 * 100 + int(raw2)
            if y1 < y2:
                items.append(_Item(start, end, _Part(y1), _Part(y2)))
        elif kind == "dec":
            decade = int(m["decade"])
            items.append(_Item(start, end, _Part(decade), _Part(decade + 9)))
        elif kind in ("rel", "reldir"):
            if anchor is None:
                continue
            if kind == "rel" and m.group() == "Today" and _after_name(text, start):
                continue  # "USA Today", "Russia Today"
            word = m["runit"] if kind == "reldir" else m.group()
            try:
                resolved = _relative(word, m["rdir"], anchor)
            except OverflowError:  # an anchor at the edge of the calendar
                continue
            if resolved is not None:
                items.append(_Item(start, end, _Part(None), resolved=resolved))
        elif kind == "year":
            items.append(_Item(start, end, _Part(int(m.group())), bare="year"))
            if not _bare_year_ok(text, m):
                items[-1].bare = "year?"
    return items


def _rangeable(item: _Item) -> bool:
    return item.resolved is None and item.last is None


def _combine(text: str, atoms: list[_Item]) -> list[_Item]:
    """Join neighbouring atoms into ranges ("from June 1 to September 30") and drop bare
    months and years that have no date-like context."""
    out: list[_Item] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        b = atoms[i + 1] if i + 1 < len(atoms) else None
        if b is not None and _rangeable(a) and _rangeable(b):
            opener = _RANGE_OPEN.search(text, max(0, a.start - 10), a.start)
            link = _RANGE_LINK.fullmatch(text, a.end, b.start)
            if link is None and opener is not None and opener.group(1).lower() == "between":
                link = _AND_LINK.fullmatch(text, a.end, b.start)
            if link is not None:
                start = opener.start() if opener else a.start
                out.append(_Item(start, b.end, a.first, b.first))
                i += 2
                continue
        # "in 2019 and 2021": the second year is dated by the first.
        if (
            a.bare == "year?"
            and out
            and out[-1].bare == "year"
            and _YEAR_LIST_LINK.fullmatch(text, out[-1].end, a.start)
        ):
            a.bare = "year"
        if not a.bare.endswith("?"):
            out.append(a)
        i += 1
    return out


def _distance(bounds: tuple[dt.date, dt.date], anchor: dt.date) -> int:
    first, last = bounds
    if first <= anchor <= last:
        return 0
    return min(abs((anchor - first).days), abs((anchor - last).days))


def _place(first: _Part, last: _Part | None, year: int) -> tuple[_Part, _Part | None] | None:
    """The item with its end in ``year`` (a range's start stepped back when it must be)."""
    if last is None:
        placed = first.with_year(year) if first.year is None else first
        return (placed, None) if placed.bounds() is not None else None
    end = last.with_year(year) if last.year is None else last
    start = first.with_year(end.year) if first.year is None else first  # type: ignore[arg-type]
    end_bounds, start_bounds = end.bounds(), start.bounds()
    if end_bounds is None:
        return None
    if first.year is None and (start_bounds is None or start_bounds[0] > end_bounds[0]):
        start = first.with_year(end.year - 1)  # type: ignore[operator]
        start_bounds = start.bounds()
    if start_bounds is None or start_bounds[0] > end_bounds[1]:
        return None
    return start, end


def _complete(item: _Item) -> tuple[_Part, _Part | None] | None:
    """Place an item that states a year somewhere: a range stating it on one end only takes it
    for the other ("between June 1 and December 31, 2023", "from December 2022 to February")."""
    first, last = item.first, item.last
    if last is None:
        return _place(first, None, first.year) if first.year is not None else None
    if last.year is not None:
        return _place(first, last, last.year)
    assert first.year is not None
    end = last.with_year(first.year)
    end_bounds, first_bounds = end.bounds(), first.bounds()
    if first_bounds is not None and (end_bounds is None or end_bounds[1] < first_bounds[0]):
        end = last.with_year(first.year + 1)
    return _place(first, end, first.year)


def _nearest(item: _Item, anchor: dt.date) -> tuple[_Part, _Part | None] | None:
    best: tuple[int, int] | None = None
    choice = None
    for year in range(anchor.year - 4, anchor.year + 5):
        placed = _place(item.first, item.last, year)
        if placed is None:
            continue
        first_bounds, last_bounds = placed[0].bounds(), (placed[1] or placed[0]).bounds()
        assert first_bounds is not None and last_bounds is not None
        key = (_distance((first_bounds[0], last_bounds[1]), anchor), year)
        if best is None or key < best:
            best, choice = key, placed
    return choice


def _first_day(placed: tuple[_Part, _Part | None]) -> dt.date:
    bounds = placed[0].bounds()
    assert bounds is not None
    return bounds[0]


def _before(item: _Item, following: dt.date) -> tuple[_Part, _Part | None] | None:
    """The item placed in the year of the date that follows it in a list, or the year before
    when it would otherwise end after that date ("December 30 and January 2, 2023")."""
    placed = _place(item.first, item.last, following.year)
    if placed is not None:
        bounds = (placed[1] or placed[0]).bounds()
        if bounds is not None and bounds[1] > following:
            placed = None
    return placed or _place(item.first, item.last, following.year - 1)


def _ref(
    item: _Item,
    placed: tuple[_Part, _Part | None],
    anchored: bool,
    offset: int,
    sentence: int,
) -> DateRef | None:
    first, last = placed
    first_bounds = first.bounds()
    last_bounds = (last or first).bounds()
    if first_bounds is None or last_bounds is None:
        return None
    kind: DateKind
    if last is None:
        kind, granularity, value = "date", first.granularity, first.iso()
    else:
        kind, value = "range", f"{first.iso()}/{last.iso()}"
        granularity = max(first.granularity, last.granularity, key=_GRAN_RANK.__getitem__)
    return DateRef(
        id=0,
        sentence=sentence,
        start=offset + item.start,
        end=offset + item.end,
        kind=kind,
        start_date=first_bounds[0].isoformat(),
        end_date=last_bounds[1].isoformat(),
        granularity=granularity,
        value=value,
        anchored=anchored,
    )


def find_dates(
    text: str, *, anchor: dt.date | None, offset: int = 0, sentence: int = 0
) -> list[DateRef]:
    """Every date, month, year and range in one sentence, as ISO intervals.

    ``offset`` is where ``text`` starts in the document: returned spans are document offsets.
    Year-less dates need ``anchor`` (or a year stated later in the same list); relative
    expressions ("yesterday", "last week") need ``anchor``; otherwise they are skipped.
    """
    if isinstance(anchor, dt.datetime):
        anchor = anchor.date()
    items = _combine(text, _atoms(text, anchor))
    placed: list[tuple[_Part, _Part | None] | None] = [None] * len(items)
    anchored = [False] * len(items)
    # Backwards, so that a year stated at the end of a list reaches every date before it.
    for i in range(len(items) - 1, -1, -1):
        item = items[i]
        if item.resolved is not None:
            continue
        if item.first.year is not None or (item.last is not None and item.last.year is not None):
            placed[i] = _complete(item)
            continue
        following = placed[i + 1] if i + 1 < len(items) else None
        if (
            following is not None
            and not anchored[i + 1]
            and following[0].month is not None
            and _LIST_LINK.fullmatch(text, item.end, items[i + 1].start)
        ):
            placed[i] = _before(item, _first_day(following))
            anchored[i] = anchored[i + 1]
        elif anchor is not None:
            placed[i] = _nearest(item, anchor)
            anchored[i] = True
    refs: list[DateRef] = []
    for i, item in enumerate(items):
        if item.resolved is not None:
            first, last, granularity, value, is_range = item.resolved
            refs.append(
                DateRef(
                    id=0,
                    sentence=sentence,
                    start=offset + item.start,
                    end=offset + item.end,
                    kind="range" if is_range else "date",
                    start_date=first.isoformat(),
                    end_date=last.isoformat(),
                    granularity=granularity,
                    value=value,
                    anchored=True,
                )
            )
            continue
        where = placed[i]
        if where is None:
            continue
        ref = _ref(item, where, anchored[i], offset, sentence)
        if ref is not None:
            refs.append(ref)
    return refs


def infer_anchor(texts: Iterable[str]) -> dt.date | None:
    """The latest day date written with its year in ``texts`` (e.g. the dates of embedded
    posts): the anchor for a document that has no published date."""
    latest: dt.date | None = None
    for text in texts:
        for ref in find_dates(text, anchor=None):
            if ref.kind == "date" and ref.granularity == "day" and not ref.anchored:
                day = dt.date.fromisoformat(ref.start_date)
                if latest is None or day > latest:
                    latest = day
    return latest


__all__ = ["find_dates", "infer_anchor"]
