"""Choosing the precise technique rules and the subjectivity threshold (``train thresholds``)."""

import json
import shutil

import numpy as np
from typer.testing import CliRunner

from claimscope.cli import app
from claimscope.models.folder import model_path
from claimscope.persuasion.decode import Rule
from claimscope.training.technique_rules import Candidate, choose_rules
from claimscope.training.thresholds import subjectivity_threshold
from tests.persuasion.ptc_fixture import write_ptc


def _candidate(precision, predicted, f1, news_spans, token=0.5):
    return Candidate(Rule(0.0, token, token), predicted, precision, f1, f1, news_spans)


def test_choose_rules_takes_the_best_precise_rule_and_hides_the_rest():
    candidates = {
        "loaded_language": [
            _candidate(0.60, 30, 0.20, 10, token=0.7),
            _candidate(0.56, 50, 0.25, 20, token=0.6),  # best F1 of the precise ones
            _candidate(0.40, 200, 0.35, 90, token=0.3),  # better F1, not precise
        ],
        "name_calling": [
            _candidate(0.70, 5, 0.05, 1),  # precise, but too few spans to tell
            _candidate(0.30, 100, 0.30, 40),
        ],
    }
    chosen, log = choose_rules(
        candidates, news_words=10_000, precision=0.55, min_spans=20, max_news_density=10.0
    )
    assert set(chosen) == {"loaded_language"} and chosen["loaded_language"].rule.token == 0.6
    assert not log


def test_choose_rules_tightens_then_hides_until_news_is_under_the_cap():
    candidates = {
        "loaded_language": [
            _candidate(0.60, 30, 0.20, 10, token=0.7),
            _candidate(0.56, 50, 0.25, 60, token=0.6),
        ],
        "doubt": [_candidate(0.60, 25, 0.20, 40)],
    }
    # 100 news spans in 5,000 words is 20 per 1,000: loaded language (the most) tightens to
    # 10, then doubt (now the most, with no rule that finds fewer) is hidden.
    chosen, log = choose_rules(
        candidates, news_words=5_000, precision=0.55, min_spans=20, max_news_density=5.0
    )
    assert set(chosen) == {"loaded_language"} and chosen["loaded_language"].rule.token == 0.7
    assert len(log) == 2 and "hidden" in log[1]


def test_subjectivity_threshold_matches_the_share_of_news():
    scores = np.linspace(0.0, 1.0, 1001)
    assert subjectivity_threshold(scores, 0.25) == 0.75
    assert subjectivity_threshold(scores, 0.5) == 0.5


def _write_news(root, outlet, n):
    (root / "text").mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (root / "text" / f"{outlet}_2016-09-0{i + 1}_story.txt").write_text(
            "Council approves budget\n\n"
            "The council approved the harbour budget on Monday by 21 votes to 9.\n\n"
            "Critics called it a disgraceful, pathetic betrayal of every taxpayer.\n",
            encoding="utf-8",
        )


def _write_subjectivity(path):
    rows = [
        ("1", "The vote passed 21 to 9.", "OBJ"),
        ("2", "This is the worst budget I have ever seen.", "SUBJ"),
        ("3", "The ferry sails twice a day.", "OBJ"),
        ("4", "What a shameful waste of everyone's money!", "SUBJ"),
    ]
    path.write_text(
        "sentence_id\tsentence\tlabel\n" + "".join("\t".join(r) + "\n" for r in rows),
        encoding="utf-8",
    )


def test_train_thresholds_writes_rules_and_figures_into_the_card(tmp_path, monkeypatch):
    data = tmp_path / "data"
    write_ptc(data / "persuasion" / "ptc", copies=4)
    for split, outlets in (("train", ("nyt", "breitbart")), ("dev", ("politico",))):
        for outlet in outlets:
            _write_news(data / "attribution" / "polnear" / split, outlet, 2)
    (data / "subjectivity").mkdir()
    for name in ("ct25_dev_en.tsv", "ct25_dev_test_en.tsv"):
        _write_subjectivity(data / "subjectivity" / name)
    model = tmp_path / "model"
    shutil.copytree(model_path("claims-minilm"), model)
    card = json.loads((model / "card.json").read_text())
    ids = sorted(p.stem[len("article") :] for p in (data / "persuasion/ptc/articles").iterdir())
    card["techniques"]["split"] = {"train": [], "validation": ids[:4], "dev": ids[4:]}
    (model / "card.json").write_text(json.dumps(card))
    monkeypatch.setenv("CLAIMSCOPE_CACHE", str(tmp_path / "cache"))

    args = ["train", "thresholds", "--data-dir", str(data), "--out", str(model)]
    result = CliRunner().invoke(app, [*args, "--min-spans", "1", "--precision", "0.2"])
    assert result.exit_code == 0, result.output
    written = json.loads((model / "card.json").read_text())
    precise = written["techniques"]["precise"]
    assert sorted([*precise["rules"], *precise["hidden"]]) == sorted(card["techniques"]["keys"])
    assert "--min-spans 1" in precise["command"]
    assert set(precise["metrics"]) == {"validation", "dev"}
    assert precise["density"]["polnear_dev_mainstream"]["articles"] == 2
    assert 0.0 < written["thresholds"]["subjectivity"] < 1.0
    assert written["subjectivity_threshold"]["held_out"]["file"] == "ct25_dev_test_en.tsv"
    assert list((tmp_path / "cache" / "scores").iterdir()), "the scores are cached"
    again = CliRunner().invoke(app, [*args, "--min-spans", "1", "--precision", "0.2"])
    assert again.exit_code == 0, again.output
    assert json.loads((model / "card.json").read_text())["techniques"]["precise"] == precise


def test_train_thresholds_needs_its_data(tmp_path):
    result = CliRunner().invoke(
        app, ["train", "thresholds", "--data-dir", str(tmp_path), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "data not found" in result.output
