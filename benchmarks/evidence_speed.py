"""Evidence check speed: one claim against an index of many passages, after loading.

Documents are generated articles (``benchmarks/lib/corpus.py``), indexed with ``EvidenceIndex.add``
until the index holds ``--passages`` passages; the index is kept (``build/evidence_<n>/``) and
reused when it is there already, so the build is paid once (its rate is recorded when it is
built). Claims are sentences of other generated articles, half of them an indexed passage's
first sentence reworded by dropping words (so that close passages are found). Reported: build
rate, open time, and the median and 95th percentile time of ``check`` per claim (retrieval of
the top ``k``, stance of those with ``--model``, the contradiction rules), after one warm-up.
Results go to ``benchmarks/results/evidence_speed.json``.

    python benchmarks/evidence_speed.py --passages 1000000 --claims 30 --model DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

import corpus

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "evidence_speed.json"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def documents(seed: int, index: Any, target: int, seen: dict[str, float]) -> Iterator[Any]:
    """Generated articles as Documents until ``index`` holds ``target`` passages (checked at
    each chunk boundary, so the index ends a little over the target)."""
    from claimscope.model import Document
    from claimscope.verify.evidence_index import CHUNK

    i = 0
    while True:
        if i % CHUNK == 0 and index.count("evidence_passages") >= target:
            return
        a = corpus.article(seed, i)
        seen["articles"] = i + 1
        yield Document(
            a["text"],
            source=f"gen:{seed}:{i}",
            title=a["title"],
            url=a["url"],
            published=a["published"],
            outlet=a["outlet"],
        )
        i += 1


def claims(index: Any, n: int, seed: int) -> list[str]:
    """Half fresh sentences, half indexed passages' first sentences with words dropped."""
    rng = random.Random(seed)
    out: list[str] = []
    fresh = 0
    while len(out) < n // 2:
        for line in corpus.article(seed + 1, fresh)["text"].splitlines():
            for s in _SENTENCE.split(line):
                if 8 <= len(s.split()) <= 40 and len(out) < n // 2:
                    out.append(s)
        fresh += 1
    total = index.count("evidence_passages")
    while len(out) < n:
        row = index.connection.execute(
            "SELECT d.text, p.start_char, p.end_char FROM evidence_passages p "
            "JOIN documents d ON d.id = p.doc WHERE p.id = ?",
            (rng.randint(1, total),),
        ).fetchone()
        if row is None:
            continue
        first = _SENTENCE.split(row[0][row[1] : row[2]])[0]
        words = first.split()
        if len(words) >= 8:
            out.append(" ".join(w for w in words if rng.random() > 0.3))
    return out


def timed(run: Any, texts: list[str]) -> dict[str, float]:
    """Median and p95 milliseconds per claim (after one warm-up claim)."""
    run(texts[0])
    times = []
    for text in texts:
        started = time.perf_counter()
        run(text)
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    return {
        "claims": len(times),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "max_ms": round(times[-1], 1),
    }


def main() -> None:
    from claimscope.verify.check import check
    from claimscope.verify.evidence_index import EvidenceIndex

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=1_000_000)
    parser.add_argument("--claims", type=int, default=30)
    parser.add_argument("-k", type=int, default=5)
    parser.add_argument("--model", type=str, default=None, help="A stance-model folder.")
    parser.add_argument("--threads", type=int, default=2, help="Stance model threads.")
    parser.add_argument("--no-vectors", action="store_true")
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    vectors = not args.no_vectors
    folder = args.folder or ROOT / "build" / f"evidence_{args.passages}{'' if vectors else '_bm25'}"
    result: dict[str, Any] = {
        "benchmark": "evidence_speed",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {
            "passages": args.passages,
            "claims": args.claims,
            "k": args.k,
            "vectors": vectors,
            "stance_model": args.model,
        },
    }
    build_file = folder / "benchmark_build.json"
    if not build_file.is_file():
        seen: dict[str, float] = {}
        started = time.perf_counter()
        with EvidenceIndex.create(folder, vectors=vectors) as index:
            stats = index.add(documents(0, index, args.passages, seen))
        seconds = time.perf_counter() - started
        build = {
            "documents": stats.added,
            "passages": stats.passages,
            "seconds": round(seconds, 1),
            "documents_per_s": round(stats.added / seconds, 1),
            "passages_per_s": round(stats.passages / seconds, 1),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        }
        build_file.write_text(json.dumps(build, indent=2) + "\n", encoding="utf-8")
    result["build"] = json.loads(build_file.read_text(encoding="utf-8"))
    result["index_bytes"] = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())

    started = time.perf_counter()
    index = EvidenceIndex.open(folder)
    result["open_s"] = round(time.perf_counter() - started, 2)
    result["passages"] = index.count("evidence_passages")
    texts = claims(index, args.claims, seed=7)
    scorer = None
    if args.model:
        from claimscope.models.stance import StanceScorer

        started = time.perf_counter()
        scorer = StanceScorer(args.model, threads=args.threads).load()
        result["stance_load_s"] = round(time.perf_counter() - started, 2)
    # Load spaCy (the rules' entities) before timing: it is loading, not checking.
    check(texts[0], index, k=args.k, scorer=scorer, stance=scorer is not None)
    result["retrieval"] = timed(lambda t: index.search(t, args.k), texts)
    result["check"] = timed(
        lambda t: check(t, index, k=args.k, scorer=scorer, stance=scorer is not None), texts
    )
    result["check"]["with_stance"] = scorer is not None
    index.close()
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
