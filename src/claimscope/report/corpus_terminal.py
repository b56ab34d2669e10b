"""Coverage and timeline in the terminal (rich), and coverage as CSV. Renderers write to the
console or stream they are given."""

from __future__ import annotations

import csv
from typing import IO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from claimscope.formatting import excerpt, plural
from claimscope.store.coverage import Coverage
from claimscope.store.timeline import CorpusEvent, EventSource

# Characters of a claim shown in the timeline table (cut around its date).
CLAIM_CHARS = 140
NO_OUTLET = "(no outlet)"


def render_coverage(coverage: Coverage, console: Console) -> None:
    """The coverage table: a row per outlet and period, a total, and the undated count."""
    if not coverage.rows:
        console.print(Text(f"No document matches {coverage.query}.", style="italic"))
        return
    table = Table(title=_coverage_title(coverage), title_justify="left", box=box.SIMPLE_HEAD)
    names = coverage.by()
    for name in names:
        table.add_column(name, style="green" if name != "outlet" else None)
    for name in ("documents", "sentences", "claims"):
        table.add_column(name, justify="right")
    for row in coverage.rows:
        cells = [_t(row.outlet or NO_OUTLET)] if coverage.by_outlet else []
        if coverage.period:
            label = coverage.period_label(row)
            cells.append(_t(label, "yellow" if row.period is None else "green"))
        cells += [_t(str(n)) for n in (row.documents, row.sentences, row.claims)]
        table.add_row(*cells)
    totals = coverage.to_dict()["totals"]
    table.add_section()
    table.add_row(
        *(["total"] + [""] * (len(names) - 1) if names else []),
        *(str(totals[k]) for k in ("documents", "sentences", "claims")),
        style="bold",
    )
    console.print(table)
    if coverage.undated:
        console.print(
            Text(
                f"{plural(coverage.undated, 'document')} with no published date counted as "
                f"'undated'.",
                style="yellow",
            )
        )
    console.print(
        Text(
            "sentences, claims: those of the matching documents that match the query themselves.",
            style="dim",
        )
    )


def _coverage_title(coverage: Coverage) -> str:
    outlets = len({r.outlet for r in coverage.rows}) if coverage.by_outlet else None
    parts = [plural(coverage.documents, "document")]
    if outlets is not None:
        parts.append(plural(outlets, "outlet"))
    filters = "".join(f", {name} {value}" for name, value in coverage.filters.describe())
    return f"Coverage of {coverage.query}{filters}: {', '.join(parts)}"


def write_coverage_csv(coverage: Coverage, stream: IO[str]) -> None:
    """The coverage rows as CSV with a header (``undated`` for documents without a date)."""
    rows = coverage.table()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([*coverage.by(), "documents", "sentences", "claims"])
    for row in rows:
        writer.writerow(["" if v is None else v for v in row.values()])


def render_timeline(events: list[CorpusEvent], console: Console, *, query: str) -> None:
    """The events in date order: the date, the representative claim and every source."""
    if not events:
        console.print(Text(f"No dated claim in the documents matching {query}.", style="italic"))
        return
    table = Table(
        title=f"Timeline of {query}: {plural(len(events), 'event')}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_lines=True,
    )
    table.add_column("date", no_wrap=True, style="green")
    table.add_column("claim", ratio=3)
    table.add_column("sources", ratio=2)
    for event in events:
        sources = Text()
        for i, source in enumerate(event.sources):
            if i:
                sources.append("\n")
            sources.append_text(_source_line(source))
        table.add_row(_t(event.value, "green"), _claim_text(event.lead), sources)
    console.print(table)
    if any(e.anchored for e in events):
        console.print(Text("* year taken from the publication date (anchored)", style="dim"))


def _claim_text(source: EventSource) -> Text:
    """The claim cut around its date, the date in bold."""
    lo, hi = source.date_span
    marker_lo, marker_hi = "\x00", "\x01"  # survive excerpt's whitespace folding
    text = source.text.replace(marker_lo, " ").replace(marker_hi, " ")
    marked = text[:lo] + marker_lo + text[lo:hi] + marker_hi + text[hi:]
    cut = excerpt(marked, CLAIM_CHARS, (lo, hi + 2))
    out = Text()
    before, _, rest = cut.partition(marker_lo)
    date, _, after = rest.partition(marker_hi)
    out.append(before)
    out.append(date, style="bold green")
    out.append(after)
    return out


def _source_line(source: EventSource) -> Text:
    line = Text(source.outlet or NO_OUTLET, style="magenta")
    line.append(f" {source.published or 'undated'}", style="dim")
    if source.date.anchored:
        line.append(f" ({source.date_text}*)", style="dim")
    return line


def _t(value: str, style: str | None = None) -> Text:
    return Text(value, style=style or "")
