"""Coverage: the search language compiled to DuckDB, counts per outlet and period, undated
documents, the chart files, the HTML page, and the CLI on the example corpus."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from importlib import resources
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from claimscope.cli import app
from claimscope.errors import ClaimscopeError, QueryError
from claimscope.report.charts import OTHER_OUTLETS, TOP_OUTLETS, coverage_spec, write_chart
from claimscope.report.corpus_html import render_coverage_html
from claimscope.store import Store
from claimscope.store.coverage import Coverage, CoverageRow, coverage, parse_by
from claimscope.store.query import Filters, parse_filters, parse_query
from tests.store.ferry_story import HOSTILE, RECORDS
from tests.store.search_reference import reference_coverage, reference_match

runner = CliRunner()
PERU = Path(str(resources.files("claimscope.examples").joinpath("peru_corpus.jsonl")))


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _matches(query: str, text: str) -> bool:
    """Run the compiled predicate on one text in DuckDB."""
    where, params = parse_query(query).predicate("t.text")
    con = duckdb.connect()
    # The predicate's parameters come first: they are written before the subquery's.
    row = con.execute(f"SELECT {where} FROM (SELECT ? AS text) t", [*params, text]).fetchone()
    return bool(row and row[0])


# -- the search language --------------------------------------------------------------------------


def test_query_parse_or_binds_tighter_than_and():
    query = parse_query('us troops OR soldiers -lithium "joint training" deploy*')
    assert [[t.text for t in g] for g in query.groups] == [
        ["us"],
        ["troops", "soldiers"],
        ["joint training"],
        ["deploy"],
    ]
    assert [t.text for t in query.excluded] == ["lithium"]
    assert query.groups[2][0].phrase and query.groups[3][0].prefix
    where, params = query.predicate("x.text")
    assert where.count("?") == len(params) == 6
    assert "lithium" not in where and "troops" not in where  # terms travel as parameters


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        '"unclosed phrase',
        '""',
        "troops OR",
        "OR troops",
        "troops OR OR soldiers",
        "-lithium",
        "troops -",
        "-lithium OR troops",
        "(troops OR soldiers)",
        "*",
        "';",
        "x" * 1001,
    ],
)
def test_query_malformed_is_a_one_line_query_error(bad):
    with pytest.raises(QueryError) as caught:
        parse_query(bad)
    assert "\n" not in str(caught.value) and str(caught.value)


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("troops", "700 US Troops.", True),
        ("troops", "a troopship", False),
        ("TROOPS peru", "troops went to Peru", True),
        ("troops peru", "troops went to Chile", False),
        ("troops OR soldiers", "the soldiers left", True),
        ("troops -lithium", "troops guard lithium", False),
        ("ferr*", "Ferries returned", True),
        ("ferry", "Ferries returned", False),
        ('"joint training"', "joint\n   training", True),
        ('"joint training"', "training joint", False),
        ("Peru's", "Peru’s army", True),
        ("azurín", "AZURÍN said", True),
        ("azur", "Azurín said", False),
        ("$12", "costs $12 a trip", True),
        ("$12", "costs $123 a trip", False),
        ("c++", "written in C++ today", True),
        ("a.k.a.", "x a.k.a. y", True),
        ("a.k.a.", "x abkcad y", False),  # the dots are not "any character"
        ('"[x]*?"', "odd [x]*? text", True),
        ('"[x]*?"', "xxx", False),
        ("(?i).*", "anything", None),  # parentheses: refused, see above
        (r"\d+", r"the \d+ pattern", True),
        (r"\d+", "digits 123", False),
        ("a|b", "a|b", True),
        ("a|b", "a", False),
    ],
)
def test_query_terms_match_literally_as_whole_words(query, text, expected):
    if expected is None:
        with pytest.raises(QueryError):
            parse_query(query)
        return
    assert _matches(query, text) is expected


def test_query_hostile_input_is_data_not_sql(story, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(story, copy)
    with Store.open(copy) as writable:  # a writable store: a DROP would succeed if it ran
        before = writable.counts()
        for hostile in [
            "troops' OR '1'='1",
            "ferry' OR 1=1 --x",
            "documents; DROP TABLE documents",
            "ferry $1 ?x",
        ]:
            assert coverage(writable, parse_query(hostile)).documents == 0
        for refused in ["'; DROP TABLE documents; --", "x'); DROP TABLE documents; SELECT ('"]:
            with pytest.raises(QueryError):
                parse_query(refused)
        assert writable.counts() == before


# -- filters and groupings ----------------------------------------------------------------------


def test_filters_parse_and_refuse_bad_values():
    filters = parse_filters("2024-03-01", "2024-03-31", ["Harbour Post"])
    assert filters.describe() == [
        ("since", "2024-03-01"),
        ("until", "2024-03-31"),
        ("outlet", "Harbour Post"),
    ]
    for since, until, outlets in [
        ("March 1", None, []),
        ("2024-03-31", "2024-03-01", []),
        (None, None, [" "]),
    ]:
        with pytest.raises(QueryError):
            parse_filters(since, until, outlets)


def test_parse_by_defaults_to_outlet_and_week():
    assert parse_by([]) == (True, "week")
    assert parse_by(["month"]) == (False, "month")
    assert parse_by(["outlet"]) == (True, None)
    for bad in (["week", "month"], ["colour"]):
        with pytest.raises(QueryError):
            parse_by(bad)


# -- counting -----------------------------------------------------------------------------------


def _doc_counts(result: Coverage) -> Counter:
    return Counter(
        {(r.outlet, result.period_label(r)): r.documents for r in result.rows if r.documents}
    )


@pytest.mark.parametrize(
    "query", ["ferry", "halvik", "ferr*", "strike OR budget", "ferry -lithium", "ostmark"]
)
def test_coverage_counts_what_a_python_reading_counts(store, query):
    result = coverage(store, parse_query(query))
    assert _doc_counts(result) == reference_coverage(query, RECORDS)


def test_coverage_by_outlet_and_week_with_undated(store):
    result = coverage(store, parse_query("ferry"))
    assert [(r.outlet, result.period_label(r), r.documents) for r in result.rows] == [
        ("Harbour Post", "2024-03-04", 2),
        (HOSTILE, "2024-03-11", 1),
        ("Coastal Times", "2024-03-11", 2),
        (None, "undated", 1),
    ]
    assert result.undated == 1 and result.documents == 6


def test_coverage_sentences_and_claims_match_on_their_own(store):
    result = coverage(store, parse_query("halvik"), by_outlet=False, period=None)
    sentences = store.connection.execute("SELECT text FROM sentences").fetchall()
    claims = store.connection.execute("SELECT text FROM claims").fetchall()
    (row,) = result.rows
    assert row.sentences == sum(reference_match("halvik", t) for (t,) in sentences) > 0
    assert row.claims == sum(reference_match("halvik", t) for (t,) in claims)
    assert row.documents == 3 and row.claims <= row.sentences


def test_coverage_filters_leave_undated_out_and_match_outlets_in_any_case(store):
    since = coverage(store, parse_query("ferry"), filters=parse_filters("2024-03-06"))
    assert since.undated == 0 and since.documents == 4
    one = coverage(store, parse_query("ferry"), filters=Filters(outlets=("harbour POST",)))
    assert {r.outlet for r in one.rows} == {"Harbour Post"} and one.documents == 2


def test_coverage_by_month_and_by_day(store):
    month = coverage(store, parse_query("ferry"), by_outlet=False, period="month")
    assert [(month.period_label(r), r.documents) for r in month.rows] == [
        ("2024-03", 5),
        ("undated", 1),
    ]
    day = coverage(store, parse_query("ferry"), by_outlet=False, period="day")
    assert [day.period_label(r) for r in day.rows][:2] == ["2024-03-04", "2024-03-06"]


# -- chart and HTML -----------------------------------------------------------------------------


def test_chart_svg_and_png_files(store, tmp_path):
    spec = coverage_spec(coverage(store, parse_query("ferry")))
    svg = write_chart(spec, tmp_path / "chart.svg")
    root = ET.fromstring(svg.read_text(encoding="utf-8"))  # well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    labels = {el.text for el in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"Harbour Post", "Coastal Times", HOSTILE, "2024-03-04", "2024-03-11"} <= labels
    png = write_chart(spec, tmp_path / "chart.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    with pytest.raises(ClaimscopeError):
        write_chart(spec, tmp_path / "chart.gif")


def test_chart_groups_small_outlets_and_skips_undated():
    rows = [CoverageRow(f"outlet {i:02}", None, 1, 0, 0) for i in range(TOP_OUTLETS + 3)]
    result = Coverage(query="q", filters=Filters(), by_outlet=True, period=None, rows=rows)
    values = coverage_spec(result)["data"]["values"]
    names = {v["outlet"] for v in values}
    assert len(names) == TOP_OUTLETS + 1 and OTHER_OUTLETS in names
    assert sum(v["documents"] for v in values) == len(rows)
    dated = Coverage(
        query="q",
        filters=Filters(),
        by_outlet=False,
        period="week",
        rows=[CoverageRow(None, None, 4, 0, 0)],
    )
    spec = coverage_spec(dated)
    assert spec["data"]["values"] == [] and "4 undated" in json.dumps(spec["title"])


def test_chart_renders_with_the_network_cut(tmp_path):
    """vl-convert renders in Rust, beyond the reach of the socket patch (the autouse fixture):
    render in a process whose network namespace has no interface but loopback."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare here")
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("unshare -rn is not permitted here")
    script = (
        "import socket, sys\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 80), timeout=1); sys.exit('network is up')\n"
        "except OSError:\n"
        "    pass\n"
        "from claimscope.store.coverage import Coverage, CoverageRow\n"
        "from claimscope.store.query import Filters\n"
        "from claimscope.report.charts import coverage_spec, write_chart\n"
        "import datetime as dt\n"
        "rows = [CoverageRow('A', dt.date(2024, 3, 4), 2, 1, 1)]\n"
        "spec = coverage_spec(Coverage('q', Filters(), True, 'week', rows))\n"
        f"write_chart(spec, {str(tmp_path / 'c.svg')!r})\n"
        f"write_chart(spec, {str(tmp_path / 'c.png')!r})\n"
    )
    done = subprocess.run(
        ["unshare", "-rn", sys.executable, "-c", script], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "c.svg").read_text().startswith("<svg")
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


def test_coverage_html_escapes_every_document_text(store):
    result = coverage(store, parse_query("ferry"))
    page = render_coverage_html(result, svg=None, store="x.duckdb")
    from claimscope.report.charts import coverage_spec, render_svg

    with_chart = render_coverage_html(result, svg=render_svg(coverage_spec(result)))
    for html in (page, with_chart):
        assert "<script" not in html.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<svg" in with_chart and "<svg" not in page
    assert "undated" in page and "(no outlet)" in page


# -- the command, on the example corpus ------------------------------------------------------------


@pytest.fixture(scope="module")
def peru(tmp_path_factory):
    """The example corpus ingested through the CLI (rules profile: no model to load)."""
    db = tmp_path_factory.mktemp("peru") / "peru.duckdb"
    result = _run("ingest", PERU, "--db", db, "--profile", "rules", "-q")
    assert result.exit_code == 0, result.output
    return db


def test_cli_coverage_of_troops_by_outlet_and_week(peru, tmp_path):
    out = tmp_path / "coverage.json"
    result = _run(
        "coverage",
        "troops",
        "--db",
        peru,
        "--by",
        "outlet",
        "--by",
        "week",
        "--json",
        out,
        "--chart",
        tmp_path / "c.svg",
        "--html",
        tmp_path / "c.html",
        "--csv",
        tmp_path / "c.csv",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    got = [(r["outlet"], r["week"], r["documents"]) for r in data["rows"]]
    assert got == [
        ("Andean Monitor", "2023-05-29", 1),
        ("Pacific Ledger", "2023-05-29", 1),
        ("Northern Dispatch", "2023-06-12", 1),
        ("Andean Monitor", "2023-06-19", 1),
    ]
    records = [json.loads(line) for line in PERU.read_text().splitlines() if line.strip()]
    assert Counter({(o, w): n for o, w, n in got}) == reference_coverage("troops", records)
    assert data["totals"]["undated"] == 0 and data["by"] == ["outlet", "week"]
    assert "Northern Dispatch" in result.stdout and "2023-06-12" in result.stdout
    assert (tmp_path / "c.svg").read_text().startswith("<svg")
    assert "<svg" in (tmp_path / "c.html").read_text()
    csv_lines = (tmp_path / "c.csv").read_text().splitlines()
    assert csv_lines[0] == "outlet,week,documents,sentences,claims" and len(csv_lines) == 5


def test_cli_coverage_errors_are_one_line(peru, tmp_path):
    for args in (
        ["coverage", "", "--db", peru],
        ["coverage", '"troops', "--db", peru],
        ["coverage", "troops", "--db", peru, "--since", "yesterday"],
        ["coverage", "troops", "--db", peru, "--by", "year"],
        ["coverage", "troops", "--db", tmp_path / "missing.duckdb"],
        ["coverage", "troops", "--db", peru, "--chart", tmp_path / "c.gif"],
    ):
        result = _run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("error: ") and "Traceback" not in result.output


@pytest.mark.shared
def test_cli_coverage_and_timeline_with_the_seed_article(seed_path, tmp_path):
    records = [json.loads(line) for line in PERU.read_text().splitlines() if line.strip()]
    seed = {
        "outlet": "Seed Outlet",
        "published": "2023-06-01",
        "title": "Seed article",
        "text": seed_path.read_text(encoding="utf-8"),
    }
    feed = tmp_path / "with_seed.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in [*records, seed]) + "\n", encoding="utf-8")
    db = tmp_path / "seed.duckdb"
    assert _run("ingest", feed, "--db", db, "--profile", "rules", "-q").exit_code == 0
    result = _run("coverage", "troops", "--db", db, "--json", "-")
    assert result.exit_code == 0, result.output
    rows = {(r["outlet"], r["week"]): r["documents"] for r in json.loads(result.stdout)["rows"]}
    assert rows[("Seed Outlet", "2023-05-29")] == 1
    assert sum(rows.values()) == 5
    events = json.loads(_run("timeline", "troops", "--db", db, "--json", "-").stdout)["events"]
    seed_events = [e for e in events if any(s["outlet"] == "Seed Outlet" for s in e["sources"])]
    assert any(
        (e["start_date"], e["end_date"]) == ("2023-06-01", "2023-12-31") for e in seed_events
    )
