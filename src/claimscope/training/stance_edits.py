"""The one-fact edits of a claim for the synthetic stance pairs (:mod:`.stance_synth`).

Each finder yields ``(kind, start, end, replacement)`` for the spans of a claim it can change:
a number (years shift, counts scale), a named entity (swapped for another of its rough kind),
a negation (removed or added after an auxiliary) or an antonym.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence

Edit = tuple[str, int, int, str]  # kind, start, end, replacement


# -- numbers -------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w]|[.,]\d|[-–—]\d)")
_SPELLED = (
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)
_SPELLED_RE = re.compile(rf"\b({'|'.join(_SPELLED)})\b(?!-)", re.IGNORECASE)
_PERCENT = re.compile(r"\s?(?:%|percent\b|per cent\b)")
_LAST_YEAR = 2025


def number_edits(claim: str, rng: random.Random) -> Iterator[Edit]:
    for m in _NUMBER.finditer(claim):
        if re.search(r"\d\s?[-–—]\s?$", claim[: m.start()]):
            continue  # the end of a range: changing it could invert the range
        if re.search(r"\b[A-Z][A-Za-z]? $", claim[: m.start()]):
            continue  # "CO 2", "CH 4": a formula written with a space, not a quantity
        percent = _PERCENT.match(claim, m.end()) is not None
        new = _new_number(m.group(), rng, percent=percent)
        if new is not None:
            yield "number", m.start(), m.end(), new
    for m in _SPELLED_RE.finditer(claim):
        old = _SPELLED.index(m.group().lower())
        choices = [i for i in range(len(_SPELLED)) if 0 < abs(i - old) <= 3]
        new = _SPELLED[rng.choice(choices)]
        yield "number", m.start(), m.end(), new.capitalize() if m.group()[0].isupper() else new


def _new_number(text: str, rng: random.Random, *, percent: bool) -> str | None:
    """A different number in the same format: years shift, counts scale, decimals step."""
    commas = "," in text
    plain = text.replace(",", "")
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    value = float(plain)
    if decimals == 0 and not commas and len(plain) == 4 and 1000 <= value <= 2100:
        delta = rng.randint(1, 30) * rng.choice([-1, 1])
        year = int(value) + delta
        if value <= _LAST_YEAR < year:
            year = int(value) - abs(delta)  # a past year stays in the past
        return str(year)
    if decimals:
        if value >= 1:
            new = value + rng.choice([-1, 1, 2]) if value > 1 else value + rng.choice([1, 2])
        else:
            new = value * rng.choice([0.5, 2, 3])
        out = f"{new:.{decimals}f}"
        if out == plain or new <= 0:
            out = f"{value + 10**-decimals:.{decimals}f}"
    else:
        old = int(plain)
        if old <= 1 and not percent:
            return None  # "1 year" -> "3 year": the noun would not agree
        if percent and old <= 100:
            step = rng.randint(5, 30)
            new_int = old + step if old + step < 100 else old - step
            if new_int <= 0:
                new_int = old + rng.randint(1, 3)
        elif old <= 12:
            new_int = rng.choice([n for n in range(2, old + 4) if n != old and abs(n - old) <= 3])
        else:
            zeros = len(plain) - len(plain.rstrip("0"))
            unit = 10 ** min(zeros, len(plain) - 1)
            new_int = round(old * rng.choice([0.5, 1.5, 2, 2.5, 3]) / unit) * unit
            if new_int == old or new_int <= 0:
                new_int = old + unit
        out = f"{new_int:,}" if commas else str(new_int)
    return out if out != text else None


# -- named entities ------------------------------------------------------------------------------

_NAME = r"[A-Z][A-Za-z]*[A-Za-z](?:-[A-Z][A-Za-z]+)?"
_ENTITY = re.compile(rf"(?<![\w'’-]){_NAME}(?: {_NAME})*(?![\w-])")
_MONTHS = frozenset(
    "January February March April May June July August September October November December".split()
)
_DAYS = frozenset("Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())
# Capitalised mid-sentence for reasons other than naming something we can swap.
_NOT_NAMES = frozenset(
    "I The A An This That These Those It He She They We You His Her Its Their Our Mr Mrs Dr "
    "St However In On At Of".split()
)


_ORGS = frozenset(
    "University Council Office Panel Agency Institute Society Association Academy Academies "
    "Company Corporation Organization Organisation Center Centre Department Ministry Service "
    "Committee Commission Union Party Foundation Laboratory Survey Administration Bank Court "
    "Congress Senate Parliament Group Network Program Programme Project Fund".split()
)
_WATERS = frozenset("Ocean Sea Bay Gulf River Lake Strait Passage Sound".split())
_LANDS = frozenset(
    "Island Islands Peninsula Coast Mountains Valley Desert Canyon Basin Glacier Shelf".split()
)
_POLITIES = frozenset("County State States City Kingdom Republic Province".split())
_REGIONS = frozenset("America Asia Africa Europe Antarctica Hemisphere".split())
_ERAS = frozenset("Age Period Era Epoch Maximum Minimum Optimum Event".split())
# A name joined to more of itself ("Panel on Climate Change", "Gulf of Mexico"): never cut.
_JOINED_BEFORE = re.compile(r"[A-Z][\w'’]* (?:of|on|for|and|de|du|del|la|the|von|van) $")
_JOINED_AFTER = re.compile(r" (?:of|on|for|and|de|du|del|la|von|van) [A-Z]")


def _entity_kind(text: str, m: re.Match[str]) -> str | None:
    """A rough type, so a name is swapped for one of its kind; None for spans not to touch."""
    name = m.group()
    words = name.split()
    if _JOINED_BEFORE.search(text[: m.start()]) or _JOINED_AFTER.match(text, m.end()):
        return None
    if any(not w.isupper() and any(c.isupper() for c in w[1:]) for w in words):
        return None  # "GPa", "McKitrick": units and odd casing
    if len(words) == 1 and name in _MONTHS:
        return "month"
    if len(words) == 1 and name in _DAYS:
        return "day"
    if all(w.isupper() for w in words):
        formula = re.match(r" ?\d", text[m.end() :]) is not None  # "CO 2", "CH 4"
        single = len(words) == 1 and len(name) <= 6 and name not in _NOT_ACRONYMS
        single = single and not formula
        return "acronym" if single else None
    last = words[-1]
    if words[0] in _ERAS or words[0] in _ORGS:
        return None  # "Age of Discovery": part of a longer name
    for kind, lexicon in (
        ("org", _ORGS),
        ("water", _WATERS),
        ("land", _LANDS),
        ("polity", _POLITIES),
        ("region", _REGIONS),
        ("era", _ERAS),
    ):
        if last in lexicon:
            return f"{kind}{len(words)}"
    if len(words) == 1:
        # Single capitalised words are too mixed (people, places, eras, titles) to swap blind.
        return next((kind for kind, names in _SINGLE.items() if name in names), None)
    return None  # other multi-word names: people and titles would swap for one another


# Single names we can type: a swap within a class reads as a plain factual change.
_SINGLE: dict[str, frozenset[str]] = {
    "planet": frozenset("Earth Mars Venus Mercury Jupiter Saturn Uranus Neptune Moon Sun".split()),
    "era": frozenset(
        "Cambrian Ordovician Silurian Devonian Carboniferous Permian Triassic Jurassic Cretaceous "
        "Paleocene Eocene Oligocene Miocene Pliocene Pleistocene Holocene Paleozoic Mesozoic "
        "Cenozoic Precambrian Quaternary Tertiary Neogene Paleogene".split()
    ),
    # Named with "the" ("the Arctic") or without ("in Norway"): they do not swap for each other.
    "the-place": frozenset(
        "Arctic Antarctic Himalaya Himalayas Alps Andes Sahara Amazon Pacific Atlantic "
        "Mediterranean Caribbean".split()
    ),
    "place": frozenset(
        "Antarctica Greenland Siberia Alaska Europe Asia Africa America Australia Canada Mexico "
        "Brazil Argentina Chile Peru China India Japan Russia Indonesia Germany France Britain "
        "England Scotland Ireland Spain Italy Norway Sweden Finland Iceland Denmark Netherlands "
        "Poland Turkey Egypt Kenya Nigeria Ethiopia Iran Iraq Pakistan Bangladesh Vietnam "
        "Thailand Philippines Korea Texas California Florida Colorado Arizona Tuvalu Kiribati "
        "Maldives Fiji Samoa Patagonia Scandinavia".split()
    ),
}
_NOT_ACRONYMS = frozenset("AD BC BCE CE AM PM".split())


def _entity_spans(text: str) -> Iterator[re.Match[str]]:
    """Capitalised word sequences that do not begin the sentence."""
    first = re.match(r"\W*\w", text)
    begin = first.end() - 1 if first else 0
    for m in _ENTITY.finditer(text):
        if m.start() > begin and not set(m.group().split()) & _NOT_NAMES:
            yield m


def entity_pool(sentences: Sequence[str]) -> dict[str, list[str]]:
    """Names by rough kind, in first-seen order (deterministic)."""
    pool: dict[str, dict[str, None]] = {}
    for sentence in sentences:
        for m in _entity_spans(sentence):
            kind = _entity_kind(sentence, m)
            if kind is not None:
                pool.setdefault(kind, {})[m.group()] = None
    return {key: list(names) for key, names in pool.items()}


def entity_edits(
    claim: str, sentence: str, pool: dict[str, list[str]], rng: random.Random
) -> Iterator[Edit]:
    for m in _entity_spans(claim):
        name, kind = m.group(), _entity_kind(claim, m)
        names = pool.get(kind, []) if kind else []
        # A name from another sentence, one this sentence does not mention at all.
        choices = [n for n in names if n != name and n not in sentence and name not in n]
        if choices:
            yield "entity", m.start(), m.end(), rng.choice(choices)


# -- negation ------------------------------------------------------------------------------------

_AUX = frozenset(
    "is are was were has have had can could will would does did do should may might must".split()
)
_PERFECT = frozenset(("has", "have", "had"))
_PARTICIPLES = frozenset(
    "been had made led found kept left lost held brought built become done gone begun risen "
    "fallen said sent spent won meant taught thought felt put set cut hit let read run come "
    "seen shown grown known taken given written drawn driven chosen".split()
)
_DETERMINERS = frozenset(
    "the a an this that these those his her its their our my your some any no every each all "
    "to so it he she they we you not never also already still just only".split()
)
_NEGATED = re.compile(
    r"\b(?P<aux>is|are|was|were|has|have|had|could|will|would|does|did|do|should|may|might|must)"
    r" (?P<neg>not|never)\b(?! (?:only|just|least|before)\b)"
    r"|\b(?P<can>can)not\b"
    r"|\b(?P<short>isn|aren|wasn|weren|hasn|haven|hadn|couldn|wouldn|doesn|didn|don|shouldn|mustn)"
    r"['’]t\b|\b(?P<ca>ca)n['’]t\b|\b(?P<wo>wo)n['’]t\b",
    re.IGNORECASE,
)


def negation_edits(claim: str) -> Iterator[Edit]:
    """Remove a negation after an auxiliary, or insert 'not' (or 'never') after one."""
    for m in _NEGATED.finditer(claim):
        old = m.group()
        if m.group("aux"):
            new = m.group("aux")
        elif m.group("can"):
            new = old[:3]
        elif m.group("ca"):
            new = old[:2] + "n"
        elif m.group("wo"):
            new = "Will" if old[0].isupper() else "will"
        else:
            new = m.group("short")
        yield "negation", m.start(), m.end(), new
    if _NEGATED.search(claim) or re.search(r"\b(?:not|never)\b|n['’]t\b", claim, re.I):
        return  # one negation per claim keeps the edit a clean flip
    words = list(re.finditer(r"[\w'’]+", claim))
    for i, m in enumerate(words[:-1]):
        aux, after = m.group(), words[i + 1].group()
        previous = words[i - 1].group().lower() if i else ""
        if aux not in _AUX or not after.isalpha() or not after.islower():
            continue
        if claim[m.end() : words[i + 1].start()] != " " or after in _DETERMINERS - {
            "the",
            "a",
            "an",
        }:
            continue
        if previous in ("the", "a", "an", "to", "this") or after in ("than", "as"):
            continue  # "the will of", "to have been", "is than": not a clause's auxiliary
        if aux in _PERFECT and not (after in _PARTICIPLES or after.endswith(("ed", "en", "wn"))):
            continue  # "has a population": a main verb, not an auxiliary
        if aux in ("do", "does", "did") and after in _DETERMINERS:
            continue
        if aux in ("can", "could", "will", "would", "should", "may", "might", "must") and after in (
            "the",
            "a",
            "an",
        ):
            continue
        new = "cannot" if aux == "can" else f"{aux} {'never' if aux in _PERFECT else 'not'}"
        yield "negation", m.start(), m.end(), new
        return  # the first auxiliary is most often the main clause's


# -- antonyms ------------------------------------------------------------------------------------

_PAIRS = (
    "increase decrease, increased decreased, increases decreases, increasing decreasing, "
    "rise fall, rises falls, rising falling, rose fell, more less, higher lower, high low, "
    "highest lowest, larger smaller, largest smallest, greater smaller, bigger smaller, "
    "before after, above below, warmer cooler, warming cooling, warmest coolest, "
    "first last, north south, northern southern, east west, eastern western, "
    "positive negative, majority minority, gain loss, gains losses, gained lost, "
    "maximum minimum, stronger weaker, strong weak, earlier later, early late, "
    "faster slower, fast slow, thicker thinner, thick thin, deeper shallower, "
    "wetter drier, wet dry, hotter colder, hot cold, warm cold, always never, "
    "often rarely, common rare, likely unlikely, possible impossible, able unable, "
    "successful unsuccessful, accepted rejected, accept reject, supports opposes, "
    "supported opposed, absorb emit, absorbs emits, absorbed emitted, "
    "expanded shrank, expanding shrinking, melting freezing, inside outside, upper lower, "
    "most least, richer poorer, rich poor, legal illegal, win lose, won lost, "
    "heavier lighter, older younger, oldest youngest, longest shortest, longer shorter, "
    "reduce increase, reduced increased, reduces increases, reducing increasing"
)
_ANTONYMS: dict[str, str] = {}
for _pair in _PAIRS.split(", "):
    _a, _b = _pair.split()
    _ANTONYMS.setdefault(_a, _b)
    _ANTONYMS.setdefault(_b, _a)
_ANTONYM_RE = re.compile(
    rf"\b({'|'.join(sorted(_ANTONYMS, key=len, reverse=True))})\b(?![-'’])", re.I
)


# Compounds where the swapped word names a thing, not a property ("high school").
_COMPOUNDS = frozenset(
    (("high", "school"), ("warm", "front"), ("cold", "front"), ("cold", "war"), ("fast", "food"))
)


def antonym_edits(claim: str) -> Iterator[Edit]:
    for m in _ANTONYM_RE.finditer(claim):
        word = m.group()
        lower = word.lower()
        if word[0].isupper() and m.start() > 0:
            continue  # "North America", "Last Glacial Maximum": part of a name
        if word != lower and word != word.capitalize():
            continue
        before = claim[: m.start()].split()[-1:]
        previous = before[0].lower() if before else ""
        after = claim[m.end() :].split()[:1]
        following = after[0].lower().strip(",.;:") if after else ""
        if lower == "most" and previous != "the":
            continue  # "most scientists" -> "least scientists" is not English
        if lower == "least" and previous not in ("the", "at"):
            continue
        if lower in ("more", "less") and (previous in ("many", "once", "no") or following == "or"):
            continue
        if lower in ("lost", "won", "gained") and previous in ("had", "has", "have", "was", "were"):
            continue  # participles: "had lost" -> "had won" is rarely the opposite fact
        if (lower, following) in _COMPOUNDS:
            continue
        new = _ANTONYMS[lower]
        yield "antonym", m.start(), m.end(), new.capitalize() if word[0].isupper() else new
