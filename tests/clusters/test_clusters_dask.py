"""Claim clusters after an ingest with the dask engine: the same as with the local engine."""

from __future__ import annotations

from claimscope.corpus.ingest import ingest_paths
from tests.clusters.test_clusters import PARAPHRASES, RECORDS, _groups
from tests.corpus.builders import write_jsonl
from tests.corpus.test_dask import no_network  # noqa: F401  (autouse: loopback allowed)


def test_dask_ingest_clusters_as_the_local_engine_does(tmp_path, rules):
    source = write_jsonl(tmp_path / "a.jsonl", RECORDS + PARAPHRASES)
    local = ingest_paths([source], db=tmp_path / "local.duckdb", settings=rules)
    dask = ingest_paths(
        [source], db=tmp_path / "dask.duckdb", settings=rules, engine="dask", workers=1
    )
    assert dask.clusters is not None and local.clusters is not None
    assert dask.clusters.claims == local.clusters.claims > 0
    assert _groups(tmp_path / "dask.duckdb") == _groups(tmp_path / "local.duckdb")
