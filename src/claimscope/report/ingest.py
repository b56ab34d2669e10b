"""Corpus output for the terminal: the ingest progress display, and query results as a table,
JSON or CSV. Renderers write to the console or stream they are given, never to a global one."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import time
from collections.abc import Sequence
from typing import IO, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from claimscope.corpus.ingest import IngestStats
from claimscope.corpus.store import QueryResult, Store

# Seconds between progress lines when stderr is not a terminal (a log, a CI job).
PLAIN_EVERY = 5.0
# Widest a table cell gets before it is cut with an ellipsis (document texts are long).
_CELL_WIDTH = 60


class IngestProgress:
    """Shows an ingest's progress: a rich bar on a terminal, a line every few seconds otherwise.

    With a known total the bar fills and shows an ETA; with an unknown one (record files, web
    archives, read as a stream) it pulses, with the count and the rate. Use it as the
    ``progress`` callback of ``ingest_paths``, inside a ``with`` block.
    """

    def __init__(self, console: Console, *, every: float = PLAIN_EVERY) -> None:
        self.console = console
        self.every = every
        self.bar: Progress | None = None
        self.task: Any = None
        self.last_line = 0.0
        self.firsts = (False, False)

    def __enter__(self) -> IngestProgress:
        return self

    def __call__(self, stats: IngestStats) -> None:
        if self.console.is_terminal:
            if self.bar is None:  # built on the first call, once the total is known (or not)
                self._start(stats.total)
            assert self.bar is not None
            self.bar.update(self.task, completed=stats.done, detail=_detail(stats))
            return
        # A line on the first document finished, on the first stored, then every few seconds.
        now = time.monotonic()
        firsts = (stats.done > 0, stats.stored > 0)
        if (firsts != self.firsts and any(firsts)) or (
            any(self.firsts) and now - self.last_line >= self.every
        ):
            self.firsts = firsts
            self.last_line = now
            self.console.print(
                f"ingest: {stats.done} documents ({_detail(stats)}), {stats.rate:.1f} docs/s",
                highlight=False,
                markup=False,
            )

    def _start(self, total: int | None) -> None:
        columns: list[str | ProgressColumn] = [
            SpinnerColumn(),
            TextColumn("ingesting"),
            BarColumn(),
            MofNCompleteColumn() if total is not None else TextColumn("{task.completed} docs"),
            _RateColumn(),
        ]
        if total is not None:
            columns.append(TimeRemainingColumn())
        columns += [TimeElapsedColumn(), TextColumn("{task.fields[detail]}")]
        self.bar = Progress(*columns, console=self.console, transient=True)
        self.bar.start()
        self.task = self.bar.add_task("ingest", total=total, detail="")

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


class _RateColumn(ProgressColumn):
    """Documents per second, averaged by rich over its recent samples."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} docs/s" if speed else "- docs/s", style="progress.data.speed")


def _detail(stats: IngestStats) -> str:
    return f"{stats.stored} stored, {stats.skipped} skipped, {stats.failed} failed"


def summary_line(stats: IngestStats, db: str) -> str:
    """The one line an ingest ends with."""
    return (
        f"{stats.stored} documents stored, {stats.skipped} already in the store, "
        f"{stats.failed} failed, in {stats.seconds:.1f} s ({stats.rate:.1f} docs/s) -> {db}"
    )


def languages_line(counts: Sequence[tuple[str | None, int]]) -> str | None:
    """The store's documents by language ("by language: en 118 · de 2 · es 1"), when any is
    not English: the claim and persuasion models skipped those."""
    if all(lang in (None, "en") for lang, _ in counts):
        return None
    parts = " · ".join(f"{lang or 'unknown'} {n:,}" for lang, n in counts)
    return f"documents by language: {parts} (claim and persuasion models run on English only)"


def store_languages(store: Store) -> list[tuple[str | None, int]]:
    """How many stored documents are in each language, most first."""
    rows = store.connection.execute(
        "SELECT lang, count(*) FROM documents GROUP BY lang ORDER BY 2 DESC, 1"
    ).fetchall()
    return [(lang, int(n)) for lang, n in rows]


# -- query results --------------------------------------------------------------------------------


def render_table(result: QueryResult, console: Console, *, max_rows: int) -> None:
    """Print the rows as a table (at most ``max_rows``; the count of the rest after it)."""
    table = Table(show_lines=False)
    for name in result.columns:
        table.add_column(name, overflow="ellipsis", no_wrap=True, max_width=_CELL_WIDTH)
    shown = total = 0
    for row in result.rows:
        total += 1
        if shown < max_rows:
            table.add_row(*(_text_cell(v) for v in row))
            shown += 1
    if result.columns:
        console.print(table)
    more = f" ({total - shown} more not shown: use --json or --csv)" if total > shown else ""
    console.print(f"{total} row{'s' if total != 1 else ''}{more}", highlight=False)


def write_json(result: QueryResult, stream: IO[str]) -> None:
    """Write the rows as one JSON list of objects, streamed (JSON columns embedded as JSON)."""
    parse = [t.upper() == "JSON" for t in result.types]
    stream.write("[")
    first = True
    for row in result.rows:
        item = {
            name: (json.loads(v) if is_json and isinstance(v, str) else v)
            for name, v, is_json in zip(result.columns, row, parse, strict=True)
        }
        line = json.dumps(item, ensure_ascii=False, default=_plain)
        stream.write(("\n" if first else ",\n") + line)
        first = False
    stream.write("\n]\n" if not first else "]\n")


def write_csv(result: QueryResult, stream: IO[str]) -> None:
    """Write the rows as CSV with a header (lists and maps as JSON text, NULL as empty)."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow([_csv_cell(v) for v in row])


def _plain(value: Any) -> Any:
    """JSON for the values json cannot write: dates and times as ISO text, decimals as numbers."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)  # UUID, INTERVAL and the like


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, default=_plain)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _text_cell(value: Any) -> Text:
    if value is None:
        return Text("NULL", style="dim")
    return Text(_csv_cell(value).replace("\n", " "))
