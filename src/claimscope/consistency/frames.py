"""Whether two counts are of the same thing, read from the words around each: who the count is
about and what is done with it.

Two sentences that share a name and a unit still often count different things: an article on a
coal mine says a company ``agreed to lend $5 million`` and that a union ``invested $10 million``;
another says ``four women`` accused Bill Clinton and ``more than 10 women`` accused Trump. Two
checks catch these without a parser:

- the **subject**: the people and organisations named in each count's clause (from the clause
  break before the count to the one after it); when both clauses name some and none is the
  same, the counts are about different people;
- the **action**, for amounts of money, people, votes and measures, which could count anything:
  the content word that governs the count (the nearest before it, names and qualifiers skipped:
  ``lend``, ``invested``, ``spent``) must be the same word on both sides.
"""

from __future__ import annotations

import itertools
import re

from claimscope.consistency.statements import Count, Statement
from claimscope.consistency.topic import entity_keys, written_names
from claimscope.consistency.words import MEASURES, STOP, entity_key, stem, synonym, word_set

# Words that end a clause around a count; punctuation ends one too.
_CLAUSE_WORDS = word_set("who whom which that while whereas but because although though")
_BREAKS = set(',;:()[]—–"“”')
_REPORTING = word_set("said says say told tells claimed claims reported according that")
# Qualifiers and function words that sit between a count and the word governing it.
_SKIP = STOP | word_set(
    """approximately roughly nearly almost around about some estimated least most just over
    under only another additional total whopping mere record some"""
)
# Counts of these say little about what is counted (people employed, evacuated, protesting;
# money spent, owed, paid; hectares burnt, bought, protected).
_GENERIC_KINDS = frozenset({"people", "abstentions"})
# Words before a count that govern it loosely, saying nothing about the action.
_LOOSE = word_set("with and or for to")
# How far from the count the governing word may be, in words.
_REACH = 4


def generic_kind(kind: str) -> bool:
    """Whether counts of ``kind`` could count anything: money (a currency code), people,
    votes and measures."""
    return (
        kind in _GENERIC_KINDS
        or kind.startswith("votes")
        or kind in MEASURES
        or (kind.isupper() and len(kind) == 3)
    )


def _clause(st: Statement, start: int, end: int) -> tuple[int, int]:
    """Document offsets of the clause around ``[start, end)``: from the break before it to the
    break after it (punctuation, or a word opening a relative or contrasting clause)."""
    text, base = st.text, st.start
    lo = start - base
    while lo > 0 and text[lo - 1] not in _BREAKS:
        lo -= 1
    hi = end - base
    while hi < len(text) and text[hi] not in _BREAKS:
        hi += 1
    for t in st.words:
        if t.start >= end - base and t.start < hi and t.word in _CLAUSE_WORDS:
            hi = t.start
            break
    return base + lo, base + hi


_PEOPLE = frozenset({"PERSON", "ORG"})
_PLACES = frozenset({"GPE", "LOC"})


def _name_keys(st: Statement, start: int, end: int, labels: frozenset[str]) -> set[str]:
    """Keys of the names of ``labels`` in ``[start, end)``; each word of a name counts too, so
    that ``Bill Clinton`` and ``Clinton`` meet."""
    keys: set[str] = set()
    for n in st.agents:
        if n.label in labels and n.start >= start and n.end <= end:
            key = entity_key(n.norm)
            keys.add(key)
            keys.update(w for w in key.split() if w not in STOP and len(w) > 2)
    return keys


def _complement_end(st: Statement, end: int) -> int:
    """Where what is said of a count ends: the next punctuation, past any relative clause
    (``four women who accused Ray Albers``)."""
    hi = end - st.start
    while hi < len(st.text) and st.text[hi] not in _BREAKS:
        hi += 1
    return st.start + hi


def _differ(ka: set[str], kb: set[str]) -> bool:
    return bool(ka and kb and not ka & kb)


def subject_clash(a: Statement, ca: Count, b: Statement, cb: Count) -> bool:
    """True when the counts are said of different people, organisations or places: the
    people named before each count in its clause differ (``Ray Albers drew 5,000 people``,
    ``Dale Whitmore drew 12,000``), or those named after it (``four women who accused Ray
    Albers``, ``10 women have accused Dale Whitmore``), or the places by each count differ and
    neither sentence names the other's (``800 voters in Ohio``, ``1,200 voters in Florida``;
    but ``1,000 troops to Peru, officials in Lima said`` meets ``700 troops ... in Lima``)."""
    a_lo, _ = _clause(a, ca.start, ca.end)
    b_lo, _ = _clause(b, cb.start, cb.end)
    a_hi, b_hi = _complement_end(a, ca.end), _complement_end(b, cb.end)
    if _differ(_name_keys(a, a_lo, ca.start, _PEOPLE), _name_keys(b, b_lo, cb.start, _PEOPLE)):
        return True
    if _differ(_name_keys(a, ca.end, a_hi, _PEOPLE), _name_keys(b, cb.end, b_hi, _PEOPLE)):
        return True
    pa, pb = _name_keys(a, a_lo, a_hi, _PLACES), _name_keys(b, b_lo, b_hi, _PLACES)
    elsewhere_a = entity_keys(a) | written_names(a)
    elsewhere_b = entity_keys(b) | written_names(b)
    return bool(pa and pb and not pa & elsewhere_b and not pb & elsewhere_a)


def subject_words(st: Statement, start: int) -> set[str]:
    """What the clause says before ``start`` (a verb's subject: ``Several Republican
    lawmakers``, ``Speaker Tom Mercer``): its content words as stems and its names as keys."""
    lo = start - st.start
    while lo > 0 and st.text[lo - 1] not in _BREAKS:
        lo -= 1
    words = [t for t in st.words if t.start >= lo and t.end <= start - st.start]
    # Reported speech: the subject is what follows "said" ("Lena Varga said Ostmark will not").
    reported = [i for i, t in enumerate(words) if t.word in _REPORTING]
    if reported:
        words = words[reported[-1] + 1 :]
    out = set()
    for t in words:
        raw = st.text[t.start : t.end]
        if t.word in STOP or t.word in _SKIP or not t.word.isalpha():
            continue
        out.add(entity_key(raw) if raw[:1].isupper() else synonym(stem(t.word)))
    return out


def _clause_names(st: Statement, start: int, end: int) -> set[str]:
    """Keys of the names written in the clause around ``[start, end)``: each capitalized word
    that is no function word, and runs of up to three of them (``White House``)."""
    lo, hi = _clause(st, start, end)
    words = [
        t
        for t in st.words
        if t.start >= lo - st.start
        and t.end <= hi - st.start
        and not (t.end > start - st.start and t.start < end - st.start)  # the count itself
        and st.text[t.start : t.start + 1].isupper()
        and t.word not in STOP
    ]
    keys = {entity_key(st.text[t.start : t.end]) for t in words}
    for i in range(len(words) - 1):
        for j in range(i + 1, min(len(words), i + 3)):
            if st.text[words[j - 1].end : words[j].start] != " ":
                break
            keys.add(entity_key(st.text[words[i].start : words[j].end]))
    return keys


def clauses_share_name(
    a: Statement, a_span: tuple[int, int], b: Statement, b_span: tuple[int, int]
) -> bool:
    """Whether the two counts' own clauses name one thing (``the Harlow bridge will cost $12
    million``, ``the Harlow bridge will cost $20 million``)."""
    return bool(_clause_names(a, *a_span) & _clause_names(b, *b_span))


def anchored(a: Statement, a_span: tuple[int, int], b: Statement, b_span: tuple[int, int]) -> bool:
    """Whether a name the two sentences share stands in one of the two clauses that hold the
    counts (``sending 1,000 troops to Peru`` and ``700 troops are expected in Peru``), not only
    elsewhere in long sentences about a campaign (``Clinton`` in both, the delegates of
    different states in the clauses)."""
    names_a = entity_keys(a) | written_names(a)
    names_b = entity_keys(b) | written_names(b)
    return bool(_clause_names(a, *a_span) & names_b or _clause_names(b, *b_span) & names_a)


# A count right after these scopes something else ("voters in six states"): it is not what the
# sentence counts.
_SCOPE = word_set("in across among throughout within")
_SCOPE_SKIP = word_set("all the those these its their his her")
# After a count: a requirement or what is available, not how many there are ("1,237 delegates
# needed", "71 delegates short of", "60 delegates at stake", "up for grabs").
_MODAL_AFTER = word_set("needed required short left remaining available")
_MODAL_PAIRS = {("at", "stake"), ("up", "for"), ("to", "go")}
# After a count: a step in a sequence ("six stops later", "three days ago").
_SEQUENCE = word_set("later earlier ago apart away")
# Before a count (a few words back): "would need 159", "needs 67", "to reach 2,383".
_MODAL_BEFORE = word_set("need needs needed require requires reach clinch")
# Right before a count: a selection ("the first two states", "the top three"), not a total.
_SELECTION = word_set("first last top next past final")
# After a count: a rate ("$10 an hour", "300 a day").
_RATE_UNITS = word_set("hour day week month year night")
# A sentence with these reports a running total, which changes as results come in (a live
# report's "Trump leads with 182 delegates", then "with 221 delegates").
_TALLY = (
    "so far",
    "to date",
    "overall",
    "leads with",
    "in all",
    "as of",
    "running total",
    "now has",
    "now have",
    "now holds",
    "now leads",
    "currently has",
)
_CONDITIONS = word_set("if unless whether")


def not_a_claimed_count(st: Statement, c: Count) -> bool:
    """Whether a count says something other than how many of a thing there are: a
    hypothesis (``if he were to hold onto his 39 superdelegates``), a scope (``voters in six
    states``), an attribute (``a 214-delegate advantage``, ``his 28-stop tour``), a requirement
    or a stake (``the 1,237 delegates needed``, ``60 delegates at stake``) or a running total
    (``so far``, ``overall``)."""
    start, end = c.start - st.start, c.end - st.start
    toks = st.words
    before = [t.word for t in toks if t.end <= start]
    after = [t.word for t in toks if t.start >= end]
    if any(w in _CONDITIONS for w in before):
        return True
    scope = [w for w in before[-3:] if w not in _SCOPE_SKIP]
    if scope and scope[-1] in _SCOPE:
        return True
    if re.search(r"\w-\w+$", st.text[start:end]):
        return True  # "214-delegate": the count describes another thing
    if (after[:1] and after[0] in _MODAL_AFTER | _SEQUENCE) or tuple(after[:2]) in _MODAL_PAIRS:
        return True
    # "60 pledged delegates and seven superdelegates were at stake": the stake, further on.
    said = [t.word for t in toks if end <= t.start < _complement_end(st, c.end) - st.start]
    if set(itertools.pairwise(said)) & _MODAL_PAIRS:
        return True
    if _modifier(st, c, after):
        return True
    if any(w in _MODAL_BEFORE for w in before[-5:]):
        return True
    if before and before[-1] in _SELECTION:
        return True
    if len(after) >= 2 and after[0] in ("a", "an", "per") and after[1] in _RATE_UNITS:
        return True
    if len(before) >= 2 and before[-2:] == ["out", "of"]:
        return True  # "seven out of 11 states": a ratio
    lowered = st.text.lower()
    return any(cue in lowered for cue in _TALLY)


def _modifier(st: Statement, c: Count, after: list[str]) -> bool:
    """Whether the counted word is a modifier of the noun after it (``three delegate slots``
    counts slots): a singular unit after a number other than one, followed by a noun."""
    last = st.text[c.start - st.start : c.end - st.start].split()[-1:]
    if not last or c.value == 1 or not last[0].isalpha() or last[0].lower().endswith("s"):
        return False
    if not after or not after[0].isalpha() or after[0] in STOP:
        return False
    return not after[0].endswith(("ed", "ing", "ly"))


def attribute_noun(st: Statement, c: Count) -> str | None:
    """The noun an amount describes when it stands before one (``a $50 million tower``, ``the
    $46 million cost gap``): the amount is then an attribute of that thing."""
    after = [t for t in st.words if t.start >= c.end - st.start][:1]
    if not after or st.text[c.end - st.start : after[0].start].strip():
        return None
    word = after[0].word
    if word in STOP or not word.isalpha() or word.endswith(("ed", "ing", "ly")):
        return None
    return synonym(stem(word))


def governing_word(st: Statement, c: Count) -> str | None:
    """The stem of the content word nearest before the count in its clause (``lend`` in
    ``agreed to lend Mr. Clarke $5 million``), names and qualifiers skipped; None if there is
    none within reach."""
    lo, _ = _clause(st, c.start, c.end)
    before = [t for t in st.words if t.end <= c.start - st.start and t.start >= lo - st.start]
    for t in reversed(before[-(_REACH + 2) :]):
        raw = st.text[t.start : t.end]
        if t.word == "of":
            continue  # "repayment of $50 million": the noun before "of" governs it
        if t.word in _REPORTING:
            return None  # "the army said roughly 700 troops": what governs it comes after
        if t.word in _LOOSE:
            return None  # "with $5 million": the count hangs on a preposition, not an action
        if t.word in _SKIP or raw[:1].isupper() or not t.word.isalpha():
            continue
        return synonym(stem(t.word))
    return None


def same_action(a: Statement, ca: Count, b: Statement, cb: Count, *, strict: bool) -> bool:
    """Whether both counts are governed by the same word (True when either has none: nothing
    then says they differ); ``strict`` (counts that could count anything): they must also
    describe the same thing when they stand before a noun (``a $50 million tower`` is not
    ``$27 million`` raised)."""
    wa, wb = governing_word(a, ca), governing_word(b, cb)
    if not (wa is None or wb is None or wa == wb):
        return False
    return not strict or attribute_noun(a, ca) == attribute_noun(b, cb)
