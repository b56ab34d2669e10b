"""Fault test: an ingest killed with SIGKILL mid-run, then rerun, equals an uninterrupted one."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

from claimscope.corpus import Store, ingest_paths
from claimscope.store.schema import COLUMNS
from tests.corpus.builders import articles, write_jsonl

N = 120
# Seconds the killed run gets to store its first chunk (it starts Python, spaCy and 2 workers).
FIRST_WRITE_TIMEOUT = 90
_STORED = re.compile(r"\((\d+) stored")


def _snapshot(db):
    """Every table's rows, sorted, without the write timestamps: what must be equal."""
    queries = {
        "documents": "SELECT * EXCLUDE (ingested_at) FROM documents ORDER BY id",
        "failures": "SELECT source, error, kind FROM failures ORDER BY ALL",
        "duplicates": "SELECT count(*) - count(DISTINCT id) FROM documents",
    }
    for table in COLUMNS:
        queries.setdefault(table, f"SELECT * FROM {table} ORDER BY ALL")
    with Store.open(db, read_only=True) as store:
        return {name: list(store.query(sql).rows) for name, sql in queries.items()}


def _lines(stream, into):
    for line in stream:
        into.put(line)
    into.put(None)


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # Zombies still count for killpg; ps knows the difference.
    out = subprocess.run(["ps", "-o", "stat=", "-g", str(pgid)], capture_output=True, text=True)
    return any(not s.startswith("Z") for s in out.stdout.split())


def test_ingest_killed_then_rerun_equals_an_uninterrupted_run(tmp_path, rules):
    source = write_jsonl(
        tmp_path / "articles.jsonl", list(articles(N, seed=11, paragraphs=3)), extra_lines=["{"]
    )
    killed = tmp_path / "killed.duckdb"
    command = [sys.executable, "-m", "claimscope", "ingest", str(source), "--db", str(killed)]
    command += ["--workers", "2", "--chunk-size", "4", "--profile", "rules"]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the workers can be found and checked
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stderr, lines), daemon=True).start()
    stored = 0
    try:
        deadline = time.monotonic() + FIRST_WRITE_TIMEOUT
        while not stored and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            assert line is not None, "the ingest ended before it could be killed"
            if match := _STORED.search(line):
                stored = int(match[1])
        assert stored, "no progress line within the timeout"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    try:
        # The workers notice their parent is gone and exit on their own.
        deadline = time.monotonic() + 15
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(process.pid), "workers outlived their killed parent"
    finally:
        if _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)

    with Store.open(killed, read_only=True) as store:
        partial = store.counts()["documents"]
    assert 0 < partial < N  # killed mid-run, with whole chunks committed

    rerun = ingest_paths([source], db=killed, settings=rules)
    assert (rerun.stored, rerun.skipped) == (N - partial, partial)
    whole = tmp_path / "whole.duckdb"
    reference = ingest_paths([source], db=whole, settings=rules)
    assert (reference.stored, reference.failed) == (N, 1)

    after, expected = _snapshot(killed), _snapshot(whole)
    assert after["duplicates"] == [(0,)]
    assert {t: len(rows) for t, rows in after.items()} == {
        t: len(rows) for t, rows in expected.items()
    }
    assert after == expected
