"""``claimscope serve``: the workbench (REST API and pages) over one corpus store."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from claimscope.cli.common import app, err, fail, one_line_errors, settings_options
from claimscope.settings import Settings


@app.command()
@settings_options(("profile",))
def serve(
    db: Annotated[str, typer.Option("--db", help="The corpus store (created if missing).")],
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="CLAIMSCOPE_TOKEN",
            show_envvar=True,
            help="Required from clients; needed when binding beyond loopback.",
        ),
    ] = None,
    evidence: Annotated[
        Path | None, typer.Option("--evidence", help="An evidence index for claim checks.")
    ] = None,
    stance_model: Annotated[
        str | None,
        typer.Option("--stance-model", help="A stance-model folder for evidence checks."),
    ] = None,
    max_upload: Annotated[
        float, typer.Option("--max-upload", help="Largest upload or request body, in MB.")
    ] = 2.0,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Longest a request may take, in seconds.")
    ] = 60.0,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Allow browser calls from this origin; repeatable."),
    ] = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Also answer requests for this Host name (behind a proxy); repeatable.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Analysis worker processes (each loads the models: some 300 MB); "
            "0 analyzes in the server itself, one request at a time.",
        ),
    ] = 2,
    *,
    settings: Settings,
) -> None:
    """The workbench: a web app and REST API to analyze, explore and review claims."""
    from claimscope.web.security import TOKEN_ENV, allowed_hosts, is_loopback
    from claimscope.web.service import ServerConfig

    if not is_loopback(host) and not token:
        raise fail(f"--host {host} is reachable from other machines: set --token or {TOKEN_ENV}")
    if evidence is not None and not evidence.is_dir():
        raise fail(f"--evidence {evidence}: no such index folder")
    if stance_model is not None:
        from claimscope.models.stance import installed

        if not installed(stance_model):
            raise fail(f"--stance-model {stance_model}: no stance-model folder there")
    if max_upload <= 0 or timeout <= 0:
        raise fail("--max-upload and --timeout must be positive")
    if workers < 0:
        raise fail(f"--workers must be 0 or more, got {workers}")
    try:
        allowed_hosts(host, allow_host or ())
    except ValueError as exc:
        raise fail(f"--host or --allow-host: {exc}") from None
    if Path(db).is_dir():
        raise fail(f"--db {db}: is a directory, not a database file")
    with one_line_errors():
        server = ServerConfig(
            db=Path(db),
            token=token or None,
            evidence=evidence,
            stance_model=stance_model,
            max_upload=int(max_upload * 1_000_000),
            timeout=timeout,
            cors_origins=tuple(cors_origin or ()),
            settings=settings,
            host=host,
            allowed_hosts=tuple(allow_host or ()),
            workers=workers,
            warm_up=True,
        )
        _check_store(server.db)
    import uvicorn

    from claimscope.web import create_app

    shown = f"[{host}]" if ":" in host else host
    err.print(f"claimscope workbench on http://{shown}:{port}/ (store {db}); Ctrl-C stops it")
    os.environ.pop(TOKEN_ENV, None)  # the server has it; child processes need not
    uvicorn.run(create_app(server), host=host, port=port, log_level="warning")


def _check_store(db: Path) -> None:
    """Open and migrate the store once, so a locked or foreign file fails here, in one line."""
    from claimscope.store import Store

    Store.open(db).close()
