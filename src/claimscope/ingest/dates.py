"""Publication dates as found in inputs, read into ISO ``YYYY-MM-DD`` (or None when unreadable)."""

from __future__ import annotations

import datetime as dt
import email.utils
import re

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_ORDINAL = r"(?:st|nd|rd|th)?"

_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])")
_DMY_DOTS = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_NUMERIC = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")
_DAY_MONTH = re.compile(
    rf"{_WEEKDAY}(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?({_MONTH})\.?,?\s+(\d{{4}})\b", re.IGNORECASE
)
_MONTH_DAY = re.compile(
    rf"{_WEEKDAY}({_MONTH})\.?\s+(\d{{1,2}}){_ORDINAL},?\s+(\d{{4}})\b", re.IGNORECASE
)
# Epoch timestamps in seconds (10 digits) or milliseconds (13 digits), as dumps often hold them.
_EPOCH = re.compile(r"\d{10}(?:\d{3})?$")


def parse_date(value: object) -> str | None:
    """The ISO date (``YYYY-MM-DD``) a published-date value names, or None when it names none."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        day = _from_epoch(float(value))
        return day.isoformat() if day else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    for parse in (_iso, _epoch, _numeric, _named_month, _rfc2822):
        day = parse(text)
        if day is not None:
            return day.isoformat()
    return None


def _iso(text: str) -> dt.date | None:
    try:
        # The date as written, in the publisher's own time zone: converting to UTC could move it.
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    match = _YMD.match(text)
    if match:
        return _date(int(match[1]), int(match[2]), int(match[3]))
    return None


def _epoch(text: str) -> dt.date | None:
    return _from_epoch(float(text)) if _EPOCH.match(text) else None


def _numeric(text: str) -> dt.date | None:
    match = _DMY_DOTS.match(text)
    if match:
        return _date(int(match[3]), int(match[2]), int(match[1]))
    match = _NUMERIC.match(text)
    if not match:
        return None
    first, second, year = int(match[1]), int(match[2]), int(match[3])
    # 03/05/2024 is 3 May in most of the world and March 5 in the US: only decide when one
    # number cannot be a month.
    if first > 12 >= second:
        return _date(year, second, first)
    if second > 12 >= first:
        return _date(year, first, second)
    if first == second:
        return _date(year, first, second)
    return None


def _named_month(text: str) -> dt.date | None:
    match = _DAY_MONTH.match(text)
    if match:
        return _date(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    match = _MONTH_DAY.match(text)
    if match:
        return _date(int(match[3]), _MONTHS[match[1].lower()], int(match[2]))
    return None


def _rfc2822(text: str) -> dt.date | None:
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def _from_epoch(seconds: float) -> dt.date | None:
    if seconds > 1e11:
        seconds /= 1000
    # Outside 1990-2100 a number is more likely an id or a count than a timestamp.
    if not 631_152_000 <= seconds < 4_102_444_800:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date()


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
