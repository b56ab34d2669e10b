"""Finding contradictions: blocking keys say which statements may disagree, the rules decide.

Each statement gets keys for what it could contradict (the kind of thing it counts, the days
that end its periods, the verb and object of what it asserts or denies); only statements that
share a key are compared, so the work grows with the pairs that could clash, not with every pair.
The same keys block the comparison across a corpus (``claimscope.corpus.contradictions``).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

from claimscope.consistency.dates import date_findings, periods
from claimscope.consistency.findings import Finding
from claimscope.consistency.negation import negation_findings, propositions
from claimscope.consistency.numbers import (
    count_findings,
    unknown_counts,
    unknown_findings,
    usable_counts,
)
from claimscope.consistency.rules import DEFAULT_RULES, Rules
from claimscope.consistency.statements import Statement
from claimscope.consistency.topic import Context, name_keys

RuleFunc = Callable[[Statement, Statement, Context, Rules], list[Finding]]
CHECKS: tuple[RuleFunc, ...] = (count_findings, unknown_findings, date_findings, negation_findings)


Key = tuple[str, str]
# Statements compared with each one through one shared key, on each side of it in the text.
MAX_NEIGHBOURS = 50


def statement_keys(st: Statement) -> set[Key]:
    """The blocking keys of a statement, as ``(key, probe)`` pairs: statement B is compared
    with statement A when one of B's probes is one of A's keys (the relation is symmetric:
    A's probes then meet B's keys too).

    Counts of a kind meet counts of that kind naming the same thing, and statements that the
    number of that kind is unknown; periods meet periods with the same first or last day, and
    ends within a week of each other; a proposition meets its opposite (``will build a
    bridge`` meets ``will not build a bridge``, not another ``will build a bridge``).
    """
    if st.question:
        return set()
    keys: set[Key] = set()
    names = name_keys(st)
    for u in usable_counts(st):
        keys.add((f"c:{u.kind}", f"u:{u.kind}"))
        keys |= {(f"c:{u.kind}:{n}", f"c:{u.kind}:{n}") for n in names}
    keys |= {(f"u:{g.kind}", f"c:{g.kind}") for g in unknown_counts(st)}
    for p in periods(st):
        week = p.last.toordinal() // 7
        windows = (week, week - 1)  # ends within a week share a two-week window
        keys |= {(f"dl:{w}", f"dx:{w}") for w in windows}
        if p.first is None:
            keys |= {(f"dx:{w}", f"dl:{w}") for w in windows}
        else:
            keys.add((f"ds:{p.first.isoformat()}", f"ds:{p.first.isoformat()}"))
            keys.add((f"de:{p.last.isoformat()}", f"de:{p.last.isoformat()}"))
    for prop in propositions(st):
        sign, other = ("-", "+") if prop.negated else ("+", "-")
        keys.add((f"v{sign}:{prop.key}", f"v{other}:{prop.key}"))
    return keys


def compare(
    a: Statement, b: Statement, context: Context, rules: Rules = DEFAULT_RULES
) -> list[Finding]:
    """Every contradiction between two statements, at most one per kind (the best scored).

    Sides keep the order of the arguments, except that a count comes before a statement that
    the number is unknown."""
    if a.question or b.question or (a.doc, a.sentence) == (b.doc, b.sentence):
        return []
    best: dict[str, Finding] = {}
    for rule in CHECKS:
        for finding in rule(a, b, context, rules):
            if finding.score < rules.min_score:
                continue
            kept = best.get(finding.kind)
            if kept is None or finding.score > kept.score:
                best[finding.kind] = finding
    return list(best.values())


def candidate_pairs(keys: Sequence[set[Key]]) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of the statements whose keys and probes meet."""
    by_key: dict[str, list[int]] = {}
    for i, ks in enumerate(keys):
        for key, _ in ks:
            by_key.setdefault(key, []).append(i)
    pairs: set[tuple[int, int]] = set()
    for i, ks in enumerate(keys):
        for _, probe in ks:
            near = by_key.get(probe, [])
            if len(near) > 2 * MAX_NEIGHBOURS:
                # A key most of a long document shares ("the government", a unit): only the
                # statements nearest in the text, so the comparisons stay linear in its length.
                at = bisect.bisect_left(near, i)
                near = near[max(0, at - MAX_NEIGHBOURS) : at + MAX_NEIGHBOURS]
            pairs.update((min(i, j), max(i, j)) for j in near if j != i)
    return sorted(pairs)


def find_in_document(
    statements: Sequence[Statement], rules: Rules = DEFAULT_RULES
) -> list[Finding]:
    """The contradictions between statements of one document, in document order."""
    keys = [statement_keys(st) for st in statements]
    context = Context(same_doc=True)
    found: list[Finding] = []
    for i, j in candidate_pairs(keys):
        found.extend(compare(statements[i], statements[j], context, rules))
    return sorted(found, key=lambda f: (f.a.start, f.b.start, f.kind))
