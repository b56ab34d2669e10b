"""Terminal views of verification results (rich)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from claimscope.verify.matching import Match

_VERDICT_STYLE = {
    "false": "bold red",
    "mostly-false": "red",
    "misleading": "dark_orange",
    "mixed": "yellow",
    "mostly-true": "green",
    "true": "bold green",
}


def render_matches(text: str, matches: Sequence[Match], console: Console) -> None:
    """The fact-checks a text may repeat, as a table (all text printed as text, no markup)."""
    console.print(Text.assemble(("checked against: ", "dim"), text.strip()[:300]))
    if not matches:
        console.print("no stored fact-check matches this text")
        return
    table = Table(show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("match", justify="right")
    table.add_column("checked claim", ratio=3)
    table.add_column("rating", ratio=1)
    table.add_column("by / when / link", ratio=2)
    for m in matches:
        c = m.check
        score = f"{m.probability:.2f}" if m.probability is not None else f"{m.score:.1f}"
        rating = Text(c.rating or c.verdict or "-", style=_VERDICT_STYLE.get(c.verdict or "", ""))
        source = "\n".join(x for x in (c.publisher, c.reviewed, c.url) if x) or "-"
        table.add_row(str(m.rank), score, Text(c.claim), rating, Text(source))
    console.print(table)
