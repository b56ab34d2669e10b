"""Shared pieces of the ``claimscope`` commands: the app, settings from flags, errors, output."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import json
import sys
import typing
from collections.abc import Callable, Iterable, Iterator
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

DataOpt = Annotated[
    Path, typer.Option("--data", help="Labelled file (CheckThat! TSV or ClaimBuster JSON).")
]
PredOpt = Annotated[
    Path | None, typer.Option("--predictions", help="Write per-sentence predictions (TSV) here.")
]
ThresholdOpt = Annotated[
    float | None, typer.Option("--threshold", help="Decision threshold (default: the card's).")
]


def build_settings(config: Path | None, **flags: Any) -> Settings:
    """The one place where CLI flags become Settings (flags left unset keep the file's value)."""
    changes = {k: v for k, v in flags.items() if v is not None}
    if config is not None:
        return Settings.from_toml(config, **changes)
    return Settings.from_mapping(changes)


SETTINGS_PANEL = "Settings (see docs/configuration.md)"
SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Settings))

_CONFIG = inspect.Parameter(
    "config",
    inspect.Parameter.KEYWORD_ONLY,
    default=None,
    annotation=Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Settings file (TOML); flags override it.",
            rich_help_panel=SETTINGS_PANEL,
        ),
    ],
)

_CONTEXT = inspect.Parameter(
    "settings_context", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context
)


def _setting_option(field: dataclasses.Field[Any], hint: Any) -> inspect.Parameter:
    """The ``--kebab-case`` option of one setting, its type, help and default from the field
    (a Literal is a string, checked when Settings is built; a bool is ``--x/--no-x``)."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) is typing.Literal:
        kind: Any = type(args[0])
    elif args:  # X | None
        (kind,) = args
    else:
        kind = hint
    flag = "--" + field.name.replace("_", "-")
    decls = (f"{flag}/--no-{flag[2:]}",) if kind is bool else (flag,)
    option = typer.Option(*decls, help=field.metadata["help"], rich_help_panel=SETTINGS_PANEL)
    return inspect.Parameter(
        field.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=field.default,
        annotation=Annotated[kind if field.default is not None else kind | None, option],
    )


_HINTS = typing.get_type_hints(Settings)
_SETTING_OPTIONS: dict[str, inspect.Parameter] = {
    f.name: _setting_option(f, _HINTS[f.name]) for f in dataclasses.fields(Settings)
}


def settings_options(
    fields: Iterable[str] = SETTING_NAMES, *, config: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command one option per setting in ``fields`` (all by default) and ``--config``.

    The command declares a keyword-only ``settings: Settings`` parameter instead of the flags;
    it receives the Settings built from ``--config`` and the flags by ``build_settings``, and an
    invalid value ends the command with one line and exit code 2. Each option's name, type,
    help and default come from the Settings field, so a new setting is one field.
    """
    names = tuple(fields)
    unknown = sorted(set(names) - set(SETTING_NAMES))
    if unknown:
        raise ValueError(f"not settings: {', '.join(unknown)}")

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(command, eval_str=True)
        if "settings" not in signature.parameters:
            raise TypeError(f"{command.__name__} takes no settings parameter")
        own = [p for p in signature.parameters.values() if p.name != "settings"]
        # Typer hands the context to one parameter only: the command's own, if it takes one.
        context = next((p.name for p in own if p.annotation is typer.Context), None)
        added = [
            *([] if context else [_CONTEXT]),
            *([_CONFIG] if config else []),
            *(_SETTING_OPTIONS[n] for n in names),
        ]
        clash = {p.name for p in own} & {p.name for p in added}
        if clash:
            raise TypeError(f"{command.__name__} declares settings itself: {sorted(clash)}")

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            ctx: typer.Context = kwargs[context] if context else kwargs.pop(_CONTEXT.name)
            path = kwargs.pop("config", None)
            values = {name: kwargs.pop(name) for name in names}
            # Only the flags given: a setting left out keeps the --config file's value.
            flags = {
                name: value
                for name, value in values.items()
                if getattr(ctx.get_parameter_source(name), "name", None) != "DEFAULT"
            }
            try:
                settings = build_settings(path, **flags)
            except ClaimscopeError as exc:
                raise fail(str(exc)) from None
            return command(*args, settings=settings, **kwargs)

        run.__signature__ = signature.replace(parameters=own + added)  # type: ignore[attr-defined]
        run.__settings_fields__ = names  # type: ignore[attr-defined]
        return run

    return decorate


def fail(message: str) -> typer.Exit:
    """Print a one-line error and give the exit to raise (code 2: bad input or usage)."""
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(2)


@contextlib.contextmanager
def one_line_errors() -> Iterator[None]:
    """An error of the input, the settings or a store inside the block ends the command with
    its one-line message (exit code 2), never a traceback."""
    try:
        yield
    except ClaimscopeError as exc:
        raise fail(str(exc)) from None


def finish(summary: str | None, failures: list[Failure], *, any_ok: bool) -> None:
    """End a command that read many inputs: its one-line summary (None: quiet), then the
    inputs that failed, and exit code 2 when any did."""
    if summary is not None:
        err.print(summary, highlight=False, markup=False)
    report_failures(failures, any_ok=any_ok)
    if failures:
        raise typer.Exit(2)


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
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no summary.")]
WindowOpt = Annotated[
    int | None,
    typer.Option(
        "--window",
        help="Newest indexed claims a claim can join by meaning (default 300000; 0: no limit). "
        "It bounds the clustering's memory and time; another value rebuilds the index once.",
    ),
]
