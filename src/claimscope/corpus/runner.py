"""The ingest runner: inputs streamed into the store, analyzed by a pool of processes.

The parent reads the inputs (a stream: nothing is listed up front), drops documents whose
content hash is already stored or in flight, and hands chunks to the workers; each worker runs
``analyze_many`` on its chunk and sends back plain rows; only the parent writes to the store,
one transaction per chunk. At most ``2 * workers`` chunks are in flight, so memory stays flat
whatever the corpus size. A run killed at any point loses only its uncommitted chunks: running it
again skips what is stored and does the rest. The Dask engine
(``dask_engine.DaskRunner``) runs the same loop over partitions on a Dask cluster.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from claimscope.errors import ClaimscopeError
from claimscope.model import Document, Failure
from claimscope.settings import Settings
from claimscope.store import Store
from claimscope.store.rows import DocumentRows, analysis_rows

if TYPE_CHECKING:
    from claimscope.clusters import ClusterSession, ClusterStats
    from claimscope.clusters.thread import ClusterThread

log = logging.getLogger(__name__)

# Documents per chunk: what one worker analyzes at a time, and what one transaction stores.
CHUNK_SIZE = 32
# Documents stored between two clustering updates during an ingest: about 2,000 claims, one
# clustering chunk, so the parent clusters while its workers analyze the next documents.
CLUSTER_EVERY = 200
# Chunks in flight per worker: enough that workers go on analyzing while the parent clusters
# (a clustering update takes several seconds; with 2 chunks each, two workers idled for part of
# it, a fifth of their time at 50,000 documents).
INFLIGHT_PER_WORKER = 4
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


class Runner:
    """One ingest run: reads, filters, dispatches chunks, writes results, keeps the counts.

    Chunks go to processes of this machine; an engine that analyzes elsewhere (``DaskRunner``)
    overrides how the work starts and stops (``_start``, ``_stop``), how many chunks may be in
    flight (``_capacity``), how a chunk is sent (``_dispatch``), how finished tasks are waited
    for, read, failed and stored (``_finished``, ``_result``, ``_crashed``, ``_write``), and
    counts what it stored with ``_written``."""

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
        return self.workers * INFLIGHT_PER_WORKER

    def _dispatch(self, fresh: list[Document]) -> None:
        """Start analyzing ``fresh``, and hold its task in ``inflight``."""
        if self.pool is None:  # a pool that broke is replaced once its chunks are collected
            self.pool = self._new_pool()
        future = self.pool.submit(analyze_chunk, fresh, self.settings)
        self.inflight[future] = fresh

    def _collect(self) -> None:
        """Wait for at least one chunk, and write what came back."""
        for future in self._finished():
            docs = self._landed(future)
            try:
                result = self._result(future)
            except ClaimscopeError:
                raise  # bad settings or models: every chunk would fail the same way
            except Exception as exc:
                self._crashed(docs, exc)
                continue
            self._write(result)

    def _finished(self) -> set[Any]:
        """The tasks in flight that are done, once one is."""
        done, _ = wait(self.inflight, return_when=FIRST_COMPLETED)
        return done

    def _result(self, future: Any) -> Any:
        """What a finished task returned (it raises what the task raised)."""
        return future.result()

    def _crashed(self, docs: list[Document], exc: Exception) -> None:
        """A chunk's task raised: its documents fail (called while ``exc`` is handled)."""
        if isinstance(exc, BrokenProcessPool):
            self._broken(docs)
            return
        log.exception("a chunk of %d documents failed", len(docs))
        self._lost(docs, f"analysis failed: {type(exc).__name__}: {exc}")

    def _landed(self, future: Any) -> list[Document]:
        """The documents of a finished task, no longer in flight."""
        docs = self.inflight.pop(future)
        self.inflight_ids.difference_update(d.id for d in docs)
        return docs

    def _write(self, result: ChunkResult) -> None:
        failures = [Failure(**f) for f in result["failures"]]
        written = self.store.write(result["documents"], [*self.held, *failures])
        self._written(len(result["documents"]), written.stored, failures, written.lost)

    def _written(
        self, documents: int, stored: int, failures: list[Failure], lost: list[Failure]
    ) -> None:
        """Count a chunk written with the failures held: its ``documents``, ``stored`` of them
        new (the others were stored already), the ``failures`` it carried, and the documents
        the store could not take (``lost``)."""
        self.held.clear()
        self.stats.skipped += documents - stored - len(lost)
        self._note(failures)
        self._note(lost)
        self._stored(stored)

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
        self._lost(
            docs, "a worker process died while analyzing this chunk (killed or out of memory?)"
        )
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def _lost(self, docs: list[Document], reason: str) -> None:
        """Fail every document of a chunk that came back without a result."""
        self._failed([Failure(source=d.source, error=reason, kind="WorkerError") for d in docs])

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
