"""A pronoun source resolved to a name, in the store and the workbench: the claim's speaker is
the name, the pronoun is shown beside it, and ``claims --speaker NAME`` counts its claims."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from claimscope.cli import app
from claimscope.corpus.ingest import ingest_paths
from claimscope.settings import Settings
from claimscope.store import Store
from claimscope.web import ServerConfig, create_app

# Written for this test: "It" stands for the Harbour Authority, the nearest organisation.
TEXT = (
    "Nadia Okafor, the harbour chief, said the ferry would stop in May. The Harbour "
    "Authority said the port stays open. It said that 40 crew would lose their jobs on 3 June "
    "2024.\n"
)
PRONOUN_CLAIM = "It said that 40 crew would lose their jobs on 3 June 2024."


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("speakers")
    (folder / "port.txt").write_text(TEXT, encoding="utf-8")
    path = folder / "c.duckdb"
    ingest_paths([folder / "port.txt"], db=path, settings=Settings(profile="rules"))
    return path


@pytest.fixture()
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(ServerConfig(db=db, allowed_hosts=("testserver",)))) as c:
        yield c


def test_the_store_keeps_the_name_a_pronoun_stands_for(db: Path) -> None:
    with Store.open(db, read_only=True) as store:
        rows = store.fetch("SELECT speaker, resolved FROM attributions ORDER BY id")
    assert rows == [
        ("Nadia Okafor", None),
        ("Harbour Authority", None),
        ("it", "Harbour Authority"),
    ]


def test_claims_speaker_counts_the_claims_of_a_resolved_pronoun(db: Path) -> None:
    def said_by(name: str) -> set[str]:
        result = CliRunner().invoke(
            app, ["claims", "--db", str(db), "--speaker", name, "--json", "-"]
        )
        assert result.exit_code == 0, result.output
        return {c["text"] for c in json.loads(result.output)["clusters"]}

    assert PRONOUN_CLAIM in said_by("harbour authority")
    assert PRONOUN_CLAIM not in said_by("Nadia Okafor")
    assert said_by("it") == set()  # the pronoun is not a speaker's name


def test_the_workbench_shows_the_pronoun_and_the_name(client: TestClient) -> None:
    items = client.get("/api/v1/claims", params={"q": "crew"}).json()["items"]
    (item,) = items
    assert (item["speaker"], item["speaker_pronoun"]) == ("Harbour Authority", "it")
    named = client.get("/api/v1/claims", params={"q": "open"}).json()["items"]
    assert named[0]["speaker_pronoun"] is None
    shown = "it → Harbour Authority"
    page = client.get("/review").text
    assert shown in page and "the text says “it”, resolved to Harbour Authority" in page
    claim = client.get(f"/claims/{item['doc_id']}/{item['claim']}").text
    assert "speaker: <span" in claim and shown in claim


def test_the_corpus_timeline_shows_the_pronoun_and_the_name(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "timeline.json"
    page = tmp_path / "timeline.html"
    result = CliRunner().invoke(
        app,
        [
            "timeline",
            "crew",
            "--scope",
            "claim",
            "--db",
            str(db),
            "--json",
            str(out),
            "--html",
            str(page),
        ],
    )
    assert result.exit_code == 0, result.output
    (event,) = json.loads(out.read_text())["events"]
    (source,) = event["sources"]
    assert (source["speaker"], source["speaker_pronoun"]) == ("Harbour Authority", "it")
    assert "speaker: it → Harbour Authority</span>" in page.read_text()
