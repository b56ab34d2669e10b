"""``claimscope analyze``: documents in, reports out."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from claimscope.cli.common import (
    app,
    err,
    json_output,
    one_line_errors,
    report_failures,
    settings_options,
    write_output,
)
from claimscope.settings import Settings


@app.command()
@settings_options()
def analyze(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Files to analyze (.txt, .html, .json, .jsonl, .csv); - for stdin."),
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="Analyze this text.")] = None,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write JSON here (- for stdout, .jsonl for lines).")
    ] = None,
    html_out: Annotated[
        str | None, typer.Option("--html", help="Write a self-contained HTML report here.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No terminal report.")] = False,
    *,
    settings: Settings,
) -> None:
    """Analyze articles: structure, posts, claims, speakers, numbers, dates, techniques."""
    from claimscope.pipeline import analyze_many
    from claimscope.report import render_html, render_terminal

    with one_line_errors():
        sources: list[Any] = list(paths or [])
        if text is not None:
            from claimscope.ingest import read_text

            sources.append(read_text(text, settings=settings))
        if not sources:
            sources = ["-"]
        with _progress(len(sources)) as advance:
            batch = analyze_many(sources, settings=settings, progress=advance)
        if json_out:
            write_output(json_out, json_output(batch.analyses, json_out))
        if html_out and batch.analyses:
            write_output(html_out, render_html(batch.analyses))
    if not quiet and json_out != "-" and batch.analyses:
        render_terminal(batch.analyses, Console(), max_claims=settings.max_claims)
    if html_out and batch.analyses and html_out != "-":
        err.print(f"HTML report written to {html_out}", highlight=False)
    report_failures(batch.failures, any_ok=bool(batch.analyses))
    if batch.failures:
        raise typer.Exit(2)


class _progress:
    """A progress bar on stderr for multi-input runs; a no-op for one input."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Progress | None = None

    def __enter__(self) -> Any:
        if self.total < 2 or not err.is_terminal:
            return None
        self.bar = Progress(
            TextColumn("analyzing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("analyze", total=self.total)
        bar = self.bar
        return lambda _item: bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.stop()
