"""The shipped technique model: on the project's example, and on the PTC dev articles when
../shared is here (the dev split is the one the model card reports)."""

import pytest
from typer.testing import CliRunner

from claimscope import analyze
from claimscope.cli import app
from claimscope.models.scorer import load_scorer
from claimscope.persuasion.evaluate import evaluate_persuasion
from claimscope.persuasion.techniques import CATALOGUE, KEYS
from tests.conftest import SHARED
from tests.persuasion.ptc_fixture import write_ptc
from tests.spans_check import assert_offsets_exact

PTC = SHARED / "data" / "persuasion" / "ptc"


def test_shipped_model_has_technique_heads_and_thresholds():
    scorer = load_scorer("claims-minilm")
    assert scorer.has_techniques_
    assert set(scorer.technique_thresholds()) == {*KEYS, "any", "token"}


def test_example_article_techniques_are_spans_of_their_sentences(example_analysis):
    a = example_analysis
    assert a.techniques, "the example's opening rant should use some technique"
    for t in a.techniques:
        s = a.sentences[t.sentence]
        assert s.start <= t.start < t.end <= s.end
        assert t.technique in KEYS and 0.0 <= t.score <= 1.0 and t.explanation
    summary = a.persuasion()
    assert summary.spans == len(a.techniques) and summary.density > 0
    assert_offsets_exact(a)


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
def test_dev_split_meets_the_sentence_level_target():
    if not PTC.is_dir():
        pytest.skip("../shared/data/persuasion/ptc is not here")
    report = evaluate_persuasion(PTC, split="dev")
    assert report["articles"] == 39
    assert report["binary"]["f1"] >= 0.60
