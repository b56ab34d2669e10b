"""Train the fact-check re-ranker: a MiniLM cross-encoder that scores (post, checked claim) pairs.

Candidates come from the BM25 index the run time uses, so the model learns to fix exactly the
mistakes that index makes. Each training query gives groups of one relevant claim and hard
negatives (BM25's other top candidates); the loss is a softmax over the group (listwise). The
epoch is chosen on the CheckThat! 2022 2A dev queries; dev-test is only scored at the end.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn

from claimscope.model import FactCheck
from claimscope.models.batches import read_tokenizer
from claimscope.training.config import CandidateConfig
from claimscope.training.crossencoder import INPUT_NAMES, PairModel, encode_pairs, export_int8
from claimscope.training.hardware import (
    cpu_state,
    device,
    load_state,
    model_device,
    seed_everything,
)
from claimscope.training.loop import (
    linear_schedule,
    load_trained,
    on_device,
    optimizer_step,
    save_weights,
)
from claimscope.verify.checkthat import Qrels, Queries, ranking_scores
from claimscope.verify.matching import claim_passage
from claimscope.verify.textindex import TextIndex

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class MatchConfig(CandidateConfig):
    """Hyper-parameters of re-ranker training (recorded in the card)."""

    epochs: int = 2
    lr: float = 3e-5
    group: int = 4
    groups_per_step: int = 8


def passage_index(factchecks: Sequence[FactCheck]) -> tuple[dict[str, str], TextIndex]:
    """Each fact-check's passage (``claim_passage``) by id, and an in-memory BM25 index of them."""
    passages = {f.id: claim_passage(f) for f in factchecks}
    index = TextIndex.open(":memory:")
    index.add(passages.items())
    return passages, index


def candidates(index: TextIndex, queries: Queries, k: int) -> dict[str, list[str]]:
    """BM25's top ``k`` claim ids per query."""
    return {q: [key for key, _ in index.search(text, k)] for q, text in queries.items()}


@torch.no_grad()
def rerank(
    model: PairModel,
    tok: Tokenizer,
    queries: Queries,
    passages: dict[str, str],
    pool: dict[str, list[str]],
    k: int,
) -> dict[str, list[str]]:
    """Each query's top ``k`` candidates re-ordered by the model (the rest keep BM25's order)."""
    model.eval()
    out: dict[str, list[str]] = {}
    for q, keys in pool.items():
        head = keys[:k]
        if not head:
            out[q] = []
            continue
        inputs = encode_pairs(tok, [(queries[q], passages[key]) for key in head])
        where = model_device(model)
        scores = model(**on_device(inputs, where))
        order = np.argsort(-scores.cpu().numpy(), kind="stable")
        out[q] = [head[i] for i in order] + keys[k:]
    return out


def training_groups(
    index: TextIndex,
    passages: dict[str, str],
    train: tuple[Queries, Qrels],
    config: MatchConfig,
) -> list[list[tuple[str, str]]]:
    """Per judged training query and relevant claim, its (query, passage) pairs: the relevant
    claim first, then BM25's ``group - 1`` best wrong candidates."""
    train_q, train_rel = train
    pool = candidates(index, train_q, config.candidates)
    groups: list[list[tuple[str, str]]] = []
    for q, gold in train_rel.items():
        if q not in train_q:
            continue
        negatives = [k for k in pool.get(q, []) if k not in gold]
        for positive in sorted(gold):
            if positive not in passages:
                continue
            chosen = negatives[: config.group - 1]
            groups.append([(train_q[q], passages[k]) for k in [positive, *chosen]])
    logger.info("%d training groups from %d queries", len(groups), len(train_rel))
    return groups


def _group_loss(
    logits: torch.Tensor, chunk: list[list[tuple[str, str]]], where: torch.device
) -> torch.Tensor:
    """The mean over groups of the softmax loss of each group (its relevant claim is first)."""
    loss = torch.zeros((), device=where)
    offset = 0
    for g in chunk:
        loss = loss + nn.functional.cross_entropy(
            logits[offset : offset + len(g)].unsqueeze(0),
            torch.zeros(1, dtype=torch.long, device=where),
        )
        offset += len(g)
    return loss / len(chunk)


def _train_epoch(
    model: PairModel,
    tok: Tokenizer,
    groups: list[list[tuple[str, str]]],
    optimizer: torch.optim.Optimizer,
    schedule: torch.optim.lr_scheduler.LRScheduler,
    config: MatchConfig,
    epoch: int,
) -> float:
    """One pass over the shuffled ``groups``; the summed loss of its steps."""
    where = model_device(model)
    model.train()
    random.shuffle(groups)
    started, total = time.time(), 0.0
    for i in range(0, len(groups), config.groups_per_step):
        chunk = groups[i : i + config.groups_per_step]
        pairs = [p for g in chunk for p in g]
        logits = model(**on_device(encode_pairs(tok, pairs), where))
        loss = _group_loss(logits, chunk, where)
        optimizer_step(model, optimizer, schedule, loss)
        total += float(loss.detach())
        step = i // config.groups_per_step + 1
        if step % 25 == 0:
            logger.info("epoch %d step %d: loss %.3f, %.1f s", epoch, step, total / step,
                        time.time() - started)  # fmt: skip
    return total


def _report_scores(
    model: PairModel,
    tok: Tokenizer,
    index: TextIndex,
    passages: dict[str, str],
    report: tuple[Queries, Qrels],
    config: MatchConfig,
) -> dict[str, Any]:
    """The report split's figures, BM25 alone and re-ranked by the model."""
    rep_q, rep_rel = report
    rep_pool = candidates(index, rep_q, config.candidates)
    return {
        "bm25": ranking_scores(rep_pool, rep_rel),
        "reranked": ranking_scores(
            rerank(model, tok, rep_q, passages, rep_pool, config.rerank), rep_rel
        ),
    }


def train_reranker(
    *,
    base: Path,
    factchecks: Sequence[FactCheck],
    train: tuple[Queries, Qrels],
    dev: tuple[Queries, Qrels],
    report: tuple[Queries, Qrels] | None,
    out: Path,
    config: MatchConfig,
    init: Path | None = None,
) -> dict[str, Any]:
    """Train (from the weights in ``init`` when given), choose the epoch on ``dev``, save
    ``out/model.pt`` and ``out/training.json``."""
    seed_everything(config.seed, None)
    out.mkdir(parents=True, exist_ok=True)
    passages, index = passage_index(factchecks)
    tok = read_tokenizer(base, config.max_tokens)
    model = PairModel(str(base))
    if init is not None:
        model.load_state_dict(load_state(init))
    model.to(device())
    groups = training_groups(index, passages, train, config)

    dev_q, dev_rel = dev
    dev_pool = candidates(index, dev_q, config.candidates)
    history = [{"epoch": 0, "dev": ranking_scores(dev_pool, dev_rel)}]
    steps = config.epochs * ((len(groups) + config.groups_per_step - 1) // config.groups_per_step)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=0.01)
    schedule = linear_schedule(optimizer, steps, max(1, steps // 10))
    best, best_key = None, -1.0
    for epoch in range(1, config.epochs + 1):
        started = time.time()
        total = _train_epoch(model, tok, groups, optimizer, schedule, config, epoch)
        ranked = rerank(model, tok, dev_q, passages, dev_pool, config.rerank)
        scores = ranking_scores(ranked, dev_rel)
        history.append({"epoch": epoch, "loss": total, "seconds": time.time() - started,
                        "dev": scores})  # fmt: skip
        logger.info("epoch %d: loss %.2f, dev %s", epoch, total, scores)
        if scores["map@5"] > best_key:
            best_key, best = scores["map@5"], cpu_state(model)
    assert best is not None
    model.load_state_dict(best)
    save_weights(best, base, out)
    summary: dict[str, Any] = {
        "config": asdict(config),
        "history": history,
        "selected_dev": best_key,
    }
    if report is not None:
        summary["report"] = _report_scores(model, tok, index, passages, report, config)
    (out / "training.json").write_text(json.dumps(summary, indent=2))
    return summary


def fit_platt(logits: np.ndarray, labels: np.ndarray, steps: int = 2000) -> tuple[float, float]:
    """Platt scaling: ``a, b`` so that sigmoid(a * logit + b) is calibrated on these pairs."""
    a, b = 1.0, 0.0
    x, y = logits.astype(np.float64), labels.astype(np.float64)
    # A weak pull towards (1, 0): when the pairs are separable the plain optimum is at infinity.
    ridge = 1e-2

    def loss(a: float, b: float) -> float:
        z = a * x + b
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + ridge / 2 * ((a - 1.0) ** 2 + b**2))

    current = loss(a, b)
    for _ in range(steps):  # Newton steps on the logistic loss in two parameters
        p = 1.0 / (1.0 + np.exp(-np.clip(a * x + b, -50.0, 50.0)))
        w = np.maximum(p * (1 - p), 1e-9)
        grad = np.array([np.sum((p - y) * x) + ridge * (a - 1.0), np.sum(p - y) + ridge * b])
        hess = np.array([[np.sum(w * x * x), np.sum(w * x)], [np.sum(w * x), np.sum(w)]])
        step = np.linalg.solve(hess + ridge * np.eye(2), grad)
        # Halved until the loss falls: a full step from (1, 0) overshoots when the logits sit
        # far from 0 (a bi-encoder's scaled cosines, 10 to 18), and Newton then diverges.
        scale = 1.0
        while scale > 1e-6 and loss(a - scale * step[0], b - scale * step[1]) > current:
            scale /= 2
        a, b = a - scale * step[0], b - scale * step[1]
        current = loss(a, b)
        if np.abs(scale * step).max() < 1e-8:
            break
    return float(a), float(b)


@torch.no_grad()
def export_reranker(
    *,
    trained: Path,
    base: Path,
    out: Path,
    factchecks: Sequence[FactCheck],
    dev: tuple[Queries, Qrels],
) -> dict[str, Any]:
    """ONNX export (int8), checked against torch; Platt scaling and match threshold on dev."""
    import onnxruntime as ort

    from claimscope.metrics import best_threshold

    summary, model = load_trained(PairModel(str(base)), trained)
    config = MatchConfig(**summary["config"])
    tok = read_tokenizer(trained, config.max_tokens)
    out.mkdir(parents=True, exist_ok=True)
    export_int8(model, tok, trained / "model.fp32.onnx", out / "model.onnx", "score")
    shutil.copy(trained / "tokenizer.json", out / "tokenizer.json")

    passages, index = passage_index(factchecks)
    dev_q, dev_rel = dev
    pool = candidates(index, dev_q, config.rerank)
    pairs = [(dev_q[q], passages[k]) for q, keys in pool.items() for k in keys]
    labels = np.array([k in dev_rel.get(q, set()) for q, keys in pool.items() for k in keys])
    reference = np.concatenate(
        [model(**encode_pairs(tok, pairs[i : i + 64])).numpy() for i in range(0, len(pairs), 64)]
    )
    session = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    logits = []
    for i in range(0, len(pairs), 64):
        enc = encode_pairs(tok, pairs[i : i + 64])
        logits.append(session.run(["score"], {n: enc[n].numpy() for n in INPUT_NAMES})[0])
    int8 = np.concatenate(logits)
    a, b = fit_platt(int8, labels)
    probs = 1.0 / (1.0 + np.exp(-(a * int8 + b)))
    threshold, f1 = best_threshold(labels.astype(int).tolist(), probs.tolist())
    summary["export"] = {
        "max_abs_diff_int8_vs_torch": float(np.max(np.abs(int8 - reference))),
        "calibration": {"a": a, "b": b, "pairs": len(pairs), "positives": int(labels.sum())},
        "match_threshold": threshold,
        "match_f1_dev_pairs": f1,
    }
    return summary
