"""An ingest for the terminal: its progress display and the lines it ends with. Renderers write
to the console they are given, never to a global one."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

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
from rich.text import Text

from claimscope.corpus.runner import IngestStats

# Seconds between progress lines when stderr is not a terminal (a log, a CI job).
PLAIN_EVERY = 5.0


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
