"""The corpus commands in-process: ingest, sql (table, JSON, CSV), export, and their errors."""

from __future__ import annotations

import csv
import io
import json
import os
import threading

import duckdb
import pytest
from typer.testing import CliRunner

from claimscope.cli import app
from tests.corpus.builders import TEXTS, articles, write_jsonl

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """A store ingested through the CLI from a JSONL file with custom fields and a bad line."""
    tmp = tmp_path_factory.mktemp("cli")
    records = [
        {"body": r["text"], "headline": r["title"], "site": r["outlet"], "day": r["published"]}
        for r in articles(4, seed=7)
    ]
    feed = write_jsonl(tmp / "feed.jsonl", records, extra_lines=['{"headline": "no body"}'])
    path = tmp / "corpus.duckdb"
    fields = ["--text-field", "body", "--title-field", "headline", "--outlet-field", "site"]
    result = _run(
        "ingest", feed, "--db", path, "--profile", "rules", *fields, "--date-field", "day"
    )
    assert result.exit_code == 2, result.output  # one record failed: listed, exit 2
    assert "4 documents stored, 0 already in the store, 1 failed" in result.stderr
    assert f'error: {feed}#5: record has no "body" field' in result.stderr
    return path


def test_cli_ingest_rerun_adds_nothing(db, tmp_path):
    feed = tmp_path / "more.jsonl"
    feed.write_text(json.dumps({"text": TEXTS["ferry.txt"]}) + "\n", encoding="utf-8")
    first = _run("ingest", feed, "--db", db, "--profile", "rules")
    again = _run("ingest", feed, "--db", db, "--profile", "rules", "-q")
    assert first.exit_code == again.exit_code == 0, first.output
    assert "1 documents stored" in first.stderr
    assert again.stderr == ""


def test_cli_sql_prints_a_table(db):
    result = _run("sql", "SELECT count(*) AS n FROM documents WHERE outlet IS NOT NULL", "--db", db)
    assert result.exit_code == 0, result.output
    assert "n" in result.stdout and "1 row" in result.stdout


def test_cli_sql_json_and_csv(db):
    query = "SELECT id, title, published, meta, repairs FROM documents WHERE title > '' ORDER BY 2"
    as_json = json.loads(_run("sql", query, "--db", db, "--json").stdout)
    as_csv = list(csv.DictReader(io.StringIO(_run("sql", query, "--db", db, "--csv").stdout)))
    assert len(as_json) == len(as_csv) >= 4
    assert [r["title"] for r in as_json] == [r["title"] for r in as_csv]
    assert isinstance(as_json[0]["meta"], dict)  # JSON columns come out as JSON
    assert as_json[0]["published"] == as_csv[0]["published"]
    assert as_csv[0]["repairs"] == "[]"


def test_cli_sql_table_is_capped(db):
    result = _run("sql", "SELECT * FROM range(10)", "--db", db, "--max-rows", "3")
    assert "10 rows (7 more not shown" in result.stdout


def test_cli_export_writes_parquet_per_table(db, tmp_path):
    result = _run("export", "--db", db, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    files = {p.stem for p in (tmp_path / "out").glob("*.parquet")}
    assert {"documents", "sentences", "mentions", "claims", "failures", "clusters"} <= files
    con = duckdb.connect()
    target = str(tmp_path / "out" / "documents.parquet")
    assert con.execute(f"SELECT count(*) FROM '{target}'").fetchone()[0] >= 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("sql", "SELEC 1"), "syntax error"),
        (("sql", "SELECT * FROM nowhere"), "nowhere does not exist"),
        (("sql", "DROP TABLE documents"), "read-only"),
        (("sql", "SELECT 1", "--json", "--csv"), "choose one"),
    ],
)
def test_cli_corpus_errors_are_one_line_exit_2(db, args, message):
    result = _run(*args, "--db", db)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("command", ["sql", "export"])
def test_cli_missing_db_is_exit_2(tmp_path, command):
    args = ("sql", "SELECT 1") if command == "sql" else ("export", "--out", tmp_path / "o")
    result = _run(*args, "--db", tmp_path / "missing.duckdb")
    assert result.exit_code == 2
    assert "missing.duckdb: no such database" in result.stderr


def test_cli_ingest_errors_are_exit_2(tmp_path):
    (tmp_path / "a.txt").write_text(TEXTS["ferry.txt"], encoding="utf-8")
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    cases = [
        (("ingest", tmp_path / "missing", "--db", tmp_path / "c.duckdb"), "no such file"),
        (("ingest", tmp_path, "--db", other), "not a claimscope store"),
        (("ingest", tmp_path, "--db", tmp_path / "c.duckdb", "--workers", "0"), "workers"),
        (("ingest", tmp_path, "--db", tmp_path / "c.duckdb", "--profile", "x"), "profile"),
        (("ingest", tmp_path, "--db", tmp_path / "c.duckdb", "--window", "-1"), "window"),
        (
            ("ingest", tmp_path, "--db", tmp_path / "c.duckdb", "--window", "5", "--no-cluster"),
            "--no-cluster",
        ),
    ]
    for args, message in cases:
        result = _run(*args)
        assert result.exit_code == 2, args
        assert message in result.stderr and "Traceback" not in result.output


def test_cli_window_bounds_the_claim_index_and_a_new_one_rebuilds_it(tmp_path):
    feed = write_jsonl(tmp_path / "feed.jsonl", articles(3, seed=11))
    path = tmp_path / "w.duckdb"
    result = _run("ingest", feed, "--db", path, "--profile", "rules", "--window", "2", "-q")
    assert result.exit_code == 0, result.output
    meta = path.with_name(path.name + ".claims.usearch.json")
    state = json.loads(meta.read_text())
    assert (state["window"], state["count"]) == (2, 2)
    with duckdb.connect(str(path), read_only=True) as con:
        indexed = con.execute("SELECT count(vector_key) FROM cluster_members").fetchone()[0]
    assert indexed > 2  # every claim was clustered; the index keeps the two newest
    more = write_jsonl(tmp_path / "more.jsonl", articles(2, seed=12))
    result = _run("ingest", more, "--db", path, "--profile", "rules", "--no-cluster", "-q")
    assert result.exit_code == 0, result.output
    # The next update opens the index with no window: it is rebuilt whole, then grows.
    result = _run("claims", "--db", path, "--window", "0", "--json", "-")
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(path), read_only=True) as con:
        indexed = con.execute("SELECT count(vector_key) FROM cluster_members").fetchone()[0]
    state = json.loads(meta.read_text())
    assert (state["window"], state["count"]) == (0, indexed)
    result = _run("claims", "--db", path, "--window", "-3")
    assert result.exit_code == 2 and "window" in result.stderr
    assert "Traceback" not in result.output


def test_cli_ingest_lists_the_first_failures_and_counts_the_rest(tmp_path):
    feed = write_jsonl(tmp_path / "bad.jsonl", [], extra_lines=["{"] * 60)
    result = _run("ingest", feed, "--db", tmp_path / "c.duckdb", "--profile", "rules")
    assert result.exit_code == 2
    assert "60 input(s) failed:" in result.stderr
    assert result.stderr.count("error: ") == 50
    assert "... and 10 more: claimscope sql" in result.stderr


def test_ingest_out_of_duckdb_memory_is_one_line_with_the_setting(tmp_path, monkeypatch):
    """DuckDB out of memory while clustering (a run of 61,000 documents at schema 7) ends the
    ingest with one line naming the setting, no traceback; what was stored stays."""

    def out_of_memory(*args: object) -> list[object]:
        raise duckdb.OutOfMemoryException(
            "Out of Memory Error: failed to allocate data of size 32.0 KiB (61.0 MiB/61.0 MiB used)"
        )

    monkeypatch.setattr("claimscope.clusters.session._next_chunk", out_of_memory)
    source = write_jsonl(tmp_path / "a.jsonl", articles(3))
    result = _run("ingest", source, "--db", tmp_path / "c.duckdb", "--profile", "rules", "--quiet")
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert result.output.count("\n") == 1, result.output
    assert "cannot cluster claims: DuckDB ran out of memory (61.0 MiB/61.0 MiB used)" in (
        " ".join(result.output.split())
    )
    assert "CLAIMSCOPE_DB_MEMORY" in result.output
    with duckdb.connect(str(tmp_path / "c.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (3,)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_cli_ingest_of_a_folder_records_a_fifo_and_stores_the_file_beside_it(tmp_path):
    """A FIFO is never opened (an open would block until something writes to it): it is one
    recorded failure, and the good file beside it is stored."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(TEXTS["ferry.txt"], encoding="utf-8")
    fifo = folder / "pipe.txt"
    os.mkfifo(fifo)
    db = tmp_path / "c.duckdb"
    done: dict[str, object] = {}
    thread = threading.Thread(
        target=lambda: done.setdefault(
            "result", _run("ingest", folder, "--db", db, "--profile", "rules", "-q")
        ),
        daemon=True,
    )
    thread.start()
    thread.join(120)
    if thread.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # releases the blocked reader
        thread.join(10)
        pytest.fail("ingest blocked on a FIFO: it was opened")
    result = done["result"]
    assert result.exit_code == 2, result.output
    assert f"error: {fifo}: is a named pipe (FIFO), not a regular file" in result.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT source FROM documents").fetchall() == [
            (str(folder / "good.txt"),)
        ]
        failures = con.execute("SELECT source, error FROM failures").fetchall()
    assert failures == [
        (str(fifo), "is a named pipe (FIFO), not a regular file: only regular files are read")
    ]


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        ("COPY documents TO '{out}'", "COPY"),
        ("COPY (SELECT 1) TO '{out}' (FORMAT csv)", "COPY"),
        ("EXPORT DATABASE '{out}'", "EXPORT"),
        ("INSTALL httpfs", "INSTALL (LOAD)"),
        ("LOAD httpfs", "LOAD"),
        ("ATTACH '{out}' AS other", "ATTACH"),
        ("DETACH other", "DETACH"),
        ("CREATE TABLE t (x INTEGER)", "CREATE"),
        ("INSERT INTO documents (id) VALUES ('x')", "INSERT"),
        ("UPDATE documents SET title = 'x'", "UPDATE"),
        ("DELETE FROM documents", "DELETE"),
        ("ALTER TABLE documents ADD COLUMN x INTEGER", "ALTER"),
        ("SET enable_external_access = true", "SET"),
        ("PRAGMA database_list", "PRAGMA"),
        ("CALL duckdb_settings()", "CALL"),
        ("CHECKPOINT", "CHECKPOINT (CALL)"),
        ("WITH x AS (SELECT 1) DELETE FROM documents", "WITH (DELETE)"),
    ],
)
def test_cli_sql_refuses_what_is_not_a_read_naming_its_kind(db, tmp_path, statement, kind):
    """COPY ... TO and EXPORT DATABASE wrote files and exited 0; INSTALL httpfs tried a download."""
    out = tmp_path / "out"
    result = _run("sql", statement.format(out=out), "--db", db)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"error: {kind} statement refused: the query is read-only, and only SELECT and EXPLAIN "
        "run\n"
    )
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM read_csv('{path}')",
        "SELECT * FROM '{path}'",
        "SELECT * FROM 'https://example.org/data.csv'",
    ],
)
def test_cli_sql_reaches_no_file_but_the_store(db, tmp_path, query):
    path = tmp_path / "secret.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = _run("sql", query.format(path=path), "--db", db)
    assert result.exit_code == 2, result.output
    assert "disabled by configuration" in result.stderr and result.stderr.count("\n") == 1


def test_cli_sql_runs_one_read_statement(db):
    for query in ("SHOW TABLES", "DESCRIBE documents", "EXPLAIN SELECT 1", "FROM documents"):
        result = _run("sql", query, "--db", db, "--csv")
        assert result.exit_code == 0, (query, result.output)
    result = _run("sql", "SELECT 1; SELECT 2", "--db", db)
    assert result.exit_code == 2
    assert result.stderr == "error: one statement at a time, got 2\n"
