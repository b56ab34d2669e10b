"""The Dask engine: the ingest loop of ``runner.Runner``, with partitions as Dask tasks.

The parent reads the inputs and skips stored documents exactly as the local engine does; each
partition of new documents is one ``client.submit`` of ``analyze_partition``, which analyzes it
on a worker and writes its rows as Parquet, a file per table, into the spool folder next to the
store (``<db>.spool/<partition>/``: written under a temporary name, then renamed, so a folder
with its final name is complete). The parent loads each finished partition into the store in one
transaction and deletes its folder. Partitions finished but not loaded when a run stops (killed,
Ctrl-C, a store error) are loaded by the next run before anything else.

The workers write to the spool folder by the path the parent gives them, so on a real cluster
it must be on a filesystem the parent and every worker share, at the same path.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from claimscope.corpus.runner import (
    INFLIGHT_PER_WORKER,
    IngestStats,
    Progress,
    Runner,
    analyze_chunk,
    lower_priority,
)
from claimscope.errors import SettingsError, StoreError
from claimscope.model import Document, Failure
from claimscope.settings import Settings
from claimscope.store import Store
from claimscope.store.spool import spool_parquet

log = logging.getLogger(__name__)

# Prefix of a partition folder still being written (deleted when a run starts).
_PARTIAL = ".partial-"
# Seconds to wait for a scheduler given with --scheduler.
_CONNECT_TIMEOUT = 30
# Dask keeps its last messages for debugging, 1,000 a stream by default: the client's to the
# scheduler, the scheduler's to each worker, each worker's stimuli. With a partition's documents
# in each message, that held up to 1,000 partitions per stream (measured: the main process of a
# local cluster grew 15 MB per 1,000 documents, from 950 MB at 12,600 documents to 1.2 GB at
# 29,400). A few are kept instead, here and in a local cluster's scheduler and workers (its
# nannies hand the settings of this process to their workers).
_LOG_CONFIG: dict[str, Any] = {"distributed.admin.low-level-log-length": 16}
# Dask settings of a local cluster's workers, where Dask's defaults cost CPU time the local
# engine does not spend (measured: 2 workers, 1,000 documents each):
# - Dask starts each worker with MALLOC_TRIM_THRESHOLD_=65536, so that freed memory goes back to
#   the OS at once; the pipeline frees and takes back hundreds of MB per partition, and the
#   trimming took a worker 9 s of system time (3 s without it, as a local-engine worker).
# - The statistical profiler samples the task thread's stack 100 times a second (about 2%), for a
#   dashboard that a local cluster does not open.
# - Periodic checks: the system monitor twice a second (with disk counters), memory limits ten
#   times a second, the event loop's tick fifty times. Dask's event loops were busy some 7.5 s
#   over 1,000 documents (4 s in this process, where the scheduler and nannies run), much of it
#   on these. Less often here: memory is still checked every second.
_LOCAL_WORKER_CONFIG: dict[str, Any] = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.system-monitor.disk": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.worker.memory.monitor-interval": "1s",
}


def spool_folder(db: str | Path) -> Path:
    """Where partitions of the store at ``db`` are spooled: ``<db>.spool``, absolute."""
    path = Path(db).resolve()
    return path.with_name(path.name + ".spool")


def analyze_partition(
    documents: list[Document], settings: Settings, spool: str, partition: str
) -> str:
    """Analyze a partition (on a Dask worker) and spool its rows; the folder they are in."""
    result = analyze_chunk(documents, settings)
    failures = [Failure(**f) for f in result["failures"]]
    partial = Path(spool) / f"{_PARTIAL}{partition}"
    target = Path(spool) / partition
    shutil.rmtree(partial, ignore_errors=True)
    try:
        spool_parquet(result["documents"], failures, partial)
        os.rename(partial, target)  # atomic: the parent sees the whole folder or none of it
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return str(target)


def local_cluster_options(workers: int) -> dict[str, Any]:
    """``LocalCluster`` options for ``workers`` processes of 1 thread, private to this machine."""
    return {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": True,
        # Offline and private: nothing listens beyond loopback, and there is no dashboard.
        "host": "127.0.0.1",
        "dashboard_address": None,
        # The scheduler serves a few plain HTTP routes (health, metrics) even without its
        # dashboard; on a free port rather than 8787, so that two runs never collide.
        "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"},
        "silence_logs": logging.WARNING,
    }


def _lower_priority_plugin() -> Any:
    """A Dask worker plugin that lowers each worker's priority (distributed is imported late)."""
    from distributed import WorkerPlugin

    class LowerPriority(WorkerPlugin):
        def setup(self, worker: Any) -> None:
            lower_priority()

    return LowerPriority()


class DaskRunner(Runner):
    """An ingest run on a Dask cluster: ``scheduler``'s, or a local one of ``workers``."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        workers: int,
        partition_size: int,
        stats: IngestStats,
        progress: Progress | None,
        scheduler: str | None,
    ) -> None:
        super().__init__(store, settings, workers, partition_size, stats, progress)
        if scheduler is not None:
            self.settings = settings  # the cluster's machines are not this one: keep threads
        self.scheduler = scheduler
        self.spool = spool_folder(store.path)
        self.client: Any = None
        self.cluster: Any = None
        self.slots = INFLIGHT_PER_WORKER
        # What _stop undoes, last first: a local cluster, then the Dask settings it ran with.
        self._exit = ExitStack()

    def run(self, items: Iterator[Document | Failure]) -> None:
        """Load what an earlier run left spooled, then ingest every item."""
        self._resume()
        super().run(items)

    def _resume(self) -> None:
        if not self.spool.is_dir():
            return
        for entry in sorted(self.spool.iterdir()):
            if entry.name.startswith(_PARTIAL):
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.is_dir():
                log.info("loading partition %s left by an earlier run", entry.name)
                self._load(entry)

    def _start(self) -> None:
        self.spool.mkdir(parents=True, exist_ok=True)
        self.client = self._connect()
        threads = sum(self.client.nthreads().values())
        self.slots = max(threads, 1) * INFLIGHT_PER_WORKER

    def _connect(self) -> Any:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise SettingsError(
                "the dask engine needs dask and distributed: pip install dask distributed"
            ) from None
        import dask

        self._exit.enter_context(dask.config.set(_LOG_CONFIG))
        if self.scheduler is not None:
            try:
                return Client(self.scheduler, timeout=_CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError) as exc:
                raise SettingsError(
                    f"cannot connect to the Dask scheduler at {self.scheduler}: {exc}"
                ) from None
        # The nannies read their settings as they start, and hand them to their workers.
        with dask.config.set(_LOCAL_WORKER_CONFIG):
            self.cluster = LocalCluster(**local_cluster_options(self.workers))
        self._exit.callback(self.cluster.close)
        client = Client(self.cluster)
        # Local workers share this machine's cores with the parent, the serial stage: they run
        # at a lower priority, as the local engine's do (a plugin, so a restarted worker too).
        client.register_plugin(_lower_priority_plugin(), name="claimscope-lower-priority")
        return client

    def _stop(self, finished: bool) -> None:
        try:
            if self.client is not None:
                if not finished and self.inflight:
                    # Partitions already spooled stay for the next run; the rest are dropped.
                    self.client.cancel(list(self.inflight))
                self.client.close()
        finally:
            self._exit.close()
            self.client = self.cluster = None
            if self.spool.is_dir() and not any(self.spool.iterdir()):
                self.spool.rmdir()

    def _capacity(self) -> int:
        return self.slots

    def _dispatch(self, fresh: list[Document]) -> None:
        partition = uuid.uuid4().hex
        future = self.client.submit(
            analyze_partition,
            fresh,
            self.settings,
            str(self.spool),
            partition,
            key=f"claimscope-partition-{partition}",
            pure=False,
        )
        self.inflight[future] = fresh

    def _finished(self) -> set[Any]:
        from distributed import wait

        done, _ = wait(list(self.inflight), return_when="FIRST_COMPLETED")
        return set(done)

    def _result(self, future: Any) -> Any:
        """The folder a partition was spooled to (the future is released either way)."""
        try:
            return future.result()
        finally:
            future.release()

    def _crashed(self, docs: list[Document], exc: Exception) -> None:
        # The task raised, or its worker died (KilledWorker): the traceback is the worker's.
        log.error("a partition of %d documents failed: %s", len(docs), exc)
        self._lost(docs, f"analysis failed: {type(exc).__name__}: {exc}")

    def _write(self, result: Any) -> None:
        """Load the partition spooled to ``result``, the folder its task returned."""
        self._load(Path(result))

    def _load(self, folder: Path) -> None:
        """Store a spooled partition (with the failures held), then delete its folder."""
        if not folder.is_dir():
            raise StoreError(
                "a worker wrote a partition this process cannot see: the spool folder must "
                "be on a filesystem shared by the workers and this process, at the same path",
                source=str(folder),
            )
        result = self.store.load_spool(folder, self.held)
        shutil.rmtree(folder, ignore_errors=True)
        self._written(result.documents, result.stored, result.failures, result.lost)
