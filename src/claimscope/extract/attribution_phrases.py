"""The attribution rules' sentence walk: tokens, noun phrases to the left and right of a cue,
the readable speaker of a source span, and the ``Found`` record they build."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from claimscope.extract.attribution_lexicon import (
    AFTER_CUE,
    AUX,
    DESCRIPTOR,
    DETERMINERS,
    MAX_APPOSITIVE,
    MAX_NP,
    MAX_VS_HEAD,
    NAME_LABELS,
    NOT_ADVERB,
    OBJECT_PRONOUNS,
    PARENTHETICAL,
    PREPOSITIONS,
    PRONOUNS,
    PUNCT_EDGE,
    REFLEXIVE,
    SPEAKER_LABELS,
    STOP,
    SUBJECT_PRONOUNS,
    TIME_NOUNS,
    TIME_WORDS,
    TOKEN,
    VERBS,
)
from claimscope.extract.entities import normalize_name
from claimscope.spans import trim


@dataclass(slots=True)
class Found:
    """An attribution found in one sentence, offsets into the document text."""

    kind: str
    speaker: str
    speaker_start: int
    speaker_end: int
    cue_start: int
    cue_end: int
    content_start: int | None
    content_end: int | None
    resolved: str | None = None


@dataclass(slots=True)
class Tok:
    start: int
    end: int
    text: str
    low: str


class Sentence:
    """One sentence as tokens, with its entities, for the rules to walk over."""

    __slots__ = ("end", "ents", "start", "text", "toks")

    def __init__(
        self, text: str, start: int, end: int, ents: Sequence[tuple[int, int, str]]
    ) -> None:
        self.text, self.start, self.end = text, start, end
        self.toks = [
            Tok(m.start(), m.end(), w, w.lower())
            for m in TOKEN.finditer(text, start, end)
            for w in (m.group(),)
        ]
        self.ents = [e for e in ents if e[0] >= start and e[1] <= end]

    def index_at(self, offset: int) -> int:
        """The index of the first token starting at or after ``offset``."""
        for i, t in enumerate(self.toks):
            if t.start >= offset:
                return i
        return len(self.toks)

    def entity(
        self, start: int, end: int, labels: frozenset[str] = SPEAKER_LABELS
    ) -> tuple[int, int, str] | None:
        """The last entity inside ``[start, end)`` with one of ``labels``."""
        inside = [e for e in self.ents if e[0] >= start and e[1] <= end and e[2] in labels]
        return inside[-1] if inside else None

    def in_entity(self, offset: int) -> bool:
        return any(s <= offset < e for s, e, _ in self.ents)


def is_word(t: Tok) -> bool:
    return t.text[0].isalnum()


def capitalized(t: Tok) -> bool:
    return t.text[0].isupper()


def adverb(t: Tok) -> bool:
    return t.low in AUX or (
        t.low.endswith("ly") and len(t.low) > 4 and t.low not in NOT_ADVERB and t.text.islower()
    )


def strip(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` shrunk past white space and punctuation (``PUNCT_EDGE``)."""
    return trim(text, start, end, PUNCT_EDGE)


def base(t: Tok) -> str:
    """The word before an apostrophe (``he’s``: ``he``)."""
    return re.split("['’]", t.low)[0]


def is_time(s: Sentence, t: Tok) -> bool:
    return t.low in TIME_WORDS and not s.in_entity(t.start)


def trim_time(s: Sentence, first: int, last: int) -> tuple[int, int]:
    """Tokens ``first..last`` less a time phrase at either edge ("Last week officials",
    "Trump on Tuesday"), when one is there and something is left."""
    toks = s.toks
    j = last
    while j >= first and is_time(s, toks[j]):
        j -= 1
    if first <= j < last and any(toks[x].low in TIME_NOUNS for x in range(j + 1, last + 1)):
        last = j
    j = first
    while j <= last and is_time(s, toks[j]):
        j += 1
    if first < j <= last and any(toks[x].low in TIME_NOUNS for x in range(first, j)):
        first = j
    return first, last


def noun_phrase_left(s: Sentence, stop: int, first: int = 0) -> tuple[int, int] | None:
    """The first and last tokens of the noun phrase that ends just before token ``stop``
    (``first`` is the leftmost token allowed); None when no noun phrase ends there."""
    toks = s.toks
    i = stop - 1
    # Between subject and verb: a reflexive, an aside or a time ("Trump himself", "Trump
    # however", "Trump on Tuesday").
    while i >= first and (toks[i].low in REFLEXIVE or toks[i].low in PARENTHETICAL):
        i -= 1
    j = i
    while j >= first and is_time(s, toks[j]):
        j -= 1
    if first <= j < i and any(toks[x].low in TIME_NOUNS for x in range(j + 1, i + 1)):
        i = j
    if i < first:
        return None
    top = i
    if toks[i].low in SUBJECT_PRONOUNS:
        return i, i
    begin = None
    while i >= first:
        t = toks[i]
        if t.text == ")":
            # "Sen. Jane Doe (D-Vt.)": a short bracket after a name.
            o = i - 1
            while o >= first and i - o <= 8 and toks[o].text != "(":
                o -= 1
            if o - 1 < first or toks[o].text != "(" or not is_word(toks[o - 1]):
                break
            i = o - 1
            continue
        if (
            t.low in OBJECT_PRONOUNS
            and i == top
            and i - 1 > first
            and toks[i - 1].low in PREPOSITIONS
        ):
            i -= 1  # "a source close to him"
            begin = top
            continue
        if not is_word(t) or t.low in STOP or t.low in OBJECT_PRONOUNS:
            break
        if t.low.endswith(("n't", "n’t")) or base(t) in SUBJECT_PRONOUNS:
            break
        if t.low in PREPOSITIONS:
            # A phrase after the head ("officials in Lima") when a noun stands before it.
            prev = toks[i - 1] if i - 1 >= first else None
            if begin is None or prev is None or not is_word(prev) or prev.low in STOP:
                break
            if prev.low in PRONOUNS or prev.low in PREPOSITIONS:
                break
            i -= 1
            continue
        begin = i
        if t.low in DETERMINERS:
            # A determiner opens the phrase, unless a preposition joins it to a head before.
            if i - 2 >= first and toks[i - 1].low in PREPOSITIONS and is_word(toks[i - 2]):
                i -= 1
                continue
            break
        if top - i >= MAX_NP:
            break
        i -= 1
    if begin is None:
        return None
    # A preposition left dangling at the start is not part of the phrase.
    while begin <= top and toks[begin].low in PREPOSITIONS:
        begin += 1
    if begin > top or not is_word(toks[begin]):
        return None
    begin, _ = trim_time(s, begin, top)
    return begin, top


def noun_phrase_right(s: Sentence, begin: int, *, to_end: bool = False) -> int | None:
    """The index after the last token of the noun phrase starting at token ``begin``. With
    ``to_end``, the phrase must close the sentence, an appositive and adverbials included
    (``said Jane Doe, the chair of X, on Tuesday.``), else None."""
    toks = s.toks
    i = begin
    while i < len(toks):
        t = toks[i]
        if t.text == "(" and i > begin:
            # "Sen. Jane Doe (D-Vt.)": a short bracket.
            close = next(
                (j for j in range(i + 1, min(len(toks), i + 9)) if toks[j].text == ")"), None
            )
            if close is None:
                break
            i = close + 1
            continue
        if (
            to_end
            and t.low == "and"
            and i > begin
            and i + 1 < len(toks)
            and capitalized(toks[i + 1])
        ):
            i += 1  # "former Gov. and Committee Chairman Ed Rendell"
            continue
        if not is_word(t) or t.low in STOP or (i > begin and t.low in VERBS):
            break
        if i > begin and (t.low in SUBJECT_PRONOUNS or t.low in OBJECT_PRONOUNS):
            break
        i += 1
        if i - begin > (MAX_VS_HEAD if to_end else MAX_NP):
            return None
    if i == begin:
        return None
    if not to_end:
        return i
    last = len(toks)
    while last > i and not is_word(toks[last - 1]):
        last -= 1
    # Another clause after a dash or a semicolon: "said Jane Doe, the mayor — ships waited."
    last = next((j for j in range(i, last) if toks[j].text in ("—", "–", ";")), last)
    while last > i and not is_word(toks[last - 1]):
        last -= 1
    if i < last and (toks[i].text == "," or toks[i].low in ("who", "whose", "that")):
        # "said Jane Doe, the chair of X" / "said an official who was not authorized to
        # speak": an appositive or a relative clause to the end, else the head alone.
        rest = toks[i:last]
        if len(rest) <= MAX_APPOSITIVE and not any(t.low in VERBS for t in rest):
            i = last
        elif toks[i].low in ("who", "whose", "that"):
            return None
        else:
            last = i
    if i < last:
        return None
    # "said Jane Doe in a statement": the adverbial is not the source.
    for j in range(begin + 1, i):
        if toks[j - 1].text != "," and skip_adverbials(s, j) >= i:
            i = j
            break
    first, end = trim_time(s, begin, i - 1)
    return end + 1 if first == begin else None


# A short bracket after a name: a party and state (``(D-Nev.)``, ``(R-SC)``), an age.
_NAME_TAG = re.compile(r"\s*\([^()]{1,12}\)")
_COORDINATORS = frozenset({"and", "or", "&"})
_PLACE_LABELS = frozenset({"GPE", "LOC"})


def name_head(s: Sentence, start: int, end: int) -> str | None:
    """The name that heads the phrase ``[start, end)``: a name at its end after a title or a
    description, with no phrase after the head but a short bracket (``news outlet La Lupa``,
    ``Finance Minister Jane Doe``, ``Secretary of State Jane Doe``, ``Sen. Jane Doe (D-Vt.)``,
    but not ``officials in Lima`` nor ``Mexico's president``). Two names joined by ``and``
    give both (``presidents Jane Doe and Ana Roble``)."""
    text = s.text
    start, end = strip(text, start, end)
    name = s.entity(start, end, NAME_LABELS)
    if not name:
        return None
    if name[1] < end and not ((tag := _NAME_TAG.match(text, name[1], end)) and tag.end() == end):
        return None
    before = text[start : name[0]].split()
    for i, word in enumerate(before):
        low = word.lower()
        if low.endswith(("'s", "’s")):
            return None
        # "of" inside a title ("Secretary of State") is part of it; "officials in Lima" is not.
        title_of = low == "of" and 0 < i < len(before) - 1 and before[i - 1][:1].isupper()
        if low in PREPOSITIONS and not (title_of and before[i + 1][:1].isupper()):
            return None
    head = normalize_name(text[name[0] : name[1]])
    if before and before[-1].lower() in _COORDINATORS:
        # "presidents Jane Doe and Ana Roble": both names, or the phrase when the first is not one.
        first = s.entity(start, name[0], NAME_LABELS)
        if not first or text[first[1] : name[0]].split() != [before[-1]]:
            return None
        return f"{normalize_name(text[first[0] : first[1]])} {before[-1]} {head}"
    return head or None


def readable_speaker(s: Sentence, start: int, end: int, descriptor: bool = False) -> str:
    """The readable speaker of the source ``[start, end)``: a name with a description gives the
    name (``the news outlet La Lupa``, ``Jane Doe, the chair of X``), other phrases are kept."""
    text = s.text
    if descriptor:
        m = DESCRIPTOR.match(text, start, end)
        if m and m.end() < end:
            start = m.end()
    comma = next((t.start for t in s.toks if start <= t.start < end and t.text == ","), None)
    if comma is not None:
        # "Jane Doe, the chair of X": the name before the comma; "A spokesperson for X, Jane
        # Doe": the name after it.
        head = name_head(s, start, comma)
        if head:
            after = next((t for t in s.toks if comma < t.start < end), None)
            if after and _starts_list(s, after, end):
                # "Jane Doe, Ana Roble and other farmers": a list, kept whole.
                return " ".join(text[start:end].split())
            return head
        if _is_place(s, start, comma):
            # A dateline before the source ("LIMA, Peru, Sen. Jane Doe"): the name at the end.
            last = max(t.start for t in s.toks if start <= t.start < end and t.text == ",")
            head = name_head(s, last + 1, end)
            if head:
                return head
        close = next((t.start for t in s.toks if comma < t.start < end and t.text == ","), end)
        person = s.entity(comma, close, frozenset({"PERSON"}))
        if person and strip(text, comma, close) == strip(text, person[0], person[1]):
            return normalize_name(text[person[0] : person[1]])
        end = comma
    head = name_head(s, start, end)
    if head:
        return head
    start, end = strip(text, start, end)
    words = " ".join(text[start:end].split())
    first, _, rest = words.partition(" ")
    if first.lower() in SUBJECT_PRONOUNS and not rest:
        return first.lower() if first != "I" else first
    if rest and first.lower() in DETERMINERS and first[:1].isupper():
        words = f"{first.lower()} {rest}"
    return words


def _starts_list(s: Sentence, first: Tok, end: int) -> bool:
    """Whether the words from ``first`` to ``end`` go on a list of names: a name comes first,
    then a comma or ``and``/``or`` (``Ana Roble and other farmers``, not ``Jane Doe's
    former adviser``)."""
    name = next((e for e in s.ents if e[0] == first.start and e[2] in NAME_LABELS), None)
    if name is None or name[1] >= end:
        return False
    stop = name[1]
    if tag := _NAME_TAG.match(s.text, stop, end):
        stop = tag.end()  # "Jane Doe (D-Vt.), Ana Roble (D-Ohio) and ..."
    after = next((t for t in s.toks if t.start >= stop), None)
    return after is not None and (after.low in _COORDINATORS or after.text == ",")


def _is_place(s: Sentence, start: int, end: int) -> bool:
    """Whether ``[start, end)`` is a place name and nothing else (a dateline's city)."""
    start, end = strip(s.text, start, end)
    place = s.entity(start, end, _PLACE_LABELS)
    return place is not None and place[0] == start and place[1] == end


def antecedent(s: Sentence, start: int) -> str | None:
    """For a relative pronoun at ``start`` (``Jane Doe, who said``), the name it follows."""
    before = [t for t in s.toks if t.end <= start]
    if before and before[-1].text == ",":
        before = before[:-1]
    if not before:
        return None
    ent = s.entity(s.start, before[-1].end, NAME_LABELS)
    return normalize_name(s.text[ent[0] : ent[1]]) if ent and ent[1] == before[-1].end else None


def make_found(
    s: Sentence,
    kind: str,
    source: tuple[int, int],
    cue: tuple[int, int],
    content: tuple[int, int] | None,
    *,
    descriptor: bool = False,
) -> Found | None:
    start, end = strip(s.text, *source)
    if end <= start:
        return None
    speaker = readable_speaker(s, start, end, descriptor)
    if not speaker:
        return None
    resolved = antecedent(s, start) if speaker in ("who", "which") else None
    c_start: int | None = None
    c_end: int | None = None
    if content:
        c_start, c_end = strip(s.text, *content)
        if c_end <= c_start:
            c_start = c_end = None
    return Found(kind, speaker, start, end, cue[0], cue[1], c_start, c_end, resolved)


def skip_adverbials(s: Sentence, k: int) -> int:
    """Token ``k``, or the token after the adverbials that start there ("in a statement")."""
    if k >= len(s.toks):
        return k
    pos = s.toks[k].start
    m = AFTER_CUE.match(s.text, pos, s.end)
    return s.index_at(m.end()) if m and m.end() > pos else k
