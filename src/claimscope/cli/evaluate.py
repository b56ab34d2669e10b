"""``claimscope eval``: measure the models on labelled data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from claimscope.cli.common import (
    DataOpt,
    ModelOpt,
    PredOpt,
    ProfileOpt,
    ThresholdOpt,
    app,
    build_settings,
    fail,
    write_output,
)
from claimscope.errors import ClaimscopeError

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
            write_output(json_out, json.dumps(body, indent=2) + "\n")
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
            write_output(json_out, json.dumps(body, indent=2) + "\n")
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
            write_output(json_out, json.dumps(body, indent=2) + "\n")
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
