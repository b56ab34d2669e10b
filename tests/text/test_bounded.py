"""Bounded pieces: a run with no sentence boundary is cut, and a document over the sentence
limit is refused alone, so that no input costs more than its length."""

from __future__ import annotations

import pytest

from claimscope.errors import InputError
from claimscope.model import Document
from claimscope.pipeline import analyze, analyze_many
from claimscope.settings import Settings
from claimscope.text.sentences import MAX_SENTENCE_CHARS, split_sentences
from tests.test_cli import _run as invoke

UNBROKEN = " ".join(["the council said the budget would cost more"] * 200)


def test_a_line_with_no_punctuation_is_cut_into_bounded_pieces_at_spaces():
    spans = split_sentences(UNBROKEN)
    assert len(spans) > 1
    assert all(e - s <= MAX_SENTENCE_CHARS for s, e in spans)
    # Cut between words: every piece starts and ends on a word's edge, and together they hold
    # every word of the line in order.
    assert all(UNBROKEN[s] != " " and UNBROKEN[e - 1] != " " for s, e in spans)
    assert " ".join(UNBROKEN[s:e] for s, e in spans) == UNBROKEN


def test_a_run_with_no_space_at_all_is_cut_at_the_limit():
    text = "x" * (2 * MAX_SENTENCE_CHARS + 10)
    assert split_sentences(text) == [
        (0, MAX_SENTENCE_CHARS),
        (MAX_SENTENCE_CHARS, 2 * MAX_SENTENCE_CHARS),
        (2 * MAX_SENTENCE_CHARS, len(text)),
    ]


def test_ordinary_sentences_are_left_whole():
    text = "The port reopened on Monday. Officials said 40 ships were waiting."
    assert split_sentences(text) == [(0, 28), (29, len(text))]


def test_a_document_over_the_sentence_limit_is_refused_with_one_line():
    text = "One. Two. Three. Four. Five."
    with pytest.raises(InputError, match=r"5 sentences, over the limit of 3 \(max_sentences\)"):
        analyze(text, settings=Settings(max_sentences=3))


def test_a_batch_goes_on_past_a_document_over_the_limit():
    long = Document(text="One. Two. Three. Four. Five.", source="long")
    short = Document(text="The port reopened on Monday.", source="short")
    batch = analyze_many([long, short], settings=Settings(max_sentences=3))
    assert [a.document.source for a in batch.analyses] == ["short"]
    assert [(f.source, f.kind) for f in batch.failures] == [("long", "InputError")]


def test_the_cli_refuses_a_document_over_the_limit_with_exit_2(tmp_path):
    config = tmp_path / "claimscope.toml"
    config.write_text("max_sentences = 2\n", encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("One. Two. Three.", encoding="utf-8")
    result = invoke("analyze", str(article), "--config", str(config))
    assert result.exit_code == 2
    assert "over the limit of 2 (max_sentences)" in result.output
    assert "Traceback" not in result.output


def test_max_sentences_must_be_positive():
    with pytest.raises(Exception, match="max_sentences must be positive"):
        Settings(max_sentences=0)
