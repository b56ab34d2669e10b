"""The layers' joints (docs/architecture.md): what a run loads, and what the root hands down."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from claimscope import Settings, analyze
from claimscope.model import document as model_document

# Libraries of the layers above the pipeline (store, cluster, web server) and of training.
ABOVE = ("duckdb", "dask", "distributed", "fastapi", "starlette", "uvicorn", "torch")


def _loaded_after(code: str) -> list[str]:
    """The libraries of ``ABOVE`` that a fresh interpreter has loaded after running ``code``."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({ABOVE!r}))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_importing_the_pipeline_loads_no_store_cluster_or_web_server() -> None:
    assert _loaded_after("import claimscope.pipeline") == []


def test_analyzing_an_article_loads_no_store_cluster_or_web_server() -> None:
    code = (
        "from claimscope import Settings, analyze\n"
        "analyze('The council approved 48 new buses on March 3, 2024.',"
        " settings=Settings(profile='rules'))"
    )
    assert _loaded_after(code) == []


def test_an_analysis_shows_itself_in_a_notebook_through_the_report() -> None:
    analysis = analyze("The council approved 48 new buses.", settings=Settings(profile="rules"))
    html = analysis._repr_html_()
    assert html is not None and html.startswith('<div class="claimscope cs-fragment">')


def test_without_a_renderer_a_notebook_falls_back_to_the_plain_repr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    analysis = analyze("The council approved 48 new buses.", settings=Settings(profile="rules"))
    monkeypatch.setattr(model_document, "_html_renderer", None)
    assert analysis._repr_html_() is None
