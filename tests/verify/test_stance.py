"""The stance scorer (on a tiny model built here), the stance data readers and ``eval stance``."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from claimscope.cli import app
from claimscope.errors import InputError, SettingsError
from claimscope.evaluation.stance import stance_scores
from claimscope.evaluation.stance_data import StancePair, read_stance_data
from claimscope.models.stance import STANCE_LABELS, StanceScorer, installed
from tests.verify.stance_fixtures import tiny_stance_model

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_stance_model(tmp_path_factory.mktemp("stance") / "tiny")


def test_stance_scorer_gives_label_probabilities_in_input_order(tiny):
    scorer = StanceScorer(str(tiny), batch_size=2).load()
    assert scorer.name == "tiny-stance 0"
    pairs = [
        ("cats purr", "yes cats purr"),
        ("cats purr", "cats do not purr"),
        ("the sky is", "the sky is"),
        ("cats purr", "yes yes"),
    ]
    out = scorer.predict(pairs)
    assert [max(p, key=p.__getitem__) for p in out[:2]] == ["supports", "refutes"]
    assert all(set(p) == set(STANCE_LABELS) for p in out)
    assert all(math.isclose(sum(p.values()), 1.0, rel_tol=1e-6) for p in out)
    assert out[2]["neutral"] == pytest.approx(1 / 3)  # no cue word: uniform
    assert out[3]["supports"] > out[0]["supports"]  # two cues beat one
    assert scorer.predict([]) == []


def test_stance_scorer_reads_the_passage_first(tiny):
    scorer = StanceScorer(str(tiny)).load()
    # The cue word in the claim (the second segment) counts for nothing.
    (p,) = scorer.predict([("cats do not purr", "cats purr")])
    assert p["refutes"] == pytest.approx(1 / 3)


def test_stance_scorer_rejects_a_card_with_other_labels(tmp_path):
    folder = tiny_stance_model(tmp_path / "bad", labels=["yes", "no", "maybe"])
    with pytest.raises(SettingsError, match="labels must be"):
        StanceScorer(str(folder)).load()


def test_stance_installed_follows_the_folder(tmp_path, tiny):
    assert installed(str(tiny))
    assert not installed(str(tmp_path / "nowhere"))


SICK_HEADER = "\t".join(
    [
        "pair_ID",
        "sentence_A",
        "sentence_B",
        "entailment_label",
        "relatedness_score",
        "entailment_AB",
        "entailment_BA",
    ]
)
SICK_ROWS = [
    "1\tyes cats purr\tcats purr\tENTAILMENT\t4.5\tA_entails_B\tB_neutral_A",
    "2\tcats do not purr\tcats purr\tCONTRADICTION\t3.6\tA_contradicts_B\tB_contradicts_A",
    "3\tthe sky is grey\tcats purr\tNEUTRAL\t1.2\tA_neutral_B\tB_neutral_A",
    # SICK calls a one-way contradiction neutral; the B -> A pair follows that rule.
    "4\tthe sky is grey\tthe sky is not grey\tNEUTRAL\t3.0\tA_neutral_B\tB_contradicts_A",
]


def _sick(tmp_path, rows=SICK_ROWS):
    path = tmp_path / "pairs.tsv"
    path.write_text("\n".join([SICK_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _jsonl(tmp_path, name, records):
    path = tmp_path / name
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


CLIMATE = [
    {
        "claim_id": "7",
        "claim": "Harbour ice in Valmora melts a month earlier than in 1990.",
        "claim_label": "SUPPORTS",
        "evidences": [
            {
                "evidence": "Valmora harbour now thaws in March, not April.",
                "evidence_label": "SUPPORTS",
            },
            {"evidence": "Valmora has two harbours.", "evidence_label": "NOT_ENOUGH_INFO"},
            {
                "evidence": "The thaw date in Valmora has not changed since 1990.",
                "evidence_label": "REFUTES",
            },
        ],
    },
    '{"claim_id": "8", "claim": "broken',
    {
        "claim_id": "9",
        "claim": "Norwick rain doubled.",
        "evidences": [{"evidence": "Rain in Norwick doubled.", "evidence_label": "AGREES"}],
    },
]
FEVER = [
    {"id": "1", "claim": "cats purr", "evidence": "yes cats purr", "gold_label": "SUPPORTS"},
    {"id": "2", "claim": "cats purr", "evidence": "cats do not purr", "gold_label": "REFUTES"},
    {"id": "3", "claim": "cats purr", "evidence": "yes the cats purr", "gold_label": "REFUTES"},
]


def test_read_sick_gives_passage_and_claim_and_both_directions(tmp_path):
    data = read_stance_data(_sick(tmp_path))
    assert data.format == "sick" and not data.two_way and data.failures == []
    first = data.pairs[0]
    assert (first.passage, first.claim, first.label, first.group) == (
        "yes cats purr",
        "cats purr",
        "supports",
        "1",
    )
    assert [p.label for p in data.pairs] == ["supports", "refutes", "neutral", "neutral"]
    both = read_stance_data(_sick(tmp_path), both_directions=True)
    backward = [p for p in both.pairs if p.passage == "cats purr"]
    assert [p.label for p in backward] == ["neutral", "refutes", "neutral"]
    assert both.pairs[-1] == StancePair("the sky is grey", "the sky is not grey", "neutral", "4")


def test_read_climate_fever_records_bad_lines_and_reads_the_rest(tmp_path):
    data = read_stance_data(_jsonl(tmp_path, "cf.jsonl", CLIMATE))
    assert data.format == "climate-fever"
    assert [p.label for p in data.pairs] == ["supports", "neutral", "refutes"]
    assert {p.group for p in data.pairs} == {"7"}
    assert len(data.failures) == 2
    assert data.failures[0].endswith("cf.jsonl:2: not JSON: Unterminated string starting at")
    assert "cf.jsonl:3: evidence_label must be one of SUPPORTS" in data.failures[1]
    assert "'AGREES'" in data.failures[1]


def test_read_fever_symmetric_is_two_way(tmp_path):
    data = read_stance_data(_jsonl(tmp_path, "fs.jsonl", FEVER))
    assert data.format == "fever-symmetric" and data.two_way
    assert [(p.claim, p.label) for p in data.pairs][:2] == [
        ("cats purr", "supports"),
        ("cats purr", "refutes"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("a\tb\n", "unknown stance data format"),
        ('{"claim": "x"}\n', "unknown stance data format"),
    ],
)
def test_read_stance_data_rejects_other_files(tmp_path, text, message):
    path = tmp_path / "x.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_stance_data(path)
    with pytest.raises(InputError, match="no stance pairs"):
        read_stance_data(_jsonl(tmp_path, "bad.jsonl", [CLIMATE[2]]))


def test_stance_scores_per_class_and_two_way():
    gold = ["supports", "refutes", "neutral", "neutral"]
    predicted = ["supports", "neutral", "neutral", "refutes"]
    s = stance_scores(gold, predicted)
    assert s["accuracy"] == 0.5 and s["n"] == 4
    assert s["per_class"]["supports"]["f1"] == 1.0
    assert s["per_class"]["refutes"]["f1"] == 0.0
    assert s["per_class"]["neutral"]["f1"] == pytest.approx(0.5)
    assert s["macro_f1"] == pytest.approx(0.5)
    two = stance_scores(["supports", "refutes"], ["supports", "supports"], two_way=True)
    assert set(two["per_class"]) == {"supports", "refutes"}
    assert two["macro_f1"] == pytest.approx((2 / 3 + 0) / 2)


def test_cli_eval_stance_three_way_and_two_way(tmp_path, tiny):
    out = tmp_path / "r.json"
    preds = tmp_path / "p.jsonl"
    result = _run(
        "eval",
        "stance",
        "--data",
        _sick(tmp_path),
        "--model",
        tiny,
        "--json",
        out,
        "--predictions",
        preds,
    )
    assert result.exit_code == 0, result.output
    assert "stance on pairs.tsv (sick, 4 pairs, 3-way)" in result.stdout
    report = json.loads(out.read_text())
    # supports and refutes are cued; the neutral pairs are a uniform tie that argmax gives
    # to supports, the first label.
    assert report["accuracy"] == 0.5 and report["model"] == "tiny-stance 0"
    rows = [json.loads(line) for line in preds.read_text().splitlines()]
    assert [r["predicted"] for r in rows] == ["supports", "refutes", "supports", "supports"]
    assert rows[0]["gold"] == "supports" and rows[0]["supports"] > 0.9
    result = _run(
        "eval",
        "stance",
        "--data",
        _jsonl(tmp_path, "fs.jsonl", FEVER),
        "--model",
        tiny,
        "--json",
        out,
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["two_way"] and report["accuracy"] == pytest.approx(2 / 3)
    assert set(report["per_class"]) == {"supports", "refutes"}


def test_cli_eval_stance_scores_only_the_cards_split(tmp_path, tiny):
    out = tmp_path / "r.json"
    result = _run(
        "eval",
        "stance",
        "--data",
        _sick(tmp_path),
        "--model",
        tiny,
        "--split",
        "test",
        "--json",
        out,
    )
    assert result.exit_code == 0, result.output
    assert "(test split)" in result.stdout
    report = json.loads(out.read_text())
    assert (report["n"], report["accuracy"], report["split"]) == (2, 1.0, "test")
    fever = _jsonl(tmp_path, "fs.jsonl", FEVER)
    result = _run("eval", "stance", "--data", fever, "--model", tiny, "--split", "test")
    assert result.exit_code == 2 and "lists no 'test' split for fever-symmetric" in result.stderr
    result = _run("eval", "stance", "--data", fever, "--model", tiny, "--split", "train")
    assert result.exit_code == 2 and "--split must be dev or test" in result.stderr


def test_cli_eval_stance_reports_bad_lines_and_exits_2(tmp_path, tiny):
    path = _jsonl(tmp_path, "cf.jsonl", CLIMATE)
    result = _run("eval", "stance", "--data", path, "--model", tiny)
    assert result.exit_code == 2
    assert "3 pairs" in result.stdout  # the good lines were scored
    assert f"error: {path}:2: not JSON" in result.stderr
    result = _run("eval", "stance", "--data", tmp_path / "none.tsv", "--model", tiny)
    assert result.exit_code == 2 and "cannot read stance data" in result.stderr
    result = _run("eval", "stance", "--data", _sick(tmp_path), "--model", tmp_path / "nope")
    assert result.exit_code == 2 and "not found" in result.stderr


@pytest.mark.shared
def test_shipped_stance_model_gets_an_obvious_pair_right():
    if not installed():
        pytest.skip("the stance model is not shipped")
    scorer = StanceScorer().load()
    claim = "A man is playing a guitar."
    out = scorer.predict(
        [
            (claim, "A man is playing a guitar on a stage."),
            (claim, "Nobody is playing a guitar; the man is sleeping."),
        ]
    )
    assert [max(p, key=p.__getitem__) for p in out] == ["supports", "refutes"]


@pytest.mark.shared
@pytest.mark.xfail(
    strict=True,
    reason="stance-minilm v2 reads two unrelated scenes as a contradiction, as SICK and SNLI "
    "label them (one photo assumed); a known limit, see docs/verification.md#limits",
)
def test_shipped_stance_model_calls_an_unrelated_scene_neutral():
    if not installed():
        pytest.skip("the stance model is not shipped")
    scorer = StanceScorer().load()
    (out,) = scorer.predict([("A man is playing a guitar.", "A woman is slicing an onion.")])
    assert max(out, key=out.__getitem__) == "neutral"
