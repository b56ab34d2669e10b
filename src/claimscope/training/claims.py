"""Train the multi-task sentence model: one MiniLM encoder with a check-worthiness head, a
subjectivity head and, given PTC articles, persuasion-technique heads (sentence and token level).

Seeded and reproducible on CPU. Model selection (epoch, thresholds) uses a validation split cut
from the CT24 training file, the CT25 ``dev`` file and validation articles of PTC; the files given
as ``report_*`` (and the PTC dev articles) are only scored at the end, never used to choose.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn

from claimscope.evaluation.claim_data import Example, deduplicate, read_examples
from claimscope.metrics import best_threshold
from claimscope.models.batches import read_tokenizer
from claimscope.training import persuasion
from claimscope.training.claims_model import TASKS, ClaimModel, predict
from claimscope.training.config import ClaimTaskConfig
from claimscope.training.encoding import token_batch
from claimscope.training.hardware import cpu_state, device, seed_everything
from claimscope.training.onnx_weights import init_state

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class TrainConfig(ClaimTaskConfig):
    """Hyper-parameters of a training run (stored in the model card)."""

    # Check-worthiness examples drawn per epoch (None: all); a warm start replays a sample.
    checkworthiness_per_epoch: int | None = None
    token_loss_weight: float = 1.0
    # Positive-class weights for the technique heads (sqrt(neg/pos), capped); 0 turns them off.
    technique_weight_cap: float = 10.0
    # Technique heads on their own copy of the top encoder layer, everything else frozen (the
    # claim heads keep their scores exactly; one extra layer of inference).
    technique_branch: bool = False
    # With the branch: the subjectivity head moves onto it too (it starts as the frozen head
    # and learns with the branch; check-worthiness stays exactly the --init model's).
    subjectivity_branch: bool = False
    # Instead: check-worthiness on a branch of its own, everything else frozen (the --init's
    # encoder, subjectivity and technique scores stay exactly as they are).
    checkworthiness_branch: bool = False
    # Layers of the branch: 1 (a copy of the top layer) or 2 (of the top two).
    branch_layers: int = 1
    # Distillation: weight of the soft loss against the teacher's scores (0: no teacher), and
    # the unlabelled pool sentences drawn per epoch (None: all).
    distil_weight: float = 0.0
    pool_per_epoch: int | None = None
    threads: int = 2
    extra: dict[str, Any] = field(default_factory=dict)


def _split(
    examples: list[Example], fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """A stratified split: (train, validation)."""
    rng = random.Random(seed)
    train, val = [], []
    for label in (0, 1):
        group = [e for e in examples if e.label == label]
        rng.shuffle(group)
        cut = round(len(group) * fraction)
        val += group[:cut]
        train += group[cut:]
    rng.shuffle(train)
    return train, val


def _evaluate(
    model: ClaimModel,
    tok: Tokenizer,
    cw_val: list[Example],
    subj_val: list[Example],
    ptc_val: Sequence[persuasion.Sentence] = (),
) -> dict[str, Any]:
    return validation_figures(
        cw_val,
        predict(model, tok, [e.text for e in cw_val], "checkworthiness"),
        subj_val,
        predict(model, tok, [e.text for e in subj_val], "subjectivity"),
        ptc_val,
        np.array(predict(model, tok, [s.text for s in ptc_val], "techniques")) if ptc_val else None,
    )


def validation_figures(
    cw_val: Sequence[Example],
    cw_scores: Sequence[float],
    subj_val: Sequence[Example],
    subj_scores: Sequence[float],
    ptc_val: Sequence[persuasion.Sentence] = (),
    ptc_probs: np.ndarray | None = None,
) -> dict[str, Any]:
    """Per-task validation figures at each task's best threshold, from a model's scores."""
    cw_t, cw_f1 = best_threshold([e.label for e in cw_val], list(cw_scores), metric="f1")
    subj_t, subj_f1 = best_threshold(
        [e.label for e in subj_val], list(subj_scores), metric="macro_f1"
    )
    out: dict[str, Any] = {
        "checkworthiness": {"threshold": cw_t, "f1": cw_f1},
        "subjectivity": {"threshold": subj_t, "macro_f1": subj_f1},
    }
    if ptc_val and ptc_probs is not None:
        out["persuasion"] = persuasion.sentence_scores([s.techniques for s in ptc_val], ptc_probs)
    return out


def _selection_key(val: dict[str, Any]) -> float:
    """One model serves every task: select on the mean of their validation scores."""
    values = [val["checkworthiness"]["f1"], val["subjectivity"]["macro_f1"]]
    if "persuasion" in val:
        values += [val["persuasion"]["binary_f1"], val["persuasion"]["micro_f1"]]
    return float(np.mean(values))


def _soft_loss(
    outputs: dict[str, torch.Tensor],
    texts: Sequence[str],
    soft: Mapping[str, np.ndarray],
    where: torch.device,
) -> torch.Tensor:
    """Binary cross-entropy of every sentence head against the teacher's probabilities, over
    the batch's texts that the teacher scored (the others add nothing)."""
    rows = [i for i, t in enumerate(texts) if t in soft]
    if not rows:
        return torch.zeros((), device=where)
    target = torch.sigmoid(torch.tensor(np.stack([soft[texts[i]] for i in rows]), device=where))
    heads = [outputs["checkworthiness"][rows, None], outputs["subjectivity"][rows, None]]
    if "techniques" in outputs:
        heads.append(outputs["techniques"][rows])
    student = torch.cat(heads, dim=1)
    return nn.functional.binary_cross_entropy_with_logits(student, target[:, : student.shape[1]])


@dataclass(slots=True)
class _ClaimData:
    """The training run's examples, split and cut as its config says."""

    cw_train: list[Example]
    cw_val: list[Example]
    extra: list[Example]  # the extra check-worthiness files' examples after deduplication
    subj_train: list[Example]
    subj_val: list[Example]
    ptc_train: list[persuasion.Sentence]
    ptc_val: list[persuasion.Sentence]


def _read_data(
    checkworthiness: Sequence[Path],
    subjectivity_train: Path,
    subjectivity_dev: Path,
    config: TrainConfig,
    extra_checkworthiness: Sequence[Path],
    held_out: Sequence[Path],
    techniques_train: Sequence[persuasion.Sentence],
    techniques_validation: Sequence[persuasion.Sentence],
) -> _ClaimData:
    cw: list[Example] = []
    for path in checkworthiness:
        cw += read_examples(path)
    reported: list[Example] = []
    for path in held_out:
        reported += read_examples(path)
    extra: list[Example] = []
    for path in extra_checkworthiness:
        extra += deduplicate(read_examples(path), cw + extra + reported)
    cw_train, cw_val = _split(cw, config.val_fraction, config.seed)
    cw_train += extra
    subj_train = read_examples(subjectivity_train)
    subj_val = read_examples(subjectivity_dev)
    ptc_train, ptc_val = list(techniques_train), list(techniques_validation)
    if config.limit:
        cw_train, cw_val = cw_train[: config.limit], cw_val[: config.limit // 4 or 8]
        subj_train, subj_val = subj_train[: config.limit], subj_val[: config.limit // 4 or 8]
        ptc_train, ptc_val = ptc_train[: config.limit], ptc_val[: config.limit // 4 or 8]
    logger.info(
        "check-worthiness: %d train (%d from extra files after dedup), %d validation; "
        "subjectivity: %d train, %d dev; techniques: %d train, %d validation sentences",
        len(cw_train),
        len(extra),
        len(cw_val),
        len(subj_train),
        len(subj_val),
        len(ptc_train),
        len(ptc_val),
    )
    return _ClaimData(cw_train, cw_val, extra, subj_train, subj_val, ptc_train, ptc_val)


def _model(base: Path, init: Path | None, *, techniques: bool, config: TrainConfig) -> ClaimModel:
    """A fresh model, or one warm-started from ``init`` (heads it lacks start fresh; a branch
    and its heads start as the layer and heads they stand beside, see TrainConfig)."""
    branch = config.technique_branch and techniques
    model = ClaimModel(
        str(base),
        techniques=techniques,
        branch=branch,
        subjectivity_branch=branch and config.subjectivity_branch,
        checkworthiness_branch=config.checkworthiness_branch,
        branch_layers=config.branch_layers,
    )
    if init is not None:
        missing, unexpected = model.load_state_dict(init_state(init), strict=False)
        if unexpected:
            raise ValueError(f"the weights in {init} do not fit this model: {unexpected[:3]}")
        logger.info("warm start from %s (new: %s)", init, ", ".join(missing) or "none")
        if model.has_branch and any(k.startswith("technique_layer.") for k in missing):
            # The branch starts as the (fine-tuned) top layer it runs beside.
            model.technique_layer.load_state_dict(model.encoder.encoder.layer[-1].state_dict())
        if model.branch_layers == 2 and any(k.startswith("technique_lower.") for k in missing):
            # Under the --init's branch layer, a copy of the layer it reads from: the branch
            # starts out giving exactly the --init's technique scores.
            model.technique_lower.load_state_dict(model.encoder.encoder.layer[-2].state_dict())
        for task in TASKS:
            head = getattr(model, f"branch_{task}", None)
            if head is not None and f"branch_{task}.weight" in missing:
                head.load_state_dict(model.heads[task].state_dict())
    return model


def _learned(model: ClaimModel) -> frozenset[str]:
    """The tasks whose batches train ``model``: all of them, or with a branch only those whose
    heads read it (the rest is frozen)."""
    if not model.has_branch:
        return frozenset({"techniques", *TASKS})
    on = (
        ("techniques", model.branch),
        ("subjectivity", model.subjectivity_branch),
        ("checkworthiness", model.checkworthiness_branch),
    )
    return frozenset(task for task, branched in on if branched)


def _param_groups(model: ClaimModel, config: TrainConfig) -> list[dict[str, Any]]:
    """The optimizer's groups: the encoder (or the branch) at ``lr``, the heads at ``head_lr``."""
    if model.has_branch:
        # Only the branch and its heads learn; every other score stays exactly the --init's.
        for p in model.parameters():
            p.requires_grad_(False)
        heads = model.branch_heads()
        for module in (*model.branch_modules(), *heads):
            for p in module.parameters():
                p.requires_grad_(True)
        branch = [p for module in model.branch_modules() for p in module.parameters()]
        return [
            {"params": branch, "lr": config.lr},
            {"params": [p for head in heads for p in head.parameters()], "lr": config.head_lr},
        ]
    encoder_ids = {id(p) for p in model.encoder.parameters()}
    return [
        {"params": list(model.encoder.parameters()), "lr": config.lr},
        {
            "params": [p for p in model.parameters() if id(p) not in encoder_ids],
            "lr": config.head_lr,
        },
    ]


def _epoch_batches(
    rng: random.Random,
    data: _ClaimData,
    config: TrainConfig,
    unlabelled: list[str],
    learned: frozenset[str],
) -> list[tuple[str, list[Any]]]:
    """One epoch's batches, each of one task, shuffled together (``unlabelled``: the pool's
    sentences when a teacher is distilled from, else nothing; ``learned``: the tasks that
    train, see _learned)."""
    batches: list[tuple[str, list[Any]]] = []
    cw_pool = data.cw_train
    if config.checkworthiness_per_epoch:
        cw_pool = rng.sample(cw_pool, min(len(cw_pool), config.checkworthiness_per_epoch))
    tasks: list[tuple[str, list[Any], int]] = []
    if "techniques" in learned:
        tasks.append(("techniques", list(data.ptc_train), 1))
    if unlabelled:
        n = min(len(unlabelled), config.pool_per_epoch or len(unlabelled))
        tasks.append(("pool", rng.sample(unlabelled, n), 1))
    if "checkworthiness" in learned:
        tasks.append(("checkworthiness", list(cw_pool), 1))
    if "subjectivity" in learned:
        tasks.append(("subjectivity", list(data.subj_train), config.subj_oversample))
    for task, items, repeat in tasks:
        for _ in range(repeat):
            pool = items[:]
            rng.shuffle(pool)
            batches += [
                (task, pool[i : i + config.batch_size])
                for i in range(0, len(pool), config.batch_size)
            ]
    rng.shuffle(batches)
    return batches


@dataclass(slots=True)
class _Losses:
    """The loss of each kind of batch, and the teacher's scores to distil from."""

    config: TrainConfig
    where: torch.device
    soft: Mapping[str, np.ndarray] | None
    claim: nn.Module
    technique: nn.Module
    token: nn.Module

    @classmethod
    def make(
        cls,
        config: TrainConfig,
        ptc_train: Sequence[persuasion.Sentence],
        where: torch.device,
        soft: Mapping[str, np.ndarray] | None,
    ) -> _Losses:
        loss_fn = nn.BCEWithLogitsLoss()
        token_loss_fn = nn.BCEWithLogitsLoss(reduction="none")
        technique_loss_fn = loss_fn
        if ptc_train and config.technique_weight_cap:
            weights = persuasion.class_weights(ptc_train, config.technique_weight_cap)
            logger.info("technique class weights: %s", [round(w, 2) for w in weights.tolist()])
            technique_loss_fn = nn.BCEWithLogitsLoss(
                pos_weight=torch.cat([torch.ones(1), weights]).to(where)
            )
            token_loss_fn = nn.BCEWithLogitsLoss(reduction="none", pos_weight=weights.to(where))
        return cls(config, where, soft, loss_fn, technique_loss_fn, token_loss_fn)

    def __call__(
        self, model: ClaimModel, tok: Tokenizer, task: str, batch: list[Any]
    ) -> torch.Tensor:
        where, config = self.where, self.config
        if task == "techniques":
            ids, mask, sent, tokens, token_mask = (
                t.to(where) for t in persuasion.batch(tok, batch)
            )
            outputs = model(ids, mask)
            token_loss = self.token(outputs["technique_tokens"], tokens).mean(-1)
            token_loss = (token_loss * token_mask).sum() / token_mask.sum().clamp(min=1.0)
            loss = (
                self.technique(outputs["techniques"], sent) + config.token_loss_weight * token_loss
            )
        elif task == "pool":
            ids, mask = token_batch(tok, batch)
            outputs = model(ids.to(where), mask.to(where))
            loss = torch.zeros((), device=where)
        else:
            ids, mask = token_batch(tok, [e.text for e in batch])
            outputs = model(ids.to(where), mask.to(where))
            gold = torch.tensor([float(e.label) for e in batch], device=where)
            loss = self.claim(outputs[task], gold)
        if self.soft is not None and config.distil_weight:
            texts = [x if isinstance(x, str) else x.text for x in batch]
            loss = loss + config.distil_weight * _soft_loss(outputs, texts, self.soft, where)
        return loss


def _summary(
    config: TrainConfig,
    init: Path | None,
    files: dict[str, Any],
    data: _ClaimData,
    pool: Sequence[str],
    soft: Mapping[str, np.ndarray] | None,
    history: list[dict[str, Any]],
    selected: dict[str, Any],
    model: ClaimModel,
) -> dict[str, Any]:
    """``training.json``: the run's config, data, history and selected epoch."""
    return {
        "config": {f.name: getattr(config, f.name) for f in fields(config)},
        "init": str(init) if init else None,
        "data": {
            **files,
            "sizes": {
                "checkworthiness_train": len(data.cw_train),
                "checkworthiness_validation": len(data.cw_val),
                "checkworthiness_extra_after_dedup": len(data.extra),
                "subjectivity_train": len(data.subj_train),
                "subjectivity_dev": len(data.subj_val),
                "techniques_train_sentences": len(data.ptc_train),
                "techniques_validation_sentences": len(data.ptc_val),
                "unlabelled_pool": len(pool) if soft is not None else 0,
                "teacher_scored_texts": len(soft) if soft is not None else 0,
            },
        },
        "history": history,
        "selected": selected,
        "techniques": bool(data.ptc_train),
        "technique_branch": model.branch,
        "branch_layers": model.branch_layers,
        "subjectivity_branch": model.subjectivity_branch,
        "checkworthiness_branch": model.checkworthiness_branch,
        "validation_texts": {
            "checkworthiness": [[e.text, e.label] for e in data.cw_val],
            "subjectivity": [[e.text, e.label] for e in data.subj_val],
        },
    }


def _warmup_schedule(
    optimizer: torch.optim.Optimizer, total: int, share: float
) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up over ``share`` of the ``total`` steps, then linear decay to zero."""
    warmup = max(1, int(total * share))
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )


def _train_epoch(
    model: ClaimModel,
    tok: Tokenizer,
    batches: list[tuple[str, list[Any]]],
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LambdaLR,
    loss_of: _Losses,
    epoch: int,
) -> list[float]:
    """One pass over ``batches``; the loss of each step."""
    losses: list[float] = []
    for step, (task, batch) in enumerate(batches, start=1):
        loss = loss_of(model, tok, task, batch)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        if step % 100 == 0:
            logger.info(
                "epoch %d step %d/%d loss %.4f", epoch, step, len(batches), np.mean(losses[-100:])
            )
    return losses


def train(
    *,
    checkworthiness: Sequence[Path],
    subjectivity_train: Path,
    subjectivity_dev: Path,
    base: Path,
    out: Path,
    config: TrainConfig,
    extra_checkworthiness: Sequence[Path] = (),
    held_out: Sequence[Path] = (),
    techniques_train: Sequence[persuasion.Sentence] = (),
    techniques_validation: Sequence[persuasion.Sentence] = (),
    init: Path | None = None,
    soft: Mapping[str, np.ndarray] | None = None,
    pool: Sequence[str] = (),
) -> dict[str, Any]:
    """Fine-tune, pick the best epoch on validation data, and save the torch model under ``out``.

    ``extra_checkworthiness`` files (ClaimBuster) are deduplicated against the CT24 training
    data and against every ``held_out`` file: ClaimBuster shares CT24's sentences, dev included.
    ``techniques_*`` (PTC sentences) add the persuasion heads. ``init`` warm-starts from the
    ``model.pt`` of an earlier run (heads it lacks start fresh).
    """
    seed_everything(config.seed, config.threads)
    data = _read_data(
        checkworthiness, subjectivity_train, subjectivity_dev, config,
        extra_checkworthiness, held_out, techniques_train, techniques_validation,
    )  # fmt: skip
    tok = read_tokenizer(base, config.max_len)
    model = _model(base, init, techniques=bool(data.ptc_train), config=config)
    learned = _learned(model)
    groups = _param_groups(model, config)
    where = device()
    model.to(where)
    optimizer = torch.optim.AdamW(groups, weight_decay=0.01)
    rng = random.Random(config.seed)
    unlabelled = list(pool) if soft is not None and config.distil_weight else []
    steps_per_epoch = len(_epoch_batches(rng, data, config, unlabelled, learned))
    scheduler = _warmup_schedule(optimizer, steps_per_epoch * config.epochs, config.warmup)
    loss_of = _Losses.make(config, data.ptc_train, where, soft)
    history = []
    best: tuple[float, dict[str, Any], dict[str, torch.Tensor]] | None = None
    for epoch in range(1, config.epochs + 1):
        model.train()
        if model.has_branch:
            model.encoder.eval()  # frozen: no dropout, so the branch sees run-time states
        started = time.perf_counter()
        batches = _epoch_batches(rng, data, config, unlabelled, learned)
        losses = _train_epoch(model, tok, batches, optimizer, scheduler, loss_of, epoch)
        val = _evaluate(model, tok, data.cw_val, data.subj_val, data.ptc_val)
        seconds = time.perf_counter() - started
        history.append({"epoch": epoch, "loss": float(np.mean(losses)), "seconds": seconds, **val})
        logger.info("epoch %d: %s (%.0f s)", epoch, val, seconds)
        key = _selection_key(val)
        if best is None or key > best[0]:
            best = (key, val, cpu_state(model))
        out.mkdir(parents=True, exist_ok=True)
        torch.save(cpu_state(model), out / f"epoch{epoch}.pt")  # to resume by hand
    assert best is not None
    model.load_state_dict(best[2])
    out.mkdir(parents=True, exist_ok=True)
    torch.save(best[2], out / "model.pt")
    shutil.copy(base / "tokenizer.json", out / "tokenizer.json")
    files = {
        "checkworthiness": [str(p) for p in checkworthiness],
        "checkworthiness_extra": [str(p) for p in extra_checkworthiness],
        "subjectivity_train": str(subjectivity_train),
        "subjectivity_dev": str(subjectivity_dev),
    }
    summary = _summary(config, init, files, data, pool, soft, history, best[1], model)
    (out / "training.json").write_text(json.dumps(summary, indent=1))
    return summary
