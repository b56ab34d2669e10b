"""Clustering in a thread beside the ingest loop (claimscope.clusters.thread)."""

from __future__ import annotations

import threading
import time

import pytest

from claimscope.clusters import ClusterConfig, ClusterSession, update_clusters
from claimscope.clusters.clusterer import Clusterer
from claimscope.clusters.read import summary_sql
from claimscope.clusters.thread import ClusterThread
from claimscope.corpus.runner import analyze_chunk
from claimscope.errors import StoreError
from claimscope.ingest.inputs import iter_inputs
from claimscope.model import Document
from claimscope.store import Store
from tests.clusters.test_clusters import _ROW, FERRY, PARAPHRASES, RECORDS, REPEATS
from tests.corpus.builders import write_jsonl

SMALL = ClusterConfig(chunk_size=2, semantic=0.6)
THREAD = "claimscope-clusters"


def _analyzed(tmp_path, rules):
    """Each test document analyzed on its own: store rows ready to write."""
    source = write_jsonl(tmp_path / "a.jsonl", RECORDS + PARAPHRASES + REPEATS)
    docs = [d for d in iter_inputs([source], settings=rules) if isinstance(d, Document)]
    return [analyze_chunk([doc], rules)["documents"] for doc in docs]


def _wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _consistent(store: Store) -> None:
    """Every claim in one cluster, and each cluster's row the summary of all its members."""
    claims, members, distinct = store.connection.execute(
        "SELECT (SELECT count(*) FROM claims), count(*), "
        "count(DISTINCT (doc_id, claim)) FROM cluster_members"
    ).fetchone()
    assert claims == members == distinct > 0
    kept = list(store.query(f"SELECT {_ROW} FROM clusters ORDER BY id").rows)
    full = store.query(f"{summary_sql('true')} FROM ranked GROUP BY cluster_id ORDER BY 1")
    assert kept == list(full.rows)


def test_a_cluster_thread_clusters_while_the_loop_stores(tmp_path, rules, monkeypatch):
    rows = _analyzed(tmp_path, rules)
    threads = []
    update = ClusterSession.update

    def spy(self, **kwargs):
        threads.append(threading.current_thread().name)
        return update(self, **kwargs)

    monkeypatch.setattr(ClusterSession, "update", spy)
    with Store.open(tmp_path / "c.duckdb") as store:
        clusters = ClusterThread(store, SMALL)
        half = len(rows) // 2
        for documents in rows[:half]:
            store.write(documents, [])
        clusters.update()
        _wait_for(lambda: THREAD in threads)
        for documents in rows[half:]:  # stored on this connection while the thread clusters
            store.write(documents, [])
            clusters.update()
        stats = clusters.finish()
        clusters.stop()  # after finish: nothing left to do
        _consistent(store)
        assert stats.claims == store.counts()["claims"]
        ferry = store.connection.execute(
            "SELECT count(DISTINCT m.cluster_id), count(*) FROM cluster_members m JOIN claims c "
            "ON c.doc_id = m.doc_id AND c.id = m.claim WHERE c.text = ?",
            [FERRY],
        ).fetchone()
    assert ferry[0] == 1 and ferry[1] > 2  # every copy of the sentence in one cluster
    assert threads[-1] == "MainThread"  # finish clusters the rest in the caller's thread


def test_an_error_in_the_cluster_thread_is_raised_by_the_next_call(tmp_path, rules, monkeypatch):
    rows = _analyzed(tmp_path, rules)

    def broken(self, rows, stats):
        raise StoreError("disk full", source="c.duckdb")

    monkeypatch.setattr(Clusterer, "chunk", broken)
    with Store.open(tmp_path / "c.duckdb") as store:
        store.write(rows[0], [])
        clusters = ClusterThread(store, SMALL)
        clusters.update()
        with pytest.raises(StoreError, match="disk full"):
            _wait_for(lambda: not clusters._thread.is_alive())
            clusters.update()
        clusters.stop()


def test_stopping_the_cluster_thread_keeps_whole_chunks(tmp_path, rules, monkeypatch):
    rows = _analyzed(tmp_path, rules)
    done = []
    chunk = Clusterer.chunk
    stopping = threading.Event()

    def counted(self, rows, stats):
        chunk(self, rows, stats)
        done.append(len(rows))
        stopping.wait(10)  # the first chunk ends only once stop() was called

    monkeypatch.setattr(Clusterer, "chunk", counted)

    db = tmp_path / "c.duckdb"
    with Store.open(db) as store:
        for documents in rows:
            store.write(documents, [])
        total = store.counts()["claims"]
        clusters = ClusterThread(store, SMALL)
        clusters._stopping = stopping  # so that the chunk in progress sees the stop
        clusters.update()
        _wait_for(lambda: done)
        clusters.stop()  # ends after the chunk in progress: the rest is left for next time
        stored = store.counts()["cluster_members"]
        assert stored == sum(done) < total
        update_clusters(store, config=SMALL)
        _consistent(store)


def test_a_split_document_counts_once_when_earlier_documents_come_between(tmp_path, rules):
    # Beside a cluster thread, the loop stores documents between two chunks: one published
    # earlier than a document split between chunks comes before the rest of it, and the split
    # document must still be known to have joined its clusters (each counted once).
    late = {
        "text": f"{FERRY}\nThe harbour master said 12 ferries were inspected in March.\n{FERRY}",
        "outlet": "Late Post",
        "published": "2024-06-01",
    }
    early = {
        "text": f"{FERRY}\nThe port authority said 40 berths were repaired in April.",
        "outlet": "Early Bird",
        "published": "2024-05-01",
    }
    source = write_jsonl(tmp_path / "a.jsonl", [late, early])
    docs = [d for d in iter_inputs([source], settings=rules) if isinstance(d, Document)]
    with Store.open(tmp_path / "c.duckdb") as store:
        store.write(analyze_chunk([docs[0]], rules)["documents"], [])
        assert store.counts()["claims"] == 3
        session = ClusterSession(store, SMALL)
        session.update(stop=lambda: True)  # one chunk: two of the late document's claims
        assert store.counts()["cluster_members"] == 2
        store.write(analyze_chunk([docs[1]], rules)["documents"], [])
        session.finish()  # the early document's two claims, then the late one's last
        _consistent(store)
        documents = store.connection.execute(
            "SELECT documents FROM clusters WHERE text = ?", [FERRY]
        ).fetchone()
    assert documents == (2,)
