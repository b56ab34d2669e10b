"""The ``claimscope`` command: parse flags, build Settings, call the API, render.

Each command group lives in its own module; importing them registers the commands on ``app``.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from claimscope import __version__
from claimscope.cli import analyze, corpus, evaluate, serve, train, verify  # noqa: F401
from claimscope.cli.common import app

__all__ = ["app", "main"]


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
