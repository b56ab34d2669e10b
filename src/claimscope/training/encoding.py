"""What the MiniLM trainers share: padded id batches of single texts, and the masked mean that
pools token states into one vector per text. The tokenizer and the padding are the run time's
(``claimscope.models.batches``), so a model trains on the inputs it will be given."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from tokenizers import Tokenizer

from claimscope.models.batches import padded


def token_batch(tok: Tokenizer, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Padded ``input_ids`` and ``attention_mask`` of single texts, as the run time pads them."""
    ids, mask, _ = padded(tok.encode_batch(list(texts)))
    return torch.from_numpy(ids), torch.from_numpy(mask)


def mean_pool(states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The mean of the token states the mask keeps (padding left out), one row per text."""
    weights = attention_mask.unsqueeze(-1).to(states.dtype)
    return (states * weights).sum(1) / weights.sum(1).clamp(min=1.0)
