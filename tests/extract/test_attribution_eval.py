import json

import pytest
from typer.testing import CliRunner

from claimscope.cli import app
from claimscope.errors import InputError
from claimscope.extract.attribution_eval import (
    evaluate_attribution,
    measure,
    read_polnear,
    write_predictions,
)
from claimscope.model import Attribution

TEXT = (
    "Harbour deal signed.\n\n"
    "The port authority said the cranes will arrive in May. "
    "“Nothing is decided,” the union said."
)


def _offsets(fragment: str) -> str:
    start = TEXT.index(fragment)  # test helper: the test wrote the text itself
    return f"{start} {start + len(fragment)}"


def _split(tmp_path, annotations: dict[str, list[str]]):
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "port.txt").write_text(TEXT, encoding="utf-8")
    for name, lines in annotations.items():
        (tmp_path / "attributions" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


GOLD = [
    f"T1\tSource {_offsets('The port authority')}\tThe port authority",
    f"T2\tCue {_offsets('said')}\tsaid",
    f"T3\tContent {_offsets('the cranes will arrive in May')}\tthe cranes will arrive in May",
    "T4\tAttribution 0 1\tx",
    "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3",
    f"T5\tContent {_offsets('“Nothing is decided,”')}\t“Nothing is decided,”",
    f"T6\tSource {_offsets('the union')}\tthe union",
    f"T7\tCue {TEXT.rindex('said')} {TEXT.rindex('said') + 4}\tsaid",
    "T8\tAttribution 0 1\tx",
    "E2\tAttribution:T8 Content:T5 Source:T6 Cue:T7",
    "T9\tDiscard 0 4\tHarb",
]


def test_read_polnear_reads_spans_and_takes_the_first_annotator(tmp_path):
    other = [line.replace("Source", "Content") for line in GOLD]
    split = _split(tmp_path, {"port_ab12.ann": GOLD, "port_ff00.ann": other})
    (article,) = read_polnear(split)
    assert article.id == "port" and article.annotation == "port_ab12.ann"
    assert len(article.attributions) == 2
    first = article.attributions[0]
    (source,) = first.source
    assert TEXT[source[0][0] : source[0][1]] == "The port authority"


def test_read_polnear_refuses_a_folder_without_the_split_layout(tmp_path):
    with pytest.raises(InputError):
        read_polnear(tmp_path)


def _att(source: str, cue: str | None, content: str | None) -> Attribution:
    s = TEXT.index(source)
    c = TEXT.index(cue) if cue else None
    t = TEXT.index(content) if content else None
    return Attribution(
        id=0,
        sentence=0,
        kind="reporting_verb",
        speaker=source,
        speaker_start=s,
        speaker_end=s + len(source),
        cue_start=c,
        cue_end=None if c is None else c + len(cue or ""),
        content_start=t,
        content_end=None if t is None else t + len(content or ""),
    )


def test_measure_exact_overlap_and_linked(tmp_path):
    (article,) = read_polnear(_split(tmp_path, {"port_ab12.ann": GOLD}))
    predicted = [
        _att("The port authority", "said", "the cranes will arrive in May."),  # exact
        _att("union", None, "Nothing is decided"),  # overlaps only
    ]
    report = measure([article], [predicted])
    assert report["source"]["exact"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert report["source"]["overlap"]["f1"] == 1.0
    # Punctuation and quotation marks at the edges do not count against an exact match.
    assert report["content"]["exact"]["f1"] == 1.0
    assert report["content_linked"] == {"linked": 2, "gold_with_source": 2, "share": 1.0}


def test_evaluate_attribution_runs_the_rules_and_writes_predictions(tmp_path):
    (tmp_path / "split").mkdir()
    split = _split(tmp_path / "split", {"port_ab12.ann": GOLD})
    report = evaluate_attribution(split)
    assert report["articles"] == 1
    assert report["source"]["overlap"]["recall"] == 1.0
    out = tmp_path / "pred.jsonl"
    write_predictions(report, out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["source_text"] for r in rows} == {"The port authority", "the union"}


def test_cli_eval_attribution_prints_and_writes_json(tmp_path):
    (tmp_path / "split").mkdir()
    split = _split(tmp_path / "split", {"port_ab12.ann": GOLD})
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["eval", "attribution", "--data", str(split), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "content linked" in result.output
    body = json.loads(out.read_text())
    assert "predictions" not in body and body["source"]["overlap"]["f1"] == 1.0
    bad = CliRunner().invoke(app, ["eval", "attribution", "--data", str(tmp_path / "nowhere")])
    assert bad.exit_code == 2


def test_cli_eval_attribution_measures_the_rules_alone(tmp_path, monkeypatch):
    def no_tagger(**kwargs):
        raise AssertionError("--attribution rules loaded the tagger")

    monkeypatch.setattr("claimscope.extract.stages.shared_tagger", no_tagger)
    (tmp_path / "split").mkdir()
    split = _split(tmp_path / "split", {"port_ab12.ann": GOLD})
    out = tmp_path / "report.json"
    args = ["eval", "attribution", "--data", str(split), "--json", str(out)]
    result = CliRunner().invoke(app, [*args, "--attribution", "rules"])
    assert result.exit_code == 0, result.output
    assert "attribution (rules)" in result.output
    body = json.loads(out.read_text())
    assert body["method"] == "rules" and body["source"]["overlap"]["f1"] == 1.0
    bad = CliRunner().invoke(app, [*args, "--attribution", "guess"])
    assert bad.exit_code == 2 and "attribution must be one of" in bad.output
