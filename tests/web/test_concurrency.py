"""The workbench under concurrent use: analyses side by side, a request over its time limit
ended with its CPU, and a short mixed load with no errors (benchmarks/workbench_load.py runs
the long one)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from claimscope.ingest import read_text
from claimscope.pipeline import analyze
from tests.web.conftest import ARTICLES, copy_store, serve

HARBOUR = (
    Path(__file__).resolve().parents[2] / "src" / "claimscope" / "examples" / "harbour.txt"
).read_text(encoding="utf-8")


def expected(text: str) -> dict[str, Any]:
    """What POST /api/v1/analyze must answer for ``text``: the library's own analysis."""
    return analyze(read_text(text, source="<api>")).to_dict()


def children_cpu() -> float:
    """CPU seconds used so far by this process's children (the analysis workers)."""
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def test_concurrent_analyses_all_succeed_and_match_the_library(
    web_corpus: Path, tmp_path: Path
) -> None:
    texts = [HARBOUR, *(a["text"] for a in ARTICLES)]
    with serve(copy_store(web_corpus, tmp_path), workers=2) as server:
        doc_ids = [d["id"] for d in server.get("/api/v1/documents").json()["items"]]

        def one(i: int) -> tuple[int, Any]:
            if i % 2:
                r = server.get(f"/api/v1/documents/{doc_ids[i % len(doc_ids)]}/analysis")
                return r.status_code, None
            text = texts[i % len(texts)]
            r = server.post("/api/v1/analyze", json={"text": text})
            return r.status_code, (text, r.json()["analysis"] if r.status_code == 200 else r.text)

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(one, range(24)))
        # One at a time afterwards: nothing was left broken by the concurrent ones.
        after = server.post("/api/v1/analyze", json={"text": HARBOUR})
    assert Counter(status for status, _ in results) == Counter({200: 24})
    for _, reply in results:
        if reply is not None:
            text, got = reply
            assert got == expected(text)
    assert after.status_code == 200
    assert after.json()["analysis"] == expected(HARBOUR)


def analysis_workers() -> list[psutil.Process]:
    """This process's analysis workers (spawned interpreters; not the resource tracker)."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            command = " ".join(child.cmdline())
        except psutil.NoSuchProcess:
            continue
        if "spawn_main" in command:
            found.append(child)
    return found


def test_a_request_over_its_time_limit_is_answered_and_its_work_ended(
    web_corpus: Path, tmp_path: Path
) -> None:
    # A hostile body: one line with no punctuation, minutes of work if nothing ends it. The
    # limit leaves a loaded machine time to start the worker for the warm-up request.
    hostile = "the council said the budget would cost the people " * 30_000
    limit = 15.0
    with serve(copy_store(web_corpus, tmp_path), workers=1, timeout=limit) as server:
        assert server.post("/api/v1/analyze", json={"text": "Warm. Up."}).status_code == 200
        (worker,) = analysis_workers()
        started = time.monotonic()
        reply = server.post("/api/v1/analyze", json={"text": hostile})
        answered = time.monotonic() - started
        assert reply.status_code == 503
        assert "error" in reply.json()
        assert answered < limit + 2.0
        # Within 2 s of the answer the worker that held the request is gone, and nothing
        # works on it any more.
        gone, _ = psutil.wait_procs([worker], timeout=2.0)
        assert gone == [worker]
        before = children_cpu()
        time.sleep(1.0)
        busy = children_cpu() - before
        assert busy < 0.3, f"the server's children used {busy:.2f} CPU s in the second after"
        # The server goes on: a new worker analyzes the next request.
        again = server.post("/api/v1/analyze", json={"text": HARBOUR})
    assert again.status_code == 200, again.text


def test_a_short_mixed_load_has_no_errors(web_corpus: Path, tmp_path: Path) -> None:
    """12 clients for 15 s: reads, and analyses for a quarter of the requests."""
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    with serve(copy_store(web_corpus, tmp_path), workers=2) as server:
        doc_id = server.get("/api/v1/documents").json()["items"][0]["id"]
        reads = ["/api/v1/documents", "/api/v1/claims", f"/api/v1/documents/{doc_id}"]
        deadline = time.monotonic() + 15

        def client(n: int) -> None:
            with httpx.Client(base_url=server.url, timeout=60) as http:
                i = n
                while time.monotonic() < deadline:
                    if i % 4 == 0:
                        r = http.post("/api/v1/analyze", json={"text": ARTICLES[i % 2]["text"]})
                    else:
                        r = http.get(reads[i % len(reads)])
                    with lock:
                        statuses[r.status_code] += 1
                    i += 1

        with ThreadPoolExecutor(12) as pool:
            list(pool.map(client, range(12)))
    assert set(statuses) == {200}, statuses
    assert sum(statuses.values()) >= 24


def test_threads_share_the_library_safely() -> None:
    """The Python API from several threads at once (spaCy's memory zones were not safe)."""
    reference = analyze(HARBOUR).to_dict()
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda _: analyze(HARBOUR).to_dict(), range(8)))
    assert all(out == reference for out in outs)


@pytest.mark.parametrize("workers", [-1])
def test_workers_must_not_be_negative(workers: int) -> None:
    from claimscope.errors import ClaimscopeError
    from claimscope.settings import Settings
    from claimscope.web.workers import AnalysisPool

    with pytest.raises(ClaimscopeError, match="workers"):
        AnalysisPool(Settings(), workers)
