"""What ``embed-static`` is measured on besides its pairs: fact-check retrieval on the CheckThat!
dev splits (against BM25 and the encoder it was distilled from) and SICK relatedness."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def retrieval_scores(
    queries: dict[str, str],
    qrels: dict[str, set[str]],
    rank: Callable[[list[str]], list[list[str]]],
) -> dict[str, float]:
    """CheckThat! scores of a ranking function over the judged queries."""
    from claimscope.evaluation.checkthat import ranking_scores

    judged = [q for q in qrels if q in queries]
    ranked = rank([queries[q] for q in judged])
    return ranking_scores(dict(zip(judged, ranked, strict=True)), qrels)


def dense_ranker(
    embed: Callable[[list[str]], np.ndarray], passages: dict[str, str], k: int = 10
) -> Callable[[list[str]], list[list[str]]]:
    """Rank passages by cosine with an embedding function (exact search)."""
    keys = list(passages)
    matrix = embed([passages[key] for key in keys])

    def rank(texts: list[str]) -> list[list[str]]:
        sims = embed(texts) @ matrix.T
        top = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        return [[keys[i] for i in row] for row in top]

    return rank


def bm25_ranker(passages: dict[str, str], k: int = 10) -> Callable[[list[str]], list[list[str]]]:
    """Rank passages by BM25 (SQLite FTS5, as fact-check matching searches them)."""
    from claimscope.verify.textindex import TextIndex

    index = TextIndex.open(":memory:")
    index.add(passages.items())

    def rank(texts: list[str]) -> list[list[str]]:
        return [[key for key, _ in index.search(text, k)] for text in texts]

    return rank


def read_clef2022(
    root: Path, split: str = "Dev"
) -> tuple[dict[str, str], dict[str, set[str]], dict[str, str]]:
    """CheckThat! 2022 2A: the queries and qrels of ``split`` (Train or Dev), and every
    verified claim's passage."""
    from claimscope.evaluation.checkthat import read_qrels, read_queries

    data = root / "original_twitter_data" / "training_data"
    queries = read_queries(data / "CT2022-Task2A-EN-Train-Dev_Queries.tsv")
    qrels = read_qrels(data / f"CT2022-Task2A-EN-{split}_QRELs.tsv")
    passages = {}
    for path in sorted((root / "vclaims").glob("*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        passages[item["vclaim_id"]] = _passage(item.get("vclaim") or "", item.get("title") or "")
    return {q: queries[q] for q in qrels if q in queries}, qrels, passages


def read_clef2020(
    root: Path, split: str = "dev"
) -> tuple[dict[str, str], dict[str, set[str]], dict[str, str]]:
    """CheckThat! 2020 task 2: the queries and qrels of ``split`` (train or dev), and every
    verified claim's passage."""
    import csv

    from claimscope.evaluation.checkthat import read_qrels, read_queries

    queries = read_queries(root / split / "tweets.queries.tsv")
    qrels = read_qrels(root / split / "tweet-vclaim-pairs.qrels")
    passages = {}
    with open(root / "verified_claims.docs.tsv", encoding="utf-8", newline="") as handle:
        for i, row in enumerate(csv.reader(handle, delimiter="\t")):
            if i and len(row) >= 3:
                passages[row[0]] = _passage(row[1], row[2])
    return queries, qrels, passages


def _passage(claim: str, title: str) -> str:
    """A verified claim as it is searched: the claim, then its headline when that adds words
    (as ``claimscope.verify.matching.claim_passage`` builds it)."""
    if title and title.lower() not in claim.lower():
        return f"{claim} {title}"
    return claim


def sick_spearman(path: Path, embed: Callable[[list[str]], np.ndarray]) -> dict[str, Any]:
    """Spearman correlation of cosine with SICK relatedness (1-5), over every pair in ``path``."""
    import csv

    from scipy.stats import spearmanr

    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    a = embed([r["sentence_A"] for r in rows])
    b = embed([r["sentence_B"] for r in rows])
    cosine = np.sum(a * b, axis=1)
    gold = [float(r["relatedness_score"]) for r in rows]
    return {"pairs": len(rows), "spearman": float(spearmanr(cosine, gold).statistic)}


def full_encoder(base: Path, batch_size: int = 64) -> Callable[[list[str]], np.ndarray]:
    """The full encoder the vectors come from (torch), as an embedding function: the mean of
    its last hidden states over the tokens, L2-normalized, as all-MiniLM-L6-v2 is used."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = AutoModel.from_pretrained(str(base)).eval()

    def embed(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                idx = order[start : start + batch_size]
                batch = tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=256,
                    return_tensors="pt",
                )
                hidden = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out[idx] = torch.nn.functional.normalize(pooled, dim=1).numpy()
        return out

    return embed
