"""The ingest runner: inputs streamed into the corpus store, analyzed by a pool of processes.

The parent reads the inputs (a stream: nothing is listed up front), drops documents whose
content hash is already stored or in flight, and hands chunks to the workers; each worker runs
``analyze_many`` on its chunk and sends back plain rows; only the parent writes to the store,
one transaction per chunk. At most ``2 * workers`` chunks are in flight, so memory stays flat
whatever the corpus size. A run killed at any point loses only its uncommitted chunks: running it
again skips what is stored and does the rest. ``engine="dask"`` runs the same loop over
partitions on a Dask cluster (claimscope.corpus.cluster).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from claimscope.corpus.rows import DocumentRows, analysis_rows
from claimscope.corpus.store import WRITE_MEMORY_LIMIT, Store
from claimscope.errors import ClaimscopeError, SettingsError
from claimscope.ingest.inputs import check_paths, count_documents, iter_inputs
from claimscope.model import Document, Failure
from claimscope.settings import Settings

if TYPE_CHECKING:
    from claimscope.corpus.cluster_thread import ClusterThread
    from claimscope.corpus.clusters import ClusterConfig, ClusterSession, ClusterStats

log = logging.getLogger(__name__)

# Documents per chunk: what one worker analyzes at a time, and what one transaction stores.
CHUNK_SIZE = 32
# Documents per partition (one Dask task) with the dask engine: bigger than a chunk, since each
# task costs a round trip to the scheduler and a Parquet file per table.
PARTITION_SIZE = 64
# Documents stored between two clustering updates during an ingest: about 2,000 claims, one
# clustering chunk, so the parent clusters while its workers analyze the next documents.
CLUSTER_EVERY = 200
# Where documents are analyzed: processes of this machine, or a Dask cluster.
ENGINES = ("local", "dask")
# Chunks in flight per worker: enough that workers go on analyzing while the parent clusters
# (a clustering update takes several seconds; with 2 chunks each, two workers idled for part of
# it, a fifth of their time at 50,000 documents).
_INFLIGHT_PER_WORKER = 4
# Read failures held before they are written on their own (they ride along with chunks).
_FAILURES_HELD = 256
# Failures kept for the closing report (all of them are in the store's failures table).
FAILURES_SHOWN = 50
# Model threads each worker gets, at most, when the settings leave the choice to claimscope.
_THREADS_PER_WORKER = 4
# Seconds between a worker's checks that its parent is still alive.
_PARENT_POLL = 1.0
# Workers run at a lower priority than the parent: the parent (store writes, clustering) is the
# one serial stage, and when it shares the cores equally with its workers it falls behind them
# and they wait on it (measured: 1.47x over one process at 10,000 documents with 2 workers).
WORKER_NICENESS = 10


class FailureDict(TypedDict):
    """A Failure as plain data, as workers send it back."""

    source: str
    error: str
    kind: str


class ChunkResult(TypedDict):
    """What a worker sends back for a chunk: rows of the analyzed documents, and failures."""

    documents: list[DocumentRows]
    failures: list[FailureDict]


@dataclass(slots=True)
class IngestStats:
    """Counts of an ingest run, updated as it goes (for progress) and returned at the end."""

    total: int | None = None
    stored: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    # What clustering the new claims did at the end of the run (None when it did not run).
    clusters: ClusterStats | None = None

    @property
    def done(self) -> int:
        """Documents (and failed inputs) finished: stored, skipped or failed."""
        return self.stored + self.skipped + self.failed

    @property
    def rate(self) -> float:
        """Finished documents per second so far."""
        return self.done / self.seconds if self.seconds > 0 else 0.0


Progress = Callable[[IngestStats], None]


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
    ``cluster`` clusters the new claims as they are stored (``claimscope.corpus.clusters``),
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
        runner: _Runner
        if engine == "dask":
            from claimscope.corpus.cluster import DaskRunner

            size = partition_size or PARTITION_SIZE
            runner = DaskRunner(store, settings, workers, size, stats, progress, scheduler)
        else:
            runner = _Runner(store, settings, workers, chunk_size, stats, progress)
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
        from claimscope.corpus.cluster_thread import ClusterThread

        return ClusterThread(store, config)
    from claimscope.corpus.clusters import ClusterSession

    return ClusterSession(store, config)


class _Runner:
    """One ingest run: reads, filters, dispatches chunks, writes results, keeps the counts."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        workers: int,
        chunk_size: int,
        stats: IngestStats,
        progress: Progress | None,
    ) -> None:
        self.store = store
        self.settings = _worker_settings(settings, workers)
        self.workers = workers
        self.chunk_size = chunk_size
        self.stats = stats
        self.progress = progress
        # Task (a Future of this engine) -> its documents.
        self.inflight: dict[Any, list[Document]] = {}
        self.inflight_ids: set[str] = set()
        self.held: list[Failure] = []
        self.started = time.monotonic()
        self.pool: Executor | None = None
        # Clusters the claims stored so far while the workers analyze on (None: no clustering).
        self.clusters: ClusterSession | ClusterThread | None = None
        self._unclustered = 0
        # The input is read through and only chunks in flight are left: their claims are
        # clustered as each one is stored, so that the last update, which nothing overlaps
        # (the workers are done), has only the last chunk's claims to cluster.
        self._draining = False

    def run(self, items: Iterator[Document | Failure]) -> None:
        """Ingest every item, then wait for the last chunks and write them."""
        finished = False
        try:
            self._start()
            chunk: list[Document] = []
            for item in items:
                if isinstance(item, Failure):
                    self._failed([item])
                    if len(self.held) >= _FAILURES_HELD:
                        self.store.record_failures(self.held)
                        self.held.clear()
                    continue
                chunk.append(item)
                if len(chunk) >= self.chunk_size:
                    self._submit(chunk)
                    chunk = []
            if chunk:
                self._submit(chunk)
            self._draining = True
            while self.inflight:
                self._collect()
            self.store.record_failures(self.held)
            self.held.clear()
            finished = True
        finally:
            self._stop(finished)
            self._tick()

    def _start(self) -> None:
        self.pool = self._new_pool()

    def _stop(self, finished: bool) -> None:
        # On an error or Ctrl-C, queued chunks are dropped: rerunning redoes them.
        if self.pool is not None:
            self.pool.shutdown(wait=finished, cancel_futures=not finished)

    def _submit(self, chunk: list[Document]) -> None:
        """Send the chunk's new documents to a worker (waiting for room when the pool is full)."""
        known = self.store.known_ids(d.id for d in chunk) | self.inflight_ids
        fresh: list[Document] = []
        for doc in chunk:
            if doc.id in known:
                self.stats.skipped += 1
                continue
            known.add(doc.id)
            fresh.append(doc)
        self._tick()
        if not fresh:
            return
        while len(self.inflight) >= self._capacity():
            self._collect()
        self._dispatch(fresh)
        self.inflight_ids.update(d.id for d in fresh)

    def _capacity(self) -> int:
        """Chunks in flight at most."""
        return self.workers * _INFLIGHT_PER_WORKER

    def _dispatch(self, fresh: list[Document]) -> None:
        """Start analyzing ``fresh``, and hold its task in ``inflight``."""
        if self.pool is None:  # a pool that broke is replaced once its chunks are collected
            self.pool = self._new_pool()
        future = self.pool.submit(analyze_chunk, fresh, self.settings)
        self.inflight[future] = fresh

    def _collect(self) -> None:
        """Wait for at least one chunk, and write what came back."""
        done, _ = wait(self.inflight, return_when=FIRST_COMPLETED)
        for future in done:
            docs = self.inflight.pop(future)
            self.inflight_ids.difference_update(d.id for d in docs)
            try:
                result = future.result()
            except ClaimscopeError:
                raise  # bad settings or models: every chunk would fail the same way
            except BrokenProcessPool:
                self._broken(docs)
                continue
            except Exception as exc:
                log.exception("a chunk of %d documents failed", len(docs))
                reason = f"analysis failed: {type(exc).__name__}: {exc}"
                self._failed(
                    [Failure(source=d.source, error=reason, kind="WorkerError") for d in docs]
                )
                continue
            self._write(result)

    def _write(self, result: ChunkResult) -> None:
        failures = [Failure(**f) for f in result["failures"]]
        written = self.store.write(result["documents"], [*self.held, *failures])
        self.held.clear()
        self.stats.skipped += len(result["documents"]) - written.stored - len(written.lost)
        self._note(failures)
        self._note(written.lost)
        self._stored(written.stored)

    def _stored(self, count: int) -> None:
        """Count documents stored; every ``CLUSTER_EVERY`` of them, cluster their claims."""
        self.stats.stored += count
        self._tick()
        if self.clusters is None:
            return
        self._unclustered += count
        if self._unclustered >= CLUSTER_EVERY or (self._draining and count):
            self._unclustered = 0
            self.clusters.update()

    def _broken(self, docs: list[Document]) -> None:
        """A worker died (killed, out of memory): its chunks fail; a new pool takes over."""
        reason = "a worker process died while analyzing this chunk (killed or out of memory?)"
        self._failed([Failure(source=d.source, error=reason, kind="WorkerError") for d in docs])
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def _failed(self, failures: list[Failure]) -> None:
        """Count failures and hold them until the next write."""
        self.held.extend(failures)
        self._note(failures)
        self._tick()

    def _note(self, failures: list[Failure]) -> None:
        self.stats.failed += len(failures)
        room = FAILURES_SHOWN - len(self.stats.failures)
        self.stats.failures.extend(failures[: max(room, 0)])

    def _tick(self) -> None:
        self.stats.seconds = time.monotonic() - self.started
        if self.progress is not None:
            self.progress(self.stats)

    def _new_pool(self) -> Executor:
        if self.workers == 1:
            return _InlineExecutor()
        # spawn, not fork: the parent holds a DuckDB connection and threads a fork would copy.
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
        )


def _worker_settings(settings: Settings, workers: int) -> Settings:
    """Settings for each worker: the machine's cores shared out when threads are left at 0."""
    if workers == 1 or settings.threads:
        return settings
    share = max(1, (os.cpu_count() or 1) // workers)
    return settings.replace(threads=min(share, _THREADS_PER_WORKER))


def _init_worker() -> None:
    """Set a worker up: Ctrl-C left to the parent, and an exit when the parent dies."""
    # Ctrl-C reaches the whole process group; the parent alone decides what to do about it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lower_priority()
    # A worker blocked on its task queue never notices a parent killed with SIGKILL, and would
    # linger forever: a daemon thread watches for the parent's death and ends the process.
    parent = os.getppid()
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def lower_priority() -> None:
    """Give this (worker) process ``WORKER_NICENESS`` more niceness than it has."""
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # not permitted here: the run is only slower
        log.debug("could not lower the priority of worker %d", os.getpid())


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL)
    os._exit(1)


def analyze_chunk(documents: list[Document], settings: Settings) -> ChunkResult:
    """Analyze a chunk of documents (in a worker) into store rows and failures."""
    from claimscope.pipeline import analyze_many

    batch = analyze_many(documents, settings=settings)
    failures: list[FailureDict] = [
        {"source": f.source, "error": f.error, "kind": f.kind} for f in batch.failures
    ]
    rows: list[DocumentRows] = []
    for analysis in batch.analyses:
        try:
            rows.append(analysis_rows(analysis, profile=settings.profile))
        except Exception as exc:
            log.exception("rows of %s could not be built", analysis.document.source)
            failures.append(
                {
                    "source": analysis.document.source,
                    "error": f"rows could not be built: {type(exc).__name__}: {exc}",
                    "kind": "StoreError",
                }
            )
    return {"documents": rows, "failures": failures}


class _InlineExecutor(Executor):
    """Runs each chunk in this process as it is submitted (``workers=1``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future
