"""Contradictions across documents for the terminal.

``render_contradictions`` prints the records of ``claimscope.corpus.contradictions``
(``list_contradictions``) as a rich table, the conflicting parts in bold. Document text reaches
rich as ``Text``, never markup.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from claimscope.corpus.contradictions import ContradictionSide, ContradictionView
from claimscope.report.terminal_text import plain, quoted

SENTENCE_CHARS = 160


def _quoted(side: ContradictionSide) -> Text:
    """The sentence in quotes, the conflicting part in bold, cut around it when long."""
    return quoted(side.sentence_text, side.start, side.end, SENTENCE_CHARS)


def _side_cell(side: ContradictionSide) -> Text:
    """Where a side comes from (outlet or title, date, document id), then what it says."""
    out = plain(side.outlet or side.title or side.source, "bold")
    out.append(" · ", style="dim")
    out.append_text(plain(side.published or "undated", "dim"))
    out.append(" · ", style="dim")
    out.append_text(plain(side.doc_id, "dim"))
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
        table.add_row(kind, _side_cell(v.a), _side_cell(v.b), plain(v.explanation))
    console.print(table)
    console.print(Text(f"{len(views)} contradiction{'s' if len(views) != 1 else ''}", style="dim"))
