"""The shipped technique model: on the project's example, and on the PTC dev articles when
../shared is here (the dev split is the one the model card reports)."""

import pytest
from typer.testing import CliRunner

from claimscope import Settings, analyze
from claimscope.cli import app
from claimscope.evaluation.persuasion import evaluate_persuasion
from claimscope.models.scorer import load_scorer
from claimscope.persuasion.decode import Decoding
from claimscope.persuasion.techniques import CATALOGUE, KEYS
from tests.conftest import SHARED
from tests.persuasion.ptc_fixture import write_ptc
from tests.spans_check import assert_offsets_exact

PTC = SHARED / "data" / "persuasion" / "ptc"


ALL = Settings(techniques_shown="all")


def test_shipped_model_has_technique_heads_and_thresholds():
    scorer = load_scorer("claims-minilm")
    assert scorer.has_techniques_
    assert set(scorer.technique_thresholds()) == {*KEYS, "any", "token"}
    precise = scorer.folder_.card["techniques"]["precise"]
    assert sorted([*precise["rules"], *precise["hidden"]]) == sorted(KEYS)
    assert set(Decoding.from_card(scorer.folder_.card).precise) == set(precise["rules"])


def test_example_article_techniques_are_spans_of_their_sentences(example_path):
    a = analyze(example_path, settings=ALL)
    assert a.techniques, "the example's opening rant should use some technique"
    for t in a.techniques:
        s = a.sentences[t.sentence]
        assert s.start <= t.start < t.end <= s.end
        assert t.technique in KEYS and 0.0 <= t.score <= 1.0 and t.explanation
    summary = a.persuasion()
    assert summary.spans == len(a.techniques) and summary.density > 0
    assert_offsets_exact(a)


RANT = "The senator's disgraceful, pathetic cowardice is an outrageous betrayal of every voter."


@pytest.mark.parametrize("source", ["example", "rant"])
def test_default_shows_only_the_precise_spans_of_all(source, example_path):
    text = example_path if source == "example" else RANT
    every = analyze(text, settings=ALL)
    default = analyze(text)
    if source == "rant":
        assert default.techniques and len(every.techniques) > len(default.techniques)
    precise = [t for t in every.techniques if t.precise]
    assert [(t.start, t.end, t.technique) for t in default.techniques] == [
        (t.start, t.end, t.technique) for t in precise
    ]
    rules = load_scorer("claims-minilm").folder_.card["techniques"]["precise"]["rules"]
    assert all(t.precise and t.technique in rules for t in default.techniques)


# Sentences written for these tests: a drug, a product in capitals, "as", and a loaded phrase.
PLAIN = (
    "Cocaine seizures rose in March.",
    "ASPARAGUS prices fell.",
    "The plan passed, as expected, on Tuesday.",
    "Customs officers found cocaine in a container of asparagus, as the port authority said.",
)


def test_plain_single_words_are_not_flagged():
    for text in PLAIN:
        assert not analyze(text).techniques, text
        every = analyze(text, settings=ALL).techniques
        assert not [t for t in every if t.technique == "name_calling"], text
        as_spans = [t for t in every if text[t.start : t.end].strip(" ,") == "as"]
        assert not as_spans, text


LOADED = "The unelected, US-backed coup regime has killed dozens of peaceful protesters."


def test_loaded_phrase_is_flagged_among_all_spans():
    found = analyze(LOADED, settings=ALL).techniques
    phrase = (LOADED.index("unelected"), LOADED.index(" has"))
    assert any(t.start < phrase[1] and t.end > phrase[0] for t in found)


@pytest.mark.xfail(
    strict=True,
    reason="known miss of claims-minilm v2 and v3: no token of the phrase reaches the precise "
    "rule's token threshold, and whole-sentence loaded language is too imprecise to show by "
    "default (docs/persuasion.md); a model that localizes it makes this test XPASS",
)
def test_loaded_phrase_is_flagged_by_default():
    found = analyze(LOADED).techniques
    phrase = (LOADED.index("unelected"), LOADED.index(" has"))
    assert any(t.start < phrase[1] and t.end > phrase[0] for t in found)


def test_no_techniques_setting_turns_them_off():
    from claimscope import Settings

    text = "These corrupt, lying cowards will destroy everything we love!"
    assert analyze(text).sentences[0].scores.get("persuasion") is not None
    off = analyze(text, settings=Settings(techniques=False))
    assert not off.techniques and "persuasion" not in off.sentences[0].scores


def test_eval_persuasion_cli_on_a_small_corpus(tmp_path):
    data = write_ptc(tmp_path / "ptc")
    out = tmp_path / "pred.labels"
    result = CliRunner().invoke(
        app, ["eval", "persuasion", "--data", str(data), "--predictions", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "sentence, any technique" in result.output
    for line in out.read_text().splitlines():
        article_id, technique, start, end = line.split("\t")
        assert article_id.startswith("9000") and int(start) < int(end)
        assert technique in {t.ptc for t in CATALOGUE}


def test_eval_persuasion_cli_rejects_bad_data(tmp_path):
    result = CliRunner().invoke(app, ["eval", "persuasion", "--data", str(tmp_path / "none")])
    assert result.exit_code == 2 and "not a directory" in result.output
    data = write_ptc(tmp_path / "ptc")
    result = CliRunner().invoke(app, ["eval", "persuasion", "--data", str(data), "--split", "x"])
    assert result.exit_code == 2 and "unknown split" in result.output


@pytest.mark.shared
def test_dev_split_every_shown_technique_is_precise_and_all_keeps_the_sentence_target():
    if not PTC.is_dir():
        pytest.skip("../shared/data/persuasion/ptc is not here")
    report = evaluate_persuasion(PTC, split="dev")
    assert report["articles"] == 39 and report["shown"]
    for key in report["shown"]:
        assert report["spans_per_technique"][key]["precision"] >= 0.50, key
    every = evaluate_persuasion(PTC, split="dev", settings=ALL)
    assert every["binary"]["f1"] >= 0.60
