"""Where training runs: the GPU when torch sees one, else the CPU.

``CLAIMSCOPE_DEVICE`` (``cpu``, ``cuda``, ``cuda:1``) overrides the choice. Weights are always
saved from the CPU, so a run trained on a GPU loads on a machine without one.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch
from torch import nn


def device() -> torch.device:
    """The device training runs on."""
    name = os.environ.get("CLAIMSCOPE_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def model_device(model: nn.Module) -> torch.device:
    """The device ``model``'s weights are on."""
    return next(model.parameters()).device


def cpu_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """A copy of ``model``'s weights on the CPU (what ``torch.save`` should write)."""
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


def load_state(path: object) -> dict[str, torch.Tensor]:
    """Saved weights, onto the CPU whatever device wrote them."""
    state: dict[str, torch.Tensor] = torch.load(path, map_location="cpu")  # type: ignore[arg-type]
    return state


def seed_everything(seed: int, threads: int | None) -> None:
    """Seed Python's, numpy's and torch's generators and set torch's CPU threads (``None``:
    leave them as they are)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if threads is not None:
        torch.set_num_threads(threads)
