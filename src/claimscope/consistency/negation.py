"""Negation contradictions: one statement asserts what another denies, about the same subject
(``the United States will establish a military base`` vs ``will not establish a base``).

Without a parser, a proposition is a verb and the head noun of the object right after it
(``establish`` + ``base``), read from the words: it is negated by ``not``/``never`` before the
verb, or by ``no plans (for ...) to`` before it; ``plans to``, ``intends to`` pass the negation
through to the verb they govern. Questions, conditions (``if``, ``whether``) and speculation
(``could``, ``might``, ``may``) assert nothing and are left out. A denial of the past (``did
not``) does not contradict a promise (``will``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from claimscope.consistency.findings import Finding
from claimscope.consistency.frames import subject_words
from claimscope.consistency.numbers import clash
from claimscope.consistency.rules import Rules
from claimscope.consistency.statements import Statement
from claimscope.consistency.topic import Context, shared_names
from claimscope.consistency.words import STOP, Token, stem, word_set

Tense = Literal["past", "present", "future"]

_NEGATORS = word_set("not never")
_MODALS = word_set("will would shall should can could may might must")
_SPECULATIVE = word_set("could might may")
_AUX = word_set("do does did has have had is are was were be been")
_FUTURE = word_set("will would shall")
# Stop words that may still modify an object ("a new base").
_NP_MODIFIERS = word_set("new first second last recent former own other such")
_DETERMINERS = word_set("a an the any its their his her our this that these those another")
# Verbs that pass a negation to the verb they govern: "does not plan to establish".
_TRANSPARENT = {
    stem(w)
    for w in """plan intend want seek aim going expect hope wish try ready willing able
    prepared""".split()
}
# A subject that negates what it does ("none of the material was marked").
_NEGATIVE_SUBJECTS = word_set("none nobody nothing neither")
# "no plans to", "no intention of".
_NO_WHAT = word_set("plan plans intention intentions intent desire interest")
_CONDITIONS = word_set("if unless whether")
# Adverbs that may sit between "not" and its verb.
_BETWEEN = word_set("yet ever currently immediately directly formally officially now")
# Words that are never the verb of a proposition.
_NOT_VERBS = STOP | _NEGATORS | _MODALS | _AUX | word_set("no plans plan")


@dataclass(frozen=True, slots=True)
class Proposition:
    """A verb and its object's head noun, asserted or negated; the span runs from the
    auxiliary or the negation to the object's head (document offsets)."""

    verb: str
    obj: str
    negated: bool
    tense: Tense
    start: int
    end: int

    @property
    def key(self) -> str:
        """What the proposition is about, whatever its polarity: ``establish:bas``."""
        return f"{self.verb}:{self.obj}"


def _object(st: Statement, toks: list[Token], k: int) -> tuple[int, bool] | None:
    """The index of the object's head after the verb (``a military base``: ``base``), and
    whether a determiner opened it; None without an object."""
    determiner = k < len(toks) and toks[k].word in _DETERMINERS
    j = k + 1 if determiner else k
    start = j
    while j < len(toks) and j - start < 4:
        t = toks[j]
        if (t.word in STOP and t.word not in _NP_MODIFIERS) or not t.word[0].isalpha():
            break
        if j > k and st.text[toks[j - 1].end : t.start].strip():
            break  # a comma or a dash: the phrase has ended
        j += 1
    if j == start or toks[j - 1].word in _NP_MODIFIERS:
        return None
    return j - 1, determiner


def _tense(toks: list[Token], i: int, aux: list[str]) -> Tense:
    if any(w in _FUTURE for w in aux) or (i >= 1 and toks[i - 1].word == "to"):
        return "future"
    word = toks[i].word
    if any(w in ("did", "has", "have", "had", "was", "were") for w in aux) or word.endswith("ed"):
        return "past"
    return "present"


def propositions(st: Statement) -> list[Proposition]:
    """The propositions ``st`` asserts or denies."""
    return st.memo("propositions", _propositions)


def _propositions(st: Statement) -> list[Proposition]:
    """The propositions ``st`` asserts or denies."""
    if st.question:
        return []
    toks = st.words
    found = []
    # Past a condition word ("if", "unless") nothing is asserted; knowing where the first one
    # stands keeps this linear in the sentence (a check of every earlier word was quadratic).
    conditional = next((j for j, x in enumerate(toks) if x.word in _CONDITIONS), len(toks))
    for i, t in enumerate(toks):
        word = t.word
        if word in _NOT_VERBS or not word.isalpha() or len(word) < 3 or word.endswith("ly"):
            continue
        if st.text[t.start : t.start + 1].isupper():
            continue  # a name, or the first word of the sentence: rarely the verb
        if conditional < i:
            continue
        # Through "plan to", "intends to": the negation and auxiliaries of the governing verb.
        head = i
        while (
            head >= 2
            and toks[head - 1].word == "to"
            and stem(toks[head - 2].word) in (_TRANSPARENT)
        ):
            head -= 2
        before = [x.word for x in toks[max(0, head - 4) : head]]
        aux = [w for w in before if w in _MODALS | _AUX]
        raw = [st.text[x.start : x.end] for x in toks[max(0, head - 3) : head]]
        if any(w in _SPECULATIVE for w in raw):  # lower case: "May" is a month
            continue
        negated, cue = _negation(toks, head)
        obj = _object(st, toks, i + 1)
        if obj is None:
            continue
        last, determiner = obj
        # A verb shows by its auxiliary, "to" or negation right before it, or by the determiner
        # opening its object ("establishes a base"); "a military base" has neither.
        prev = toks[head - 1].word if head >= 1 else ""
        if not (determiner or negated or head != i or prev in _MODALS | _AUX | {"to"}):
            continue
        if prev == "to" and head == i and not negated:
            continue  # "laws that bind them to support Trump": an infinitive asserts nothing
        if not negated and any(x.word in _NEGATIVE_SUBJECTS for x in toks[max(0, head - 5) : head]):
            negated = True  # "none of the material was marked classified"
        start = cue if cue is not None else _aux_start(toks, head)
        found.append(
            Proposition(
                verb=stem(word),
                obj=stem(toks[last].word),
                negated=negated,
                tense=_tense(toks, head, aux),
                start=st.start + toks[start].start,
                end=st.start + toks[last].end,
            )
        )
    return found


def _negation(toks: list[Token], i: int) -> tuple[bool, int | None]:
    """Whether the verb at ``i`` is negated, and the index where the negation starts."""
    j = i - 1
    while j >= 0 and toks[j].word in _BETWEEN:
        j -= 1
    if j >= 0 and toks[j].word in _NEGATORS:
        start = j
        while start > 0 and toks[start - 1].word in _MODALS | _AUX:
            start -= 1
        return True, start
    # "there are no plans (for the US) to establish ..."
    if i >= 2 and toks[i - 1].word == "to":
        for n in range(i - 2, max(-1, i - 9), -1):
            if toks[n].word in _NO_WHAT and n >= 1 and toks[n - 1].word == "no":
                return True, n - 1
    return False, None


def _aux_start(toks: list[Token], i: int) -> int:
    start = i
    while start > 0 and toks[start - 1].word in _MODALS | _AUX and i - start < 2:
        start -= 1
    return start


def _clash(p: Proposition, q: Proposition) -> bool:
    if p.key != q.key or p.negated == q.negated:
        return False
    denial = p if p.negated else q
    claim = q if p.negated else p
    # "did not build it" and "will build it" can both be true.
    return not (denial.tense == "past" and claim.tense == "future")


def negation_findings(a: Statement, b: Statement, context: Context, rules: Rules) -> list[Finding]:
    """What ``a`` asserts and ``b`` denies (or the reverse), about a subject both name."""
    pa, pb = propositions(a), propositions(b)
    if not pa or not pb:
        return []
    names = shared_names(a, b)
    if not names:
        return []
    found = []
    for p in pa:
        for q in pb:
            if not _clash(p, q):
                continue
            sa, sb = subject_words(a, p.start), subject_words(b, q.start)
            if sa and sb and not sa & sb:
                continue  # "some lawmakers rescinded" and "Speaker Tom Mercer has not rescinded"
            score = min(0.9, 0.75 + 0.05 * len(names))
            found.append(
                clash("negation", a, (p.start, p.end), b, (q.start, q.end), score, quoted=True)
            )
    return found
