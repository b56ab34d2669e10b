import json

import pytest
from typer.testing import CliRunner

from claimscope.cli import app

runner = CliRunner()


def _run(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def test_cli_analyze_example_prints_report_and_writes_files(example_path, tmp_path):
    html, out = tmp_path / "report.html", tmp_path / "out.json"
    result = _run("analyze", str(example_path), "--html", str(html), "--json", str(out))
    assert result.exit_code == 0, result.output
    assert "@mari_quintero" in result.stdout
    assert html.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema_version"] and data["claims"]


def test_cli_analyze_json_to_stdout_is_pure_json(example_path):
    result = _run("analyze", str(example_path), "--json", "-")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["document"]["source"] == str(example_path)


def test_cli_analyze_reads_stdin():
    result = _run("analyze", "-", "--json", "-", input="The port hired 300 workers on May 2, 2024.")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["quantities"][0]["value"] == 300


def test_cli_analyze_text_option():
    result = _run("analyze", "--text", "Officials said 12 boats sank on June 1, 2024.", "-q")
    assert result.exit_code == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("page.html", b"<html><body><nav>Home</nav></body></html>", "no article"),
    ],
)
def test_cli_analyze_bad_input_is_one_line_exit_2(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = _run("analyze", str(path))
    assert result.exit_code == 2
    assert message in result.stderr.lower()
    assert "Traceback" not in result.output + result.stderr


def test_cli_analyze_missing_path_exit_2(tmp_path):
    result = _run("analyze", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_cli_analyze_over_size_limit_exit_2(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Long text. " * 200, encoding="utf-8")
    result = _run("analyze", str(path), "--max-bytes", "100")
    assert result.exit_code == 2
    assert "limit" in result.stderr


def test_cli_analyze_multi_file_analyzes_good_lists_bad(tmp_path, example_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    out = tmp_path / "out.json"
    result = _run("analyze", str(example_path), str(bad), "--json", str(out), "-q")
    assert result.exit_code == 2
    assert "1 input(s) failed" in result.stderr and "bad.txt" in result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["document"]["source"] == str(example_path)


def test_cli_analyze_records_with_custom_fields(tmp_path):
    path = tmp_path / "items.jsonl"
    rows = [
        {"body": "The mill closed on May 3, 2024, laying off 200 workers.", "site": "Daily A"},
        {"nobody": "missing text field"},
        {"body": "Officials said 15 roads were flooded.", "site": "Daily B"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = _run(
        "analyze",
        str(path),
        "--text-field",
        "body",
        "--outlet-field",
        "site",
        "--json",
        str(out),
        "-q",
    )
    assert result.exit_code == 2
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["document"]["outlet"] for x in lines] == ["Daily A", "Daily B"]
    assert "#2" in result.stderr


def test_cli_bad_settings_file_exit_2(tmp_path, example_path):
    config = tmp_path / "c.toml"
    config.write_text("max_bytes = -1\n")
    result = _run("analyze", str(example_path), "--config", str(config))
    assert result.exit_code == 2
    assert "max_bytes" in result.stderr


def test_cli_schema_prints_json_schema():
    result = _run("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["$defs"]["Post"]


def test_cli_analyze_success_prints_no_failure_line(example_path):
    result = _run("analyze", str(example_path), "-q")
    assert result.exit_code == 0
    assert "failed" not in result.stderr
