"""Load on the workbench: concurrent clients against POST /api/v1/analyze and the read endpoints.

Starts ``claimscope serve --workers N`` as a subprocess on 127.0.0.1 over a temporary store of
the example corpus (src/claimscope/examples/peru_corpus.jsonl), warms it up (one request of each
kind, not counted), then runs ``--clients`` clients for ``--duration`` seconds. Each client sends
one analyze request for every ``--reads-per-analyze`` reads (claims, documents, one document, a
stored document's analysis), one after the other. The run stops by itself: no request starts
after the deadline, each has a client timeout, and the whole run has a hard limit.

Afterwards, with the load over: the seed article (../shared/seed/article.txt, or the bundled
example where shared/ is absent) analyzed through the API must equal ``claimscope analyze
--json``; and with ``--hostile``, a 2 MB line with no punctuation is posted: it must be answered
(503) within the server's time limit, and the server's processes idle again within 2 s.

Results per endpoint (requests, errors, status codes, latency percentiles, requests/s) and the
machine go to ``benchmarks/results/workbench_load.json``, one entry per ``--workers``.

    python benchmarks/workbench_load.py --clients 50 --duration 60 --workers 2 --hostile
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "workbench_load.json"
CORPUS = ROOT / "src" / "claimscope" / "examples" / "peru_corpus.jsonl"
HOST = "127.0.0.1"
SEED = ROOT.parent / "shared" / "seed" / "article.txt"
EXAMPLE = ROOT / "src" / "claimscope" / "examples" / "harbour.txt"

# Short article paragraphs written for this benchmark (fictional places and people), 58 to 70
# words each: what a desk pastes to check one passage.
PARAGRAPHS = (
    "The regional council of Marrowby approved a budget of 48 million euros on Tuesday, "
    "according to the council's own minutes. Deputy mayor Ines Calloway said the plan would add "
    "1,200 school places by September 2025 and cut bus fares by 15 percent. Opposition members "
    "said the vote came after a debate of less than an hour, and that the cost of the new depot "
    "had doubled since 2022.",
    "Flood defences along the Tarn estuary will cost about $310 million, the environment agency "
    "said on Friday. The work will run from April 1 to November 30, 2024, and protect an "
    "estimated 14,000 homes. Residents told the Gazette that 300 families were moved last winter "
    "and that nobody has explained why the 2019 plan was dropped. The agency says the new walls "
    "are twice as high as the old ones.",
    "Unemployment in the northern province fell to 6.8 percent in March, the lowest since 2017, "
    "the statistics office reported. Labour minister Tomas Reyes said 22,000 jobs were created in "
    "the first quarter, most of them in construction. Unions disputed the figure and said that "
    "seasonal contracts were counted twice. The office will publish revised numbers on June 14.",
)
CLAIMS_QUERIES: tuple[dict[str, Any], ...] = (
    {},
    {"q": "troops"},
    {"min_score": 0.5, "limit": 20},
    {"status": "unreviewed", "limit": 10, "offset": 5},
)


@dataclass(slots=True)
class Sample:
    """One request: which endpoint, how long it took, and how it ended."""

    endpoint: str
    seconds: float
    status: int | None
    error: str | None = None


@dataclass(slots=True)
class Run:
    """Everything the clients recorded, and when the timed run started and ended."""

    samples: list[Sample] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0


def cpu_by_process(pid: int) -> dict[int, float]:
    """CPU time (user + system) that the server and each of its analysis workers have used so
    far, by process id."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    used = {}
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        used[process.pid] = times.user + times.system
    return used


def cpu_seconds(pid: int) -> float:
    """CPU time the server and its workers have used so far (an ended worker's goes with it)."""
    return sum(cpu_by_process(pid).values())


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two readings, by the processes alive at the second (new ones count
    whole); a process ended between them counts nothing, since it no longer runs."""
    return sum(t - before.get(p, 0.0) for p, t in after.items())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def claimscope(*args: str) -> list[str]:
    """The claimscope command, run with this Python."""
    return [sys.executable, "-m", "claimscope", *args]


def build_store(folder: Path) -> Path:
    """The example corpus ingested into a fresh store under ``folder``."""
    db = folder / "load.duckdb"
    subprocess.run(
        claimscope("ingest", str(CORPUS), "--db", str(db)),
        check=True,
        capture_output=True,
        timeout=600,
    )
    return db


def start_server(db: Path, port: int, log: Path, workers: int) -> subprocess.Popen[bytes]:
    """``claimscope serve`` on loopback; waits until it answers its health check."""
    out = log.open("wb")
    server = subprocess.Popen(
        claimscope(
            "serve", "--db", str(db), "--host", HOST, "--port", str(port), "--workers", str(workers)
        ),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so stopping it stops only it
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"http://{HOST}:{port}/api/v1/health", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError("the server did not answer within 120 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


READS = ("claims", "documents", "document", "analysis")
# Stored document ids, read once the server is up (the read endpoints ask for them).
DOC_IDS: list[str] = []


async def request(client: httpx.AsyncClient, endpoint: str, n: int) -> Sample:
    """Send the ``n``-th request of a client to ``endpoint`` and time it."""
    started = time.perf_counter()
    doc = DOC_IDS[n % len(DOC_IDS)] if DOC_IDS else "none"
    try:
        if endpoint == "analyze":
            body = {"text": PARAGRAPHS[n % len(PARAGRAPHS)], "outlet": "Load Test Gazette"}
            reply = await client.post("/api/v1/analyze", json=body)
            ok = reply.status_code == 200 and bool(reply.json()["analysis"]["claims"])
        elif endpoint == "claims":
            reply = await client.get("/api/v1/claims", params=CLAIMS_QUERIES[n % 4])
            ok = reply.status_code == 200 and reply.json()["total"] > 0
        elif endpoint == "documents":
            reply = await client.get("/api/v1/documents", params={"limit": 20})
            ok = reply.status_code == 200 and reply.json()["total"] > 0
        elif endpoint == "document":
            reply = await client.get(f"/api/v1/documents/{doc}")
            ok = reply.status_code == 200 and reply.json()["id"] == doc
        else:
            reply = await client.get(f"/api/v1/documents/{doc}/analysis")
            ok = reply.status_code == 200 and bool(reply.json()["sentences"])
    except httpx.HTTPError as exc:
        return Sample(endpoint, time.perf_counter() - started, None, type(exc).__name__)
    seconds = time.perf_counter() - started
    error = None if ok else f"HTTP {reply.status_code}: {reply.text[:200]}"
    return Sample(endpoint, seconds, reply.status_code, error)


async def client_loop(
    client: httpx.AsyncClient, index: int, ratio: int, deadline: float, cap: int, run: Run
) -> None:
    """One client: requests one after the other until the deadline or the run's cap."""
    n = 0
    while time.perf_counter() < deadline and len(run.samples) < cap:
        # Clients start at different points of the cycle, so analyze requests spread out.
        endpoint = "analyze" if (index + n) % (ratio + 1) == 0 else READS[(index + n) % 4]
        run.samples.append(await request(client, endpoint, n))
        n += 1


async def load(
    url: str, clients: int, duration: float, ratio: int, cap: int, timeout: float
) -> Run:
    run = Run()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:
        run.started = time.perf_counter()
        deadline = run.started + duration
        loops = [client_loop(client, i, ratio, deadline, cap, run) for i in range(clients)]
        await asyncio.wait_for(asyncio.gather(*loops), timeout=duration + timeout + 30)
        run.ended = time.perf_counter()
    return run


async def warm_up(url: str, timeout: float) -> list[Sample]:
    """One request of each kind, not counted: the first analysis loads the models."""
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:
        found = (await client.get("/api/v1/documents", params={"limit": 50})).json()
        DOC_IDS[:] = [d["id"] for d in found["items"]]
        return [await request(client, kind, 0) for kind in ("analyze", *READS)]


def same_as_cli(url: str, timeout: float) -> dict[str, Any]:
    """The seed (or the bundled example) through the API and through ``claimscope analyze``:
    equal apart from how the text came (its source and its bytes' encoding)."""
    article = SEED if SEED.exists() else EXAMPLE
    text = article.read_text(encoding="utf-8")
    reply = httpx.post(f"{url}/api/v1/analyze", json={"text": text}, timeout=timeout)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cli.json"
        subprocess.run(
            claimscope("analyze", str(article), "--json", str(out)),
            check=True,
            capture_output=True,
            timeout=600,
        )
        cli = json.loads(out.read_text(encoding="utf-8"))
    api = reply.json().get("analysis", {}) if reply.status_code == 200 else {}
    # How the text arrived differs: a path and the bytes' encoding for the CLI, a JSON string
    # for the API. Everything the analysis found must be the same.
    for analysis in (api, cli):
        analysis.get("document", {}).pop("source", None)
        analysis.get("document", {}).pop("encoding", None)
    return {"article": article.name, "status": reply.status_code, "equal": api == cli}


def hostile(url: str, pid: int, limit: float) -> dict[str, Any]:
    """A 2 MB line with no punctuation: the answer's status and time, and the CPU the server's
    processes use in the 2 s after it, then in the 1 s after that."""
    words = "the council said budget ministry would cost people river harbour vote report".split()
    line = " ".join(words[i % len(words)] for i in range(330_000))[:1_990_000]
    started = time.perf_counter()
    reply = httpx.post(f"{url}/api/v1/analyze", json={"text": line}, timeout=limit + 60)
    answered = time.perf_counter() - started
    after = cpu_by_process(pid)
    time.sleep(2.0)
    settled = cpu_by_process(pid)
    time.sleep(1.0)
    return {
        "body_bytes": len(line),
        "status": reply.status_code,
        "answered_s": round(answered, 2),
        "time_limit_s": limit,
        "cpu_s_in_2s_after": round(cpu_between(after, settled), 2),
        "cpu_s_in_next_1s": round(cpu_between(settled, cpu_by_process(pid)), 2),
    }


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), nearest-rank."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def summary(samples: list[Sample], seconds: float) -> dict[str, Any]:
    """Counts, errors and latency of some samples."""
    latencies = [s.seconds * 1000 for s in samples]
    errors = [s for s in samples if s.error]
    result: dict[str, Any] = {
        "requests": len(samples),
        "errors": len(errors),
        "error_kinds": dict(Counter((s.error or "")[:80] for s in errors).most_common(5)),
        "status": {
            str(k): v for k, v in sorted(Counter(s.status for s in samples).items(), key=str)
        },
        "requests_per_s": round(len(samples) / seconds, 2),
    }
    if latencies:
        result["latency_ms"] = {
            "p50": round(percentile(latencies, 50), 1),
            "p95": round(percentile(latencies, 95), 1),
            "p99": round(percentile(latencies, 99), 1),
            "max": round(max(latencies), 1),
            "mean": round(statistics.fmean(latencies), 1),
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--reads-per-analyze", type=int, default=3, dest="ratio")
    parser.add_argument("--workers", type=int, default=2, help="serve --workers")
    parser.add_argument("--hostile", action="store_true", help="post a 2 MB line afterwards")
    parser.add_argument("--max-requests", type=int, default=200_000, help="a cap on the run")
    parser.add_argument("--timeout", type=float, default=120.0, help="client timeout, seconds")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0 or args.ratio < 0:
        parser.error("--clients, --duration and --claims-per-analyze must be positive")

    with tempfile.TemporaryDirectory(prefix="claimscope-load-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        db = build_store(folder)
        ingest_s = time.perf_counter() - t0
        port = free_port()
        server = start_server(db, port, folder / "server.log", args.workers)
        try:
            url = f"http://{HOST}:{port}"
            t0 = time.perf_counter()
            warm = asyncio.run(warm_up(url, args.timeout))
            warmup_s = time.perf_counter() - t0
            if any(s.error for s in warm):
                raise RuntimeError(f"warm-up failed: {[s.error for s in warm]}")
            load_before = os.getloadavg()
            cpu_before = cpu_seconds(server.pid)
            run = asyncio.run(
                load(url, args.clients, args.duration, args.ratio, args.max_requests, args.timeout)
            )
            cpu_after = cpu_seconds(server.pid)
            server_alive = server.poll() is None
            same = same_as_cli(url, args.timeout)
            attack = hostile(url, server.pid, 60.0) if args.hostile else None
        finally:
            stop_server(server)
            server_log = (folder / "server.log").read_text(errors="replace")[-4000:]

    seconds = run.ended - run.started
    endpoints = {
        "POST /api/v1/analyze": "analyze",
        "GET /api/v1/claims": "claims",
        "GET /api/v1/documents": "documents",
        "GET /api/v1/documents/{id}": "document",
        "GET /api/v1/documents/{id}/analysis": "analysis",
    }
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python benchmarks/workbench_load.py "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "config": {
            "clients": args.clients,
            "duration_s": args.duration,
            "reads_per_analyze": args.ratio,
            "workers": args.workers,
            "client_timeout_s": args.timeout,
            "server": f"claimscope serve --workers {args.workers} (default --timeout 60)",
            "store": "src/claimscope/examples/peru_corpus.jsonl (5 documents)",
            "analyze_text_words": [len(p.split()) for p in PARAGRAPHS],
        },
        "setup_s": {"ingest": round(ingest_s, 2), "warmup": round(warmup_s, 2)},
        "elapsed_s": round(seconds, 2),
        "overall": summary(run.samples, seconds),
        "endpoints": {
            name: summary([s for s in run.samples if s.endpoint == kind], seconds)
            for name, kind in endpoints.items()
        },
        "server_alive_at_end": server_alive,
        # Of the 2 x elapsed CPU-seconds a 2-core machine has: how much the server and its
        # workers got.
        "server_cpu_s": round(cpu_after - cpu_before, 1),
        "api_equals_cli_after_load": same,
        "hostile_2mb_line": attack,
        "machine": machine(load_average_before=[round(x, 2) for x in load_before]),
    }
    if run.samples and any(s.error for s in run.samples):
        result["server_log_tail"] = server_log
    # One results file: an entry per --workers, the latest run of each.
    previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    runs = previous.get("runs", {}) if previous.get("benchmark") == "workbench_load" else {}
    runs[f"workers={args.workers}"] = result
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"benchmark": "workbench_load", "runs": runs}, indent=2) + "\n",
        encoding="utf-8",
    )
    shown = ("elapsed_s", "overall", "api_equals_cli_after_load", "hostile_2mb_line")
    print(json.dumps({k: result[k] for k in shown}, indent=2))
    failed = result["overall"]["errors"] or not same["equal"]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
