"""Terminal views of verification results (rich)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from claimscope.verify.matching import Match

if TYPE_CHECKING:
    from claimscope.verify.check import CheckResult

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


_CHECK_STYLE = {
    "supported": "bold green",
    "refuted": "bold red",
    "conflicting": "bold yellow",
    "not enough evidence": "bold",
    "supports": "green",
    "refutes": "red",
}


def render_check(result: CheckResult, console: Console) -> None:
    """A claim's verdict, its reasons and the passages behind it (all text printed as text)."""
    console.print(Text.assemble(("claim: ", "dim"), result.claim[:300]))
    line = Text.assemble(
        ("verdict: ", "dim"),
        (result.verdict, _CHECK_STYLE.get(result.verdict, "")),
        f" (confidence {result.confidence:.2f}; support {result.support:.2f}, "
        f"refute {result.refute:.2f})",
    )
    console.print(line)
    for reason in result.reasons:
        console.print(Text.assemble(("  - ", "dim"), reason.text))
    if not result.evidence:
        console.print("no passage of the index matches the claim")
        return
    table = Table(show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("stance", ratio=1)
    table.add_column("passage", ratio=4)
    table.add_column("document / offsets", ratio=2)
    for ev in result.evidence:
        p = ev.passage
        if ev.stance is None:
            stance = Text("-")
        else:
            stance = Text(f"{ev.stance} {ev.probability:.2f}", _CHECK_STYLE.get(ev.stance, ""))
        for d in ev.disagreements:
            stance.append(f"\n{d.kind}: {d.explanation}", "red")
        where = [x for x in (p.title, p.source, p.published, p.url) if x]
        where.append(f"{p.doc} [{p.start}:{p.end}]")
        table.add_row(str(p.rank), stance, Text(p.text), Text("\n".join(where)))
    console.print(table)
