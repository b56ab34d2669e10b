"""Query results (``claimscope sql``) as a table for the terminal, as JSON or as CSV. Renderers
write to the console or stream they are given, never to a global one."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
from typing import IO, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from claimscope.store import QueryResult

# Widest a table cell gets before it is cut with an ellipsis (document texts are long).
_CELL_WIDTH = 60


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
