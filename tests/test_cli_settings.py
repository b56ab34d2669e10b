"""Settings flags: each command's settings options come from the Settings fields, reach the
Settings it runs with, and keep the ``--config`` precedence (flag, then file, then default)."""

import dataclasses
import functools
import inspect
import json
import typing

import pytest
import typer
from typer.testing import CliRunner

import claimscope.cli.common as common
from claimscope.cli import app
from claimscope.settings import Settings

runner = CliRunner(env={"COLUMNS": "400"})

# The arguments each command requires besides its settings (nothing is read: the run stops
# once the settings are built). A new command that takes settings must be added here.
REQUIRED = {
    "analyze": [],
    "ingest": ["in.txt", "--db", "c.duckdb"],
    "serve": ["--db", "c.duckdb"],
    "evidence index": ["in.txt", "--index", "idx"],
    "eval checkworthiness": ["--data", "d.tsv"],
    "eval subjectivity": ["--data", "d.tsv"],
    "eval persuasion": ["--data", "ptc"],
    "eval attribution": ["--data", "polnear-dev"],
}

FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
HINTS = typing.get_type_hints(Settings)
# Valid values other than the default where the generic rule below gives none.
SPECIAL = {"anchor_date": "2021-03-04"}


def _settings_commands():
    """``(name, callback)`` of every command whose settings options settings_options made."""
    found = []

    def visit(prefix, typer_app):
        for command in typer_app.registered_commands:
            if hasattr(command.callback, "__settings_fields__"):
                found.append((prefix + (command.name or command.callback.__name__), command))
        for group in typer_app.registered_groups:
            visit(f"{prefix}{group.name} ", group.typer_instance)

    visit("", app)
    return [(name, command.callback) for name, command in found]


COMMANDS = _settings_commands()
CASES = [(name, field) for name, callback in COMMANDS for field in callback.__settings_fields__]
WITH_CONFIG = [
    name for name, callback in COMMANDS if "config" in inspect.signature(callback).parameters
]


@functools.cache
def _help(command):
    result = runner.invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0
    return result.stdout


@functools.cache
def _click_app():
    return typer.main.get_command(app)


def _option(command, name):
    """The click option of setting ``name`` on ``command``."""
    group = _click_app()
    for word in command.split():
        group = group.commands[word]
    return next(p for p in group.params if p.name == name)


def _flag(name):
    return "--" + name.replace("_", "-")


def _other_value(name):
    """A valid value of setting ``name`` other than its default, and the flags that give it."""
    default, hint = FIELDS[name].default, HINTS[name]
    if hint is bool:
        return not default, [_flag(name) if not default else f"--no-{_flag(name)[2:]}"]
    if name in SPECIAL:
        value = SPECIAL[name]
    elif typing.get_origin(hint) is typing.Literal:
        value = next(choice for choice in typing.get_args(hint) if choice != default)
    elif hint is int:
        value = default + 1
    elif hint is float:
        value = 0.5
    else:
        value = f"x-{name}"
    return value, [_flag(name), str(value)]


def _default_flags(name):
    """The flags that give setting ``name`` its default value explicitly."""
    default = FIELDS[name].default
    if isinstance(default, bool):
        return [_flag(name) if default else f"--no-{_flag(name)[2:]}"]
    return [_flag(name), str(default)]


class _Built(Exception):
    """Stops a command once its settings are built."""


@pytest.fixture
def built(monkeypatch):
    """The Settings each run builds (the run stops there)."""
    seen = []
    real = common.build_settings

    def spy(config, **flags):
        seen.append(real(config, **flags))
        raise _Built

    monkeypatch.setattr(common, "build_settings", spy)
    return seen


def _settings_of(built, command, *args):
    result = runner.invoke(app, [*command.split(), *REQUIRED[command], *args])
    assert isinstance(result.exception, _Built), result.output
    return built[-1]


def test_cli_settings_every_command_is_known():
    assert sorted(name for name, _ in COMMANDS) == sorted(REQUIRED)
    exposed = {name: callback.__settings_fields__ for name, callback in COMMANDS}
    assert exposed["analyze"] == tuple(FIELDS), "analyze takes every setting"
    assert set(exposed["ingest"]) == set(FIELDS) - {"max_claims"}


@pytest.mark.parametrize(("command", "name"), CASES, ids=[f"{c}:{n}" for c, n in CASES])
def test_cli_settings_option_is_in_help_and_reaches_settings(built, command, name):
    assert _flag(name) in _help(command)
    assert _option(command, name).help == FIELDS[name].metadata["help"]
    if HINTS[name] is bool:
        assert f"--no-{_flag(name)[2:]}" in _help(command)
    value, flags = _other_value(name)
    settings = _settings_of(built, command, *flags)
    assert getattr(settings, name) == value
    assert settings == Settings().replace(**{name: value}), "only this setting changed"


@pytest.mark.parametrize("command", WITH_CONFIG)
def test_cli_settings_flag_overrides_config_file_which_overrides_default(built, tmp_path, command):
    exposed = dict(COMMANDS)[command].__settings_fields__
    name = next(n for n in exposed if FIELDS[n].default is not None)
    value, _ = _other_value(name)
    config = tmp_path / "c.toml"
    config.write_text(f"[claimscope]\n{name} = {json.dumps(value)}\n", encoding="utf-8")
    assert getattr(_settings_of(built, command), name) == FIELDS[name].default
    assert getattr(_settings_of(built, command, "--config", str(config)), name) == value
    flags = _default_flags(name)
    from_flag = _settings_of(built, command, "--config", str(config), *flags)
    assert getattr(from_flag, name) == FIELDS[name].default


def test_cli_settings_invalid_flag_is_one_line_exit_2():
    result = runner.invoke(app, ["ingest", "in.txt", "--db", "c.duckdb", "--threads", "-1"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: threads must be 0 or more, got -1"


def test_cli_settings_options_rejects_unknown_or_redeclared_settings():
    with pytest.raises(ValueError, match="not settings: nope"):
        common.settings_options(("nope",))

    def command(threads: int = 0, *, settings: Settings) -> None: ...

    with pytest.raises(TypeError, match="threads"):
        common.settings_options(("threads",))(command)


def test_cli_settings_options_keep_the_command_context():
    small = typer.Typer()
    seen = {}

    @small.command()
    @common.settings_options(("threads",), config=False)
    def command(ctx: typer.Context, *, settings: Settings) -> None:
        seen.update(ctx=ctx, settings=settings)

    result = CliRunner().invoke(small, ["--threads", "2"])
    assert result.exit_code == 0, result.output
    assert seen["ctx"].params["threads"] == 2
    assert seen["settings"] == Settings(threads=2)
