"""Corpus-scale ingest: documents/s and peak memory at growing corpus sizes, local and Dask.

For each size N, the first N articles of ``benchmarks/lib/corpus.py`` (seeded, full length, with
outlets and dates) are written to one JSONL file, then ``claimscope ingest`` runs as a separate
process into a fresh store, once per engine configuration (``local:1``, ``local:2``, ``dask:2``:
engine and worker count; ``local:2:nocluster`` skips the clustering, ``local:2:window=100000``
sets the claim index's window, ``dask:2:partition=32`` the documents per Dask task). Wall
time is end to end, as a user sees it (start-up, model loading, analysis, DuckDB writes, the
clustering of the new claims); ``--quiet`` spares the count of the input that feeds the ETA.
Peak memory is the largest resident set of the whole process tree (the CLI, its worker
processes, a local Dask cluster's scheduler and workers), sampled every 0.2 s from /proc, so it
counts what the machine actually holds. Each run also keeps a trace, every 60 s: resident memory
and the documents the ingest has read so far (its offset in the input file).

Flat memory means the peak does not grow with N; linear cost means docs/s does not fall with N.
Results go to ``benchmarks/results/corpus_scale.json``.

    python benchmarks/corpus_scale.py --sizes 1000 10000 --configs local:1 local:2 dask:2
    python benchmarks/corpus_scale.py --sizes 100000 --configs local:2 --stop-after 6000 \
        --corpus-dir /tmp/corpora --out /tmp/l2-100k.json   # a partial run, kept corpus
    python benchmarks/corpus_scale.py --sizes 1000 --repeat 3   # medians of 3 interleaved runs
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

import corpus

RESULTS = Path(__file__).resolve().parent / "results" / "corpus_scale.json"
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


class Sample(NamedTuple):
    """A process tree at one moment: resident bytes and CPU seconds, all of it and its root."""

    rss: int
    rss_main: int
    cpu: float
    cpu_main: float


def _tree_sample(root: int) -> Sample:
    """``root`` with all its descendants, and ``root`` alone, from /proc. The tree's CPU counts
    the children ``root`` has already reaped too."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    cpu: dict[int, float] = {}
    reaped = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            statm = Path(f"/proc/{entry}/statm").read_text()
        except OSError:  # the process ended while we looked
            continue
        # The command name may hold spaces and parentheses: fields start after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(statm.split()[1]) * PAGE
        # utime and stime (fields 14 and 15 of proc(5)); cutime and cstime after them.
        cpu[pid] = (int(fields[11]) + int(fields[12])) / TICKS
        if pid == root:
            reaped = (int(fields[13]) + int(fields[14])) / TICKS
    rss_total, cpu_total, stack = 0, reaped, [root]
    while stack:
        pid = stack.pop()
        rss_total += rss.get(pid, 0)
        cpu_total += cpu.get(pid, 0.0)
        stack.extend(children.get(pid, []))
    return Sample(rss_total, rss.get(root, 0), cpu_total, cpu.get(root, 0.0))


def _read_offset(pid: int, path: Path) -> int | None:
    """How far process ``pid`` has read the file at ``path`` (None: it has it not open)."""
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                info = Path(f"/proc/{pid}/fdinfo/{fd}").read_text()
                return int(info.split("pos:", 1)[1].split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return None


class PeakMemory(threading.Thread):
    """Samples a process tree's resident memory until stopped; keeps the peak.

    With ``source`` and the byte offsets its lines end at, it also keeps a trace every
    ``trace_every`` seconds: resident memory, and documents read so far by the ingest (the
    parent's offset in the input; the stored count trails it by the chunks in flight).
    """

    def __init__(
        self,
        pid: int,
        every: float = 0.2,
        source: Path | None = None,
        line_ends: list[int] | None = None,
        trace_every: float = 60.0,
    ) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0
        self.done = threading.Event()
        self.source, self.line_ends, self.trace_every = source, line_ends or [], trace_every
        self.trace: list[dict[str, float]] = []
        # The latest sample: at the end, the parent's CPU seconds up to its last 0.2 s.
        self.last = Sample(0, 0, 0.0, 0.0)

    def run(self) -> None:
        started = last = time.monotonic()
        while not self.done.is_set():
            sample = _tree_sample(self.pid)
            if sample.rss_main:  # not once the ingest has exited (then /proc has no stat)
                self.last = sample
            self.peak = max(self.peak, sample.rss)
            now = time.monotonic()
            if self.source is not None and now - last >= self.trace_every:
                last = now
                offset = _read_offset(self.pid, self.source)
                self.trace.append(
                    {
                        "s": round(now - started, 1),
                        "rss_mb": round(sample.rss / 2**20),
                        "peak_mb": round(self.peak / 2**20),
                        # The ingest's own process (store, clustering); the rest is its workers.
                        "main_mb": round(sample.rss_main / 2**20),
                        "docs_read": bisect.bisect_right(self.line_ends, offset or 0),
                        # CPU seconds so far: what the cores did, and the parent's share of it
                        # (its serial stage: store writes, clustering).
                        "cpu_s": round(sample.cpu, 1),
                        "main_cpu_s": round(sample.cpu_main, 1),
                    }
                )
                print(json.dumps(self.trace[-1]), file=sys.stderr, flush=True)
            self.done.wait(self.every)


def write_corpus(path: Path, n: int, seed: int) -> int:
    """Write the first ``n`` generated articles as JSONL; their word count."""
    words = 0
    with path.open("w", encoding="utf-8") as handle:
        for record in corpus.generate(n, seed=seed):
            words += len(record["text"].split())
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return words


def line_ends(path: Path) -> list[int]:
    """The byte offset after each line of ``path`` (to turn a read offset into documents)."""
    ends, offset = [], 0
    with path.open("rb") as handle:
        for line in handle:
            offset += len(line)
            ends.append(offset)
    return ends


def run(
    source: Path, db: Path, n: int, config: str, profile: str, stop_after: float | None = None
) -> dict[str, Any]:
    """One ``claimscope ingest`` of ``source`` into a fresh ``db``, timed and sampled; stopped
    as with Ctrl-C after ``stop_after`` seconds, if given (what it stored is counted)."""
    engine, workers, *flags = config.split(":")
    command = [
        sys.executable, "-m", "claimscope", "ingest", str(source), "--db", str(db),
        "--workers", workers, "--engine", engine, "--profile", profile, "--quiet",
        *(["--no-cluster"] if "nocluster" in flags else []),
        *[arg for f in flags if f.startswith("window=") for arg in ("--window", f[7:])],
        *[arg for f in flags if f.startswith("partition=")
          for arg in ("--partition-size", f[10:])],
    ]  # fmt: skip
    ends = line_ends(source)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # A job started in the background (nohup, &) inherits SIGINT ignored, and Python then keeps
    # ignoring it: restore it, or --stop-after cannot stop the ingest.
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    sampler = PeakMemory(process.pid, source=source.resolve(), line_ends=ends)
    sampler.start()
    stopped = False
    try:
        _, stderr = process.communicate(timeout=stop_after)
    except subprocess.TimeoutExpired:
        stopped = True
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The ingest and every process under it, once all are reaped (a local Dask cluster's too).
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    sampler.done.set()
    sampler.join()
    if process.returncode != 0 and not stopped:
        raise SystemExit(
            f"{config} at {n} failed ({process.returncode}): {stderr.decode()[-2000:]}"
        )
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM documents").fetchone()[0]  # type: ignore[index]
        sentences = con.execute("SELECT count(*) FROM sentences").fetchone()[0]  # type: ignore[index]
        # A stopped run may leave claims stored but not clustered yet: the clustering thread
        # trails the loop, and the next run would cluster them first.
        claims, clustered = con.execute(  # type: ignore[misc]
            "SELECT (SELECT count(*) FROM claims), (SELECT count(*) FROM cluster_members)"
        ).fetchone()
        # How the clustered claims joined: fewer semantic joins with a smaller window are the
        # clusters it missed.
        joined = dict(
            con.execute("SELECT how, count(*) FROM cluster_members GROUP BY how").fetchall()
        )
    return {
        "docs": n,
        "config": config,
        "engine": engine,
        "workers": int(workers),
        "clusters": "nocluster" not in flags,
        "profile": profile,
        # Stopped, unless it had finished on its own (exit 0) when the signal came.
        "complete": not stopped or process.returncode == 0,
        "seconds": round(seconds, 1),
        "docs_per_s": round(stored / seconds, 2),
        "stored": stored,
        "sentences": sentences,
        "claims": claims,
        "clustered": clustered,
        "joined": joined,
        "peak_rss_mb": round(sampler.peak / 2**20),
        # Cores kept busy on average (2.0: both, all the time), and the parent's CPU: with
        # workers, its serial stage can cap the speed-up.
        "cpu_s": round(cpu, 1),
        "cores_busy": round(cpu / seconds, 2),
        "main_cpu_s": round(sampler.last.cpu_main, 1),
        "db_mb": round(db.stat().st_size / 2**20, 1),
        "trace": sampler.trace,
    }


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Speed-ups over ``local:1`` at each size, and docs/s per size for each configuration (the
    median of its runs, when repeated)."""
    out: dict[str, Any] = {"speedup_vs_local_1": {}, "docs_per_s": {}}
    rates: dict[str, dict[str, list[float]]] = {}
    for r in runs:
        rates.setdefault(r["config"], {}).setdefault(str(r["docs"]), []).append(r["docs_per_s"])
    for config, by_size in rates.items():
        out["docs_per_s"][config] = {
            size: round(statistics.median(values), 2) for size, values in by_size.items()
        }
    for config, by_size in out["docs_per_s"].items():
        # Each configuration against one worker with the same flags (local:1:nocluster...),
        # but for a Dask partition size, which one local worker has no use for.
        flags = [f for f in config.split(":")[2:] if not f.startswith("partition=")]
        base = out["docs_per_s"].get(":".join(["local", "1", *flags]), {})
        out["speedup_vs_local_1"][config] = {
            size: round(v / base[size], 2) for size, v in by_size.items() if size in base
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--configs", nargs="+", default=["local:1", "local:2", "dask:2"])
    parser.add_argument("--profile", default="fast")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--stop-after",
        type=float,
        help="stop each ingest after this many seconds, as Ctrl-C would (a partial run)",
    )
    parser.add_argument(
        "--corpus-dir", type=Path, help="keep the generated corpora here, and reuse them"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the configurations this many times, in turn (local:1, local:2, local:1...), so "
        "that the machine's drift falls on each alike; the summary takes medians",
    )
    args = parser.parse_args()

    runs: list[dict[str, Any]] = []
    words: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            kept = (
                args.corpus_dir / f"articles-{n}-seed{args.seed}.jsonl" if args.corpus_dir else None
            )
            source = kept or Path(tmp) / f"articles-{n}.jsonl"
            if kept is not None and kept.is_file():
                words[n] = sum(len(json.loads(line)["text"].split()) for line in kept.open())
            else:
                words[n] = write_corpus(source, n, args.seed)
            for config in args.configs * args.repeat:
                db = Path(tmp) / f"{n}-{config.replace(':', '-')}.duckdb"
                runs.append(run(source, db, n, config, args.profile, args.stop_after))
                print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
                # With the derived index files, and the spool folder a stopped Dask run leaves.
                for path in db.parent.glob(db.name + "*"):
                    if path.is_dir():
                        shutil.rmtree(path)
                    else:
                        path.unlink()
            if kept is None:
                source.unlink()
    result = {
        "benchmark": "corpus_scale",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {
            "sizes": args.sizes,
            "repeat": args.repeat,
            "seed": args.seed,
            "profile": args.profile,
            "words": {str(k): v for k, v in words.items()},
        },
        "runs": runs,
        "summary": summarize(runs),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result["summary"], indent=2))


if __name__ == "__main__":
    main()
