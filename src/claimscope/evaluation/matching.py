"""Evaluation of fact-check matching in the CheckThat! format (MAP@k, Recall@10)."""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from claimscope.errors import InputError
from claimscope.evaluation.checkthat import ranking_scores, read_qrels, read_queries
from claimscope.model import FactCheck
from claimscope.models.reranker import MatchScorer, installed, load_pair_scorer
from claimscope.verify.factchecks import read_factchecks
from claimscope.verify.matching import FactCheckMatcher, Match, claim_passage
from claimscope.verify.textindex import TextIndex

log = logging.getLogger(__name__)


def evaluate_matching(
    queries: Path,
    qrels: Path,
    claims: Sequence[Path],
    *,
    rerank: bool = True,
    model: str | None = None,
    depth: int = 10,
) -> dict[str, Any]:
    """Rank the claims for every judged query; scores, the rankings and the timings."""
    texts = read_queries(queries)
    relevant = read_qrels(qrels)
    checks = {c.id: c for c in read_factchecks(claims) if isinstance(c, FactCheck)}
    if not checks:
        raise InputError("no verified claims read", source=", ".join(map(str, claims)))
    index = TextIndex.open(":memory:")
    index.add((c.id, claim_passage(c)) for c in checks.values())
    scorer: MatchScorer | None = None
    if rerank and model is None and not installed():
        log.warning("no pair model installed (match-minilm): ranking by BM25 alone")
    elif rerank:
        scorer = load_pair_scorer(model) if model else load_pair_scorer()
    matcher = FactCheckMatcher(
        index, lambda ids: {i: checks[i] for i in ids if i in checks}, reranker=scorer
    )
    started = time.perf_counter()
    if matcher.vectors is not None:
        matcher.vectors.sync()  # the claims' vectors, once: a query then costs one encoder pass
    vectors_s = time.perf_counter() - started
    rankings: dict[str, list[Match]] = {}
    seconds = []
    for qid in relevant:
        if qid not in texts:
            continue
        started = time.perf_counter()
        rankings[qid] = matcher.match(texts[qid], depth)
        seconds.append(time.perf_counter() - started)
    report: dict[str, Any] = ranking_scores(
        {q: [m.check.id for m in ms] for q, ms in rankings.items()}, relevant
    )
    report.update(
        claims=len(checks),
        method=f"BM25 + {scorer.name}" if scorer else "BM25",
        median_ms_per_query=1000 * statistics.median(seconds),
        claim_vectors_s=vectors_s,
        rankings=rankings,
    )
    return report


def write_rankings(rankings: dict[str, list[Match]], path: Path, tag: str = "claimscope") -> None:
    """Rankings as a TREC run file (``qid Q0 claim_id rank score tag``), as CheckThat! reads."""
    with path.open("w", encoding="utf-8") as handle:
        for qid, matches in rankings.items():
            for m in matches:
                handle.write(f"{qid}\tQ0\t{m.check.id}\t{m.rank}\t{m.score:.6f}\t{tag}\n")
