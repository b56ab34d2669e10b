"""Number contradictions: two counts of one thing that cannot both hold, or a count against a
statement that the number is not known (``700 troops`` vs ``the number ... remains undisclosed``).

Qualifiers make a count an interval (``about 700`` is 595 to 805, ``at least 70`` is 70 or
more) and two counts contradict only when their intervals are disjoint. A count that is a part
(``another 50``, ``the first group of``), a change (``up from 900``) or one of a breakdown (two
counts of one thing in one sentence) is left alone, as are counts far apart in scale or time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from claimscope.consistency.findings import Finding, Kind, Side
from claimscope.consistency.frames import (
    anchored,
    clauses_share_name,
    generic_kind,
    not_a_claimed_count,
    same_action,
    subject_clash,
)
from claimscope.consistency.rules import Rules
from claimscope.consistency.statements import Count, Statement
from claimscope.consistency.topic import Context, Shared, shared
from claimscope.consistency.words import (
    STOP,
    Token,
    count_class,
    nationalities,
    stem,
    synonym,
    word_set,
)

# The word just before a count that makes it a part, a change or a rate, not the whole count.
_PART_BEFORE = word_set(
    """another additional extra further more remaining other each per every only from to by
    than versus vs between and or including"""
)
# "group of 50", "half of 700": the word before "of" that makes the count a part.
_PART_OF = word_set(
    """group part some most many half none all batch wave rest share majority minority first
    last contingent unit"""
)
_SPECULATIVE = word_set("could might may")
_PART_NOUN = word_set("more additional extra further other new remaining fewer")
_CHANGE = word_set("up down compared rise rose fell fall increase increased decrease decreased")
# Unknown-number statements.
_UNKNOWN_ADJ = {
    "unspecified": "unspecified",
    "undisclosed": "undisclosed",
    "unknown": "unknown",
    "unconfirmed": "unconfirmed",
    "undetermined": "undetermined",
    "unreported": "unreported",
    "uncertain": "uncertain",
    "unclear": "unclear",
    "indeterminate": "undetermined",
    "secret": "secret",
}
# Participles that say a number is known, when negated ("has not been disclosed").
_KNOWN_VERBS = {
    "disclosed": "undisclosed",
    "revealed": "undisclosed",
    "released": "undisclosed",
    "published": "undisclosed",
    "public": "undisclosed",
    "announced": "undisclosed",
    "confirmed": "unconfirmed",
    "specified": "unspecified",
    "known": "unknown",
    "given": "undisclosed",
}
_STATE_CHAIN = word_set(
    """remain remains remained is was are were has have had still yet so far been be to not
    never publicly officially made being"""
)
# The verbs that open a statement of the number's state ("sent to Halvik remains undisclosed":
# the words before it still describe the counted thing).
_STATE_VERBS = word_set("remain remains remained is was are were has have had")
# Words that end the counted noun phrase: "the number of soldiers remains undisclosed".
_NP_ENDS = _STATE_CHAIN | set(_UNKNOWN_ADJ) | set(_KNOWN_VERBS)
_NUMBER_WORDS = word_set("exact precise total actual overall full")
_WITHHOLD = word_set(
    "disclose reveal give say specify confirm release provide announce publish state"
)
_REFUSE = word_set("declined declines refused refuses")
_AUX = word_set("do does did would will could can has have had")


@dataclass(frozen=True, slots=True)
class Unknown:
    """A statement that the number of something is not known: ``an unspecified number of US
    military personnel``, ``the exact number of soldiers has not been disclosed``."""

    start: int
    end: int
    kind: str  # the counted class
    word: str  # undisclosed, unknown, unspecified...
    noun: str  # the counted noun phrase as written


def _noun_phrase(st: Statement, toks: list[Token], i: int) -> tuple[int, str, str] | None:
    """The noun phrase from token ``i`` (``US military personnel``): ``(last index, class,
    text)``; its head is the last word before a stop word, a participle or a break."""
    j = i
    while j < len(toks) and j - i < 4:
        t = toks[j]
        raw = st.text[t.start : t.end]
        if not t.word[0].isalpha() or (t.word in STOP and not raw.isupper()):
            break
        if j > i and (t.word.endswith(("ed", "ing")) or t.word in _NP_ENDS):
            break
        if j > i and st.text[toks[j - 1].end : t.start].strip():
            break  # punctuation between the words
        j += 1
    # The head is the last word that names a kind of thing counted: "Ostmark soldiers sent"
    # is about soldiers ("sent" is a participle the check above cannot tell from a noun).
    heads = [k for k in range(i, j) if count_class(toks[k].word) is not None]
    if not heads:
        return None
    named = [
        k
        for k in heads
        if toks[k].word.endswith("s") or count_class(toks[k].word) != stem(toks[k].word)
    ]
    last = (named or heads)[-1]
    kind = count_class(toks[last].word)
    assert kind is not None
    return last, kind, st.text[toks[i].start : toks[last].end]


def unknown_counts(st: Statement) -> list[Unknown]:
    """The statements in ``st`` that some number is not known or not disclosed."""
    return st.memo("unknown_counts", _unknown_counts)


def _unknown_counts(st: Statement) -> list[Unknown]:
    """The statements in ``st`` that some number is not known or not disclosed."""
    toks = st.words
    found: list[Unknown] = []
    for i, t in enumerate(toks):
        if t.word != "number" or i + 1 >= len(toks) or toks[i + 1].word != "of":
            continue
        phrase = _noun_phrase(st, toks, i + 2)
        if phrase is None:
            continue
        last, kind, noun = phrase
        start = i
        while start > 0 and toks[start - 1].word in _NUMBER_WORDS | {"an", "a", "the"}:
            start -= 1
        before = toks[start - 1].word if start > 0 else ""
        if before in _UNKNOWN_ADJ:  # an unspecified number of ...
            first = start - 2 if start >= 2 and toks[start - 2].word in ("an", "a") else start - 1
            found.append(
                Unknown(
                    st.start + toks[first].start,
                    st.start + toks[last].end,
                    kind,
                    _UNKNOWN_ADJ[before],
                    noun,
                )
            )
            continue
        withheld = _withheld_before(toks, start)
        if withheld is not None:  # declined to say the number of ...
            found.append(
                Unknown(
                    st.start + toks[withheld].start,
                    st.start + toks[last].end,
                    kind,
                    "undisclosed",
                    noun,
                )
            )
            continue
        state = _state_after(toks, last + 1)
        if state is not None:  # the exact number of ... remains undisclosed
            end, word = state
            found.append(
                Unknown(st.start + toks[start].start, st.start + toks[end].end, kind, word, noun)
            )
    return found


def _withheld_before(toks: list[Token], i: int) -> int | None:
    """The index where ``did not disclose`` / ``declined to give`` starts, when it comes just
    before token ``i``."""
    if i < 2 or toks[i - 1].word not in _WITHHOLD:
        return None
    cue = toks[i - 2].word
    if cue == "to" and i >= 3 and toks[i - 3].word in _REFUSE:
        return i - 3
    if cue == "not":
        return i - 3 if i >= 3 and toks[i - 3].word in _AUX else i - 2
    return None


def _state_after(toks: list[Token], i: int) -> tuple[int, str] | None:
    """``(index, word)`` of ``undisclosed`` / ``not ... disclosed`` within a few words after
    the noun phrase (``involved in this operation remains undisclosed``)."""
    limit = min(len(toks), i + 10)
    j = i
    while j < limit and toks[j].word not in _STATE_VERBS:
        j += 1  # words still describing the counted thing
        if j - i > 5:
            return None
    negated = False
    while j < limit:
        word = toks[j].word
        if word in ("not", "never", "yet"):
            negated = True
        elif word in _UNKNOWN_ADJ:
            return j, _UNKNOWN_ADJ[word]
        elif word in _KNOWN_VERBS:
            return (j, _KNOWN_VERBS[word]) if negated else None
        elif word not in _STATE_CHAIN:
            return None
        j += 1
    return None


@dataclass(frozen=True, slots=True)
class Usable:
    """A count the number rules may compare, with the class of what it counts."""

    count: Count
    kind: str


def usable_counts(st: Statement) -> list[Usable]:
    """The counts of ``st`` that state how many of a thing there are (not parts, changes,
    rates or items of a breakdown)."""
    return st.memo("usable_counts", _usable_counts)


def _usable_counts(st: Statement) -> list[Usable]:
    """The counts of ``st`` that state how many of a thing there are (not parts, changes,
    rates or items of a breakdown)."""
    if st.question:
        return []
    toks = st.words
    classed = [(c, count_class(c.unit)) for c in st.counts]
    # Two different counts of one thing in one sentence are a breakdown ("700 to the coast and
    # 300 to the border"), not two claims about the whole.
    values: dict[str, set[float]] = {}
    for c, kind in classed:
        if kind is not None:
            values.setdefault(kind, set()).add(c.value)
    out: list[Usable] = []
    for c, kind in classed:
        if kind is None or len(values[kind]) > 1:
            continue
        if not math.isfinite(c.value) or c.value <= 0 or _is_part(st, toks, c):
            continue
        if not_a_claimed_count(st, c):
            continue
        out.append(Usable(c, kind))
    return out


def _is_part(st: Statement, toks: list[Token], c: Count) -> bool:
    start, end = c.start - st.start, c.end - st.start
    before = [t.word for t in toks if t.end <= start][-4:]
    after = [t.word for t in toks if t.start >= end][:2]
    if before and before[-1] in _PART_BEFORE:
        return True
    raw = [st.text[t.start : t.end] for t in toks if t.end <= start][-4:]
    if any(w in _SPECULATIVE for w in raw):  # lower case: "May" is a month
        return True  # "could damage 300 hectares": a possibility, not a count
    if len(before) >= 2 and before[-1] == "of" and before[-2] in _PART_OF:
        return True
    if len(before) >= 2 and before[-1] in ("in", "of") and _is_number(before[-2]):
        return True  # "nine of 10 Republicans", "six in 10 Democrats": a ratio
    if any(w in _CHANGE for w in before[-2:]):
        return True
    if after[:1] in (["of"], ["per"], ["each"], ["more"]) or after[:2] == ["a", "day"]:
        return True
    noun = (c.noun or "").lower().split()
    return any(w in _PART_NOUN for w in noun)


_NUMBER_NAMES = word_set("one two three four five six seven eight nine ten eleven twelve")


def _is_number(word: str) -> bool:
    return word in _NUMBER_NAMES or word.replace(",", "").isdigit()


def _interval(c: Count, tolerance: float) -> tuple[float, float]:
    v = c.value
    if c.qualifier in ("approx", "estimated"):
        return v * (1 - tolerance), v * (1 + tolerance)
    if c.qualifier in ("at_least", "more_than"):
        return v, math.inf
    if c.qualifier in ("at_most", "up_to", "less_than"):
        return 0.0, v
    return v, v


def _same_time(a: Statement, b: Statement) -> bool:
    """False when both statements are dated and their dates do not overlap (then the counts
    may well both be true: 900 last year, 1,500 this year)."""
    if not a.dates or not b.dates:
        return True
    return any(x.first <= y.last and y.first <= x.last for x in a.dates for y in b.dates)


def _nationality_clash(a: Count, b: Count) -> bool:
    """``American troops`` and ``Peruvian troops`` are different troops."""
    na = nationalities((a.noun or "").split())
    nb = nationalities((b.noun or "").split())
    return bool(na and nb and not na & nb)


def as_written(st: Statement, start: int, end: int) -> str:
    """A span's text on one line, a leading capital lowered (``About 700`` -> ``about 700``)."""
    text = " ".join(st.part(start, end).split())
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower():
        text = text[0].lower() + text[1:]
    return text


def clash(
    kind: Kind,
    a: Statement,
    a_span: tuple[int, int],
    b: Statement,
    b_span: tuple[int, int],
    score: float,
    *,
    quoted: bool = False,
) -> Finding:
    """The finding that ``a_span`` of ``a`` and ``b_span`` of ``b`` cannot both be true,
    explained by the two as written (``700 vs. 900``; ``quoted``: ``“…” vs. “…”``)."""
    left, right = as_written(a, *a_span), as_written(b, *b_span)
    if quoted:
        left, right = f"“{left}”", f"“{right}”"
    return Finding(
        kind,
        Side(a.doc, a.sentence, *a_span),
        Side(b.doc, b.sentence, *b_span),
        f"{left} vs. {right}",
        round(score, 2),
    )


def _counted_words(*statements: Statement) -> set[str]:
    """The words naming what the statements count (``votes``, ``abstentions``, ``troops``):
    shared, they are the comparison, not evidence that both are about one thing."""
    words = {"number"}
    for st in statements:
        for c in st.counts:
            words.update(f"{c.noun or ''} {c.unit or ''}".lower().split())
            kind = count_class(c.unit)
            if kind:
                words.add(kind)
        for gap in unknown_counts(st):
            words.update(gap.noun.lower().split())
            words.add(gap.kind)
    return {synonym(stem(w)) for w in words} | words


def _same_thing(kind: str, evidence: Shared) -> bool:
    """Whether two counts of ``kind`` are of one thing: both sentences name the same entity,
    and, for people, votes, money and measures, also share a word for the thing (``contract``,
    ``auction``; not a verb such as ``approved``)."""
    if not evidence.names:
        return False
    return bool(evidence.things) or not generic_kind(kind)


def same_frame(kind: str, a: Statement, ca: Count, b: Statement, cb: Count) -> bool:
    """Whether the two counts' clauses say they count one thing: no different people,
    organisations or places as their subject, and the same action (``spent`` and ``spent``, not
    ``lend`` and ``invested``; for counts that could count anything, money, people, votes and
    measures, also the same noun described)."""
    if subject_clash(a, ca, b, cb):
        return False
    generic = generic_kind(kind)
    # Money, people and votes are counted all through an article (each PAC's spending, each
    # group's donations): both clauses must name the thing the count is of.
    if generic and not clauses_share_name(a, (ca.start, ca.end), b, (cb.start, cb.end)):
        return False
    return same_action(a, ca, b, cb, strict=generic)


def _far_apart(context: Context, rules: Rules) -> bool:
    """Whether two documents were published too far apart for their counts to be compared."""
    return context.days_apart is not None and context.days_apart > rules.max_days_apart


def count_findings(a: Statement, b: Statement, context: Context, rules: Rules) -> list[Finding]:
    """Counts in ``a`` and ``b`` of one thing that contradict each other."""
    found: list[Finding] = []
    if not _same_time(a, b) or _far_apart(context, rules):
        return found
    for ua in usable_counts(a):
        for ub in usable_counts(b):
            if ua.kind != ub.kind:
                continue
            ca, cb = ua.count, ub.count
            low, high = sorted((ca.value, cb.value))
            if high / low > rules.max_ratio or _nationality_clash(ca, cb):
                continue
            a_lo, a_hi = _interval(ca, rules.approx_tolerance)
            b_lo, b_hi = _interval(cb, rules.approx_tolerance)
            slack = 1 + rules.rounding
            if a_lo <= b_hi * slack and b_lo <= a_hi * slack:
                continue  # compatible: about 700 and roughly 700, at least 70 and 100
            evidence = shared(a, b, context, ignore=_counted_words(a, b))
            if not _same_thing(ua.kind, evidence) or not same_frame(ua.kind, a, ca, b, cb):
                continue
            if not context.same_doc and not anchored(a, (ca.start, ca.end), b, (cb.start, cb.end)):
                continue
            hedged = {ca.qualifier, cb.qualifier} & {"approx", "estimated"}
            score = min(0.95, 0.7 + 0.05 * evidence.size) - (0.1 if hedged else 0.0)
            found.append(clash("number", a, (ca.start, ca.end), b, (cb.start, cb.end), score))
    return found


def unknown_findings(a: Statement, b: Statement, context: Context, rules: Rules) -> list[Finding]:
    """A count in one statement against the other's saying that number is not known."""
    found: list[Finding] = []
    if _far_apart(context, rules):
        return found
    for known, unknown in ((a, b), (b, a)):
        gaps = unknown_counts(unknown)
        if not gaps:
            continue
        for u in usable_counts(known):
            for gap in gaps:
                if gap.kind != u.kind:
                    continue
                c = u.count
                if _nationality_clash(c, Count(0, 0, 1, None, "exact", gap.noun)):
                    continue
                evidence = shared(known, unknown, context, ignore=_counted_words(a, b))
                # Across documents only a shared name, by one of the clauses, says two sentences
                # count one thing.
                if not context.same_doc and not (
                    evidence.names
                    and anchored(known, (c.start, c.end), unknown, (gap.start, gap.end))
                ):
                    continue
                if context.same_doc and not evidence:
                    continue
                hedged = c.qualifier in ("approx", "estimated")
                score = min(0.9, 0.7 + 0.05 * evidence.size) - (0.1 if hedged else 0.0)
                side_known = Side(known.doc, known.sentence, c.start, c.end)
                side_gap = Side(unknown.doc, unknown.sentence, gap.start, gap.end)
                article = "an" if gap.word[0] in "aeiou" else "a"
                text = (
                    f"{as_written(known, c.start, c.end)} vs. "
                    f"{article} {gap.word} number of {' '.join(gap.noun.split())}"
                )
                found.append(Finding("number", side_known, side_gap, text, round(score, 2)))
    return found
