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
            )
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        err.print("interrupted: what was stored stays; run the same command again to resume")
        raise typer.Exit(130) from None
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


@app.command()
def train(
    task: Annotated[str, typer.Argument(help="claims (also: checkworthiness, subjectivity).")],
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
    if task not in ("claims", "checkworthiness", "subjectivity"):
        raise fail(f"unknown task {task!r}: claims, checkworthiness or subjectivity")
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
