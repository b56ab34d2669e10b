"""Claim clustering in a thread of its own, beside an ingest's main loop.

An ingest with worker processes has one serial stage, its main process: it stores what the
workers send and clusters the new claims. Clustering in the loop itself stopped the loop for
seconds at a time, and the workers, out of work, waited for it (at 50,000 documents the three
processes used 1.6 of the machine's 2 cores). ``ClusterThread`` runs the same
``ClusterSession`` updates in a thread, on a connection of its own to the store, while the
loop goes on storing: usearch and DuckDB release the GIL, so the two overlap.

The thread writes only the cluster tables, the loop only the others, so their transactions
never touch the same rows. An ingest in one process (``workers=1``) keeps clustering in its
loop: one process then means one core's worth of work.
"""

from __future__ import annotations

import threading

from claimscope.clusters.config import ClusterConfig, ClusterStats
from claimscope.clusters.session import ClusterSession
from claimscope.store import Store


class ClusterThread:
    """A ``ClusterSession`` updated in the background: ``update`` asks for an update (requests
    made while one runs are merged into the next), ``finish`` clusters the rest and saves the
    index, ``stop`` ends the thread after its chunk in progress. An error in the thread is
    raised by the next call."""

    def __init__(self, store: Store, config: ClusterConfig | None = None) -> None:
        self._store = store.cursor()
        self.session = ClusterSession(self._store, config)
        self._wanted = threading.Event()
        self._stopping = threading.Event()
        self._error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="claimscope-clusters", daemon=True)
        self._thread.start()

    def update(self) -> None:
        """Ask for the claims stored so far to be clustered (returns at once)."""
        self._raise()
        self._wanted.set()

    def finish(self) -> ClusterStats:
        """Wait for the update in progress, cluster what is left, save the index; the counts."""
        self._join()
        self._raise()
        self.session.update()
        stats = self.session.close()
        self._close()
        return stats

    def stop(self) -> None:
        """End the thread after its chunk in progress (on an error or Ctrl-C). Chunks done stay
        stored; the index is not saved, and is rebuilt when next opened."""
        self._join()
        self._close()

    def _run(self) -> None:
        try:
            while True:
                self._wanted.wait()
                if self._stopping.is_set():
                    return
                self._wanted.clear()
                self.session.update(stop=self._stopping.is_set)
        except BaseException as exc:  # raised in the caller's thread by its next call
            self._error = exc

    def _join(self) -> None:
        self._stopping.set()
        self._wanted.set()
        self._thread.join()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._store.close()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error
