"""A plain-Python reading of the search language, to check the SQL against (simple queries:
ASCII words, no phrases). Written apart from claimscope.store.query on purpose."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any


def reference_match(query: str, text: str) -> bool:
    """Whether ``text`` matches ``query``: words ANDed, ``a OR b``, ``-word``, ``prefix*``."""
    words = re.findall(r"\w+", text.lower())
    tokens = query.split()
    groups: list[list[str]] = []
    excluded: list[str] = []
    joining = False
    for token in tokens:
        if token == "OR":
            joining = True
        elif token.startswith("-"):
            excluded.append(token[1:].lower())
        elif joining:
            groups[-1].append(token.lower())
            joining = False
        else:
            groups.append([token.lower()])

    def found(term: str) -> bool:
        if term.endswith("*"):
            return any(w.startswith(term[:-1]) for w in words)
        return term in words

    return all(any(found(t) for t in g) for g in groups) and not any(found(t) for t in excluded)


def reference_coverage(query: str, records: list[dict[str, Any]]) -> Counter[tuple[Any, str]]:
    """Matching records per (outlet, week's Monday as ISO text, or ``undated``)."""
    counts: Counter[tuple[Any, str]] = Counter()
    for r in records:
        if not reference_match(query, f"{r.get('title') or ''}\n{r['text']}"):
            continue
        week = "undated"
        if r.get("published"):
            day = dt.date.fromisoformat(r["published"])
            week = (day - dt.timedelta(days=day.weekday())).isoformat()
        counts[(r.get("outlet"), week)] += 1
    return counts
