"""Ingest: every document under some paths analyzed into a store, on this machine or on Dask.

``ingest_paths`` checks the request, opens the store, and runs the loop of its engine: a
``Runner`` (``runner.py``) over processes of this machine, or a ``DaskRunner``
(``dask_engine.py``) over partitions on a Dask cluster. The new claims are clustered as they
are stored (``claimscope.clusters``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from claimscope.corpus.runner import CHUNK_SIZE, IngestStats, Progress, Runner
from claimscope.errors import SettingsError
from claimscope.ingest.inputs import check_paths, count_documents, iter_inputs
from claimscope.settings import Settings
from claimscope.store import Store
from claimscope.store.connection import WRITE_MEMORY_LIMIT

if TYPE_CHECKING:
    from claimscope.clusters import ClusterConfig, ClusterSession
    from claimscope.clusters.thread import ClusterThread

# Documents per partition (one Dask task) with the dask engine: bigger than a chunk, since each
# task costs a round trip to the scheduler and a Parquet file per table.
PARTITION_SIZE = 64
# Where documents are analyzed: processes of this machine, or a Dask cluster.
ENGINES = ("local", "dask")


def ingest_paths(
    paths: Iterable[str | Path],
    *,
    db: str | Path,
    settings: Settings | None = None,
    workers: int = 1,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
    count: bool = True,
    engine: str = "local",
    scheduler: str | None = None,
    partition_size: int | None = None,
    cluster: bool = True,
    cluster_config: ClusterConfig | None = None,
) -> IngestStats:
    """Analyze every document under ``paths`` into the store at ``db``; the run's counts.

    Paths are files or folders (walked recursively): text, HTML, JSON/JSONL/CSV records, WARC.
    ``workers`` > 1 analyzes in that many processes. ``engine="dask"`` analyzes partitions of
    ``partition_size`` documents on the Dask cluster at ``scheduler``, or on a local cluster of
    ``workers`` processes when it is None. Documents already stored are skipped; bad
    inputs and documents that fail a stage are recorded in the failures table and the run goes
    on. ``count`` first walks the paths to find the total, when it is knowable (no record files).
    ``cluster`` clusters the new claims as they are stored (``claimscope.clusters``),
    every ``CLUSTER_EVERY`` documents and at the end, as ``cluster_config`` says (None: the
    defaults).
    Raises ClaimscopeError for a missing path, bad settings or a store that cannot be opened.
    """
    settings = settings or Settings()
    if workers < 1:
        raise SettingsError(f"workers must be 1 or more, got {workers}")
    if chunk_size < 1:
        raise SettingsError(f"chunk_size must be 1 or more, got {chunk_size}")
    if engine not in ENGINES:
        raise SettingsError(f"unknown engine {engine!r} (choose {' or '.join(ENGINES)})")
    if engine == "local" and (scheduler is not None or partition_size is not None):
        raise SettingsError("a scheduler and a partition size are for the dask engine only")
    if partition_size is not None and partition_size < 1:
        raise SettingsError(f"partition_size must be 1 or more, got {partition_size}")
    roots = check_paths(paths)
    from claimscope.pipeline import build_pipeline

    build_pipeline()  # a pipeline assembled wrongly fails here, not in every worker
    stats = IngestStats(total=count_documents(roots) if count else None)
    with Store.open(db, memory_limit=WRITE_MEMORY_LIMIT) as store:
        runner: Runner
        if engine == "dask":
            from claimscope.corpus.dask_engine import DaskRunner

            size = partition_size or PARTITION_SIZE
            runner = DaskRunner(store, settings, workers, size, stats, progress, scheduler)
        else:
            runner = Runner(store, settings, workers, chunk_size, stats, progress)
        if cluster:
            parallel = engine == "dask" or workers > 1
            runner.clusters = _clusters(store, cluster_config, parallel=parallel)
        try:
            runner.run(iter_inputs(roots, settings=settings))
            if runner.clusters is not None:
                stats.clusters = runner.clusters.finish()
        finally:
            if runner.clusters is not None:
                runner.clusters.stop()
    return stats


def _clusters(
    store: Store, config: ClusterConfig | None, *, parallel: bool
) -> ClusterSession | ClusterThread:
    """What clusters an ingest's claims as they are stored: a thread beside the main loop when
    workers analyze (the loop then only stores), the loop itself in a single process."""
    if parallel:
        from claimscope.clusters.thread import ClusterThread

        return ClusterThread(store, config)
    from claimscope.clusters import ClusterSession

    return ClusterSession(store, config)
