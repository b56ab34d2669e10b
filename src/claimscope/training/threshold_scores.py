"""The model's outputs over the datasets ``claimscope train thresholds`` reads, computed once and
kept under the cache folder (``$CLAIMSCOPE_CACHE`` or ~/.cache/claimscope), keyed by the model's
weights and the texts; and the unlabelled news articles the thresholds are held against."""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from claimscope.models.scorer import ClaimScorer, TokenScores
from claimscope.training.teacher_base import cache_root

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Scored:
    """A model's outputs for some texts: check-worthiness, subjectivity, the technique heads
    (any, then one per technique) and, per text, the token offsets and token probabilities."""

    checkworthiness: np.ndarray
    subjectivity: np.ndarray
    techniques: np.ndarray
    tokens: list[TokenScores]


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:20]


def model_digest(scorer: ClaimScorer) -> str:
    """A digest of the model's weights and tokenizer (its cache key)."""
    path = scorer.folder_.path
    return _digest((path / "model.onnx").read_bytes(), (path / "tokenizer.json").read_bytes())


def score_cached(scorer: ClaimScorer, texts: Sequence[str], *, cache: Path | None = None) -> Scored:
    """The model's outputs for ``texts``, computed once and kept in the cache folder."""
    folder = (cache or cache_root()) / "scores" / model_digest(scorer)
    key = _digest("\x00".join(texts).encode("utf-8", "surrogatepass"))
    file = folder / f"{key}.npz"
    if file.is_file():
        with np.load(file) as data:
            counts = data["token_counts"]
            bounds = np.concatenate([[0], np.cumsum(counts)])
            offsets, probs = data["token_offsets"], data["token_probs"].astype(np.float32)
            tokens = [
                (offsets[a:b].astype(np.int64), probs[a:b]) for a, b in itertools.pairwise(bounds)
            ]
            return Scored(data["checkworthiness"], data["subjectivity"], data["techniques"], tokens)
    logger.info("scoring %d texts (cached in %s)", len(texts), file)
    scores, token_scores = scorer.score_with_tokens(texts)
    if token_scores is None:
        raise ValueError(f"model {scorer.name} has no technique heads")
    folder.mkdir(parents=True, exist_ok=True)
    tmp = file.with_suffix(".tmp.npz")
    np.savez_compressed(
        tmp,
        checkworthiness=scores["checkworthiness"],
        subjectivity=scores["subjectivity"],
        techniques=scores["techniques"],
        token_counts=np.array([len(o) for o, _ in token_scores], dtype=np.int64),
        token_offsets=np.concatenate([o for o, _ in token_scores]).astype(np.int32),
        token_probs=np.concatenate([p for _, p in token_scores]).astype(np.float16),
    )
    tmp.replace(file)
    return Scored(
        scores["checkworthiness"],
        scores["subjectivity"],
        scores["techniques"],
        [(o, p.astype(np.float16).astype(np.float32)) for o, p in token_scores],
    )


MAINSTREAM = ("nyt", "wash-post", "usa-today", "politico")


@dataclass(slots=True)
class News:
    """Unlabelled news articles as the run time reads them: each article's outlet and word
    count, and its sentences (from the structure stage) with the model's outputs."""

    outlets: list[str]
    words: list[int]
    texts: list[str]
    article_of: np.ndarray  # article index of each sentence
    scored: Scored

    def keep(self, outlets: Sequence[str]) -> np.ndarray:
        """A mask over the sentences of the articles from ``outlets``."""
        wanted = np.array([o in outlets for o in self.outlets], dtype=bool)
        return wanted[self.article_of] if len(self.article_of) else np.zeros(0, dtype=bool)

    def word_count(self, outlets: Sequence[str]) -> int:
        """The words of the articles from ``outlets`` (whitespace-separated, as density counts)."""
        return sum(w for o, w in zip(self.outlets, self.words, strict=True) if o in outlets)


def read_news(folder: Path, scorer: ClaimScorer, *, cache: Path | None = None) -> News:
    """The PolNeAR articles of ``folder`` (``text/<outlet>_<date>_<slug>.txt``), read and cut
    into sentences as ``claimscope analyze`` does, then scored (once; cached)."""
    from claimscope.ingest import read_path
    from claimscope.model import Analysis, Document
    from claimscope.settings import Settings
    from claimscope.text.stage import structure

    settings = Settings()
    outlets: list[str] = []
    words: list[int] = []
    texts: list[str] = []
    article_of: list[int] = []
    files = sorted((folder / "text").glob("*.txt"))
    if not files:
        raise ValueError(f"no PolNeAR articles under {folder / 'text'}")
    for file in files:
        docs = [d for d in read_path(file, settings=settings) if isinstance(d, Document)]
        if len(docs) != 1:
            continue
        analysis = Analysis(document=docs[0])
        structure(analysis, settings)
        outlets.append(file.name.split("_", 1)[0])
        words.append(len(analysis.text.split()))
        for s in analysis.sentences:
            texts.append(analysis.text[s.start : s.end])
            article_of.append(len(outlets) - 1)
    scored = score_cached(scorer, texts, cache=cache)
    return News(outlets, words, texts, np.array(article_of, dtype=np.int64), scored)
