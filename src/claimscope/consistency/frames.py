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

from claimscope.consistency.statements import Count, Statement
from claimscope.consistency.topic import entity_keys, written_names
from claimscope.consistency.words import MEASURES, STOP, entity_key, stem, synonym, word_set

# Words that end a clause around a count; punctuation ends one too.
_CLAUSE_WORDS = word_set("who whom which that while whereas but because although though")
_BREAKS = set(',;:()[]—–"“”')
# Qualifiers and function words that sit between a count and the word governing it.
_SKIP = STOP | word_set(
    """approximately roughly nearly almost around about some estimated least most just over
    under only another additional total whopping mere record some"""
)
# Counts of these say little about what is counted (people employed, evacuated, protesting;
# money spent, owed, paid; hectares burnt, bought, protected).
_GENERIC_KINDS = frozenset({"people", "abstentions"})
# Words before a count that govern it loosely, saying nothing about the action.
_LOOSE = word_set("with and or of for to")
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


def _agent_keys(st: Statement, start: int, end: int) -> set[str]:
    """Keys of the people and organisations named in ``[start, end)``; each word of a name
    counts too, so that ``Bill Clinton`` and ``Clinton`` meet."""
    keys: set[str] = set()
    for n in st.agents:
        if n.start >= start and n.end <= end:
            key = entity_key(n.norm)
            keys.add(key)
            keys.update(w for w in key.split() if w not in STOP and len(w) > 2)
    return keys


def subject_clash(a: Statement, ca: Count, b: Statement, cb: Count) -> bool:
    """True when both counts' clauses name people or organisations and none is the same."""
    ka = _agent_keys(a, *_clause(a, ca.start, ca.end))
    kb = _agent_keys(b, *_clause(b, cb.start, cb.end))
    return bool(ka and kb and not ka & kb)


def _clause_names(st: Statement, start: int, end: int) -> set[str]:
    """Keys of the names written in the clause around ``[start, end)``: each capitalized word
    that is no function word, and runs of up to three of them (``White House``)."""
    lo, hi = _clause(st, start, end)
    words = [
        t
        for t in st.words
        if t.start >= lo - st.start
        and t.end <= hi - st.start
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


def anchored(a: Statement, a_span: tuple[int, int], b: Statement, b_span: tuple[int, int]) -> bool:
    """Whether a name the two sentences share stands in one of the two clauses that hold the
    counts (``sending 1,000 troops to Peru`` and ``700 troops are expected in Peru``), not only
    elsewhere in long sentences about a campaign (``Clinton`` in both, the delegates of
    different states in the clauses)."""
    names_a = entity_keys(a) | written_names(a)
    names_b = entity_keys(b) | written_names(b)
    return bool(_clause_names(a, *a_span) & names_b or _clause_names(b, *b_span) & names_a)


def governing_word(st: Statement, c: Count) -> str | None:
    """The stem of the content word nearest before the count in its clause (``lend`` in
    ``agreed to lend Mr. Clarke $5 million``), names and qualifiers skipped; None if there is
    none within reach."""
    lo, _ = _clause(st, c.start, c.end)
    before = [t for t in st.words if t.end <= c.start - st.start and t.start >= lo - st.start]
    for t in reversed(before[-(_REACH + 2) :]):
        raw = st.text[t.start : t.end]
        if t.word in _LOOSE:
            return None  # "with $5 million": the count hangs on a preposition, not an action
        if t.word in _SKIP or raw[:1].isupper() or not t.word.isalpha():
            continue
        return synonym(stem(t.word))
    return None


def same_action(a: Statement, ca: Count, b: Statement, cb: Count) -> bool:
    """Whether both counts are governed by the same word; True when either has none (nothing
    then says they differ)."""
    wa, wb = governing_word(a, ca), governing_word(b, cb)
    return wa is None or wb is None or wa == wb
