"""Analysis in worker processes, so that requests run side by side and a slow one can be ended.

The models and spaCy's pipeline are shared state that is not safe for threads; the server's
request threads hand each document to one of a few worker processes instead, each with its own
models, one document at a time. A request over its time limit ends its worker (the CPU is free
at once) and a fresh worker takes its place when the next analysis comes; a worker that dies
(out of memory, a crash) is replaced the same way, so one bad request never poisons the ones
after it.

Workers start as analyses need them (one more while every one is busy, up to ``workers``), or all
at once with ``warm_up``; each loads the models before it reads its first job. ``workers=0``
analyzes in the request thread under a lock instead: one analysis at a time and no way to end
one early (for tests and measurements).
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from claimscope.errors import ClaimscopeError, InputError
from claimscope.model import Analysis, Document
from claimscope.settings import Settings

log = logging.getLogger(__name__)

# A warm-up document: loads every model a real one needs.
_WARM_UP = "The council said on May 3 that 1,200 jobs were lost. Why did nobody say so?"


class AnalysisTimeout(ClaimscopeError):
    """An analysis that did not finish within the request's time limit (HTTP 503)."""

    http_status = 503


class WorkerError(ClaimscopeError):
    """A worker process that died during an analysis (HTTP 500); it has been replaced."""

    http_status = 500


@dataclass(slots=True, eq=False)  # eq=False: hashed by identity, kept in a set
class _Worker:
    process: BaseProcess
    conn: Connection

    def stop(self) -> None:
        """End the process now (it holds no state worth keeping) and reap it."""
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


def _serve(conn: Connection, settings: Settings) -> None:
    """A worker's life: load the models, then analyze documents as they come, until the pipe
    closes. Errors go back as one line; only the parent ends a worker."""
    # Ctrl-C in the server's terminal reaches the whole process group: the server shuts down
    # and ends its workers, which must not print tracebacks of their own meanwhile.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from claimscope.pipeline import analyze

    try:
        analyze(Document(text=_WARM_UP, source="<warm-up>"), settings=settings)
    except ClaimscopeError as exc:  # a broken setting: every job will say so
        log.warning("analysis worker warm-up failed: %s", exc)
    while True:
        try:
            document = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[Any, ...] = ("ok", analyze(document, settings=settings))
        except InputError as exc:
            reply = ("input", str(exc))
        except ClaimscopeError as exc:
            reply = ("error", str(exc))
        except Exception as exc:  # the request fails with one line; the worker goes on
            log.exception("analysis of %s failed", document.source)
            reply = ("error", f"the analysis failed: {type(exc).__name__}: {exc}")
        conn.send(reply)


class AnalysisPool:
    """``workers`` processes that analyze documents with ``settings``, each request alone."""

    def __init__(self, settings: Settings, workers: int) -> None:
        if workers < 0:
            raise ClaimscopeError(f"workers must be 0 or more, got {workers}")
        self.settings = settings
        self.workers = workers
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._closed = False
        self._guard = threading.Lock()  # starting and stopping workers; the in-process mode

    def warm_up(self) -> None:
        """Start the workers now rather than on the first analysis."""
        with self._guard:
            while len(self._all) < self.workers and not self._closed:
                self._idle.put(self._start())

    def analyze(self, document: Document, timeout: float) -> Analysis:
        """``document`` analyzed by the next free worker within ``timeout`` seconds (waiting
        for a free worker included); raises ``AnalysisTimeout`` past it."""
        if self._closed:
            raise ClaimscopeError("the server is shutting down")
        if not self.workers:
            return self._in_process(document)
        deadline = time.monotonic() + timeout
        worker = self._acquire(timeout)
        done = False
        try:
            worker.conn.send(document)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise AnalysisTimeout(f"the analysis took longer than {timeout:g} s")
            reply = worker.conn.recv()
            done = True
        except (EOFError, OSError) as exc:
            raise WorkerError(f"the analysis worker stopped ({type(exc).__name__})") from None
        finally:
            self._release(worker, keep=done)
        if reply[0] == "ok":
            analysis: Analysis = reply[1]
            return analysis
        raise (InputError if reply[0] == "input" else ClaimscopeError)(reply[1])

    def _acquire(self, timeout: float) -> _Worker:
        """An idle worker; a new one while fewer than ``workers`` run; else the first to be
        free within ``timeout``."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._guard:
            if len(self._all) < self.workers and not self._closed:
                return self._start()
        try:
            return self._idle.get(timeout=timeout)
        except queue.Empty:
            raise AnalysisTimeout(f"every worker stayed busy for {timeout:g} s") from None

    def close(self) -> None:
        """End every worker."""
        with self._guard:
            self._closed = True
            for worker in list(self._all):
                worker.stop()
            self._all.clear()

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(child, self.settings), name="claimscope-analysis", daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._all.add(worker)
        return worker

    def _release(self, worker: _Worker, *, keep: bool) -> None:
        """Back to the idle queue; or, after a timeout or a death, ended. Its replacement
        starts when an analysis needs it (``_acquire``), so that the CPU is idle meanwhile."""
        if keep:
            self._idle.put(worker)
            return
        with self._guard:
            worker.stop()
            self._all.discard(worker)
        log.warning("an analysis worker was ended; a new one starts with the next analysis")

    def _in_process(self, document: Document) -> Analysis:
        from claimscope.pipeline import analyze

        with self._guard:
            return analyze(document, settings=self.settings)
