"""Corpus commands: ingest, claims, sql, export, contradictions, coverage, timeline."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from claimscope.cli.common import (
    SETTING_NAMES,
    DbOpt,
    QuietOpt,
    WindowOpt,
    app,
    err,
    fail,
    one_line_errors,
    report_failures,
    settings_options,
    write_output,
)
from claimscope.errors import ClaimscopeError
from claimscope.settings import Settings

if TYPE_CHECKING:
    from claimscope.clusters import ClusterConfig


@app.command()
@settings_options(name for name in SETTING_NAMES if name != "max_claims")  # no terminal report
def ingest(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files and folders (walked recursively): .txt, .html, .json, .jsonl, .csv, "
            ".warc, .warc.gz."
        ),
    ],
    db: DbOpt,
    workers: Annotated[int, typer.Option(help="Processes analyzing documents.")] = 1,
    chunk_size: Annotated[
        int, typer.Option(help="Documents per chunk (one worker task, one transaction).")
    ] = 32,
    engine: Annotated[
        str, typer.Option(help="Where to analyze: local (processes) or dask (a Dask cluster).")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address (tcp://host:8786); default: a local cluster of "
            "--workers processes. Needs --engine dask."
        ),
    ] = None,
    partition_size: Annotated[
        int | None,
        typer.Option(
            help="Documents per partition (one Dask task, one transaction; default 64). "
            "Needs --engine dask."
        ),
    ] = None,
    quiet: QuietOpt = False,
    cluster: Annotated[
        bool,
        typer.Option("--cluster/--no-cluster", help="Cluster the new claims as they are stored."),
    ] = True,
    window: WindowOpt = None,
    *,
    settings: Settings,
) -> None:
    """Analyze many documents into a corpus store (DuckDB), in parallel; resumable."""
    from claimscope.corpus.ingest import ingest_paths
    from claimscope.report.clusters import cluster_summary
    from claimscope.report.ingest import IngestProgress, summary_line

    if window is not None and not cluster:
        raise fail("--window and --no-cluster: the window is the clustering's")
    try:
        clustering = _cluster_config(window)
        with IngestProgress(err) as show:
            stats = ingest_paths(
                paths,
                db=db,
                settings=settings,
                workers=workers,
                chunk_size=chunk_size,
                progress=None if quiet else show,
                count=not quiet,
                engine=engine,
                scheduler=scheduler,
                partition_size=partition_size,
                cluster=cluster,
                cluster_config=clustering,
            )
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        err.print("interrupted: what was stored stays; run the same command again to resume")
        raise typer.Exit(130) from None
    if stats.clusters is not None and not quiet and stats.clusters.claims:
        err.print(cluster_summary(stats.clusters), highlight=False, markup=False, soft_wrap=True)
    if not quiet:
        err.print(summary_line(stats, db), highlight=False, markup=False, soft_wrap=True)
        languages = _languages(db)
        if languages:
            err.print(languages, highlight=False, markup=False, soft_wrap=True)
    report_failures(stats.failures, any_ok=True, total=stats.failed)
    if stats.failed > len(stats.failures):
        err.print(
            f"... and {stats.failed - len(stats.failures)} more: "
            f'claimscope sql "SELECT * FROM failures" --db {db}',
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if stats.failed:
        raise typer.Exit(2)


def _languages(db: str) -> str | None:
    """The store's documents by language, when some are not English (None otherwise)."""
    from claimscope.report.ingest import languages_line
    from claimscope.store import Store

    try:
        with Store.open(db, read_only=True) as store:
            return languages_line(store.languages())
    except ClaimscopeError:  # the counts are a courtesy: the ingest itself went through
        return None


def _cluster_config(window: int | None) -> ClusterConfig | None:
    """How to cluster: the defaults, or another ``--window`` (None when not given)."""
    from claimscope.clusters import ClusterConfig

    return None if window is None else ClusterConfig(window=window)


def _update_clusters(
    db: str, *, quiet: bool, recluster: bool = False, window: int | None = None
) -> None:
    """Cluster the claims of the store at ``db`` not clustered yet, with a progress bar."""
    from claimscope.clusters import update_clusters
    from claimscope.report.clusters import ClusterProgress, cluster_summary
    from claimscope.store import Store
    from claimscope.store.connection import WRITE_MEMORY_LIMIT

    try:
        config = _cluster_config(window)
        with (
            Store.open(db, memory_limit=WRITE_MEMORY_LIMIT) as store,
            ClusterProgress(err) as show,
        ):
            stats = update_clusters(
                store, config=config, progress=None if quiet else show, recluster=recluster
            )
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        err.print("interrupted: the claims clustered so far stay; run again to go on")
        raise typer.Exit(130) from None
    if not quiet and stats.claims:
        err.print(cluster_summary(stats), highlight=False, markup=False, soft_wrap=True)


@app.command()
def claims(
    db: DbOpt,
    top: Annotated[int, typer.Option("--top", help="Clusters shown, largest first.")] = 20,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Count only claims of documents from YYYY-MM-DD on."),
    ] = None,
    outlet: Annotated[
        list[str] | None,
        typer.Option("--outlet", help="Count only claims of this outlet (any case); repeatable."),
    ] = None,
    min_size: Annotated[int, typer.Option("--min-size", help="Smallest cluster shown.")] = 1,
    speaker: Annotated[
        list[str] | None,
        typer.Option(
            "--speaker",
            help="Count only claims said by this speaker (any case; a pronoun counts as the "
            "name it stands for); repeatable.",
        ),
    ] = None,
    cluster_id: Annotated[
        int | None, typer.Option("--cluster", help="List the claims of this cluster instead.")
    ] = None,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the clusters as JSON (- for stdout).")
    ] = None,
    update: Annotated[
        bool,
        typer.Option(
            "--update/--no-update",
            help="Cluster new claims first (default); --no-update reads the store read-only.",
        ),
    ] = True,
    recluster: Annotated[
        bool,
        typer.Option("--recluster", help="Forget every cluster and cluster all claims anew."),
    ] = False,
    window: WindowOpt = None,
) -> None:
    """Claim clusters: the same claim across documents, with its size, outlets and dates."""
    import datetime as dt

    from claimscope.clusters import get_cluster, top_clusters
    from claimscope.report.clusters import render_clusters, render_members
    from claimscope.store import Store

    try:
        day = dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise fail(f"--since: expected YYYY-MM-DD, got {since!r}") from None
    if recluster and not update:
        raise fail("--recluster and --no-update: choose one")
    if not Path(db).is_file():  # a store is never created here
        raise fail(f"{db}: no such database")
    if update:
        _update_clusters(db, quiet=json_out == "-", recluster=recluster, window=window)
    with one_line_errors():
        with Store.open(db, read_only=True) as store:
            if cluster_id is not None:
                cluster, members = get_cluster(store, cluster_id)
                data: dict[str, Any] = {
                    "cluster": cluster.to_dict(),
                    "members": [m.to_dict() for m in members],
                }
            else:
                found = top_clusters(
                    store,
                    top=top,
                    since=day,
                    outlets=outlet or [],
                    min_size=min_size,
                    speakers=speaker or [],
                )
                data = {"clusters": [c.to_dict() for c in found]}
        if json_out:
            write_output(json_out, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    if json_out == "-":
        return
    console = Console()
    if cluster_id is not None:
        render_members(cluster, members, console)
        return
    where = "".join(
        [
            f" since {day.isoformat()}" if day else "",
            f" in {', '.join(outlet)}" if outlet else "",
            f" said by {', '.join(speaker)}" if speaker else "",
        ]
    )
    render_clusters(found, console, title=f"top {len(found)} claim clusters{where}")


@app.command()
def sql(
    query: Annotated[
        str, typer.Argument(help="One SQL query (DuckDB dialect): SELECT or EXPLAIN, read-only.")
    ],
    db: DbOpt,
    json_out: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print the rows as CSV.")] = False,
    max_rows: Annotated[int, typer.Option(help="Rows shown in the table.")] = 100,
) -> None:
    """Query a corpus store with SQL (SELECT or EXPLAIN only); prints a table, JSON or CSV."""
    from claimscope.report.query_results import render_table, write_csv, write_json
    from claimscope.store import Store

    if json_out and csv_out:
        raise fail("--json and --csv: choose one")
    # Sealed: the query reaches no file but the store, no network and no extension.
    with one_line_errors(), Store.open(db, read_only=True, sealed=True) as store:
        result = store.query(query)
        if json_out:
            write_json(result, sys.stdout)
        elif csv_out:
            write_csv(result, sys.stdout)
        else:
            render_table(result, Console(), max_rows=max_rows)


@app.command()
def export(
    db: DbOpt,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the Parquet files to.")],
) -> None:
    """Write every table of a corpus store to Parquet, one file per table."""
    from claimscope.store import Store

    with one_line_errors(), Store.open(db, read_only=True) as store:
        written = store.export_parquet(out)
    for table, path, rows in written:
        err.print(f"{table}: {rows} rows -> {path}", highlight=False, markup=False)


@app.command()
def contradictions(
    db: DbOpt,
    doc: Annotated[
        str | None,
        typer.Option(
            "--doc", help="Only contradictions involving this document (an id or its start)."
        ),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only this kind: number, date or negation.")
    ] = None,
    scope: Annotated[
        str | None,
        typer.Option("--scope", help="Only within documents (document) or across them (corpus)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Contradictions shown, best first.")] = 50,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write them as JSON (- for stdout).")
    ] = None,
    update: Annotated[
        bool,
        typer.Option(
            "--update/--no-update",
            help="Compare new documents across the corpus first (default); --no-update reads "
            "the store read-only.",
        ),
    ] = True,
) -> None:
    """Contradictions in and across documents (numbers, dates, negation), with both sides."""
    from claimscope.corpus.contradictions import list_contradictions, update_contradictions
    from claimscope.report.contradictions import render_contradictions
    from claimscope.store import Store

    quiet = json_out == "-"
    with one_line_errors():
        if update:
            with Store.open(db) as store:
                stats = update_contradictions(store)
            if not quiet and stats.documents:
                err.print(
                    f"compared {stats.documents} new document(s) with the corpus: "
                    f"{stats.pairs} sentence pairs, {stats.found} contradiction(s) across "
                    f"documents in {stats.seconds:.1f} s",
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )
        with Store.open(db, read_only=True) as store:
            found = list_contradictions(store, doc=doc, kind=kind, scope=scope, limit=limit)
        if json_out:
            data = {"contradictions": [v.to_dict() for v in found]}
            write_output(json_out, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    if not quiet:
        render_contradictions(found, Console())


QueryArg = Annotated[
    str,
    typer.Argument(
        help='What to look for: words (all needed, whole, any case), "a phrase", a OR b, '
        "-excluded, prefix*."
    ),
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="Documents published on or after YYYY-MM-DD.")
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help="Documents published on or before YYYY-MM-DD.")
]
OutletOpt = Annotated[
    list[str] | None, typer.Option("--outlet", help="Only this outlet (any case); repeatable.")
]
HtmlPageOpt = Annotated[
    str | None, typer.Option("--html", help="Write a self-contained HTML page here.")
]


@app.command("coverage")
def coverage_command(
    query: QueryArg,
    db: DbOpt,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            help="Group by outlet and/or a period: day, week or month; repeatable "
            "(default: --by outlet --by week).",
        ),
    ] = None,
    chart: Annotated[
        str | None, typer.Option("--chart", help="Write a bar chart here: .svg or .png.")
    ] = None,
    html_out: HtmlPageOpt = None,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the counts as JSON here (- for stdout).")
    ] = None,
    csv_out: Annotated[
        str | None, typer.Option("--csv", help="Write the counts as CSV here (- for stdout).")
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    outlet: OutletOpt = None,
) -> None:
    """Count the documents (sentences, claims) matching a query, per outlet and period."""
    import io

    from claimscope.report.corpus_terminal import render_coverage, write_coverage_csv
    from claimscope.store import Store
    from claimscope.store.coverage import coverage, parse_by
    from claimscope.store.query import parse_filters, parse_query

    if json_out == "-" and csv_out == "-":
        raise fail("--json - and --csv -: only one can go to stdout")
    with one_line_errors():
        parsed = parse_query(query)
        filters = parse_filters(since, until, outlet or [])
        by_outlet, period = parse_by(by or [])
        with Store.open(db, read_only=True) as store:
            result = coverage(store, parsed, by_outlet=by_outlet, period=period, filters=filters)
        if json_out:
            write_output(
                json_out, json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
            )
        if csv_out:
            buffer = io.StringIO()
            write_coverage_csv(result, buffer)
            write_output(csv_out, buffer.getvalue())
        svg = None
        if chart or html_out:
            from claimscope.report.charts import coverage_spec, render_svg, write_chart

            spec = coverage_spec(result)
            if chart:
                write_chart(spec, chart)
            if html_out:
                from claimscope.report.corpus_html import render_coverage_html

                svg = render_svg(spec) if result.rows else None
                write_output(html_out, render_coverage_html(result, svg=svg, store=Path(db).name))
    if "-" not in (json_out, csv_out, html_out):
        render_coverage(result, Console())
    for what, path in (("chart", chart), ("HTML page", html_out)):
        if path and path != "-":
            err.print(f"{what} written to {path}", highlight=False, markup=False)


@app.command("timeline")
def timeline_command(
    query: QueryArg,
    db: DbOpt,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the events as JSON here (- for stdout).")
    ] = None,
    html_out: HtmlPageOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="Events at most, earliest first.")] = 100,
    scope: Annotated[
        str,
        typer.Option(
            help="Which claims: all those of the matching documents (document), or only those "
            "that match the query themselves (claim)."
        ),
    ] = "document",
    anchored: Annotated[
        bool,
        typer.Option(
            "--anchored/--no-anchored",
            help="Keep dates whose year was taken from the publication date (marked *).",
        ),
    ] = True,
    since: SinceOpt = None,
    until: UntilOpt = None,
    outlet: OutletOpt = None,
) -> None:
    """Dated events from the claims of the documents matching a query, with their sources."""
    from claimscope.report.corpus_terminal import render_timeline
    from claimscope.store import Store
    from claimscope.store.query import parse_filters, parse_query
    from claimscope.store.timeline import timeline

    if limit < 1:
        raise fail("--limit must be at least 1")
    with one_line_errors():
        parsed = parse_query(query)
        filters = parse_filters(since, until, outlet or [])
        with Store.open(db, read_only=True) as store:
            # One more than asked, to tell whether events were left out.
            events = timeline(
                store,
                parsed,
                filters=filters,
                scope=scope,
                limit=limit + 1,
                include_anchored=anchored,
            )
        more = len(events) > limit
        events = events[:limit]
        if json_out:
            body = {
                "query": parsed.text,
                "filters": filters.to_dict(),
                "scope": scope,
                "events": [e.to_dict() for e in events],
            }
            write_output(json_out, json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        if html_out:
            from claimscope.report.corpus_html import render_timeline_html

            page = render_timeline_html(
                events, query=parsed.text, filters=filters, store=Path(db).name
            )
            write_output(html_out, page)
    if "-" not in (json_out, html_out):
        render_timeline(events, Console(), query=parsed.text)
        if more:
            err.print(f"(the first {limit} events; --limit N for more)", highlight=False)
    if html_out and html_out != "-":
        err.print(f"HTML page written to {html_out}", highlight=False, markup=False)
