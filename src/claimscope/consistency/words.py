"""Word-level helpers for the contradiction rules: tokens with offsets, stems, aliases, stop words.

The rules compare what two sentences say without a parser, so they need a little lexicon: crude
stems (``established`` and ``establishes`` meet at ``establish``), names that refer to the same
country (``US``, ``the United States``, ``American``), and the words that carry no topic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``, as a set."""
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a sentence: lower-cased text and its offsets in the sentence."""

    word: str
    start: int
    end: int


# Words, with an inner apostrophe ("won't", "Peru's") or dots ("U.S."), and numbers.
_L = r"[^\W\d_]"  # a letter, in any script
_TOKEN = re.compile(rf"{_L}(?:\.{_L})+\.?|{_L}+(?:['’]{_L}+)?|\d(?:[\d,.]*\d)?")
# Contractions split into the auxiliary and "not", both spanning the written word.
_CONTRACTIONS = {
    "won't": ("will", "not"),
    "can't": ("can", "not"),
    "cannot": ("can", "not"),
    "shan't": ("shall", "not"),
}


def tokens(text: str) -> list[Token]:
    """The words of ``text`` in order, lower-cased; ``n't`` contractions become ``aux not``."""
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        word = m.group().lower().replace("’", "'")
        parts: tuple[str, ...]
        if word in _CONTRACTIONS:
            parts = _CONTRACTIONS[word]
        elif word.endswith("n't"):
            parts = (word[:-3], "not")
        elif word.endswith("'s"):
            parts = (word[:-2],)
        else:
            parts = (word,)
        out.extend(Token(p, m.start(), m.end()) for p in parts)
    return out


_IRREGULAR = {
    "sent": "send",
    "built": "build",
    "made": "make",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "held": "hold",
    "won": "win",
    "lost": "lose",
    "paid": "pay",
    "said": "say",
    "told": "tell",
    "left": "leave",
    "met": "meet",
    "brought": "bring",
    "bought": "buy",
    "sold": "sell",
    "kept": "keep",
    "began": "begin",
    "begun": "begin",
    "ran": "run",
    "came": "come",
    "went": "go",
    "gone": "go",
    "spent": "spend",
    "fell": "fall",
    "rose": "rise",
    "risen": "rise",
    "grew": "grow",
    "grown": "grow",
    "knew": "know",
    "known": "know",
    "saw": "see",
    "seen": "see",
    "did": "do",
    "done": "do",
    "had": "have",
    "has": "have",
    "led": "lead",
    "found": "find",
    "chose": "choose",
    "chosen": "choose",
    "wrote": "write",
    "written": "write",
    "men": "man",
    "women": "woman",
    "children": "child",
    "people": "person",
    "servicemen": "serviceman",
    "is": "be",
    "are": "be",
    "was": "be",
    "were": "be",
    "been": "be",
    "being": "be",
    "am": "be",
}
_DOUBLED = re.compile(r"([b-df-hj-np-tv-z])\1$")


def stem(word: str) -> str:
    """A crude stem: ``establishes``, ``established``, ``establishing`` give ``establish``;
    ``bases`` and ``base`` give ``bas``. Only ever compared with other stems."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + repl
            break
    else:
        if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
            w = w[:-1]
    if _DOUBLED.search(w) and not w.endswith(("ll", "ss", "zz")):
        w = w[:-1]
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


# Names that refer to the same country, and demonyms, mapped to one key.
_ALIASES = {
    "us": "united states",
    "usa": "united states",
    "u.s": "united states",
    "u.s.": "united states",
    "u.s.a": "united states",
    "u.s.a.": "united states",
    "america": "united states",
    "american": "united states",
    "americans": "united states",
    "united states of america": "united states",
    "uk": "united kingdom",
    "u.k.": "united kingdom",
    "britain": "united kingdom",
    "great britain": "united kingdom",
    "british": "united kingdom",
    "eu": "european union",
    "peruvian": "peru",
    "peruvians": "peru",
    "mexican": "mexico",
    "mexicans": "mexico",
    "brazilian": "brazil",
    "chilean": "chile",
    "bolivian": "bolivia",
    "colombian": "colombia",
    "venezuelan": "venezuela",
    "argentine": "argentina",
    "argentinian": "argentina",
    "canadian": "canada",
    "chinese": "china",
    "russian": "russia",
    "ukrainian": "ukraine",
    "french": "france",
    "german": "germany",
    "spanish": "spain",
    "italian": "italy",
    "israeli": "israel",
    "palestinian": "palestine",
    "indian": "india",
    "japanese": "japan",
}
NATIONALITIES = frozenset(_ALIASES.values())


def entity_key(name: str) -> str:
    """One key for the names of one thing: ``the U.S.``, ``US`` and ``American`` give
    ``united states``; other names are lower-cased, without a leading article."""
    key = " ".join(name.lower().replace("’", "'").split())
    key = key.removeprefix("the ")
    key = key.removesuffix("'s")
    return _ALIASES.get(key, _ALIASES.get(key.rstrip("."), key))


def nationalities(words: Iterable[str]) -> set[str]:
    """The countries named by ``words`` (``US``, ``American``...), as entity keys."""
    found = {entity_key(w) for w in words}
    return found & NATIONALITIES


# Function words, reporting verbs and calendar words: shared, they say nothing about the topic.
STOP = word_set(
    """a an the this that these those each every all some any no none not nor never his her
    their its our my your of in on at to for from by with without about against between into
    through during before after above below over under since until per than as like across
    among around within via toward towards upon onto off out up down near and or but yet so
    while whereas because if when where which who whom whose whether then there here he she it
    they we you i them us him me is are was were be been being am has have had do does did
    done will would shall should can could may might must also still just only even already
    again ago later earlier another more most less least very much many such other same own
    according say says said saying tell tells told report reports reported claim claims
    claimed state states stated add adds added note noted announce announced confirm
    confirmed statement official officials spokesperson spokesman spokeswoman dispute
    disputes disputed warn warns warned find finds found show shows showed shown argue
    argues argued describe describes described cite cites cited citing suggest suggests
    suggested insist insists insisted write writes wrote written
    what how why far first last next new recent recently currently now today yesterday
    tomorrow week weeks month months year years day days time times one two three four five
    six seven eight nine ten hundred thousand million billion
    january february march april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday mr mrs ms dr"""
)

# Counted nouns that name the same kind of thing, by stem: 700 troops and 1,000 soldiers count
# one thing; 700 troops and 700 tonnes do not.
_COUNT_CLASSES = {
    "troop": "troops",
    "soldier": "troops",
    "personnel": "troops",
    "serviceman": "troops",
    "marin": "troops",
    "forc": "troops",
    "person": "people",
    "individual": "people",
    "death": "deaths",
    "fatality": "deaths",
    "dead": "deaths",
    "kill": "deaths",
}
# Units of measure: what they measure could be anything (an area, a distance, a load).
MEASURES = {
    stem(w)
    for w in """hectare hectares acre acres kilometre kilometres kilometer kilometers km mile
    miles metre metres meter meters tonne tonnes ton tons kilogram kilograms kg litre litres
    liter liters gallon gallons barrel barrels megawatt megawatts gigawatt gigawatts""".split()
}
# Counted units that are measures or spans of time, not things whose count is a claim.
_NOT_COUNTS = word_set(
    """% percent percentage point points year month week day hour minute second time period
    round stage phase term way kind sort type part"""
)


_NOT_COUNT_STEMS = {stem(w) for w in _NOT_COUNTS}


def count_class(unit: str | None) -> str | None:
    """The kind of thing a quantity counts (``troops`` for troops, soldiers, personnel), or None
    for no unit, shares and spans of time, which the number rules leave alone."""
    if not unit:
        return None
    if unit.isupper() and len(unit) == 3:
        return unit  # a currency code: USD, EUR
    lower = unit.lower()
    if lower in _NOT_COUNTS or lower.startswith("percentage"):
        return None
    if " " in lower:
        return lower  # "votes for", "votes against": the side is part of what is counted
    key = stem(lower)
    if key in _NOT_COUNT_STEMS:
        return None
    return _COUNT_CLASSES.get(key, key)


def synonym(word_stem: str) -> str:
    """One stem for words that name one kind of thing (``troop``, ``soldier``, ``forc``)."""
    return _COUNT_CLASSES.get(word_stem, word_stem)
