"""The language gate: English-only models do not run on text in another language, and the
analysis says what it skipped."""

from __future__ import annotations

import json

import pytest

from claimscope.pipeline import ENGLISH_ONLY, analyze
from claimscope.text.language import detect_language, english_share, skipped_note
from tests.test_cli import _run as invoke

# Articles written for these tests.
GERMAN = (
    "Die Stadtverwaltung von Hafenau hat am Dienstag angekündigt, dass der Bau der neuen Brücke "
    "rund 48 Millionen Euro kosten wird. Bürgermeisterin Ilse Marquardt sagte, die Arbeiten "
    "sollen im März 2025 beginnen und zwei Jahre dauern. Kritiker sprechen von einem Skandal "
    "und werfen der Verwaltung vor, die Kosten absichtlich zu niedrig angesetzt zu haben.\n\n"
    "Warum hat niemand die Anwohner gefragt? Die Opposition fordert eine unabhängige Prüfung."
)
SPANISH = (
    "El ayuntamiento de Puerto Llano anunció el martes que la construcción del nuevo puente "
    "costará unos 48 millones de euros. La alcaldesa Inés Marroquín dijo que las obras "
    "comenzarán en marzo de 2025 y durarán dos años. Los críticos hablan de un escándalo y "
    "acusan al gobierno municipal de haber ocultado el coste real.\n\n"
    "¿Por qué nadie consultó a los vecinos? La oposición exige una auditoría independiente."
)
ENGLISH = (
    "The town council of Harbourne said on Tuesday that the new bridge will cost about 48 "
    "million euros. Mayor Ilse Marquardt said the work would begin in March 2025."
)


@pytest.mark.parametrize(("text", "code"), [(GERMAN, "de"), (SPANISH, "es"), (ENGLISH, "en")])
def test_the_language_is_detected(text, code):
    assert detect_language(text) == code


def test_english_is_told_without_the_identifier_model():
    share, words = english_share(ENGLISH)
    assert words > 20 and share > 0.12


@pytest.mark.parametrize("text", [GERMAN, SPANISH])
def test_no_english_model_output_on_other_languages(text):
    analysis = analyze(text)
    assert analysis.language in ("de", "es")
    assert set(analysis.skipped) == ENGLISH_ONLY & set(analysis.pipeline)
    assert analysis.claims == []
    assert analysis.techniques == []
    assert analysis.attributions == []
    assert analysis.entities == []
    assert analysis.quantities == []
    assert analysis.contradictions == []
    assert all(s.scores == {} and s.speaker is None for s in analysis.sentences)
    # The structure is still there: paragraphs and sentences, with exact offsets.
    assert len(analysis.segments) == 2 and len(analysis.sentences) >= 5


def test_a_declared_language_is_taken_at_its_word():
    from claimscope.ingest import read_text

    analysis = analyze(read_text(ENGLISH, lang="de"))
    assert analysis.language == "de" and analysis.claims == []


def test_english_runs_everything():
    analysis = analyze(ENGLISH)
    assert analysis.language == "en" and analysis.skipped == []
    assert analysis.claims and analysis.quantities


def test_the_report_and_the_json_say_what_was_skipped(tmp_path):
    article = tmp_path / "brucke.txt"
    article.write_text(GERMAN, encoding="utf-8")
    out = tmp_path / "a.json"
    result = invoke("analyze", str(article), "--json", str(out))
    assert result.exit_code == 0
    assert "German text: claim and persuasion models are English-only; skipped" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["language"] == "de"
    assert "claimscope.scores.v1" in data["skipped"] and data["claims"] == []


def test_skipped_note():
    assert skipped_note("en", []) is None
    note = skipped_note("es", ["claimscope.claims.v1"])
    assert note == "Spanish text: claim and persuasion models are English-only; skipped: claims"


def test_an_ingest_stores_other_languages_and_counts_them(tmp_path):
    records = tmp_path / "news.jsonl"
    lines = [{"text": GERMAN, "outlet": "A"}, {"text": SPANISH}, {"text": ENGLISH}]
    records.write_text("\n".join(json.dumps(r) for r in lines) + "\n", encoding="utf-8")
    db = tmp_path / "store.duckdb"
    result = invoke("ingest", str(records), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "3 documents stored" in result.output
    assert "documents by language: de 1 · en 1 · es 1" in result.output
