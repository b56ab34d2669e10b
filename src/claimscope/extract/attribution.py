"""Attribution: who says what, found by cue rules over the sentence's words and its entities.

Each attribution has a source span (the speaker as written: the whole noun phrase), a cue span
(``said``, ``according to``) and a content span (what is said). The forms recognized (see
docs/extraction.md):

- ``According to SOURCE, CONTENT`` and ``CONTENT, according to SOURCE.``;
- ``SOURCE [has] [adverb] VERB [ADDRESSEE] [that] CONTENT`` with a reporting verb (said, told,
  reported, warned...). The source is the noun phrase before the verb: determiner, modifiers,
  head and the phrases after it (``officials in Lima``, ``the head of the port authority``),
  with an appositive between commas (``Mara Vell, the secretary of Ports, Fisheries and
  Customs, has clarified``, ``A spokesperson for X, Jane Doe, said``), or a pronoun (``he
  said``, ``who said``);
- ``"CONTENT," SOURCE said.``, ``"CONTENT," said SOURCE.`` and ``CONTENT, SOURCE said.``;
- ``..., saying/adding CONTENT``: the source is the sentence's earlier source or its subject.

A sentence may hold several attributions. The speaker is the readable name of the source: the
name when the source is a name with a description (``the news outlet La Lupa``: ``La Lupa``;
``Jane Doe, the chair of ...``: ``Jane Doe``), else the phrase as written. Pronouns are
resolved against earlier sources by the stage (``extract/stages.py``); sentences inside an
embedded post are attributed to the post's author by the stage itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from claimscope.extract.entities import normalize_name

SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})
NAME_LABELS = frozenset({"PERSON", "ORG"})

# Reporting verbs that report speech wherever they stand.
_STRONG = frozenset(
    """said says say saying told tells tell telling reported stated claimed claiming announced
    announces announcing announce warned warns warning warn declared declares declare insisted
    insists insisting insist argued argues arguing argue explained explains explaining explain
    tweeted tweeting wrote writes writing acknowledged acknowledges acknowledge admitted admits
    admit alleged alleges alleging allege asserted asserts assert confirmed confirms confirm
    denied denies deny revealed reveals testified disclosed discloses predicted predicts predict
    stressed stresses stress emphasized emphasised emphasizes emphasises emphasize clarified
    clarifies recalled recalls recall replied replies reply responded responds respond conceded
    concedes concede countered complained complains complain contended contends contend remarked
    asked asks urged urges urging accused accuses accusing criticized criticised criticizes
    promised promises pledged pledges vowed vows vowing cautioned cautions""".split()
)
# Verbs (and nouns-or-verbs) that report speech only when a clause follows: "added that",
# "notes:", "thinks he will", or a quotation before them ("adds another layer" reports nothing).
_WEAK = frozenset(
    """added adds adding noted notes noting note continued continues suggested suggests
    suggesting suggest concluded concludes conclude showed shows show showing found finds find
    estimated estimates estimate maintained maintains maintain posted believes believe believed
    thinks think thought reports report claims claim states tweets observed learned agreed agrees
    agree knows know expects expect expected hopes hope hoped fears fear feared worries worried
    worry indicated indicates""".split()
)
_VERBS = _STRONG | _WEAK
# Forms that are also nouns ("the reports", "his claims"): a verb only after a subject.
_NOUNISH = frozenset(
    """reports report claims claim states shows show notes note estimates estimate tweets finds
    find hopes hope fears fear worries stress promises pledges vows reply""".split()
)
_ING = frozenset(w for w in _VERBS if w.endswith("ing"))
# Words between the subject and the verb that belong to the cue ("has repeatedly stated").
_AUX = frozenset(
    """has have had also later previously recently publicly repeatedly officially would will
    could might may can did does do not never once often already again just reportedly
    privately frequently initially originally earlier then ’ve 've further first ultimately
    even still""".split()
)
_NOT_ADVERB = frozenset(
    """family ally rally assembly supply reply anomaly monopoly belly bully jelly folly homily
    tally daily weekly monthly quarterly yearly ugly only early likely friendly elderly lonely
    holy silly italy july""".split()
)
_PASSIVE = frozenset("is was were are be been being get got gets".split())
_DETERMINERS = frozenset(
    """the a an this these those some many most several other another both all each every few
    no any his her their its our my your one two three four five six seven eight nine ten
    dozens hundreds thousands""".split()
)
_PREPOSITIONS = frozenset(
    "of in at for from with on by to near inside within outside across among under behind".split()
)
# Words that end a noun phrase on the left: conjunctions, subordinators, verbs, adverbs.
_STOP = frozenset(
    """and or but nor so yet because although though while whereas if unless when whenever where
    after before since until as than that which what whom whose how why whether is are was were
    be been being has have had do does did will would can could should shall may might must
    not also then now there here however meanwhile instead still even just too very said says
    didn't doesn't don't won't wouldn't can't couldn't isn't wasn't aren't weren't hasn't
    told asked ’s 's it's there's said, whom""".split()
)
_SUBJECT_PRONOUNS = frozenset("he she they we i you it who which".split())
_OBJECT_PRONOUNS = frozenset("him them us me this that these those".split())
_PRONOUNS = (
    _SUBJECT_PRONOUNS | _OBJECT_PRONOUNS | frozenset("her my our his their its your".split())
)
_REFLEXIVE = frozenset("himself herself themselves itself myself ourselves".split())
_TIME_NOUNS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday today yesterday tonight
    week weekend month year morning afternoon evening night weeks months years days
    january february march april may june july august september october november december""".split()
)
_TIME_WORDS = _TIME_NOUNS | frozenset("last this next early late earlier on in ago".split())
# Phrases after a verb that are neither addressee nor content ("said in a statement that").
_AFTER_CUE = re.compile(
    r"(?:\s*,?\s*(?:(?:on|in|at|during|over|via|through|to)\s+"
    r"(?:(?:a|an|the|his|her|their|its)\s+)?"
    r"(?:[\w-]+\s+){0,2}?(?:statement|interview|speech|email|e-mail|letter|post|tweet|"
    r"video|op-ed|release|press release|conference|news conference|press conference|briefing|"
    r"hearing|rally|event|meeting|debate|call|phone call|radio|television|Twitter|Facebook|"
    r"Instagram|reporters|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|week|month|year|morning|evening|night|afternoon)(?:\s+\d{1,2})?"
    r"|(?:last|this|earlier this|late last|early|late)\s+(?:week|month|year|weekend|morning|"
    r"night|evening|afternoon)|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"today|yesterday|tonight|recently|earlier|later|again|also|too|once|repeatedly|publicly|"
    r"privately|previously))+\b",
)
_ADDRESSEE_VERBS = frozenset("told tells tell telling asked asks".split())
_ADDRESSEE_WORDS = frozenset(
    """reporters journalists supporters voters lawmakers members the a an his her their him her
    them me us you crowd audience press paper newspaper magazine station network committee
    senators delegates donors students attendees viewers listeners readers""".split()
)
_ACCORDING = re.compile(r"\b[Aa]ccording to\b")
_DESCRIPTOR = re.compile(
    r"(?:(?:the|a|an)\s+)?(?:(?:news|media|local|state|independent|investigative)\s+)?"
    r"(?:outlet|newspaper|website|agency|broadcaster|site|magazine|daily|report by|"
    r"reports by|data from|figures from|a statement by|statement by|statements by|"
    r"a statement from|statement from|a report from|report from|an interview with|"
    r"interview with)\s+",
    re.IGNORECASE,
)
# Words (with initials, titles and "U.S." whole), "''" quotation marks, punctuation.
_TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}|[A-Z]\.(?=\s[A-Z])"
    r"|(?:Mr|Mrs|Ms|Dr|Sen|Sens|Rep|Reps|Gov|Gen|St|Jr|Sr|Lt|Col|Sgt|Prof|Rev|Hon|Maj|Capt|Adm"
    r"|Pres|Ft|Amb|Atty|Supt|Insp|Cmdr|Mt)\.|\w+(?:[-'’&.]\w+)*|''|\S"
)
# A quick test that a sentence may hold a cue at all (most do not).
_CUE_WORDS = _VERBS | {"according"}
_LETTERS = re.compile(r"[a-z]+")
_QUOTES = frozenset(('"', "“", "”", "«", "»", "''"))
_BREAKS = frozenset(",;:()—–") | _QUOTES
_CLAUSE_BREAKS = frozenset(",;:—–") | _QUOTES
_AND = frozenset(("and", "but", "then"))
_CLAUSE_SUBJECTS = frozenset("he she they we i there it".split())
_OPENERS = frozenset(
    "in on at after before during since following when while as last earlier".split()
)
_PARENTHETICAL = frozenset(
    "however meanwhile though too instead also moreover nonetheless nevertheless".split()
)
_NOT_SUBJECT = frozenset("to a an the his her their its our my your let's let’s all".split())
_CLOSE_QUOTES = frozenset(('"', "”", "»", "''"))
_PUNCT_EDGE = " \t\n\u00a0,;:.—–-"
_MAX_NP = 14
_MAX_VS_HEAD = 8  # "said Jane Doe": the name after the verb, before any appositive
_MAX_APPOSITIVE = 30


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
class _Tok:
    start: int
    end: int
    text: str
    low: str


class _Sentence:
    """One sentence as tokens, with its entities, for the rules to walk over."""

    __slots__ = ("end", "ents", "start", "text", "toks")

    def __init__(
        self, text: str, start: int, end: int, ents: Sequence[tuple[int, int, str]]
    ) -> None:
        self.text, self.start, self.end = text, start, end
        self.toks = [
            _Tok(m.start(), m.end(), w, w.lower())
            for m in _TOKEN.finditer(text, start, end)
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


def _is_word(t: _Tok) -> bool:
    return t.text[0].isalnum()


def _capitalized(t: _Tok) -> bool:
    return t.text[0].isupper()


def _adverb(t: _Tok) -> bool:
    return t.low in _AUX or (
        t.low.endswith("ly") and len(t.low) > 4 and t.low not in _NOT_ADVERB and t.text.islower()
    )


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _PUNCT_EDGE:
        start += 1
    while end > start and text[end - 1] in _PUNCT_EDGE:
        end -= 1
    return start, end


def _base(t: _Tok) -> str:
    """The word before an apostrophe (``he’s``: ``he``)."""
    return re.split("['’]", t.low)[0]


def _is_time(s: _Sentence, t: _Tok) -> bool:
    return t.low in _TIME_WORDS and not s.in_entity(t.start)


def _trim_time(s: _Sentence, first: int, last: int) -> tuple[int, int]:
    """Tokens ``first..last`` less a time phrase at either edge ("Last week officials",
    "Trump on Tuesday"), when one is there and something is left."""
    toks = s.toks
    j = last
    while j >= first and _is_time(s, toks[j]):
        j -= 1
    if first <= j < last and any(toks[x].low in _TIME_NOUNS for x in range(j + 1, last + 1)):
        last = j
    j = first
    while j <= last and _is_time(s, toks[j]):
        j += 1
    if first < j <= last and any(toks[x].low in _TIME_NOUNS for x in range(first, j)):
        first = j
    return first, last


def _noun_phrase_left(s: _Sentence, stop: int, first: int = 0) -> tuple[int, int] | None:
    """The first and last tokens of the noun phrase that ends just before token ``stop``
    (``first`` is the leftmost token allowed); None when no noun phrase ends there."""
    toks = s.toks
    i = stop - 1
    # Between subject and verb: a reflexive, an aside or a time ("Trump himself", "Trump
    # however", "Trump on Tuesday").
    while i >= first and (toks[i].low in _REFLEXIVE or toks[i].low in _PARENTHETICAL):
        i -= 1
    j = i
    while j >= first and _is_time(s, toks[j]):
        j -= 1
    if first <= j < i and any(toks[x].low in _TIME_NOUNS for x in range(j + 1, i + 1)):
        i = j
    if i < first:
        return None
    top = i
    if toks[i].low in _SUBJECT_PRONOUNS:
        return i, i
    begin = None
    while i >= first:
        t = toks[i]
        if t.text == ")":
            # "Sen. Jane Doe (D-Vt.)": a short bracket after a name.
            o = i - 1
            while o >= first and i - o <= 8 and toks[o].text != "(":
                o -= 1
            if o - 1 < first or toks[o].text != "(" or not _is_word(toks[o - 1]):
                break
            i = o - 1
            continue
        if (
            t.low in _OBJECT_PRONOUNS
            and i == top
            and i - 1 > first
            and toks[i - 1].low in _PREPOSITIONS
        ):
            i -= 1  # "a source close to him"
            begin = top
            continue
        if not _is_word(t) or t.low in _STOP or t.low in _OBJECT_PRONOUNS:
            break
        if t.low.endswith(("n't", "n’t")) or _base(t) in _SUBJECT_PRONOUNS:
            break
        if t.low in _PREPOSITIONS:
            # A phrase after the head ("officials in Lima") when a noun stands before it.
            prev = toks[i - 1] if i - 1 >= first else None
            if begin is None or prev is None or not _is_word(prev) or prev.low in _STOP:
                break
            if prev.low in _PRONOUNS or prev.low in _PREPOSITIONS:
                break
            i -= 1
            continue
        begin = i
        if t.low in _DETERMINERS:
            # A determiner opens the phrase, unless a preposition joins it to a head before.
            if i - 2 >= first and toks[i - 1].low in _PREPOSITIONS and _is_word(toks[i - 2]):
                i -= 1
                continue
            break
        if top - i >= _MAX_NP:
            break
        i -= 1
    if begin is None:
        return None
    # A preposition left dangling at the start is not part of the phrase.
    while begin <= top and toks[begin].low in _PREPOSITIONS:
        begin += 1
    if begin > top or not _is_word(toks[begin]):
        return None
    begin, _ = _trim_time(s, begin, top)
    return begin, top


def _noun_phrase_right(s: _Sentence, begin: int, *, to_end: bool = False) -> int | None:
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
            and _capitalized(toks[i + 1])
        ):
            i += 1  # "former Gov. and Committee Chairman Ed Rendell"
            continue
        if not _is_word(t) or t.low in _STOP or (i > begin and t.low in _VERBS):
            break
        if i > begin and (t.low in _SUBJECT_PRONOUNS or t.low in _OBJECT_PRONOUNS):
            break
        i += 1
        if i - begin > (_MAX_VS_HEAD if to_end else _MAX_NP):
            return None
    if i == begin:
        return None
    if not to_end:
        return i
    last = len(toks)
    while last > i and not _is_word(toks[last - 1]):
        last -= 1
    # Another clause after a dash or a semicolon: "said Jane Doe, the mayor — ships waited."
    last = next((j for j in range(i, last) if toks[j].text in ("—", "–", ";")), last)
    while last > i and not _is_word(toks[last - 1]):
        last -= 1
    if i < last and (toks[i].text == "," or toks[i].low in ("who", "whose", "that")):
        # "said Jane Doe, the chair of X" / "said an official who was not authorized to
        # speak": an appositive or a relative clause to the end, else the head alone.
        rest = toks[i:last]
        if len(rest) <= _MAX_APPOSITIVE and not any(t.low in _VERBS for t in rest):
            i = last
        elif toks[i].low in ("who", "whose", "that"):
            return None
        else:
            last = i
    if i < last:
        return None
    # "said Jane Doe in a statement": the adverbial is not the source.
    for j in range(begin + 1, i):
        if toks[j - 1].text != "," and _skip_adverbials(s, j) >= i:
            i = j
            break
    first, end = _trim_time(s, begin, i - 1)
    return end + 1 if first == begin else None


def _name_head(s: _Sentence, start: int, end: int) -> str | None:
    """The name that heads the phrase ``[start, end)``: a name at its end after a title or a
    description, with no phrase after the head (``news outlet La Lupa``, ``Finance Minister
    Jane Doe``, but not ``officials in Lima`` nor ``Mexico's president``)."""
    start, end = _strip(s.text, start, end)
    name = s.entity(start, end, NAME_LABELS)
    if not name or name[1] < end:
        return None
    before = s.text[start : name[0]].lower().split()
    if any(w in _PREPOSITIONS or w.endswith(("'s", "’s")) for w in before):
        return None
    return normalize_name(s.text[name[0] : name[1]]) or None


def _speaker(s: _Sentence, start: int, end: int, descriptor: bool = False) -> str:
    """The readable speaker of the source ``[start, end)``: a name with a description gives the
    name (``the news outlet La Lupa``, ``Jane Doe, the chair of X``), other phrases are kept."""
    text = s.text
    if descriptor:
        m = _DESCRIPTOR.match(text, start, end)
        if m and m.end() < end:
            start = m.end()
    comma = next((t.start for t in s.toks if start <= t.start < end and t.text == ","), None)
    if comma is not None:
        # "Jane Doe, the chair of X": the name before the comma; "A spokesperson for X, Jane
        # Doe": the name after it.
        head = _name_head(s, start, comma)
        if head:
            return head
        close = next((t.start for t in s.toks if comma < t.start < end and t.text == ","), end)
        person = s.entity(comma, close, frozenset({"PERSON"}))
        if person and _strip(text, comma, close) == _strip(text, person[0], person[1]):
            return normalize_name(text[person[0] : person[1]])
        end = comma
    head = _name_head(s, start, end)
    if head:
        return head
    start, end = _strip(text, start, end)
    words = " ".join(text[start:end].split())
    first, _, rest = words.partition(" ")
    if first.lower() in _SUBJECT_PRONOUNS and not rest:
        return first.lower() if first != "I" else first
    if rest and first.lower() in _DETERMINERS and first[:1].isupper():
        words = f"{first.lower()} {rest}"
    return words


def _antecedent(s: _Sentence, start: int) -> str | None:
    """For a relative pronoun at ``start`` (``Jane Doe, who said``), the name it follows."""
    before = [t for t in s.toks if t.end <= start]
    if before and before[-1].text == ",":
        before = before[:-1]
    if not before:
        return None
    ent = s.entity(s.start, before[-1].end, NAME_LABELS)
    return normalize_name(s.text[ent[0] : ent[1]]) if ent and ent[1] == before[-1].end else None


def _found(
    s: _Sentence,
    kind: str,
    source: tuple[int, int],
    cue: tuple[int, int],
    content: tuple[int, int] | None,
    *,
    descriptor: bool = False,
) -> Found | None:
    start, end = _strip(s.text, *source)
    if end <= start:
        return None
    speaker = _speaker(s, start, end, descriptor)
    if not speaker:
        return None
    resolved = _antecedent(s, start) if speaker in ("who", "which") else None
    c_start: int | None = None
    c_end: int | None = None
    if content:
        c_start, c_end = _strip(s.text, *content)
        if c_end <= c_start:
            c_start = c_end = None
    return Found(kind, speaker, start, end, cue[0], cue[1], c_start, c_end, resolved)


def _according(s: _Sentence) -> list[Found]:
    toks, out = s.toks, []
    for m in _ACCORDING.finditer(s.text, s.start, s.end):
        i = j = s.index_at(m.end())
        while j < len(toks) and toks[j].text not in _BREAKS and toks[j].text not in ".!?":
            j += 1
        if j == i or j - i > _MAX_APPOSITIVE:
            continue
        lead = s.text[s.start : m.start()].strip(" \t\n\u00a0\"“”'‘’")
        if not lead or lead.endswith(("—", "–", "(", ";", ":")):
            # "According to X, CONTENT"
            content = (toks[j].end, s.end) if j < len(toks) else None
        else:  # "CONTENT, according to X."
            content = (s.start, m.start())
        source = (toks[i].start, toks[j - 1].end)
        found = _found(s, "according_to", source, (m.start(), m.end()), content, descriptor=True)
        if found:
            out.append(found)
    return out


def _skip_adverbials(s: _Sentence, k: int) -> int:
    """Token ``k``, or the token after the adverbials that start there ("in a statement")."""
    if k >= len(s.toks):
        return k
    pos = s.toks[k].start
    m = _AFTER_CUE.match(s.text, pos, s.end)
    return s.index_at(m.end()) if m and m.end() > pos else k


def _content_after(s: _Sentence, k: int, verb: str) -> tuple[tuple[int, int] | None, bool]:
    """What the verb before token ``k`` reports: the rest of the sentence after an addressee
    (``told reporters``), adverbials (``in a statement``) and ``that``; and whether a clause
    is marked (``that``, a colon or a quotation follows)."""
    toks = s.toks
    k = _skip_adverbials(s, k)
    if verb in _ADDRESSEE_VERBS and k < len(toks):
        if toks[k].low in _OBJECT_PRONOUNS or toks[k].low in ("her", "you"):
            k += 1
        else:
            j = k
            while (
                j < len(toks)
                and j - k < 6
                and _is_word(toks[j])
                and toks[j].low != "that"
                and (
                    _capitalized(toks[j])
                    or s.in_entity(toks[j].start)
                    or toks[j].low in _ADDRESSEE_WORDS
                )
                and (j == k or toks[j].low not in _DETERMINERS)
            ):
                j += 1
            k = j
        k = _skip_adverbials(s, k)
    if k < len(toks) and toks[k].low in _PREPOSITIONS:
        # "said in Ohio that ...": the clause after a short phrase.
        for j in range(k + 1, min(len(toks), k + 8)):
            if not _is_word(toks[j]):
                break
            if toks[j].low == "that":
                k = j
                break
    clause = False
    that = None  # the content is the that-clause, "that" included (as PolNeAR marks it)
    while k < len(toks) and (toks[k].low == "that" or toks[k].text in (",", ":", "—", "–")):
        if toks[k].low == "that" and that is None:
            that = toks[k].start
        clause = clause or toks[k].low == "that" or toks[k].text == ":"
        k += 1
    if k >= len(toks):
        return None, clause
    # A quotation, or a subject pronoun ("thinks he will"), opens a clause too.
    clause = clause or toks[k].text in _QUOTES or _base(toks[k]) in _CLAUSE_SUBJECTS
    start, end = _strip(s.text, toks[k].start if that is None else that, s.end)
    return ((start, end) if end > start else None), clause


def _content_before(s: _Sentence, source_start: int) -> tuple[int, int] | None:
    """For a source after a comma or a closing quotation mark (``"CONTENT," X said``,
    ``CONTENT, X said``), the sentence up to there."""
    before = [t for t in s.toks if t.end <= source_start]
    if len(before) < 2 or not (before[-1].text in (",", "—") or before[-1].text in _CLOSE_QUOTES):
        return None
    if not any(_is_word(t) for t in before):
        return None
    return s.start, before[-1].end


def _subject(s: _Sentence, stop: int) -> tuple[int, int] | None:
    """The sentence's subject when it opens the sentence: a pronoun, or a name after its
    titles (``Cleveland Police Chief Jane Doe``), after a fronted phrase ("Before the vote,")."""
    toks = s.toks
    first = 0
    while first < stop and not _is_word(toks[first]):
        first += 1
    comma = next((i for i in range(first, min(stop, first + 8)) if toks[i].text == ","), None)
    if comma is not None and not s.in_entity(toks[first].start):
        first = comma + 1  # "Before the vote, X ...", "Eight years ago, he ..."
    elif first < stop and toks[first].low in _OPENERS:
        return None
    if first >= stop:
        return None
    if toks[first].low in _SUBJECT_PRONOUNS - {"who", "which"}:
        return toks[first].start, toks[first].end
    ent = next((e for e in s.ents if e[2] in NAME_LABELS and e[0] >= toks[first].start), None)
    if ent is None or ent[1] > toks[stop - 1].end:
        return None
    titles = [t for t in toks[first:stop] if t.end <= ent[0]]
    if len(titles) > 6 or any(not (_capitalized(t) or t.low in ("the", "a", "an")) for t in titles):
        return None
    return toks[first].start, ent[1]


def _appositive(s: _Sentence, close: int) -> tuple[int, int] | None:
    """The subject ``NAME, DESCRIPTION`` (or ``NAME — DESCRIPTION``) that ends at token
    ``close``, its closing comma or dash. A description may hold commas itself (``Jane Doe,
    58, who lives in Lima,``; ``Jane Doe, the secretary of Defence, Order and Drugs,``): the
    nearest opening whose phrase before is a person's name wins, else the nearest one."""
    toks = s.toks
    if close < 1 or toks[close].text not in (",", "—", "–"):
        return None
    mark = toks[close].text
    openings = []
    j = close - 1
    while j >= 1 and close - j <= 2 * _MAX_APPOSITIVE:
        if toks[j].text in _CLAUSE_BREAKS:
            if toks[j].text != mark:
                break
            openings.append(j)
        j -= 1
    if not openings or openings[0] == close - 1 or close - openings[0] - 1 > _MAX_APPOSITIVE:
        return None
    chosen = None
    for opening in openings:
        if any(t.low in _VERBS for t in toks[opening + 1 : close]):
            break
        np = _noun_phrase_left(s, opening)
        if np is None:
            continue
        if chosen is None:
            chosen = (opening, np)
        head = s.entity(toks[np[0]].start, toks[opening - 1].end, frozenset({"PERSON"}))
        if head is not None and head[1] == toks[opening - 1].end:
            chosen = (opening, np)
            break
    if chosen is None:
        return None
    opening, np = chosen
    middle = toks[opening + 1 : close]
    begin = toks[np[0]].start
    if (
        middle[0].low in _PARENTHETICAL
        or middle[0].low in _PREPOSITIONS
        or middle[0].low in ("without", "referring", "speaking", "citing", "after", "before")
        or middle[0].low.endswith("ing")
    ):
        return begin, toks[opening - 1].end  # "Clinton, however, said", "X, in contrast,"
    return begin, toks[close - 1].end


def _headline(s: _Sentence) -> bool:
    """Whether the sentence is written in title case (a headline: "Jane Doe Says ...")."""
    words = [t for t in s.toks if _is_word(t) and len(t.text) > 3]
    return len(words) >= 3 and sum(1 for t in words if _capitalized(t)) >= 0.7 * len(words)


def _reporting(s: _Sentence, found: list[Found]) -> list[Found]:
    toks = s.toks
    out: list[Found] = []
    taken = [(f.speaker_start, f.speaker_end) for f in found]
    headline: bool | None = None
    for k, tok in enumerate(toks):
        verb = tok.low
        if verb not in _VERBS:
            continue
        titled = False
        if not tok.text.islower():
            if verb not in _STRONG or not tok.text[1:].islower():
                continue
            if headline is None:
                headline = _headline(s)
            if not headline:
                continue
            titled = True
        if any(a <= tok.start < b for a, b in taken):
            continue
        # The cue: the verb and the auxiliaries and adverbs before it.
        c = k
        while c > 0 and _adverb(toks[c - 1]):
            c -= 1
        prev = toks[c - 1] if c > 0 else None
        if prev is not None and prev.low in _PASSIVE:
            continue  # "it has been confirmed that", "he was told": no speaker named
        if prev is not None and prev.low in _NOT_SUBJECT:
            continue  # "refused to say", "have a say", "his claims"
        if verb == "learned" and c == k:
            continue  # only "has learned"
        if verb in _ING and not (prev is not None and (prev.text == "," or prev.low in _AND)):
            continue  # "data showing that", "Sanders vowing to fight": not a report
        cue = (toks[c].start, tok.end)
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        after, clause = _content_after(s, k + 1, verb)
        prior = out[-1] if out else (found[-1] if found else None)
        source: tuple[int, int] | None
        content: tuple[int, int] | None
        if titled:
            # "Jane Doe Says No To Debates": the name before the verb.
            # "Jane Doe Says No To Debates": the name, or the words, before the verb.
            words = 0
            while words < c and _is_word(toks[c - 1 - words]) and words < 6:
                words += 1
            ent = next(
                (e for e in s.ents if prev and e[1] == prev.end and e[2] in NAME_LABELS), None
            )
            if words == c:
                source = (toks[0].start, toks[c - 1].end)
            elif ent is not None:
                source = (ent[0], ent[1])
            else:
                continue
            content = after
        elif prev is not None and (prev.low in _AND or (prev.text == "," and verb in _ING)):
            # "..., saying CONTENT" / "X did Y and said CONTENT": the earlier subject speaks.
            if verb in _WEAK and not clause:
                continue
            if prior is not None:
                source = (prior.speaker_start, prior.speaker_end)
            else:
                source = _subject(s, c - 1)
            content = after
        elif prev is not None and (prev.text in (",", "—", "–") or prev.text in _CLOSE_QUOTES):
            end = None
            if (
                nxt is not None
                and verb not in _ADDRESSEE_VERBS
                and _is_word(nxt)
                and nxt.low not in _STOP
                and nxt.low not in _PREPOSITIONS
                and nxt.low not in _PRONOUNS
                and not _is_time(s, nxt)
            ):
                end = _noun_phrase_right(s, k + 1, to_end=True)
            if end is not None and nxt is not None:
                # '"CONTENT," said X.' / 'CONTENT, said X, the Y of Z.'
                source = (nxt.start, toks[end - 1].end)
                content = (s.start, prev.end)
            else:
                # 'X, the Y of Z, said CONTENT' / '"CONTENT," X, the Y of Z, said.'
                source = _appositive(s, c - 1)
                if source is None:
                    continue
                ok, content = _pick_content(s, source[0], after, clause, verb)
                if not ok:
                    continue
        else:
            np = _noun_phrase_left(s, c)
            if np is None:
                continue
            source = (toks[np[0]].start, toks[np[1]].end)
            ok, content = _pick_content(s, source[0], after, clause, verb)
            if not ok:
                continue
        if source is None:
            continue
        f = _found(s, "reporting_verb", source, cue, content)
        if f:
            out.append(f)
            taken.append((f.speaker_start, f.speaker_end))
    return out


def _pick_content(
    s: _Sentence,
    source_start: int,
    after: tuple[int, int] | None,
    clause: bool,
    verb: str,
) -> tuple[bool, tuple[int, int] | None]:
    """The content of a subject-verb attribution: before the source (``"CONTENT," X said``,
    ``CONTENT, X said.``) or after the verb; first False when the verb reports nothing."""
    before = _content_before(s, source_start)
    if before is not None and not clause:
        quoted = s.text[before[1] - 1] in "\"”»'"
        if (
            quoted
            or after is None
            or s.text[after[0] : after[1]].split()[0].lower() in _PREPOSITIONS
        ):
            return True, before
    if (verb in _WEAK or verb in _NOUNISH) and not clause:
        return False, None
    return True, after


def find_attributions(
    text: str, start: int, end: int, ents: Sequence[tuple[int, int, str]]
) -> list[Found]:
    """The attributions of the sentence ``text[start:end]``, in the order of their cues.

    ``ents`` are the sentence's entities as ``(start, end, label)`` document offsets.
    """
    if _CUE_WORDS.isdisjoint(_LETTERS.findall(text[start:end].lower())):
        return []
    s = _Sentence(text, start, end, ents)
    found = _according(s)
    found += _reporting(s, found)
    return sorted(found, key=lambda f: f.cue_start)


def find_attribution(
    text: str, start: int, end: int, ents: Sequence[tuple[int, int, str]]
) -> Found | None:
    """The first attribution of the sentence ``text[start:end]``, if it names a speaker."""
    found = find_attributions(text, start, end, ents)
    return found[0] if found else None
