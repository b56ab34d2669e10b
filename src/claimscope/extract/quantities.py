"""Numbers with what they count, in one sentence: ``approximately 700 American troops``.

Regexes and tables only, compiled at import: ``find_quantities`` runs on every sentence of every
document. A quantity is a qualifier ("at least"), a number (digits, words, a multiplier, a
currency or a percent sign) and the noun phrase it counts, whose head noun becomes the unit.

Vague plurals ("dozens of", "thousands of") are not quantities: they carry no value to check.
Identifiers ("Resolution 4766", "COVID-19"), ordinals ("2nd"), times ("10:30"), fractions
("two-thirds") and bare years ("in 1992") are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from claimscope.model import Qualifier, Quantity


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _cased(words: Sequence[str]) -> str:
    forms = {f for w in words for f in (w, w.title(), w.upper())}
    return "|".join(sorted(forms, key=lambda f: (-len(f), f)))


_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_ALL_NUMBER_WORDS = {*_UNITS, *_TENS, *_SCALES, "hundred", "dozen"}

_NUMBER_WORD = _cased([*_UNITS, *_TENS, *_SCALES, "hundred", "dozen"])
_FIRST_WORD = _cased([*_UNITS, *_TENS])
_SCALE_WORD = _cased([*_SCALES, "hundred", "dozen"])

# Each branch opens with a one-character lookahead so most positions are rejected at once.
_NUMBER = re.compile(
    r"(?=\d)(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<suffix>[A-Za-z]+)?"
    r"(?:[ \u00a0]+(?P<scale>" + _cased(["hundred", *_SCALES]) + r")\b)?"
    r"|(?=[AaZzOoTtFfSsEeNn])(?P<words>\b(?:(?:[Aa]n?|AN?)[ \u00a0]+(?:" + _SCALE_WORD + r")"
    r"|" + _FIRST_WORD + r")(?:(?:[ \u00a0]+|-)(?:and[ \u00a0]+)?(?:" + _NUMBER_WORD + r"))*\b)"
)
_TOKEN = re.compile(r"[A-Za-z]+")

_CURRENCY_BEFORE = re.compile(
    r"(?:(?<![A-Za-z])(?P<sym>US\$|U\.S\.\$|AU\$|A\$|CA\$|C\$|NZ\$|HK\$|R\$|S\$|\$|€|£)"
    r"|\b(?P<code>USD|EUR|GBP)[ \u00a0])[ \u00a0]?$"
)
_SYMBOLS = {
    "$": "USD", "US$": "USD", "U.S.$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD",
    "CA$": "CAD", "NZ$": "NZD", "HK$": "HKD", "R$": "BRL", "S$": "SGD", "€": "EUR", "£": "GBP",
    "USD": "USD", "EUR": "EUR", "GBP": "GBP",
}  # fmt: skip
_CURRENCY_NOUN = {
    "USD": "dollars", "AUD": "dollars", "CAD": "dollars", "NZD": "dollars", "HKD": "dollars",
    "SGD": "dollars", "BRL": "reais", "EUR": "euros", "GBP": "pounds",
}  # fmt: skip
_CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "yen": "JPY",
    "yuan": "CNY", "renminbi": "CNY", "rupee": "INR", "rupees": "INR", "sterling": "GBP",
    "usd": "USD", "eur": "EUR", "gbp": "GBP",
}  # fmt: skip
_DOLLAR_NATIONS = {
    "australian": "AUD", "canadian": "CAD", "singapore": "SGD", "taiwan": "TWD",
    "taiwanese": "TWD", "zealand": "NZD", "hong": "HKD",
}  # fmt: skip
# Suffixes glued to digits: multipliers (with a currency: "$4bn", "€3m") and units ("5km").
_MONEY_MULTIPLIERS = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12}
_MEASURES = _words("km kg cm mm mph kph ft lb lbs kw kwh mw mwh gw gwh ha")

_PERCENT = re.compile(
    r"[ \u00a0]?%|[ \u00a0]+(?:(?P<points>percentage[ \u00a0]+points?)|percent|per[ \u00a0]cent)\b"
)
_QUALIFIER = re.compile(
    r"(?i:\b(?P<q>an?\s+estimated|estimated|an?\s+approximate|approximately|approx\.?|about"
    r"|around|roughly|nearly|almost|some|close\s+to|at\s+least|at\s+most|no\s+more\s+than"
    r"|not\s+more\s+than|no\s+fewer\s+than|no\s+less\s+than|more\s+than|just\s+over"
    r"|well\s+over|over|less\s+than|fewer\s+than|just\s+under|under|up\s+to|as\s+many\s+as"
    r"|as\s+much\s+as|upwards\s+of|in\s+excess\s+of)[ \u00a0]+)$"
)
_QUALIFIERS: dict[str, Qualifier] = {
    "estimated": "estimated", "approximate": "approx", "approximately": "approx",
    "approx": "approx", "approx.": "approx", "about": "approx", "around": "approx",
    "roughly": "approx", "nearly": "approx", "almost": "approx", "some": "approx",
    "close to": "approx", "at least": "at_least", "no fewer than": "at_least",
    "no less than": "at_least", "at most": "at_most", "no more than": "at_most",
    "not more than": "at_most", "more than": "more_than", "over": "more_than",
    "just over": "more_than", "well over": "more_than", "upwards of": "more_than",
    "in excess of": "more_than", "less than": "less_than", "fewer than": "less_than",
    "under": "less_than", "just under": "less_than", "up to": "up_to", "as many as": "up_to",
    "as much as": "up_to",
}  # fmt: skip

_PREV_TOKEN = re.compile(r"([A-Za-z][\w.'’]*)[ \u00a0]+$")
_TIME_AFTER = re.compile(r"[ \u00a0]?(?:[ap]\.m\.|[AP]\.M\.|[ap]m\b|[AP]M\b|GMT\b|UTC\b)")
_HYPHEN_WORD = re.compile(r"-([A-Za-z]+)")
_NP_WORD = re.compile(r"[ \u00a0]+([A-Za-z]+(?:-[A-Za-z]+)*)")
_VOTE_SIDE = re.compile(r"[ \u00a0]+(for|against|in[ \u00a0]+favou?r)\b")
_RANGE_HEAD = re.compile(r"(?<![\w/.:,–-])\d[\d,.]*[-–]$")
_CHAIN_AFTER = re.compile(r"[-–]\d+[-–/.:]\d")
_MONTH_AFTER = re.compile(
    r"[ \u00a0]+(?:of[ \u00a0]+)?(?:January|February|March|April|May|June|July|August|September"
    r"|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b"
)
_RANGE_LINK = re.compile(r"[ \u00a0]*(?:-|–|—|to|and|or)[ \u00a0]*")

_MONTHS = _words(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec"""
)
# Words that end a noun phrase: the phrase after a number stops before any of them.
_STOP = _words(
    """a an the this that these those each every all some any no his her their its our my your
    of in on at to for from by with without about against between into through during before
    after above below over under since until per than as like across among around within via
    toward towards upon onto off out up down near and or but nor yet so while whereas because
    if when where which who whom whose whether then there here he she it they we you i them us
    him me is are was were be been being am has have had do does did will would shall should
    can could may might must said says say told tells according reportedly also still just
    only even already again not never ago later earlier each another percent per
    remain remains remained stay stays stayed die dies died flee flees fled left leave leaves
    arrive arrives arrived went go goes came come comes took take takes made make makes got
    gets gave give gives saw see sees became become becomes rose rise rises fell fall falls
    grew grow grows lost lose loses won win wins need needs needed want wants wanted"""
)
# Participles that name people when they follow a number ("700 wounded").
_NOMINAL_PARTICIPLES = _words(
    """wounded injured killed dead missing displaced detained arrested disappeared unemployed
    infected vaccinated hospitalised hospitalized evacuated surveyed polled interviewed
    affected employed murdered abducted kidnapped jailed imprisoned convicted accused"""
)
_AUXILIARIES = re.compile(r"[ \u00a0]+(?:were|are|was|is|had|have|has|remain|remained)\b")
# Words read as modifiers when a noun follows them ("700 more troops", "armed men").
_ADJECTIVES = _words(
    """new more other additional extra further foreign local young old former top senior junior
    total innocent small large big major minor key main different separate full high low same
    few many several last first next recent current previous past such own whole entire single
    double certain various good bad best worst long short black white red elderly poor rich
    chief public private federal potential possible likely alleged suspected unidentified
    unknown known registered confirmed"""
)
_MODIFIER_SUFFIXES = ("ed", "ing", "al", "ive", "ian", "ary", "ful", "ous", "ic", "ese", "ish",
                      "less", "ible", "able", "ern", "ist", "an")  # fmt: skip
_LY_NOUNS = _words("family ally rally assembly supply monopoly anomaly reply belly fly")
# Lower-case words that make the number after them a label ("page 5", "number 10").
_LABELS = _words(
    """no no. nr nr. num num. number page pages article articles section chapter paragraph item
    room line route highway flight gate seat platform row level phase round stage step grade
    category figure table version season episode game clause rule term part question"""
)
_PLURALS = _words("people men women children police personnel cattle livestock staff")
# "no one", "the one who": "one" is a pronoun there.
_ONE_PRONOUN = _words("no the any every each this that which")
_FRACTIONS = _words(
    "half halves third thirds quarter quarters fourth fourths fifth fifths tenth tenths"
)
_ALLOWED_BEFORE = (
    _STOP
    | _ADJECTIVES
    | {w for q in _QUALIFIERS for w in q.split()}
    | _words("exactly precisely barely merely both another nearly only")
)


@dataclass(slots=True)
class _Found:
    """A quantity in sentence coordinates, before exclusion and unit sharing."""

    start: int
    number_end: int  # end of the number itself (currency, multiplier and percent included)
    end: int
    value: float
    unit: str | None
    noun: str | None
    qualifier: Qualifier
    bare: bool  # no unit, currency, percent or multiplier: a plain number


def _is_modifier(word: str) -> bool:
    lower = word.lower()
    return (
        word[0].isupper()
        or "-" in word
        or lower in _ADJECTIVES
        or lower.endswith(("ous", "less"))
        or (lower.endswith(_MODIFIER_SUFFIXES) and not lower.endswith("s"))
    )


def _noun_phrase(text: str, pos: int) -> tuple[int, str, str] | None:
    """The noun phrase a number counts, from ``pos``: ``(end, unit, noun)``."""
    hyphen = _HYPHEN_WORD.match(text, pos)
    if hyphen:
        word = hyphen.group(1).lower()
        if word in _FRACTIONS or word in ("st", "nd", "rd", "th"):
            return None
        # "a 10-year sentence": the word after the hyphen is the unit.
        return hyphen.end(), word, hyphen.group(1)
    words: list[re.Match[str]] = []
    cursor = pos
    while len(words) < 4:
        m = _NP_WORD.match(text, cursor)
        if not m:
            break
        word = m.group(1)
        lower = word.lower()
        # "us" ends a phrase ("gave us"), but "US" names a country ("700 US troops").
        if (lower in _STOP and word != "US") or lower in _ALL_NUMBER_WORDS or lower in _MONTHS:
            break
        if lower.endswith("ly") and lower not in _LY_NOUNS:
            break  # an adverb: "700 reportedly died"
        words.append(m)
        cursor = m.end()
        if word.upper() in ("USD", "EUR", "GBP"):
            break
    if not words:
        return None
    head = None
    for i, m in enumerate(words):
        if not _is_modifier(m.group(1)) or m.group(1).upper() in ("USD", "EUR", "GBP"):
            head = i
            break
    if head is None:
        # All modifier-like ("700 wounded", "one journalist reported"): the first that is not
        # a participle, else the first.
        head = next(
            (i for i, m in enumerate(words) if not m.group(1).lower().endswith(("ed", "ing"))), 0
        )
    word = words[head].group(1)
    lower = word.lower()
    if (
        len(words) == 1
        and lower.endswith(("ed", "ing"))
        and lower not in _NOMINAL_PARTICIPLES
        and not _AUXILIARIES.match(text, words[0].end())
    ):
        return None  # a verb: "more than 100 marched"
    if word[0].isupper() and not (word.endswith("s") or word.upper() in ("USD", "EUR", "GBP")):
        return None  # a name ("in 1992 Fujimori"), not a counted thing
    end = words[head].end()
    unit = lower
    if unit in ("votes", "vote", "ballots"):
        side = _VOTE_SIDE.match(text, end)
        if side:
            end = side.end()
            unit = f"{unit} {' '.join(side.group(1).lower().split())}"
    noun = text[words[0].start(1) : end]
    return end, unit, noun


def _currency_code(unit: str, noun: str) -> str | None:
    code = _CURRENCY_WORDS.get(unit)
    if code == "USD":
        for word in noun.lower().split():
            if word in _DOLLAR_NATIONS:
                return _DOLLAR_NATIONS[word]
    return code


def _label_before(text: str, start: int) -> bool:
    """Whether the number at ``start`` is an identifier: ``Resolution 4766``, ``No. 5``."""
    prev = _PREV_TOKEN.search(text, max(0, start - 32), start)
    if prev is None:
        return False
    token = prev.group(1)
    lower = token.lower()
    if lower in _LABELS or lower.rstrip(".") in _MONTHS:
        return True
    if token[0].isupper():
        if lower.endswith(("'s", "’s")):
            return False  # "Peru's 140,000 soldiers"
        return lower.rstrip(".") not in _ALLOWED_BEFORE
    return False


def _glued(text: str, start: int, end: int) -> bool:
    """Whether the digits at ``start:end`` belong to a code, time, date, URL or version."""
    before = text[start - 1] if start > 0 else " "
    if before.isalnum() or before in "_@#/:.'’":
        return True
    after_digit = end + 1 < len(text) and text[end + 1].isdigit()
    after = text[end] if end < len(text) else " "
    if after in ":/.," and after_digit:
        return True  # 10:30, 24/7, 1.2.3
    if before in "-–":
        if start < 2 or not text[start - 2].isdigit():
            return start >= 2 and (text[start - 2].isalpha() or text[start - 2] == "_")  # COVID-19
        # The second half of "20-30" counts; a part of 2023-05-18 or 555-12-34 does not.
        return (after in "-–" and after_digit) or not _RANGE_HEAD.search(text, 0, start)
    return after in "-–" and _CHAIN_AFTER.match(text, end) is not None


def _from_digits(text: str, m: re.Match[str]) -> _Found | None:
    start, digits_end = m.start("digits"), m.end("digits")
    raw = m["digits"]
    if _glued(text, start, digits_end):
        return None
    value = float(raw.replace(",", ""))
    number_end = m.end()
    unit: str | None = None
    noun: str | None = None
    currency = _CURRENCY_BEFORE.search(text, max(0, start - 8), start)
    code = None
    if currency:
        code = _SYMBOLS[currency["sym"] or currency["code"]]
        start = currency.start()
    suffix = (m["suffix"] or "").lower()
    multiplied = False
    if suffix:
        if code is not None and suffix in _MONEY_MULTIPLIERS:
            value *= _MONEY_MULTIPLIERS[suffix]
            multiplied = True
        elif suffix == "bn":
            value *= 1e9
            multiplied = True
        elif suffix == "m":
            # "1.2m voters" is a million; "a 5m wall" is metres: read it only before a plural.
            phrase = _noun_phrase(text, m.end())
            if phrase is None or (phrase[1] not in _PLURALS and not phrase[1].endswith("s")):
                return None
            value *= 1e6
            multiplied = True
        elif suffix in _MEASURES:
            unit, noun = suffix, m["suffix"]
        else:
            return None  # ordinals (2nd), years (1990s), times (10am), codes (5G, 737MAX)
    if m["scale"]:
        value *= 100 if m["scale"].lower() == "hundred" else _SCALES[m["scale"].lower()]
        multiplied = True
    if _TIME_AFTER.match(text, number_end) or _MONTH_AFTER.match(text, number_end):
        return None  # 10 am, 18 May
    if code is None and _label_before(text, start):
        return None
    if code is not None:
        unit, noun = code, _CURRENCY_NOUN.get(code)
    elif unit is None:
        percent = _PERCENT.match(text, number_end)
        if percent:
            number_end = percent.end()
            if percent["points"]:
                unit, noun = "percentage points", percent["points"]
            else:
                unit = "%"
    end = number_end
    if unit is None:
        phrase = _noun_phrase(text, number_end)
        if phrase is None and _HYPHEN_WORD.match(text, number_end):
            return None  # "2nd-biggest", "one-third"
        if phrase is not None:
            end, unit, noun = phrase
            money = _currency_code(unit, noun)
            if money is not None:
                unit = money
    bare = unit is None and not multiplied
    if bare and "," not in raw and "." not in raw and 1800 <= value <= 2100 and len(raw) == 4:
        return None  # a year: dates own it
    return _Found(start, number_end, end, value, unit, noun, "exact", bare)


def _parse_words(text: str, m: re.Match[str]) -> tuple[float, int] | None:
    """The value of a number in words and where it ends; stops at the first word that does not
    continue the number ("two three" is two)."""
    total = 0.0
    current = 0.0
    last = ""  # kind of the previous token: unit, tens, hundred, scale, and, a
    end = m.start()
    for token in _TOKEN.finditer(text, m.start(), m.end()):
        word = token.group().lower()
        if word in ("a", "an"):
            if last:
                break
            current, last = 1, "a"
        elif word == "and":
            if last not in ("hundred", "scale"):
                break
            last = "and"
            continue  # "and" never ends a number
        elif word in _UNITS:
            if last in ("unit", "a") or (last == "tens" and _UNITS[word] >= 10):
                break
            current += _UNITS[word]
            last = "unit"
        elif word in _TENS:
            if last in ("unit", "tens", "a") or (current % 100 and last != "scale"):
                break
            current += _TENS[word]
            last = "tens"
        elif word == "hundred":
            if last in ("hundred", "scale", "and") or current >= 100:
                break
            current = (current or 1) * 100
            last = "hundred"
        elif word == "dozen":
            if last not in ("a", "unit", "tens"):
                break
            current *= 12
            last = "scale"
        else:
            if last in ("scale", "and", ""):
                break
            total += (current or 1) * _SCALES[word]
            current = 0
            last = "scale"
        end = token.end()
    if end == m.start() or last == "a":
        return None
    return total + current, end


def _from_words(text: str, m: re.Match[str]) -> _Found | None:
    parsed = _parse_words(text, m)
    if parsed is None:
        return None
    value, number_end = parsed
    start = m.start()
    if m.group()[:3].lower() == "one" and number_end - start == 3:
        prev = _PREV_TOKEN.search(text, max(0, start - 16), start)
        if prev is not None and prev.group(1).lower() in _ONE_PRONOUN:
            return None
    percent = _PERCENT.match(text, number_end)
    if percent:
        unit = "percentage points" if percent["points"] else "%"
        noun = percent["points"]
        return _Found(start, percent.end(), percent.end(), value, unit, noun, "exact", False)
    phrase = _noun_phrase(text, number_end)
    if phrase is None:
        # Words alone are too often pronouns or idioms ("one of", "the two met").
        return None
    end, unit, noun = phrase
    money = _currency_code(unit, noun)
    return _Found(start, number_end, end, value, money or unit, noun, "exact", False)


def _qualify(text: str, found: _Found, spans: Sequence[tuple[int, int]]) -> None:
    m = _QUALIFIER.search(text, max(0, found.start - 32), found.start)
    if m and not (spans and _overlaps(m.start(), found.start, spans)):
        words = m["q"].lower().split()
        if words[0] in ("a", "an"):
            words = words[1:]
        found.qualifier = _QUALIFIERS[" ".join(words)]
        found.start = m.start()


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def find_quantities(
    text: str,
    *,
    offset: int = 0,
    sentence: int = 0,
    exclude: Sequence[tuple[int, int]] = (),
) -> list[Quantity]:
    """Every quantity in one sentence: value, unit, qualifier and counted noun.

    ``offset`` is where ``text`` starts in the document: returned spans, and the spans in
    ``exclude`` (dates, links, handles found by other extractors), are document offsets; a
    number overlapping an excluded span is skipped.
    """
    spans = [(s - offset, e - offset) for s, e in exclude if s < offset + len(text) and e > offset]
    found: list[_Found] = []
    for m in _NUMBER.finditer(text):
        if spans and _overlaps(m.start(), m.end(), spans):
            continue
        item = _from_digits(text, m) if m["digits"] else _from_words(text, m)
        if item is None:
            continue
        if spans and _overlaps(item.start, item.end, spans):
            if _overlaps(item.start, item.number_end, spans):
                continue
            # The noun runs into a link or handle: keep the number alone.
            item.end, item.noun = item.number_end, None
            if item.unit not in _CURRENCY_NOUN and item.unit not in ("%", "percentage points"):
                item.unit = None
        _qualify(text, item, spans)
        found.append(item)
    # "20-30 people", "from 20 to 30 percent": the first number counts what the second does.
    for i in range(len(found) - 2, -1, -1):
        a, b = found[i], found[i + 1]
        if a.bare and b.unit is not None and _RANGE_LINK.fullmatch(text, a.end, b.start):
            a.unit, a.noun = b.unit, b.noun
    return [
        Quantity(
            id=0,
            sentence=sentence,
            start=offset + f.start,
            end=offset + f.end,
            value=f.value,
            unit=f.unit,
            qualifier=f.qualifier,
            noun=f.noun,
        )
        for f in found
    ]


__all__ = ["find_quantities"]
