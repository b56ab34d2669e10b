"""Contradictions as stored, read back with both sides' documents and sentences, and shown.

``list_contradictions`` returns plain records (each side: document, outlet, date, title, the
sentence and where the conflicting part sits in it); ``render_contradictions`` prints them as a
rich table, the conflicting parts in bold. Document text reaches rich as ``Text``, never markup.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from claimscope.consistency.findings import KINDS
from claimscope.corpus.store import Store
from claimscope.errors import QueryError
from claimscope.formatting import window

SENTENCE_CHARS = 160
# C0/C1 controls and bidi overrides: document text must not drive the terminal.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(slots=True)
class ContradictionSide:
    """One side: its document, the sentence, and the conflicting part's offsets in it."""

    doc_id: str
    outlet: str | None
    published: str | None
    title: str | None
    source: str
    sentence: int
    sentence_text: str
    start: int  # offsets into sentence_text
    end: int

    @property
    def text(self) -> str:
        """The conflicting part."""
        return self.sentence_text[self.start : self.end]

    def to_dict(self) -> dict[str, Any]:
        """The side as JSON-ready data (``start``/``end`` index ``sentence_text``)."""
        return {
            "doc_id": self.doc_id,
            "outlet": self.outlet,
            "published": self.published,
            "title": self.title,
            "source": self.source,
            "sentence": self.sentence,
            "sentence_text": self.sentence_text,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


@dataclass(slots=True)
class ContradictionView:
    """A stored contradiction with both sides resolved."""

    scope: str
    kind: str
    score: float
    explanation: str
    a: ContradictionSide
    b: ContradictionSide

    def to_dict(self) -> dict[str, Any]:
        """The contradiction as JSON-ready data."""
        return {
            "scope": self.scope,
            "kind": self.kind,
            "score": self.score,
            "explanation": self.explanation,
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
        }


_SIDE = """
    d{x}.outlet, d{x}.published, d{x}.title, d{x}.source, c.sentence_{x}, s{x}.text,
    c.{x}_start - s{x}.start_char, c.{x}_end - s{x}.start_char
"""


def list_contradictions(
    store: Store,
    *,
    doc: str | None = None,
    kind: str | None = None,
    scope: str | None = None,
    limit: int | None = None,
) -> list[ContradictionView]:
    """The stored contradictions, best scored first: those involving document ``doc`` (an id
    or the start of one), of one ``kind`` and ``scope`` (``document`` or ``corpus``)."""
    if kind is not None and kind not in KINDS:
        raise QueryError(f"unknown kind {kind!r}: {', '.join(KINDS)}")
    if scope is not None and scope not in ("document", "corpus"):
        raise QueryError(f"unknown scope {scope!r}: document or corpus")
    if limit is not None and limit < 1:
        raise QueryError(f"--limit must be at least 1, got {limit}")
    if doc is not None:
        doc = doc.strip()
        found = store.connection.execute(
            "SELECT count(*) FROM documents WHERE starts_with(id, ?)", [doc]
        ).fetchone()
        if not doc or not found or not found[0]:
            raise QueryError(f"no document id starts with {doc!r}")
    sql = f"""
        SELECT c.scope, c.kind, c.score, c.explanation,
               c.doc_a, {_SIDE.format(x="a")}, c.doc_b, {_SIDE.format(x="b")}
        FROM contradictions c
        JOIN documents da ON da.id = c.doc_a
        JOIN documents db ON db.id = c.doc_b
        JOIN sentences sa ON sa.doc_id = c.doc_a AND sa.id = c.sentence_a
        JOIN sentences sb ON sb.doc_id = c.doc_b AND sb.id = c.sentence_b
        WHERE (?::VARCHAR IS NULL OR starts_with(c.doc_a, ?) OR starts_with(c.doc_b, ?))
          AND (?::VARCHAR IS NULL OR c.kind = ?)
          AND (?::VARCHAR IS NULL OR c.scope = ?)
        ORDER BY c.score DESC, c.kind, da.published NULLS LAST, c.doc_a, c.a_start, c.doc_b,
                 c.b_start
        LIMIT ?
    """
    params = [doc, doc, doc, kind, kind, scope, scope, limit if limit is not None else 2**62]
    rows = store.connection.execute(sql, params).fetchall()
    return [
        ContradictionView(
            scope=row[0],
            kind=row[1],
            score=float(row[2]),
            explanation=row[3],
            a=_side(row[4:13]),
            b=_side(row[13:22]),
        )
        for row in rows
    ]


def _side(row: tuple[Any, ...]) -> ContradictionSide:
    doc_id, outlet, published, title, source, sentence, text, start, end = row
    return ContradictionSide(
        doc_id=doc_id,
        outlet=outlet,
        published=published.isoformat() if isinstance(published, dt.date) else published,
        title=title,
        source=source,
        sentence=sentence,
        sentence_text=text,
        start=start,
        end=end,
    )


def _t(value: str | None, style: str = "") -> Text:
    return Text(_UNSAFE.sub("\ufffd", value or ""), style=style)


def _quoted(side: ContradictionSide) -> Text:
    """The sentence in quotes, the conflicting part in bold, cut around it when long."""
    before, part, after, cut_lo, cut_hi = window(
        side.sentence_text, side.start, side.end, SENTENCE_CHARS
    )
    out = Text("“…" if cut_lo else "“")
    out.append_text(_t(before))
    out.append_text(_t(part, "bold yellow"))
    out.append_text(_t(after))
    out.append("…”" if cut_hi else "”")
    return out


def _side_cell(side: ContradictionSide) -> Text:
    """Where a side comes from (outlet or title, date, document id), then what it says."""
    out = _t(side.outlet or side.title or side.source, "bold")
    out.append(" · ", style="dim")
    out.append_text(_t(side.published or "undated", "dim"))
    out.append(" · ", style="dim")
    out.append_text(_t(side.doc_id, "dim"))
    out.append("\n")
    out.append_text(_quoted(side))
    return out


def render_contradictions(views: list[ContradictionView], console: Console) -> None:
    """Print the contradictions as a table: kind, score and scope, both sides (outlet, date,
    document, the quoted sentence with the conflicting part in bold) and the explanation."""
    if not views:
        console.print(Text("No contradictions found.", style="italic"))
        return
    table = Table(box=box.SIMPLE_HEAD, show_lines=True, show_edge=False, pad_edge=False)
    table.add_column("kind", no_wrap=True)
    table.add_column("A", ratio=3)
    table.add_column("B", ratio=3)
    table.add_column("explanation", ratio=2)
    for v in views:
        kind = Text(v.kind, style="magenta")
        kind.append(f"\n{v.score:.2f}", style="bold red" if v.score >= 0.75 else "yellow")
        kind.append(f"\n{v.scope}", style="dim")
        table.add_row(kind, _side_cell(v.a), _side_cell(v.b), _t(v.explanation))
    console.print(table)
    console.print(Text(f"{len(views)} contradiction{'s' if len(views) != 1 else ''}", style="dim"))
