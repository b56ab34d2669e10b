"""Shared pieces of the ``claimscope`` commands: the app, settings from flags, errors, output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from claimscope.errors import ClaimscopeError
from claimscope.model import Analysis, Failure
from claimscope.settings import Settings

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

# The record fields of JSON/JSONL/CSV inputs (analyze, ingest, evidence index read alike).
TextFieldOpt = Annotated[str | None, typer.Option(help="Record field with the text.")]
TitleFieldOpt = Annotated[str | None, typer.Option(help="Record field with the title.")]
UrlFieldOpt = Annotated[str | None, typer.Option(help="Record field with the URL.")]
DateFieldOpt = Annotated[str | None, typer.Option(help="Record field with the date.")]
OutletFieldOpt = Annotated[str | None, typer.Option(help="Record field with the outlet.")]


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


def write_output(path: str, content: str) -> None:
    if path == "-":
        sys.stdout.write(content)
        return
    try:
        Path(path).write_text(content, encoding="utf-8")
    except OSError as exc:
        raise ClaimscopeError(f"cannot write {path}: {exc.strerror}") from None


def json_output(analyses: list[Analysis], path: str) -> str:
    if path.endswith(".jsonl"):
        return "".join(a.to_json(indent=None) + "\n" for a in analyses)
    if len(analyses) == 1:
        return analyses[0].to_json() + "\n"
    return json.dumps([a.to_dict() for a in analyses], ensure_ascii=False, indent=2) + "\n"


def report_failures(failures: list[Failure], *, any_ok: bool, total: int | None = None) -> None:
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
WindowOpt = Annotated[
    int | None,
    typer.Option(
        "--window",
        help="Newest indexed claims a claim can join by meaning (default 300000; 0: no limit). "
        "It bounds the clustering's memory and time; another value rebuilds the index once.",
    ),
]
