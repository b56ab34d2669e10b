"""The corpus search language shared by ``coverage`` and ``timeline``, compiled to DuckDB SQL.

``troops Peru`` needs both words, whole and in any case; ``"joint training"`` is a phrase (any
whitespace between its words); ``troops OR soldiers`` needs either (OR binds tighter than the
space, so ``us troops OR soldiers`` is ``us AND (troops OR soldiers)``); ``-lithium`` excludes;
``deploy*`` is a prefix. A query compiles to a predicate of ``regexp_matches`` calls whose
patterns are bound as parameters: user text never becomes SQL, and every character of a term is
escaped, so a term matches itself literally. Filters (dates, outlets) compile the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from claimscope.errors import QueryError
from claimscope.model.corpus import QueryFilters

# Longest query accepted: each term is one regexp call per row, so a runaway query is refused.
MAX_QUERY_CHARS = 1000
MAX_TERMS = 32

# RE2 (DuckDB's regex engine) classes: a word character is a letter, a digit or ``_``.
_WORD = r"[\pL\pN_]"
_NOT_WORD = r"[^\pL\pN_]"
# Straight and curly apostrophes match each other: "Peru's" finds "Peru’s".
_APOSTROPHES = "'’"


@dataclass(frozen=True, slots=True)
class Term:
    """One thing to look for: a word (``prefix``: any word it starts) or a phrase."""

    text: str
    phrase: bool = False
    prefix: bool = False

    def pattern(self) -> str:
        """The RE2 pattern (case-insensitive, whole words) that finds this term."""
        words = self.text.split() if self.phrase else [self.text]
        body = r"\s+".join("".join(_escape(c) for c in word) for word in words)
        left = f"(?:^|{_NOT_WORD})" if _is_word(self.text[0]) else ""
        if self.prefix:
            right = f"{_WORD}*"
        else:
            right = f"(?:{_NOT_WORD}|$)" if _is_word(self.text[-1]) else ""
        return f"(?i){left}{body}{right}"

    def __str__(self) -> str:
        if self.phrase:
            return f'"{self.text}"'
        return self.text + ("*" if self.prefix else "")


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: groups that must all match (each matches when any of its terms does),
    and terms that must not."""

    text: str
    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    def predicate(self, column: str) -> tuple[str, list[str]]:
        """A SQL boolean over ``column`` (an expression the caller writes, never user text)
        and its parameters, in order."""
        parts: list[str] = []
        params: list[str] = []
        for group in self.groups:
            parts.append("(" + " OR ".join(f"regexp_matches({column}, ?)" for _ in group) + ")")
            params += [t.pattern() for t in group]
        for term in self.excluded:
            parts.append(f"NOT regexp_matches({column}, ?)")
            params.append(term.pattern())
        return " AND ".join(parts), params

    def __str__(self) -> str:
        groups = [" OR ".join(str(t) for t in g) for g in self.groups]
        return " ".join(groups + [f"-{t}" for t in self.excluded])


def parse_query(text: str) -> Query:
    """Parse a query; QueryError (one line) when it is empty or malformed."""
    if not text or not text.strip():
        raise QueryError("empty query: give a word to search for, e.g. troops")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
    tokens = _tokens(text)
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False  # the last token was OR
    for i, token in enumerate(tokens):
        if token == "OR":
            if i == 0 or tokens[i - 1] == "OR" or i == len(tokens) - 1:
                raise QueryError("OR needs a term on each side (e.g. troops OR soldiers)")
            if isinstance(tokens[i - 1], _Excluded) or isinstance(tokens[i + 1], _Excluded):
                raise QueryError("an excluded term (-word) cannot be part of an OR")
            joining = True
            continue
        assert not isinstance(token, str)
        if isinstance(token, _Excluded):
            excluded.append(token.term)
        elif joining:
            groups[-1].append(token)
        else:
            groups.append([token])
        joining = False
    if not groups:
        raise QueryError("the query only excludes: add a word to search for")
    if sum(len(g) for g in groups) + len(excluded) > MAX_TERMS:
        raise QueryError(f"too many terms (at most {MAX_TERMS})")
    return Query(
        text=text.strip(), groups=tuple(tuple(g) for g in groups), excluded=tuple(excluded)
    )


@dataclass(frozen=True, slots=True)
class _Excluded:
    term: Term


def _tokens(text: str) -> list[Term | _Excluded | str]:
    """Terms, excluded terms and the OR operator, left to right."""
    out: list[Term | _Excluded | str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negate = text[i] == "-"
        if negate:
            i += 1
            if i == n or text[i].isspace():
                raise QueryError("a lone '-': write the word to exclude right after it (-word)")
        if text[i] == '"':
            close = text.find('"', i + 1)
            if close == -1:
                raise QueryError('unclosed quote: end the phrase with "')
            term = _term(text[i + 1 : close], phrase=True)
            i = close + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] != '"':
                j += 1
            word = text[i:j]
            i = j
            if word == "OR" and not negate:
                out.append("OR")
                continue
            term = _term(word, phrase=False)
        out.append(_Excluded(term) if negate else term)
    return out


def _term(raw: str, *, phrase: bool) -> Term:
    if any(c in "()" for c in raw) and not phrase:
        raise QueryError(
            "parentheses are not supported: a b OR c already means a AND (b OR c); "
            'quote a phrase with ( ) in it: "(a)"'
        )
    prefix = not phrase and raw.endswith("*")
    body = " ".join(raw.split()) if phrase else raw.removesuffix("*") if prefix else raw
    if not body:
        raise QueryError(
            'empty phrase ""' if phrase else "a lone '*': put it after a word (deploy*)"
        )
    if not any(c.isalnum() for c in body):
        shown = f'"{raw}"' if phrase else f"'{raw}'"
        raise QueryError(f"{shown} has no letter or digit to search for")
    return Term(body, phrase=phrase, prefix=prefix)


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _escape(c: str) -> str:
    """One character as an RE2 literal."""
    if c in _APOSTROPHES:
        return "['’]"
    if c.isalnum() or c == "_" or (ord(c) > 0x7F and c.isprintable()):
        return c
    if 0x20 < ord(c) < 0x7F:
        return "\\" + c  # ASCII punctuation: RE2 takes ``\`` + punctuation as the literal
    return f"\\x{{{ord(c):x}}}"  # controls, odd spaces: by code point


@dataclass(frozen=True, slots=True, kw_only=True)
class Filters:
    """Which documents to look at: published between ``since`` and ``until`` (inclusive;
    undated documents are then left out), from one of ``outlets`` (any case)."""

    since: dt.date | None = None
    until: dt.date | None = None
    outlets: tuple[str, ...] = ()

    def predicate(self, alias: str) -> tuple[str, list[object]]:
        """A SQL boolean over the documents table as ``alias``, and its parameters."""
        parts: list[str] = []
        params: list[object] = []
        if self.since is not None:
            parts.append(f"{alias}.published >= ?")
            params.append(self.since)
        if self.until is not None:
            parts.append(f"{alias}.published <= ?")
            params.append(self.until)
        if self.outlets:
            parts.append(f"list_contains(?::VARCHAR[], lower({alias}.outlet))")
            params.append([o.lower() for o in self.outlets])
        return (" AND ".join(parts) or "TRUE"), params

    def describe(self) -> list[tuple[str, str]]:
        """The filters set, as (name, value) pairs for reports."""
        out = []
        if self.since is not None:
            out.append(("since", self.since.isoformat()))
        if self.until is not None:
            out.append(("until", self.until.isoformat()))
        if self.outlets:
            out.append(("outlet", ", ".join(self.outlets)))
        return out

    def record(self) -> QueryFilters:
        """The filters as the data model's record (how reports and the API give them)."""
        return QueryFilters(
            since=self.since.isoformat() if self.since else None,
            until=self.until.isoformat() if self.until else None,
            outlets=list(self.outlets),
        )

    def to_dict(self) -> dict[str, object]:
        """The filters as JSON-ready data."""
        return self.record().to_dict()


def parse_filters(
    since: str | None = None,
    until: str | None = None,
    outlets: Sequence[str] = (),
    *,
    prefix: str = "--",
) -> Filters:
    """Filters from the command line's text; QueryError for a bad date or an empty outlet.

    Messages name the options with ``prefix`` (``--since``; the web API passes ``""``).
    """
    since_name, until_name = f"{prefix}since", f"{prefix}until"
    start, end = _day(since, since_name), _day(until, until_name)
    if start is not None and end is not None and start > end:
        raise QueryError(f"{since_name} {start} is after {until_name} {end}")
    names = tuple(o.strip() for o in outlets)
    if any(not o for o in names):
        raise QueryError(f"{prefix}outlet needs a name")
    return Filters(since=start, until=end, outlets=names)


def _day(value: str | None, flag: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise QueryError(f"{flag}: {value!r} is not a date (YYYY-MM-DD)") from None


def document_predicate(
    query: Query, filters: Filters, alias: str = "d"
) -> tuple[str, list[object]]:
    """The documents (``alias``) whose title or text matches ``query`` and pass ``filters``."""
    text = f"concat_ws(chr(10), {alias}.title, {alias}.text)"
    matches, params = query.predicate(text)
    where, more = filters.predicate(alias)
    return f"({matches}) AND ({where})", [*params, *more]
