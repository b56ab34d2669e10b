"""The dask engine: the same store as the local engine, resumable from its spool, via the CLI."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from claimscope.cli import app
from claimscope.corpus import Store, ingest_paths
from claimscope.corpus import dask_engine as engine
from claimscope.corpus.dask_engine import analyze_partition, local_cluster_options, spool_folder
from claimscope.errors import SettingsError, StoreError
from claimscope.ingest import read_text
from tests.corpus.builders import TEXTS, articles, write_jsonl

distributed = pytest.importorskip("distributed")

runner = CliRunner()
LOOPBACK = {"127.0.0.1", "localhost"}
TABLES = ("documents", "segments", "sentences", "mentions", "attributions", "quotes", "claims")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Overrides the corpus tests' guard: a local cluster talks over loopback, and only there."""
    real = {
        "getaddrinfo": socket.getaddrinfo,
        "create_connection": socket.create_connection,
        "connect": socket.socket.connect,
        "connect_ex": socket.socket.connect_ex,
    }

    def loopback_only(name: str, host_of: Any) -> Any:
        def guard(*args: Any, **kwargs: Any) -> Any:
            host = host_of(args)
            if host not in LOOPBACK:
                raise AssertionError(f"network access attempted: {args!r}")
            return real[name](*args, **kwargs)

        return guard

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only("getaddrinfo", lambda a: a[0]))
    monkeypatch.setattr(
        socket, "create_connection", loopback_only("create_connection", lambda a: a[0][0])
    )
    monkeypatch.setattr(socket.socket, "connect", loopback_only("connect", lambda a: a[1][0]))
    monkeypatch.setattr(socket.socket, "connect_ex", loopback_only("connect_ex", lambda a: a[1][0]))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """38 documents (36 generated records, 2 texts) and 2 bad inputs (a bad line, an empty file)."""
    root = tmp_path_factory.mktemp("dask") / "inputs"
    root.mkdir()
    write_jsonl(root / "feed.jsonl", list(articles(36, seed=11, paragraphs=2)), extra_lines=["{"])
    for name, text in TEXTS.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "empty.txt").write_text("", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def cluster():
    """A local cluster of 2 workers, shared by the tests that pass ``--scheduler``."""
    with distributed.LocalCluster(**local_cluster_options(2)) as local:
        yield local


def _rows(db, sql):
    with Store.open(db, read_only=True) as store:
        return list(store.query(sql).rows)


def _counts(db):
    with Store.open(db, read_only=True) as store:
        return store.counts()


def test_dask_engine_stores_what_the_local_engine_stores(tmp_path, folder, rules, cluster):
    local, dask = tmp_path / "local.duckdb", tmp_path / "dask.duckdb"
    ingest_paths([folder], db=local, settings=rules)
    stats = ingest_paths(
        [folder], db=dask, settings=rules, engine="dask", workers=2, partition_size=8
    )
    assert (stats.stored, stats.skipped, stats.failed) == (38, 0, 2)
    # Clustering is greedy: a claim joins the first cluster it matches, in the order claims are
    # read, and undated documents are read in the order they were stored, which the two engines
    # do not share. So the clusters may be cut differently; every claim is clustered in both.
    local_counts, dask_counts = _counts(local), _counts(dask)
    assert local_counts.pop("clusters") > 0 and dask_counts.pop("clusters") > 0
    assert dask_counts == local_counts
    for table in TABLES[1:]:  # every annotation row, not only their number
        sql = f"SELECT * FROM {table} ORDER BY ALL"
        assert _rows(dask, sql) == _rows(local, sql), table
    sql = "SELECT * EXCLUDE (ingested_at) FROM documents ORDER BY id"
    assert _rows(dask, sql) == _rows(local, sql)
    failures = dict(_rows(dask, "SELECT source, kind FROM failures"))
    assert failures == {
        str(folder / "empty.txt"): "EmptyDocumentError",
        f"{folder / 'feed.jsonl'}#37": "RecordError",
    }
    assert not spool_folder(dask).exists()  # every partition loaded, its folder deleted

    before = _counts(dask)
    again = ingest_paths(
        [folder], db=dask, settings=rules, engine="dask", scheduler=cluster.scheduler_address
    )
    assert (again.stored, again.skipped, again.failed) == (0, 38, 2)
    assert _counts(dask) == before


def test_dask_engine_loads_partitions_left_by_an_earlier_run(tmp_path, folder, rules, cluster):
    db = tmp_path / "c.duckdb"
    spool = spool_folder(db)
    docs = [read_text("The bridge at Halvik reopened on 4 May 2024.", settings=rules)]
    left = analyze_partition(docs, rules, str(spool), "left")  # finished, never loaded
    (spool / ".partial-cut").mkdir()  # a partition whose worker died while writing it
    (spool / ".partial-cut" / "documents.parquet").write_bytes(b"PAR1")
    stats = ingest_paths(
        [folder], db=db, settings=rules, engine="dask", scheduler=cluster.scheduler_address
    )
    assert left.endswith("left")
    assert (stats.stored, stats.skipped, stats.failed) == (39, 0, 2)
    assert docs[0].id in {i for (i,) in _rows(db, "SELECT id FROM documents")}
    assert not spool.exists()


def test_cli_ingest_dask_engine(tmp_path, folder, cluster):
    db = tmp_path / "c.duckdb"
    args = ["ingest", str(folder), "--db", str(db), "--profile", "rules", "--engine", "dask"]
    args += ["--scheduler", cluster.scheduler_address, "--partition-size", "16"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output  # two inputs failed
    assert "38 documents stored, 0 already in the store, 2 failed" in result.stderr
    assert _counts(db)["documents"] == 38


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--engine", "bogus"], "unknown engine 'bogus' (choose local or dask)"),
        (["--scheduler", "tcp://127.0.0.1:1"], "for the dask engine only"),
        (["--engine", "dask", "--partition-size", "0"], "partition_size must be 1 or more"),
    ],
)
def test_cli_ingest_engine_errors_are_one_line_exit_2(tmp_path, extra, message):
    (tmp_path / "a.txt").write_text(TEXTS["ferry.txt"], encoding="utf-8")
    db = tmp_path / "c.duckdb"
    result = runner.invoke(app, ["ingest", str(tmp_path / "a.txt"), "--db", str(db), *extra])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert not db.exists()


def test_a_spooled_partition_loaded_twice_is_stored_once(tmp_path, rules):
    docs = [read_text(TEXTS["budget.txt"], settings=rules)]
    folder = analyze_partition(docs, rules, str(tmp_path / "spool"), "p1")
    with Store.open(tmp_path / "c.duckdb") as store:
        first = store.load_spool(folder)
        counts = store.counts()
        second = store.load_spool(folder)
        assert (first.documents, first.stored, second.stored) == (1, 1, 0)
        assert store.counts() == counts and counts["sentences"] == 2


def test_partitions_spooled_one_after_another_each_hold_their_own_rows(
    tmp_path, rules, monkeypatch
):
    """No partition carries another's rows, after a partition that failed too."""
    from claimscope.store import connection as store_module

    budget, ferry = (read_text(TEXTS[name], settings=rules) for name in ("budget.txt", "ferry.txt"))
    spool = str(tmp_path / "spool")
    first = analyze_partition([budget], rules, spool, "p1")
    second = analyze_partition([ferry], rules, spool, "p2")
    real_export = store_module.Store.export_parquet

    def broken(self, out, *, tables=None):
        raise StoreError("disk full")

    monkeypatch.setattr(store_module.Store, "export_parquet", broken)
    with pytest.raises(StoreError):
        analyze_partition([budget], rules, spool, "p3")
    monkeypatch.setattr(store_module.Store, "export_parquet", real_export)
    third = analyze_partition([ferry], rules, spool, "p4")
    for folder, doc in ((first, budget), (second, ferry), (third, ferry)):
        with Store.open(tmp_path / f"{Path(folder).name}.duckdb") as store:
            loaded = store.load_spool(folder)
            ids = [row[0] for row in store.query("SELECT id FROM documents").rows]
            sources = {row[0] for row in store.query("SELECT DISTINCT doc_id FROM sentences").rows}
        assert (loaded.documents, loaded.stored, ids, sources) == (1, 1, [doc.id], {doc.id})


def test_an_unreachable_scheduler_is_a_settings_error(tmp_path, rules, monkeypatch):
    import dask

    monkeypatch.setattr(engine, "_CONNECT_TIMEOUT", 1)
    logs = dask.config.get("distributed.admin.low-level-log-length")
    (tmp_path / "a.txt").write_text(TEXTS["ferry.txt"], encoding="utf-8")
    with pytest.raises(SettingsError, match="cannot connect to the Dask scheduler"):
        ingest_paths(
            [tmp_path / "a.txt"],
            db=tmp_path / "c.duckdb",
            settings=rules,
            engine="dask",
            scheduler="tcp://127.0.0.1:1",
        )
    assert dask.config.get("distributed.admin.low-level-log-length") == logs  # set back


def test_a_local_clusters_workers_run_below_the_parents_priority(tmp_path, rules):
    import os

    from claimscope.corpus.runner import WORKER_NICENESS, IngestStats

    with Store.open(tmp_path / "c.duckdb") as store:
        run = engine.DaskRunner(store, rules, 2, 8, IngestStats(), None, None)
        run._start()
        try:
            niceness = set(run.client.run(os.nice, 0).values())
        finally:
            run._stop(True)
    assert niceness == {min(os.nice(0) + WORKER_NICENESS, 19)}


def test_dask_keeps_few_recent_messages_while_the_run_lives(tmp_path, rules):
    import dask

    from claimscope.corpus.runner import IngestStats

    def kept(dask_worker: Any) -> int:
        return dask_worker.state.stimulus_log.maxlen

    # Each task message carries its partition's documents: Dask's logs of recent messages
    # (1,000 a stream by default) held that many partitions in the main process and workers.
    default = dask.config.get("distributed.admin.low-level-log-length")
    with Store.open(tmp_path / "c.duckdb") as store:
        run = engine.DaskRunner(store, rules, 2, 8, IngestStats(), None, None)
        run._start()
        try:
            client, scheduler = run.client, run.cluster.scheduler
            lengths = {client.scheduler_comm.recent_message_log.maxlen}
            streams = scheduler.stream_comms.values()
            assert len(streams) == 2
            lengths |= {s.recent_message_log.maxlen for s in streams}
            lengths |= set(client.run(kept).values())
        finally:
            run._stop(True)
    assert lengths == {16}
    assert dask.config.get("distributed.admin.low-level-log-length") == default
