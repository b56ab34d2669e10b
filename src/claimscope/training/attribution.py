"""``claimscope train attribution``: a BIO tagger of sources, cues and content on PolNeAR.

Each word of a window (whole sentences, see extract/attribution_features.py) is read as its
static word vector and the features the pipeline has; a small bidirectional GRU reads the
window and a linear head gives O/B/I logits for each role (source, cue, content). Three heads
rather than one tag set, because the roles nest: the content of "X said Y claimed Z" holds
the source and cue of the inner attribution.

Trained with torch on CPU (one thread: the machine is shared); checkpointed after each epoch
so that a stopped run resumes.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from claimscope.extract.attribution_features import ROLES, Window, labels, windows
from claimscope.extract.attribution_tagger import window_inputs
from claimscope.models.tagger import WordVectors
from claimscope.training.attribution_data import Prepared

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class TaggerConfig:
    """Network size and training schedule."""

    epochs: int = 8
    seed: int = 0
    # The seed that sets the validation articles apart (None: ``seed``): a second network of
    # an ensemble starts from other weights but keeps the first one's validation articles.
    split_seed: int | None = None
    lr: float = 2e-3
    batch: int = 16
    proj: int = 96
    hidden: int = 64
    layers: int = 2
    dropout: float = 0.25
    # Weights of the B and I labels against O (1): sources and cues are a few words in many.
    weights: tuple[float, float] = (3.0, 2.0)
    # Where a checkpoint is written and resumed from; None: no checkpoints.
    checkpoints: str | None = None
    # Weight of a teacher's probabilities (``Example.soft``) against the gold labels (0: gold
    # only): one network learning what an ensemble gives, at one network's run-time cost.
    distil: float = 0.0


class TaggerNet(nn.Module):
    """Word features -> projection -> BiGRU -> O/B/I logits of each role."""

    def __init__(self, dim: int, config: TaggerConfig) -> None:
        super().__init__()
        self.proj = nn.Sequential(
            nn.Linear(dim, config.proj), nn.ReLU(), nn.Dropout(config.dropout)
        )
        self.gru = nn.GRU(
            config.proj,
            config.hidden,
            num_layers=config.layers,
            bidirectional=True,
            batch_first=True,
            dropout=config.dropout if config.layers > 1 else 0.0,
        )
        self.head = nn.Sequential(nn.Dropout(config.dropout), nn.Linear(2 * config.hidden, 9))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        h = self.proj(x)
        if lengths is None:  # one window, as the run time feeds it (and the ONNX export)
            out, _ = self.gru(h)
        else:
            packed = pack_padded_sequence(h, lengths, batch_first=True, enforce_sorted=False)
            out, _ = pad_packed_sequence(self.gru(packed)[0], batch_first=True)
        return self.head(out)  # type: ignore[no-any-return]


@dataclass(slots=True)
class Example:
    """One window (of the ``article``-th article) with its inputs and labels."""

    article: int
    window: Window
    x: np.ndarray
    y: np.ndarray
    # A teacher's ``(words, roles, 3)`` O/B/I probabilities, where a run distils one.
    soft: np.ndarray | None = None


def examples(articles: list[Prepared], vectors: WordVectors) -> list[Example]:
    """Every window of the articles with its gold labels, in order."""
    out = []
    for i, art in enumerate(articles):
        gold = [art.gold(role) for role in ROLES]
        for window in windows(art.layout):
            x = window_inputs(art.layout, window, vectors)
            out.append(Example(i, window, x, labels(window, gold)))
    return out


def _batches(data: list[Example], size: int, rng: random.Random) -> list[list[Example]]:
    # Windows of like length together, batches shuffled: less padding, same randomness.
    order = sorted(range(len(data)), key=lambda i: (len(data[i].x), rng.random()))
    batches = [[data[i] for i in order[k : k + size]] for k in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def _tensors(batch: list[Example]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    n, dim = max(len(e.x) for e in batch), batch[0].x.shape[1]
    x = np.zeros((len(batch), n, dim), dtype=np.float32)
    y = np.full((len(batch), n, len(ROLES)), -100, dtype=np.int64)
    for i, e in enumerate(batch):
        x[i, : len(e.x)], y[i, : len(e.y)] = e.x, e.y
    lengths = torch.tensor([len(e.x) for e in batch])
    return torch.from_numpy(x), torch.from_numpy(y), lengths


def _soft_loss(batch: list[Example], logits: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of ``logits`` (``(batch * words, roles, 3)``, padded as ``_tensors``
    pads) against the examples' teacher probabilities, summed over roles, mean over words."""
    n = logits.shape[0] // len(batch)
    soft = np.zeros((len(batch), n, len(ROLES), 3), dtype=np.float32)
    for i, e in enumerate(batch):
        if e.soft is None:
            raise ValueError("a distilling run needs every example's teacher probabilities")
        soft[i, : len(e.soft)] = e.soft
    target = torch.from_numpy(soft.reshape(-1, len(ROLES), 3))
    words = target.sum(dim=(1, 2)) > 0  # padding has no target
    per_word = -(target * torch.log_softmax(logits, dim=-1)).sum(dim=(1, 2))
    return per_word[words].mean()


def predict(net: nn.Module, data: list[Example]) -> list[np.ndarray]:
    """Each example's ``(words, 9)`` logits, the network in eval mode."""
    net.eval()
    with torch.no_grad():
        return [net(torch.from_numpy(e.x)[None])[0].numpy() for e in data]


def _checkpoint(config: TaggerConfig) -> Path | None:
    return Path(config.checkpoints) / "checkpoint.pt" if config.checkpoints else None


def _same_run(a: dict[str, Any], b: dict[str, Any]) -> bool:
    # A checkpoint written before a field existed has that field's default.
    defaults = asdict(TaggerConfig())
    return {**defaults, **a, "epochs": 0} == {**defaults, **b, "epochs": 0}


def train_tagger(
    train: list[Example],
    config: TaggerConfig,
    score: Any,
) -> tuple[TaggerNet, list[dict[str, float]]]:
    """Train on ``train``; after each epoch ``score(net)`` (higher is better) picks the best
    epoch, whose weights are returned with the history of every epoch."""
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    net = TaggerNet(train[0].x.shape[1], config)
    opt = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=1e-4)
    weight = torch.tensor([1.0, *config.weights])
    loss_fn = nn.CrossEntropyLoss(weight=weight, ignore_index=-100)
    history: list[dict[str, float]] = []
    best: dict[str, Any] = {"score": -1.0, "state": None}
    start_epoch = 0
    ckpt = _checkpoint(config)
    if ckpt is not None and ckpt.is_file():
        saved = torch.load(ckpt, weights_only=False)
        # Any number of epochs resumes a run of the same network and schedule: a run
        # stopped early is finished by asking for the epochs it has done.
        if _same_run(saved["config"], asdict(config)):
            net.load_state_dict(saved["net"])
            opt.load_state_dict(saved["opt"])
            history, best, start_epoch = saved["history"], saved["best"], saved["epoch"]
            rng.setstate(saved["rng"])
            logger.info("resumed after epoch %d", start_epoch)
    for epoch in range(start_epoch, config.epochs):
        net.train()
        began, total = time.monotonic(), 0.0
        for batch in _batches(train, config.batch, rng):
            x, y, lengths = _tensors(batch)
            logits = net(x, lengths).reshape(-1, len(ROLES), 3)
            y = y.reshape(-1, len(ROLES))
            loss = sum(loss_fn(logits[:, r], y[:, r]) for r in range(len(ROLES)))
            if config.distil:
                loss = (1 - config.distil) * loss + config.distil * _soft_loss(batch, logits)
            opt.zero_grad()
            loss.backward()  # type: ignore[union-attr]
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            total += float(loss.detach())  # type: ignore[union-attr]
        measured = score(net)
        row = {"epoch": epoch + 1, "loss": total, "seconds": time.monotonic() - began, **measured}
        history.append(row)
        logger.info("epoch %s", row)
        if measured["score"] > best["score"]:
            # A copy: state_dict() holds the live tensors, which later epochs change in place
            # (without it the "best" epoch was always the last one).
            state = {k: v.detach().clone() for k, v in net.state_dict().items()}
            best = {"score": measured["score"], "epoch": epoch + 1, "state": state}
        if ckpt is not None:
            ckpt.parent.mkdir(parents=True, exist_ok=True)
            torch.save(
                {"config": asdict(config), "net": net.state_dict(), "opt": opt.state_dict(),
                 "history": history, "best": best, "epoch": epoch + 1, "rng": rng.getstate()},
                ckpt,
            )  # fmt: skip
    if best["state"] is not None:
        net.load_state_dict(best["state"])
    net.eval()
    return net, history
