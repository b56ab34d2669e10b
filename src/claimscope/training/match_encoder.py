"""Train the fact-check matcher as a bi-encoder: MiniLM embeddings of a post and of a checked
claim, compared by cosine, fused with BM25.

A cross-encoder reads each (post, claim) pair together; a bi-encoder embeds each text once, so a
post is encoded once per query however many candidates it is compared with. Training pairs each
CheckThat! 2022 2A training query with its verified claim and one of BM25's wrong top candidates
(a hard negative); the loss is a softmax over every claim in the batch (in-batch negatives). The
epoch and the BM25 fusion weight are chosen on the dev queries; dev-test is scored at the end.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn
from transformers import AutoModel

from claimscope.model import FactCheck
from claimscope.models.batches import read_tokenizer
from claimscope.models.embedder import strip_noise
from claimscope.training.config import CandidateConfig
from claimscope.training.encoding import mean_pool, token_batch
from claimscope.training.hardware import cpu_state, device, model_device, seed_everything
from claimscope.training.loop import linear_schedule, on_device, optimizer_step, save_weights
from claimscope.training.matching import candidates, passage_index
from claimscope.verify.checkthat import Qrels, Queries, ranking_scores
from claimscope.verify.matching import fuse
from claimscope.verify.textindex import TextIndex

logger = logging.getLogger(__name__)

# The BM25 weights tried in the fusion (the model's standardized cosine has weight 1).
BM25_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0)


@dataclass(slots=True)
class EncoderConfig(CandidateConfig):
    """Hyper-parameters of bi-encoder training (recorded in the card)."""

    epochs: int = 4
    lr: float = 3e-5
    batch_size: int = 32
    # Softmax temperature of the in-batch loss: cosines times this.
    scale: float = 20.0
    # The hard negative of a query is drawn from BM25's top ``hard_from`` wrong candidates.
    hard_from: int = 10
    warmup: float = 0.1
    threads: int = 2
    # Minutes between checkpoints inside an epoch (one is written after every epoch too).
    checkpoint_minutes: float = 5.0

    def run_settings(self) -> dict[str, Any]:
        """What decides the trained weights (not threads nor how often to checkpoint)."""
        settings = asdict(self)
        for key in ("threads", "checkpoint_minutes"):
            settings.pop(key)
        return settings


class BiEncoder(nn.Module):
    """MiniLM, mean-pooled, L2-normalized: one unit vector per text."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(base)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return nn.functional.normalize(mean_pool(out, attention_mask), dim=-1)


def encode_texts(tok: Tokenizer, texts: Sequence[str]) -> dict[str, torch.Tensor]:
    """Padded ``input_ids`` and ``attention_mask`` for texts (links and handles left out)."""
    ids, mask = token_batch(tok, [strip_noise(t) for t in texts])
    return {"input_ids": ids, "attention_mask": mask}


@torch.no_grad()
def embed(model: BiEncoder, tok: Tokenizer, texts: Sequence[str], batch: int = 128) -> np.ndarray:
    """Unit vectors of ``texts``, rows in input order."""
    model.eval()
    where = model_device(model)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), model.encoder.config.hidden_size), dtype=np.float32)
    for start in range(0, len(order), batch):
        idx = order[start : start + batch]
        inputs = encode_texts(tok, [texts[i] for i in idx])
        out[idx] = model(**on_device(inputs, where)).cpu().numpy()
    return out


def cosine_pool(
    vectors: dict[str, np.ndarray], queries: dict[str, np.ndarray], pool: dict[str, list[str]]
) -> dict[str, np.ndarray]:
    """Each query's cosine with each of its candidates, in the pool's order."""
    return {
        q: np.array([float(vectors[k] @ queries[q]) for k in keys], dtype=np.float64)
        for q, keys in pool.items()
    }


def fused_rankings(
    pool: dict[str, list[tuple[str, float]]], cosines: dict[str, np.ndarray], bm25_weight: float
) -> dict[str, list[str]]:
    """Each query's candidates ordered by the fused score (``verify.matching.fuse``)."""
    out: dict[str, list[str]] = {}
    for q, found in pool.items():
        if not found:
            out[q] = []
            continue
        scores = fuse(cosines[q], np.array([s for _, s in found]), bm25_weight)
        out[q] = [found[i][0] for i in np.argsort(-scores, kind="stable")]
    return out


class _Scorer:
    """Dev and report figures of a model over BM25's candidates, for every fusion weight."""

    def __init__(
        self, index: TextIndex, passages: dict[str, str], queries: Queries, k: int
    ) -> None:
        self.passages = passages
        self.queries = queries
        self.pool = {q: index.search(text, k) for q, text in queries.items()}

    def cosines(self, model: BiEncoder, tok: Tokenizer) -> dict[str, np.ndarray]:
        keys = sorted({key for found in self.pool.values() for key, _ in found})
        vectors = dict(zip(keys, embed(model, tok, [self.passages[k] for k in keys]), strict=True))
        qids = sorted(self.pool)
        qvec = dict(zip(qids, embed(model, tok, [self.queries[q] for q in qids]), strict=True))
        return cosine_pool(vectors, qvec, {q: [k for k, _ in f] for q, f in self.pool.items()})

    def scores(
        self, cosines: dict[str, np.ndarray], qrels: Qrels, weights: Sequence[float]
    ) -> dict[float, dict[str, float]]:
        judged = {q: f for q, f in self.pool.items() if q in qrels}
        return {w: ranking_scores(fused_rankings(judged, cosines, w), qrels) for w in weights}


def training_triples(
    index: TextIndex,
    passages: dict[str, str],
    train: tuple[Queries, Qrels],
    config: EncoderConfig,
) -> list[tuple[str, str, list[str]]]:
    """(query, relevant claim, BM25's wrong top candidates) for every judged training query."""
    queries, qrels = train
    pool = candidates(index, queries, config.candidates)
    triples = []
    for q, gold in sorted(qrels.items()):
        if q not in queries:
            continue
        wrong = [k for k in pool.get(q, []) if k not in gold][: config.hard_from]
        for positive in sorted(gold):
            if positive in passages:
                triples.append((queries[q], passages[positive], [passages[k] for k in wrong]))
    return triples


def _resume(checkpoint: Path, config: EncoderConfig) -> dict[str, Any] | None:
    """The checkpoint of an interrupted run with these settings, or None (a checkpoint of other
    settings is left alone and the run starts afresh)."""
    if not checkpoint.is_file():
        return None
    saved: dict[str, Any] = torch.load(checkpoint, map_location="cpu", weights_only=False)
    if saved.get("settings") != config.run_settings():
        logger.warning("%s was written with other settings: starting afresh", checkpoint)
        return None
    return saved


def _dev_choice(
    scorer: _Scorer, model: BiEncoder, tok: Tokenizer, qrels: Qrels
) -> tuple[float, float, dict[str, Any]]:
    """Dev MAP@5 at the best BM25 weight (ties to the smaller), that weight, and every weight's
    figures."""
    table = scorer.scores(scorer.cosines(model, tok), qrels, BM25_WEIGHTS)
    weight = max(BM25_WEIGHTS, key=lambda w: (table[w]["map@5"], -w))
    return table[weight]["map@5"], weight, {str(w): s for w, s in table.items()}


def _fresh_state() -> dict[str, Any]:
    return {"epoch": 1, "step": 0, "loss_sum": 0.0, "seconds": 0.0}


@dataclass
class _EncoderRun:
    """The model, optimizer and schedule of a bi-encoder run, and where it stands: the position
    in ``state``, the history and the best epoch so far (all in ``checkpoint``)."""

    config: EncoderConfig
    model: BiEncoder
    tok: Tokenizer
    optimizer: torch.optim.Optimizer
    schedule: torch.optim.lr_scheduler.LambdaLR
    checkpoint: Path
    per_epoch: int
    state: dict[str, Any] = field(default_factory=_fresh_state)
    history: list[dict[str, Any]] = field(default_factory=list)
    # dev MAP@5, BM25 weight, epoch, weights
    best: tuple[float, float, int, dict[str, torch.Tensor]] | None = None
    last_save: float = 0.0

    def resume(self, saved: dict[str, Any]) -> None:
        self.model.load_state_dict(saved["model"])
        self.optimizer.load_state_dict(saved["optimizer"])
        self.schedule.load_state_dict(saved["schedule"])
        torch.set_rng_state(saved["torch_rng"])
        self.state, self.history, self.best = saved["state"], saved["history"], saved["best"]
        logger.info("resumed from %s: epoch %d, step %d/%d", self.checkpoint, self.state["epoch"],
                    self.state["step"], self.per_epoch)  # fmt: skip

    def save_checkpoint(self) -> None:
        tmp = self.checkpoint.with_name("checkpoint.pt.tmp")
        torch.save(
            {
                "settings": self.config.run_settings(),
                "model": cpu_state(self.model),
                "optimizer": self.optimizer.state_dict(),
                "schedule": self.schedule.state_dict(),
                "torch_rng": torch.get_rng_state(),
                "state": self.state,
                "history": self.history,
                "best": self.best,
            },
            tmp,
        )
        os.replace(tmp, self.checkpoint)
        logger.info("checkpoint: epoch %d step %d/%d -> %s", self.state["epoch"],
                    self.state["step"], self.per_epoch, self.checkpoint)  # fmt: skip


def _start_run(
    model: BiEncoder, tok: Tokenizer, config: EncoderConfig, out: Path, triples: int
) -> _EncoderRun:
    """The optimizer and the warm-up/decay schedule of a run over ``triples`` training triples."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=0.01)
    per_epoch = (triples + config.batch_size - 1) // config.batch_size
    steps = per_epoch * config.epochs
    schedule = linear_schedule(optimizer, steps, max(1, int(steps * config.warmup)))
    return _EncoderRun(config, model, tok, optimizer, schedule, out / "checkpoint.pt", per_epoch)


def _batch_loss(
    run: _EncoderRun, chunk: list[tuple[str, str, list[str]]], rng: random.Random
) -> torch.Tensor:
    """In-batch softmax loss: each query against every batch's relevant claim and one hard
    negative per query (drawn by ``rng``)."""
    where = model_device(run.model)
    negatives = [rng.choice(wrong) if wrong else positive for _, positive, wrong in chunk]
    q = run.model(**on_device(encode_texts(run.tok, [c[0] for c in chunk]), where))
    docs = [c[1] for c in chunk] + negatives
    d = run.model(**on_device(encode_texts(run.tok, docs), where))
    logits = run.config.scale * q @ d.T
    return nn.functional.cross_entropy(logits, torch.arange(len(chunk), device=where))


def _train_epoch(run: _EncoderRun, triples: list[tuple[str, str, list[str]]]) -> None:
    """The rest of the current epoch from ``run.state``'s step, checkpointing as configured."""
    config, epoch = run.config, run.state["epoch"]
    # The order and the negatives of an epoch depend on the seed and the epoch alone, so a
    # run resumed mid-epoch trains on the same batches as one that was never stopped.
    order = triples[:]
    random.Random(f"{config.seed}:{epoch}").shuffle(order)
    run.model.train()
    started = time.perf_counter()
    for step in range(run.state["step"], run.per_epoch):
        chunk = order[step * config.batch_size : (step + 1) * config.batch_size]
        loss = _batch_loss(run, chunk, random.Random(f"{config.seed}:{epoch}:{step}"))
        optimizer_step(run.model, run.optimizer, run.schedule, loss)
        run.state["step"] = step + 1
        run.state["loss_sum"] += float(loss.detach())
        now = time.perf_counter()
        if step + 1 < run.per_epoch and now - run.last_save >= config.checkpoint_minutes * 60:
            run.state["seconds"] += now - started
            started = now
            run.save_checkpoint()
            run.last_save = time.perf_counter()
    run.state["seconds"] += time.perf_counter() - started


def _end_epoch(run: _EncoderRun, dev: tuple[float, float, dict[str, Any]]) -> None:
    """Record the epoch's dev figures, keep its weights if they are the best, checkpoint."""
    key, weight, table = dev
    epoch, loss = run.state["epoch"], run.state["loss_sum"] / run.per_epoch
    run.history.append({"epoch": epoch, "loss": loss, "seconds": round(run.state["seconds"], 1),
                        "dev_map@5": key, "bm25_weight": weight, "dev": table})  # fmt: skip
    logger.info("epoch %d: loss %.3f, dev MAP@5 %.4f at BM25 weight %s", epoch, loss, key, weight)
    assert run.best is not None
    if key > run.best[0]:
        run.best = (key, weight, epoch, cpu_state(run.model))
    run.state = {"epoch": epoch + 1, "step": 0, "loss_sum": 0.0, "seconds": 0.0}
    run.save_checkpoint()
    run.last_save = time.perf_counter()


def train_encoder(
    *,
    base: Path,
    factchecks: Sequence[FactCheck],
    train: tuple[Queries, Qrels],
    dev: tuple[Queries, Qrels],
    report: tuple[Queries, Qrels] | None,
    out: Path,
    config: EncoderConfig,
) -> dict[str, Any]:
    """Train, choose the epoch and fusion weight on ``dev``; save ``out/model.pt`` and
    ``out/training.json`` (with the report split's figures at the chosen weight).

    ``out/checkpoint.pt`` (weights, optimizer, schedule, epoch and step, the best epoch so far)
    is written every ``checkpoint_minutes`` and after each epoch: running again with the same
    settings and ``out`` goes on from there."""
    seed_everything(config.seed, config.threads)
    out.mkdir(parents=True, exist_ok=True)
    passages, index = passage_index(factchecks)
    tok = read_tokenizer(base, config.max_tokens)
    model = BiEncoder(str(base))
    model.to(device())
    triples = training_triples(index, passages, train, config)
    logger.info("%d training triples", len(triples))
    dev_scorer = _Scorer(index, passages, dev[0], config.rerank)
    run = _start_run(model, tok, config, out, len(triples))
    saved = _resume(run.checkpoint, config)
    if saved is not None:
        run.resume(saved)
    else:
        key, weight, table = _dev_choice(dev_scorer, model, tok, dev[1])
        run.history = [{"epoch": 0, "dev_map@5": key, "bm25_weight": weight, "dev": table}]
        run.best = (key, weight, 0, cpu_state(model))
        logger.info("epoch 0 (the base encoder): dev MAP@5 %.4f at BM25 weight %s", key, weight)
    run.last_save = time.perf_counter()
    while run.state["epoch"] <= config.epochs:
        _train_epoch(run, triples)
        _end_epoch(run, _dev_choice(dev_scorer, model, tok, dev[1]))
    assert run.best is not None
    model.load_state_dict(run.best[3])
    save_weights(run.best[3], base, out)
    summary = _summary(config, run, len(triples))
    if report is not None:
        summary["report"] = _report_scores(
            model, tok, index, passages, report, config.rerank, run.best[1]
        )
    (out / "training.json").write_text(json.dumps(summary, indent=2))
    return summary


def _summary(config: EncoderConfig, run: _EncoderRun, triples: int) -> dict[str, Any]:
    assert run.best is not None
    return {
        "config": asdict(config),
        "history": run.history,
        "selected_epoch": run.best[2],
        "selected_dev_map@5": run.best[0],
        "bm25_weight": run.best[1],
        "training_triples": triples,
    }


def _report_scores(
    model: BiEncoder,
    tok: Tokenizer,
    index: TextIndex,
    passages: dict[str, str],
    report: tuple[Queries, Qrels],
    k: int,
    weight: float,
) -> dict[str, Any]:
    """The report split's figures over BM25's top ``k``: BM25 alone, and fused with the model at
    ``weight``."""
    scorer = _Scorer(index, passages, report[0], k)
    cos = scorer.cosines(model, tok)
    bm25 = {q: [k for k, _ in f] for q, f in scorer.pool.items() if q in report[1]}
    return {
        "bm25": ranking_scores(bm25, report[1]),
        "fused": scorer.scores(cos, report[1], [weight])[weight],
    }
