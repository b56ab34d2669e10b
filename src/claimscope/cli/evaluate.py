"""``claimscope eval``: measure the models on labelled data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from claimscope.cli.common import (
    DataOpt,
    PredOpt,
    ThresholdOpt,
    app,
    fail,
    settings_options,
    write_output,
)
from claimscope.errors import ClaimscopeError
from claimscope.settings import Settings

eval_app = typer.Typer(help="Measure the models on labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def _eval(
    task: str,
    data: Path,
    predictions: Path | None,
    settings: Settings,
    threshold: float | None,
    json_out: str | None,
) -> None:
    from claimscope.evaluation.claims import evaluate_claims, write_predictions

    try:
        report = evaluate_claims(task, data, settings=settings, threshold=threshold)
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

    @settings_options(("profile", "model"), config=False)
    def command(
        data: DataOpt,
        predictions: PredOpt = None,
        threshold: ThresholdOpt = None,
        json_out: Annotated[
            str | None, typer.Option("--json", help="Write the report as JSON.")
        ] = None,
        *,
        settings: Settings,
    ) -> None:
        _eval(task, data, predictions, settings, threshold, json_out)

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

    from claimscope.evaluation.matching import evaluate_matching, write_rankings

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
@settings_options(("model", "techniques_shown"), config=False)
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
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the report as JSON.")
    ] = None,
    *,
    settings: Settings,
) -> None:
    """Persuasion techniques: sentence F1 (any technique), micro-F1 over techniques, span F1."""
    from claimscope.evaluation.persuasion import evaluate_persuasion, write_predictions

    try:
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
    for key in report["shown"]:
        row = report["spans_per_technique"][key]
        if row["predicted"] or settings.techniques_shown == "precise":
            table.add_row(
                f"  span, {key} ({row['predicted']} found)",
                *(f"{row[k]:.4f}" for k in ("precision", "recall", "f1")),
            )
    console = Console()
    console.print(table)
    console.print(
        f"model {report['model']}; techniques shown: {settings.techniques_shown} "
        f"({len(report['shown'])} of 14); {report['density']:g} spans per 1,000 words",
        highlight=False,
    )


@eval_app.command("stance")
def eval_stance(
    data: Annotated[
        Path,
        typer.Option(
            "--data", help="Labelled pairs: SICK TSV, Climate-FEVER or FEVER-Symmetric JSONL."
        ),
    ],
    model: Annotated[str | None, typer.Option("--model", help="A stance-model folder.")] = None,
    split: Annotated[
        str | None,
        typer.Option(help="Only the card's dev or test pairs (SICK, Climate-FEVER; default: all)."),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", help="Write each pair's probabilities (JSONL) here."),
    ] = None,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the report as JSON.")
    ] = None,
) -> None:
    """Stance: accuracy, macro-F1 and per-class precision, recall and F1 (FEVER-Symmetric 2-way)."""
    from rich.table import Table

    from claimscope.cli.common import err
    from claimscope.evaluation.stance import evaluate_stance, write_predictions

    try:
        if split not in (None, "dev", "test"):
            raise fail(f"--split must be dev or test, not {split!r}")
        report = evaluate_stance(data, model=model, split=split)
        if predictions:
            write_predictions(report, predictions)
        if json_out:
            body = {k: v for k, v in report.items() if k != "predictions"}
            write_output(json_out, json.dumps(body, indent=2) + "\n")
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    ways = "2-way: supports vs refutes" if report["two_way"] else "3-way"
    table = Table(
        title=f"stance on {data.name}{f' ({split} split)' if split else ''} "
        f"({report['format']}, {report['n']} pairs, {ways})",
        title_justify="left",
    )
    for column in ("label", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for label, row in report["per_class"].items():
        table.add_row(
            label, *(f"{row[k]:.4f}" for k in ("precision", "recall", "f1")), str(row["support"])
        )
    console = Console()
    console.print(table)
    console.print(
        f"accuracy {report['accuracy']:.4f}, macro-F1 {report['macro_f1']:.4f}; "
        f"model {report['model']}",
        highlight=False,
    )
    for line in report["failures"][:20]:
        err.print(f"error: {line}", highlight=False, markup=False, soft_wrap=True)
    if len(report["failures"]) > 20:
        err.print(f"... and {len(report['failures']) - 20} more line(s) not read", markup=False)
    if report["failures"]:
        raise typer.Exit(2)


@eval_app.command("verdict")
def eval_verdict(
    data: Annotated[
        Path, typer.Option("--data", help="Climate-FEVER claims (JSONL: claim, evidences).")
    ],
    model: Annotated[
        str | None, typer.Option("--model", help="A stance-model folder (default: installed).")
    ] = None,
    stance: Annotated[
        bool, typer.Option("--stance/--no-stance", help="Use the stance model (default).")
    ] = True,
    seed: Annotated[int, typer.Option(help="Seed of the split of claims into halves.")] = 0,
    predictions: Annotated[
        Path | None, typer.Option("--predictions", help="Write per-claim verdicts (TSV) here.")
    ] = None,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the report as JSON.")
    ] = None,
) -> None:
    """Claim verdicts on Climate-FEVER: rule tuned on one half, accuracy and macro-F1 on the
    other."""
    import dataclasses

    from rich.table import Table

    from claimscope.cli.common import err
    from claimscope.evaluation.verdict import evaluate_verdict, write_verdicts
    from claimscope.models.stance import STANCE_MODEL, StanceScorer, installed
    from claimscope.verify.verdict import VERDICTS

    try:
        scorer = None
        if stance and (model or installed()):
            scorer = StanceScorer(model or STANCE_MODEL).load()
        elif stance:
            err.print(f"note: no stance model installed ({STANCE_MODEL}): the rules alone")
        report = evaluate_verdict(data, scorer=scorer, seed=seed)
        if predictions:
            write_verdicts(report["predictions"], predictions)
        if json_out:
            body = {k: v for k, v in report.items() if k != "predictions"}
            body["tuned_rule"] = dataclasses.asdict(report["tuned_rule"])
            body["failures"] = [f"{f.source}: {f.error}" for f in report["failures"]]
            write_output(json_out, json.dumps(body, indent=2) + "\n")
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    halves = report["halves"]
    table = Table(
        title=f"verdicts on {data.name}: report half ({halves['report']} claims; rule tuned on "
        f"the tune half, {halves['tune']} claims; split seed {report['seed']})",
        title_justify="left",
    )
    table.add_column("rule")
    for column in ("accuracy", "macro-F1", *(f"F1 {v}" for v in VERDICTS)):
        table.add_column(column, justify="right")
    for name, scores in report["report"].items():
        per = scores["per_label"]
        table.add_row(
            name,
            f"{scores['accuracy']:.4f}",
            f"{scores['macro_f1']:.4f}",
            *(f"{per[v]['f1']:.4f}" for v in VERDICTS),
        )
    console = Console()
    console.print(table)
    rule = report["tuned_rule"]
    console.print(
        f"stance: {report['stance_model'] or 'none (rules alone)'}; "
        f"{report['excluded_seen_by_stance_model']} claims left out (the stance model trained "
        f"on them); tuned rule: support >= {rule.support:g}, refute >= {rule.refute:g}, "
        f"rank decay {rule.rank_decay:g}, clash weight {rule.clash_weight:g} "
        f"(tune-half macro-F1 {report['tune_macro_f1']:.4f})",
        highlight=False,
    )
    for f in report["failures"][:10]:
        err.print(f"note: {f.source}: {f.error}", highlight=False, markup=False)


@eval_app.command("attribution")
def eval_attribution(
    data: Annotated[
        Path,
        typer.Option("--data", help="A PolNeAR split folder (text/ and attributions/)."),
    ],
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", help="Write the predicted attributions (JSONL) here."),
    ] = None,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the report as JSON.")
    ] = None,
) -> None:
    """Attribution: precision, recall and F1 of source, cue and content spans (PolNeAR)."""
    from rich.table import Table

    from claimscope.extract.attribution_eval import evaluate_attribution, write_predictions

    try:
        report = evaluate_attribution(data)
        if predictions:
            write_predictions(report, predictions)
        if json_out:
            body = {k: v for k, v in report.items() if k != "predictions"}
            write_output(json_out, json.dumps(body, indent=2) + "\n")
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None
    table = Table(
        title=f"attribution on {data.name}: {report['articles']} articles, "
        f"{report['gold_attributions']} gold attributions, "
        f"{report['predicted_attributions']} predicted",
        title_justify="left",
    )
    for column in ("span", "match", "precision", "recall", "F1", "gold", "predicted"):
        table.add_column(column, justify="left" if column in ("span", "match") else "right")
    for role in ("source", "cue", "content"):
        row = report[role]
        for match in ("exact", "overlap"):
            table.add_row(
                role,
                match,
                *(f"{row[match][k]:.4f}" for k in ("precision", "recall", "f1")),
                str(row["gold"]),
                str(row["predicted"]),
            )
    console = Console()
    console.print(table)
    linked = report["content_linked"]
    console.print(
        f"content linked to an overlapping source: {linked['share']:.4f} "
        f"({linked['linked']} of {linked['gold_with_source']} gold attributions with a source)",
        highlight=False,
    )
