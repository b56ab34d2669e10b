"""CheckThat! claim-retrieval files: queries (``id<TAB>text``) and qrels (TREC format)."""

from __future__ import annotations

import csv
from pathlib import Path

from claimscope.errors import InputError

Queries = dict[str, str]
Qrels = dict[str, set[str]]


def read_queries(path: str | Path) -> Queries:
    """Query id -> text; a header row (``tweet_content`` or ``query``) is skipped."""
    queries: Queries = {}
    for number, row in enumerate(_rows(path), 1):
        if len(row) < 2:
            raise InputError(f"line {number}: expected 'id<TAB>text'", source=str(path))
        if number == 1 and row[1].strip().lower() in ("tweet_content", "query", "text"):
            continue
        queries[row[0].strip()] = row[1]
    return queries


def read_qrels(path: str | Path) -> Qrels:
    """Query id -> ids of its relevant claims (``qid 0 claim_id relevance`` rows)."""
    qrels: Qrels = {}
    for number, row in enumerate(_rows(path), 1):
        if len(row) < 4:
            raise InputError(
                f"line {number}: expected 'qid 0 claim_id relevance'", source=str(path)
            )
        if row[3].strip() not in ("0", ""):
            qrels.setdefault(row[0].strip(), set()).add(row[2].strip())
    return qrels


def _rows(path: str | Path) -> list[list[str]]:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return [row for row in csv.reader(handle, delimiter="\t") if row]
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", source=str(path)) from None


def ranking_scores(rankings: dict[str, list[str]], qrels: Qrels) -> dict[str, float]:
    """MAP@1, MAP@5, MAP@10 and Recall@10 as CheckThat! computes them, over judged queries."""
    judged = [q for q in qrels if q in rankings]
    if not judged:
        raise InputError("no query of the qrels has a ranking")
    out: dict[str, float] = {}
    for k in (1, 5, 10):
        total = 0.0
        for q in judged:
            gold, hits, precision_sum = qrels[q], 0, 0.0
            for i, key in enumerate(rankings[q][:k]):
                if key in gold:
                    hits += 1
                    precision_sum += hits / (i + 1)
            total += precision_sum / min(len(gold), k)
        out[f"map@{k}"] = total / len(judged)
    out["recall@10"] = sum(
        len(set(rankings[q][:10]) & qrels[q]) / len(qrels[q]) for q in judged
    ) / len(judged)
    out["queries"] = float(len(judged))
    return out
