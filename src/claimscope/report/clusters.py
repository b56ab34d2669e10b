"""Claim clusters for the terminal: the top clusters, one cluster's members, and run summaries.
Renderers write to the console they are given."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from claimscope.clusters import Cluster, ClusterStats, Member

# Outlets listed in a cell before "+N more".
_OUTLETS_SHOWN = 3


def render_clusters(clusters: list[Cluster], console: Console, *, title: str) -> None:
    """The clusters as a table: representative claim, size, documents, outlets, first and last
    seen."""
    table = Table(title=title, title_justify="left")
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("claim (representative)", ratio=1)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("docs", justify="right", no_wrap=True)
    table.add_column("outlets")
    table.add_column("first seen", no_wrap=True)
    table.add_column("last seen", no_wrap=True)
    for c in clusters:
        table.add_row(
            str(c.id),
            Text(c.text),
            str(c.size),
            str(c.documents),
            Text(_outlets(c.outlets)),
            _day(c.first_seen),
            _day(c.last_seen),
        )
    console.print(table)


def render_members(cluster: Cluster, members: list[Member], console: Console) -> None:
    """A cluster's members by day: outlet, day, how the claim joined, who says it, its text."""
    table = Table(
        title=f"cluster {cluster.id}: {cluster.size} claims in {cluster.documents} documents",
        title_justify="left",
    )
    table.add_column("day", no_wrap=True)
    table.add_column("outlet")
    table.add_column("how", no_wrap=True)
    table.add_column("sim.", justify="right", no_wrap=True)
    table.add_column("speaker", ratio=1)
    table.add_column("claim", ratio=3)
    for m in members:
        table.add_row(
            _day(m.day),
            Text(m.outlet or "—"),
            m.how,
            f"{m.similarity:.2f}",
            Text(m.speaker or "—"),
            Text(m.text),
        )
    console.print(table)


def cluster_summary(stats: ClusterStats) -> str:
    """The line a clustering run ends with."""
    joined = stats.joined
    index = "; claim index rebuilt" if stats.rebuilt_index else ""
    return (
        f"{stats.claims} claims clustered ({joined['exact']} exact, {joined['near']} near, "
        f"{joined['semantic']} semantic, {joined['new']} new), {stats.clusters} clusters in all, "
        f"in {stats.seconds:.1f} s{index}"
    )


class ClusterProgress:
    """A bar of claims clustered, on a terminal only; the ``progress`` of ``update_clusters``."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.bar: Progress | None = None
        self.task: Any = None

    def __enter__(self) -> ClusterProgress:
        return self

    def __call__(self, stats: ClusterStats) -> None:
        if not self.console.is_terminal:
            return
        if self.bar is None:
            self.bar = Progress(
                TextColumn("clustering claims"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("cluster", total=stats.total)
        self.bar.update(self.task, completed=stats.claims)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _outlets(outlets: list[str]) -> str:
    if not outlets:
        return "—"
    shown = ", ".join(outlets[:_OUTLETS_SHOWN])
    more = len(outlets) - _OUTLETS_SHOWN
    return f"{shown} +{more} more" if more > 0 else shown


def _day(day: Any) -> str:
    return day.isoformat() if day is not None else "—"
