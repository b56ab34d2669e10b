import json

import pytest
from typer.testing import CliRunner

from claimscope.cli import app
from claimscope.errors import InputError
from claimscope.evaluation.claim_data import deduplicate, read_examples
from claimscope.evaluation.claims import evaluate_claims

CW_TSV = (
    "Sentence_id\tText\tclass_label\n"
    "1\tWe cut the deficit by $200 billion last year.\tYes\n"
    "2\tThank you very much, it is great to be here.\tNo\n"
    '3\t"Unbalanced quote here and there.\tNo\n'
    "4\tUnemployment rose to 9 percent in 2009.\tYes\n"
)


@pytest.fixture
def cw_file(tmp_path):
    path = tmp_path / "cw.tsv"
    path.write_text(CW_TSV, encoding="utf-8")
    return path


def test_read_examples_reads_tsv_with_quoting_off(cw_file):
    examples = read_examples(cw_file)
    assert [e.label for e in examples] == [1, 0, 0, 1]
    assert examples[2].text.startswith('"Unbalanced')


def test_read_examples_reads_claimbuster_json(tmp_path):
    path = tmp_path / "cb.json"
    path.write_text(json.dumps([{"sentence_id": 7, "label": 1, "text": "Taxes rose 5%."}]))
    (example,) = read_examples(path)
    assert (example.id, example.label) == ("7", 1)


def test_read_examples_rejects_unknown_label(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("id\ttext\tlabel\n1\tHello.\tMaybe\n")
    with pytest.raises(InputError, match="unknown label"):
        read_examples(path)


def test_deduplicate_by_id_and_text(cw_file):
    base = read_examples(cw_file)
    extra = [
        base[0].__class__(id="1", text="different", label=1),
        base[0].__class__(id="99", text="  unemployment ROSE to 9 percent in 2009. ", label=1),
        base[0].__class__(id="100", text="A new sentence.", label=0),
    ]
    assert [e.id for e in deduplicate(extra, base)] == ["100"]


def test_evaluate_task_reports_consistent_counts(cw_file):
    report = evaluate_claims("checkworthiness", cw_file)
    assert report["n"] == 4 and report["support"] == 2
    assert report["tp"] + report["fn"] == 2
    assert len(report["predictions"]) == 4


def test_cli_eval_writes_predictions_and_json(cw_file, tmp_path):
    preds, out = tmp_path / "p.tsv", tmp_path / "r.json"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "checkworthiness",
            "--data",
            str(cw_file),
            "--predictions",
            str(preds),
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert preds.read_text().splitlines()[0] == "id\tscore\tpredicted\tgold"
    assert json.loads(out.read_text())["task"] == "checkworthiness"


def test_cli_eval_missing_file_exit_2(tmp_path):
    result = CliRunner().invoke(app, ["eval", "subjectivity", "--data", str(tmp_path / "x.tsv")])
    assert result.exit_code == 2
