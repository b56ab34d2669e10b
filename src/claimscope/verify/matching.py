"""Fact-check matching: which previously checked claims does a sentence or post make again.

Retrieval is BM25 over the checked claims (SQLite FTS5); the top candidates are then re-scored
by the pair model trained here on CheckThat! 2022 2A (``match-minilm``, a bi-encoder: the post's
vector against the claims' vectors, kept once for the collection in ``ClaimVectors``) and the two
scores fused. Without the model folder, BM25 ranks alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from claimscope.model import FactCheck
from claimscope.model.verification import Match
from claimscope.models.reranker import EmbeddingScorer, MatchScorer, installed, load_pair_scorer
from claimscope.verify.claim_vectors import ClaimVectors
from claimscope.verify.textindex import TextIndex


def claim_passage(check: FactCheck) -> str:
    """The text a fact-check is searched and re-ranked by: its claim, then its headline."""
    if check.title and check.title.lower() not in check.claim.lower():
        return f"{check.claim} {check.title}"
    return check.claim


class FactCheckMatcher:
    """Ranks fact-checks for texts: BM25 candidates, re-scored by the pair model when loaded.

    ``index`` is a TextIndex keyed by fact-check id; ``checks`` maps ids to FactChecks (or a
    callable that fetches some ids, for collections too large to hold in memory). With a
    bi-encoder, the claims' vectors are kept in the index file (``vectors``, made on first use
    when not given), so a query costs one encoder pass, and the claims nearest the query by
    vector join BM25's candidates (``candidate_pool``). ``candidates`` and ``dense``: how many
    of each (default: the card's ``fusion``, else 20 and none).
    """

    def __init__(
        self,
        index: TextIndex,
        checks: Callable[[Sequence[str]], dict[str, FactCheck]],
        *,
        reranker: MatchScorer | None = None,
        candidates: int | None = None,
        dense: int | None = None,
        vectors: ClaimVectors | None = None,
    ) -> None:
        self.index = index
        self.checks = checks
        self.reranker = reranker
        bi_encoder = isinstance(reranker, EmbeddingScorer)
        if candidates is None:
            candidates = reranker.candidates if isinstance(reranker, EmbeddingScorer) else 20
        if dense is None:
            dense = reranker.dense if isinstance(reranker, EmbeddingScorer) else 0
        self.candidates = candidates
        self.dense = dense
        if vectors is None and bi_encoder:
            vectors = ClaimVectors(index, reranker)  # type: ignore[arg-type]
        self.vectors = vectors

    def match(self, text: str, k: int = 5) -> list[Match]:
        """The ``k`` fact-checks ``text`` most likely repeats, best first."""
        query: np.ndarray | None = None
        if self.vectors is not None and isinstance(self.reranker, EmbeddingScorer):
            query = self.reranker.embed([text])[0]
            near = self.vectors.nearest(query, self.dense) if self.dense else []
            found = candidate_pool(self.index, text, self.candidates, near)
        else:
            found = self.index.search(text, self.candidates if self.reranker else k)
        if not found:
            return []
        checks = self.checks([key for key, _ in found])
        found = [(key, s) for key, s in found if key in checks]
        if not found:
            return []
        bm25 = dict(found)
        if self.reranker is None:
            return [Match(checks[key], rank, s, s) for rank, (key, s) in enumerate(found[:k], 1)]
        if (
            query is not None
            and self.vectors is not None
            and isinstance(self.reranker, EmbeddingScorer)
        ):
            claims = self.vectors.get([key for key, _ in found])
            logits = (self.reranker.scale * (claims @ query)).astype(np.float32)
        else:
            logits = self.reranker.score([(text, claim_passage(checks[key])) for key, _ in found])
        probs = self.reranker.probability(logits)
        fused = fuse(logits, np.array([s for _, s in found]), self.reranker.bm25_weight)
        order = np.argsort(-fused, kind="stable")[:k]
        return [
            Match(
                checks[found[i][0]],
                rank,
                float(fused[i]),
                bm25[found[i][0]],
                float(probs[i]),
            )
            for rank, i in enumerate(order, 1)
        ]


def candidate_pool(
    index: TextIndex, text: str, candidates: int, near: Sequence[str] = ()
) -> list[tuple[str, float]]:
    """The fact-checks re-scored for ``text``: BM25's top ``candidates``, then those of ``near``
    (the claims nearest the text by vector) that BM25 left out, each with its BM25 score (0 for
    a claim that shares no searchable word with the text).

    BM25 misses a claim worded apart from the post (its Recall@10 on CheckThat! 2022 dev is
    0.945); the nearest claims by vector bring it back.
    """
    found = index.search(text, candidates)
    seen = {key for key, _ in found}
    extra = [key for key in near if key not in seen]
    if extra:
        scores = dict(index.search(text, len(extra), only=extra))
        found += [(key, scores.get(key, 0.0)) for key in extra]
    return found


def fuse(logits: np.ndarray, bm25: np.ndarray, bm25_weight: float) -> np.ndarray:
    """One ranking score from the pair model and BM25: each standardized over the candidates.

    Neither signal wins alone on CheckThat! dev: the pair model reads meaning but misses rare
    names that BM25 weighs, so their standardized sum ranks better than either.
    """
    return _standardized(logits) + bm25_weight * _standardized(bm25)


def _standardized(values: np.ndarray) -> np.ndarray:
    values = values.astype(np.float64)
    return (values - values.mean()) / (values.std() + 1e-6)


def keep_claim_vectors(index: TextIndex, progress: Callable[[int], None] | None = None) -> int:
    """Embed the passages of a fact-check index that lack a vector, with the installed pair
    model, and keep them in the index file; how many were embedded (0 without a bi-encoder)."""
    if not installed():
        return 0
    scorer = load_pair_scorer()
    if not isinstance(scorer, EmbeddingScorer):
        return 0
    return ClaimVectors(index, scorer).sync(progress)
