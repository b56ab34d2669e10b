"""Cost against input size: time and peak memory of analyzing one document of 10 KB to 20 MB.

Two kinds of input, both generated here (fictional text written for this harness):

- ``prose``: news-like paragraphs of varied sentences (names, numbers, dates, attributions);
- ``line``: one line of words with no punctuation and no line break (a hostile body).

Each (kind, size) runs in a fresh process: it loads the models with a tiny document first, then
times ``analyze`` of the input and reads the process's peak resident memory before and after.
The ratios that matter are against 100 KB of the same kind (linear means 10x for 1 MB).
Results go to ``benchmarks/results/input_scaling.json``.

    python benchmarks/input_scaling.py --sizes 10k 100k 1m 2m --kinds prose line
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "input_scaling.json"

_PEOPLE = ["Ines Calloway", "Tomas Reyes", "Mara Lindqvist", "Otto Benning", "Aya Okafor"]
_BODIES = ["the port authority", "the finance ministry", "the regional council", "the union"]
_PLACES = ["Marrowby", "Santa Lucía", "the Tarn valley", "Port Edda", "Valmora"]
_THINGS = ["jobs", "homes", "workers", "families", "school places", "trucks", "hectares"]
_MONTHS = ["January", "March", "May", "June", "September", "November"]
_TEMPLATES = [
    "{person} said on {month} {day} that {body} would spend {money} million euros in {place}.",
    "According to {body}, more than {count} {thing} were affected in {place} last year.",
    "The plan, approved by {votes} votes to {against}, runs from {month} to {month2} {year}.",
    "Critics in {place} say the figure of {count} {thing} is about twice the real number.",
    "{body_cap} has not published the report, and {person} did not answer questions.",
    "Why did {body} wait until {month} {year} to tell the {count} {thing} of {place}?",
    "Officials in {place} estimate that about {pct} percent of the {thing} will be kept.",
    "This is a disgrace, {person} wrote, and nobody in {place} believes the promises any more.",
]


def prose(size: int, seed: int = 0) -> str:
    """Paragraphs of three to six sentences from the templates, ``size`` characters at least."""
    rng = random.Random(seed)
    paragraphs, total = [], 0
    while total < size:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            body = rng.choice(_BODIES)
            sentences.append(
                rng.choice(_TEMPLATES).format(
                    person=rng.choice(_PEOPLE),
                    body=body,
                    body_cap=body[0].upper() + body[1:],
                    place=rng.choice(_PLACES),
                    thing=rng.choice(_THINGS),
                    month=rng.choice(_MONTHS),
                    month2=rng.choice(_MONTHS),
                    day=rng.randint(1, 28),
                    year=rng.randint(2015, 2026),
                    money=rng.randint(2, 900),
                    count=f"{rng.randint(12, 90_000):,}",
                    votes=rng.randint(40, 90),
                    against=rng.randint(5, 39),
                    pct=rng.randint(5, 95),
                )
            )
        paragraphs.append(" ".join(sentences))
        total += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs)


def line(size: int, seed: int = 0) -> str:
    """One line of lower-case words, no punctuation, ``size`` characters at least."""
    rng = random.Random(seed)
    words = "the council said budget ministry would cost people river harbour vote report".split()
    out, total = [], 0
    while total < size:
        out.append(rng.choice(words))
        total += len(out[-1]) + 1
    return " ".join(out)


_CHILD = """
import json, resource, sys, time
from claimscope.pipeline import analyze
from claimscope.settings import Settings
settings = Settings(max_bytes=10**9, max_sentences=10**7)
analyze("A warm-up. It loads the models.", settings=settings)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
text = open(sys.argv[1], encoding="utf-8").read()
t = time.perf_counter()
a = analyze(text, settings=settings)
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "warm_mb": before / 1024,
                  "sentences": len(a.sentences)}))
"""

_SIZES = {"k": 1_000, "m": 1_000_000}


def parse_size(value: str) -> int:
    value = value.lower()
    return int(float(value[:-1]) * _SIZES[value[-1]]) if value[-1] in _SIZES else int(value)


def measure(kind: str, size: int, timeout: float) -> dict[str, Any]:
    text = (prose if kind == "prose" else line)(size)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
        f.write(text)
    try:
        run = subprocess.run(
            [sys.executable, "-c", _CHILD, f.name],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"kind": kind, "bytes": len(text.encode()), "error": f"over {timeout:g} s"}
    finally:
        Path(f.name).unlink()
    if run.returncode:
        return {"kind": kind, "bytes": len(text.encode()), "error": run.stderr.strip()[-300:]}
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result["added_mb"] = result["peak_mb"] - result["warm_mb"]
    return {"kind": kind, "bytes": len(text.encode()), **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["10k", "100k", "1m", "2m"])
    parser.add_argument("--kinds", nargs="+", default=["prose", "line"])
    parser.add_argument("--timeout", type=float, default=1800.0, help="per run, in seconds")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    runs = []
    for kind in args.kinds:
        for size in map(parse_size, args.sizes):
            run = measure(kind, size, args.timeout)
            print(json.dumps(run), flush=True)
            runs.append(run)
    for run in runs:  # each run against 100 KB of its kind
        base = next(
            (r for r in runs if r["kind"] == run["kind"] and r["bytes"] // 1000 == 100), None
        )
        if base and "seconds" in run and "seconds" in base:
            run["time_vs_100k"] = round(run["seconds"] / base["seconds"], 2)
            run["peak_vs_100k"] = round(run["peak_mb"] / base["peak_mb"], 2)
            run["added_vs_100k"] = round(run["added_mb"] / max(base["added_mb"], 1.0), 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "harness": "benchmarks/input_scaling.py",
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "runs": runs,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
