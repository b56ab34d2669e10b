"""Docs are checked: generated references are current, settings and commands are documented."""

from pathlib import Path

from claimscope.cli import app
from claimscope.schema import schema_json, schema_markdown
from claimscope.settings import settings_help, settings_table

ROOT = Path(__file__).resolve().parents[1]


def test_docs_schema_files_are_current():
    assert (ROOT / "docs" / "schema" / "analysis.schema.json").read_text() == schema_json(), (
        "regenerate: claimscope schema > docs/schema/analysis.schema.json"
    )
    assert (ROOT / "docs" / "schema.md").read_text() == schema_markdown(), (
        "regenerate: claimscope schema --markdown > docs/schema.md"
    )


def test_docs_every_setting_is_documented():
    text = (ROOT / "docs" / "configuration.md").read_text()
    missing = [name for name, _, _ in settings_help() if f"`{name}`" not in text]
    assert not missing, f"settings missing from docs/configuration.md: {missing}"
    assert settings_table() in text, "regenerate the table with settings_table()"


def test_docs_every_command_is_in_the_cli_reference():
    text = (ROOT / "docs" / "cli.md").read_text()
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    for group in app.registered_groups:
        names += [f"{group.name} {c.name}" for c in group.typer_instance.registered_commands]
    missing = [n for n in names if f"claimscope {n}" not in text]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


def test_docs_glossary_defines_the_words():
    text = (ROOT / "docs" / "glossary.md").read_text()
    for word in (
        "document",
        "segment",
        "sentence",
        "mention",
        "claim",
        "span",
        "offset",
        "stage",
        "score",
        "post",
        "attribution",
        "anchor date",
    ):
        assert f"**{word}**" in text, word
