"""``claimscope eval``: measure the models on labelled data."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from claimscope.cli.common import (
    DataOpt,
    PredOpt,
    ThresholdOpt,
    app,
    err,
    fail,
    one_line_errors,
    settings_options,
    write_output,
)
from claimscope.settings import Settings

if TYPE_CHECKING:
    from rich.table import Table

Report = dict[str, Any]
JsonOpt = Annotated[str | None, typer.Option("--json", help="Write the report as JSON.")]
_PRF = ("precision", "recall", "f1")

eval_app = typer.Typer(help="Measure the models on labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def _measure(
    evaluate: Callable[[], Report],
    json_out: str | None,
    predictions: Path | None = None,
    write: Callable[[Report, Path], None] | None = None,
    *,
    left_out: str = "predictions",
    as_json: Callable[[Report], Report] = lambda body: body,
) -> Report:
    """Run one evaluation and write what was asked: its predictions (``write``) and its report
    as JSON (without ``left_out``, which is long and goes to the predictions). An error of the
    input ends the command with one line (exit code 2)."""
    with one_line_errors():
        report = evaluate()
        if predictions and write:
            write(report, predictions)
        if json_out:
            body = as_json({k: v for k, v in report.items() if k != left_out})
            write_output(json_out, json.dumps(body, indent=2) + "\n")
    return report


def _table(title: str, columns: Sequence[str], *, left: Sequence[str] = ()) -> Table:
    """A report table: the ``left`` columns (labels) left-aligned, the figures right-aligned."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="left" if column in left else "right")
    return table


def _figures(row: Mapping[str, float], keys: Sequence[str] = _PRF) -> list[str]:
    return [f"{row[k]:.4f}" for k in keys]


def _show(table: Table, note: str) -> None:
    console = Console()
    console.print(table)
    console.print(note, highlight=False)


def _eval(
    task: str,
    data: Path,
    predictions: Path | None,
    settings: Settings,
    threshold: float | None,
    json_out: str | None,
) -> None:
    from claimscope.evaluation.claims import evaluate_claims, write_predictions

    report = _measure(
        lambda: evaluate_claims(task, data, settings=settings, threshold=threshold),
        json_out,
        predictions,
        write_predictions,
    )
    columns = ("precision", "recall", "F1", "macro-F1", "accuracy")
    table = _table(f"{task} on {data.name} ({report['n']} sentences)", columns)
    table.add_row(*_figures(report, (*_PRF, "macro_f1", "accuracy")))
    _show(
        table,
        f"model {report['model']}, threshold {report['threshold']:g}; precision, recall and F1 "
        f"of the positive class ({report['support']} positive)",
    )


def _eval_command(task: str, summary: str) -> Any:
    """The ``claimscope eval TASK`` command (the same flags for every task)."""

    @settings_options(("profile", "model"), config=False)
    def command(
        data: DataOpt,
        predictions: PredOpt = None,
        threshold: ThresholdOpt = None,
        json_out: JsonOpt = None,
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
    json_out: JsonOpt = None,
) -> None:
    """Fact-check matching: MAP@1, MAP@5, MAP@10 and Recall@10 (CheckThat! format)."""
    from claimscope.evaluation.matching import evaluate_matching, write_rankings

    report = _measure(
        lambda: evaluate_matching(queries, qrels, claims, rerank=rerank, model=model),
        json_out,
        predictions,
        lambda report, path: write_rankings(report["rankings"], path),
        left_out="rankings",
    )
    keys = ("map@1", "map@5", "map@10", "recall@10")
    table = _table(
        f"matching on {queries.name} ({int(report['queries'])} queries)",
        [key.upper().replace("RECALL", "Recall") for key in keys],
    )
    table.add_row(*_figures(report, keys))
    _show(
        table,
        f"{report['method']} over {report['claims']} verified claims; "
        f"{report['median_ms_per_query']:.1f} ms per query (median)",
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
    json_out: JsonOpt = None,
    *,
    settings: Settings,
) -> None:
    """Persuasion techniques: sentence F1 (any technique), micro-F1 over techniques, span F1."""
    from claimscope.evaluation.persuasion import evaluate_persuasion, write_predictions

    report = _measure(
        lambda: evaluate_persuasion(data, settings=settings, split=split),
        json_out,
        predictions,
        write_predictions,
    )
    where = f"{data.name}" + (f" ({split} split)" if split else "")
    table = _table(
        f"persuasion on {where}: {report['articles']} articles, {report['sentences']} sentences",
        ("measure", "precision", "recall", "F1"),
        left=("measure",),
    )
    for label, key in (
        ("sentence, any technique", "binary"),
        ("sentence, micro over techniques", "micro"),
        ("span, technique matched (partial overlap)", "spans"),
        ("span, any technique (partial overlap)", "spans_unlabelled"),
    ):
        table.add_row(label, *_figures(report[key]))
    for key in report["shown"]:
        row = report["spans_per_technique"][key]
        if row["predicted"] or settings.techniques_shown == "precise":
            table.add_row(f"  span, {key} ({row['predicted']} found)", *_figures(row))
    _show(
        table,
        f"model {report['model']}; techniques shown: {settings.techniques_shown} "
        f"({len(report['shown'])} of 14); {report['density']:g} spans per 1,000 words",
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
    json_out: JsonOpt = None,
) -> None:
    """Stance: accuracy, macro-F1 and per-class precision, recall and F1 (FEVER-Symmetric 2-way)."""
    from claimscope.evaluation.stance import evaluate_stance, write_predictions

    if split not in (None, "dev", "test"):
        raise fail(f"--split must be dev or test, not {split!r}")
    report = _measure(
        lambda: evaluate_stance(data, model=model, split=split),
        json_out,
        predictions,
        write_predictions,
    )
    ways = "2-way: supports vs refutes" if report["two_way"] else "3-way"
    table = _table(
        f"stance on {data.name}{f' ({split} split)' if split else ''} "
        f"({report['format']}, {report['n']} pairs, {ways})",
        ("label", "precision", "recall", "F1", "support"),
        left=("label",),
    )
    for label, row in report["per_class"].items():
        table.add_row(label, *_figures(row), str(row["support"]))
    _show(
        table,
        f"accuracy {report['accuracy']:.4f}, macro-F1 {report['macro_f1']:.4f}; "
        f"model {report['model']}",
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
    json_out: JsonOpt = None,
) -> None:
    """Claim verdicts on Climate-FEVER: rule tuned on one half, accuracy and macro-F1 on the
    other."""
    from claimscope.evaluation.verdict import evaluate_verdict, verdict_json, write_verdicts
    from claimscope.models.stance import STANCE_MODEL, StanceScorer, installed
    from claimscope.verify.verdict import VERDICTS

    def evaluate() -> Report:
        scorer = None
        if stance and (model or installed()):
            scorer = StanceScorer(model or STANCE_MODEL).load()
        elif stance:
            err.print(f"note: no stance model installed ({STANCE_MODEL}): the rules alone")
        return evaluate_verdict(data, scorer=scorer, seed=seed)

    report = _measure(
        evaluate,
        json_out,
        predictions,
        lambda report, path: write_verdicts(report["predictions"], path),
        as_json=verdict_json,
    )
    halves = report["halves"]
    table = _table(
        f"verdicts on {data.name}: report half ({halves['report']} claims; rule tuned on "
        f"the tune half, {halves['tune']} claims; split seed {report['seed']})",
        ("rule", "accuracy", "macro-F1", *(f"F1 {v}" for v in VERDICTS)),
        left=("rule",),
    )
    for name, scores in report["report"].items():
        per = scores["per_label"]
        table.add_row(
            name,
            *_figures(scores, ("accuracy", "macro_f1")),
            *(f"{per[v]['f1']:.4f}" for v in VERDICTS),
        )
    rule = report["tuned_rule"]
    _show(
        table,
        f"stance: {report['stance_model'] or 'none (rules alone)'}; "
        f"{report['excluded_seen_by_stance_model']} claims left out (the stance model trained "
        f"on them); tuned rule: support >= {rule.support:g}, refute >= {rule.refute:g}, "
        f"rank decay {rule.rank_decay:g}, clash weight {rule.clash_weight:g} "
        f"(tune-half macro-F1 {report['tune_macro_f1']:.4f})",
    )
    for f in report["failures"][:10]:
        err.print(f"note: {f.source}: {f.error}", highlight=False, markup=False)


@eval_app.command("attribution")
@settings_options(("attribution",), config=False)
def eval_attribution(
    data: Annotated[
        Path,
        typer.Option("--data", help="A PolNeAR split folder (text/ and attributions/)."),
    ],
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", help="Write the predicted attributions (JSONL) here."),
    ] = None,
    json_out: JsonOpt = None,
    *,
    settings: Settings,
) -> None:
    """Attribution: precision, recall and F1 of source, cue and content spans (PolNeAR);
    --attribution rules measures the rules alone, as the default measures the tagger's merge."""
    from claimscope.extract.attribution_eval import (
        WITH_SCORES,
        evaluate_attribution,
        write_predictions,
    )
    from claimscope.pipeline import build_pipeline

    # As an analysis runs them: the scores stage gives the tagger the encoder's token states
    # (technique spans are not needed for that).
    stages = build_pipeline(WITH_SCORES)
    settings = dataclasses.replace(settings, techniques=False)
    report = _measure(
        lambda: evaluate_attribution(data, settings=settings, stages=stages),
        json_out,
        predictions,
        write_predictions,
    )
    table = _table(
        f"attribution ({report['method']}) on {data.name}: {report['articles']} articles, "
        f"{report['gold_attributions']} gold attributions, "
        f"{report['predicted_attributions']} predicted",
        ("span", "match", "precision", "recall", "F1", "gold", "predicted"),
        left=("span", "match"),
    )
    for role in ("source", "cue", "content"):
        row = report[role]
        for match in ("exact", "overlap"):
            table.add_row(
                role, match, *_figures(row[match]), str(row["gold"]), str(row["predicted"])
            )
    linked = report["content_linked"]
    _show(
        table,
        f"content linked to an overlapping source: {linked['share']:.4f} "
        f"({linked['linked']} of {linked['gold_with_source']} gold attributions with a source)",
    )
