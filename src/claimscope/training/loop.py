"""The steps the fine-tuning loops share (the re-ranker, the matching bi-encoder, stance): a batch
moved to the training device, a warm-up then linear-decay schedule, one optimizer step, the
chosen weights saved with their tokenizer and loaded again for the export."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import torch
from torch import nn

from claimscope.training.hardware import load_state

M = TypeVar("M", bound=nn.Module)


def on_device(inputs: Mapping[str, torch.Tensor], where: torch.device) -> dict[str, torch.Tensor]:
    """The tensors of an encoded batch, on ``where``."""
    return {k: v.to(where) for k, v in inputs.items()}


def linear_schedule(
    optimizer: torch.optim.Optimizer, steps: int, warm: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up over ``warm`` steps, times a linear decay to zero at ``steps``."""
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warm) * max(0.0, 1 - s / steps)
    )


def optimizer_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    schedule: torch.optim.lr_scheduler.LRScheduler,
    loss: torch.Tensor,
) -> None:
    """Back-propagate ``loss``, clip the gradient norm to 1, step the optimizer and schedule."""
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    schedule.step()


def save_weights(state: dict[str, torch.Tensor], base: Path, out: Path) -> None:
    """``out/model.pt`` (the chosen weights) and the base model's ``tokenizer.json`` beside it."""
    torch.save(state, out / "model.pt")
    shutil.copy(base / "tokenizer.json", out / "tokenizer.json")


def load_trained(model: M, trained: Path) -> tuple[dict[str, Any], M]:
    """A run's ``training.json``, and ``model`` with the run's chosen weights (``model.pt``),
    ready to evaluate."""
    summary: dict[str, Any] = json.loads((trained / "training.json").read_text())
    model.load_state_dict(load_state(trained / "model.pt"))
    model.eval()
    return summary, model
