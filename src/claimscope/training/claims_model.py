"""The claim model: one encoder with a check-worthiness head, a subjectivity head and,
optionally, persuasion-technique heads (sentence and token level); its tokenizer, batches and
the graph that ships."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import torch
from tokenizers import Tokenizer
from torch import nn
from transformers import AutoModel

from claimscope.persuasion.techniques import KEYS as TECHNIQUES
from claimscope.training.encoding import mean_pool, token_batch
from claimscope.training.hardware import model_device

TASKS = ("checkworthiness", "subjectivity")


class ClaimModel(nn.Module):
    """Encoder, mean pooling, one logit per task; the exported graph returns probabilities.

    With ``techniques``, two more heads: sentence logits (any technique, then one per
    technique) on the pooled vector, and per-token technique logits on the token states.
    """

    def __init__(self, base: str, *, techniques: bool = False, branch: bool = False) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(base)
        hidden = self.encoder.config.hidden_size
        self.heads = nn.ModuleDict({task: nn.Linear(hidden, 1) for task in TASKS})
        self.techniques = techniques
        self.branch = branch
        if techniques:
            self.technique_head = nn.Linear(hidden, len(TECHNIQUES) + 1)
            self.token_head = nn.Linear(hidden, len(TECHNIQUES))
        if branch:
            top = self.encoder.encoder.layer[-1]
            self.technique_layer = copy.deepcopy(top)
            self._top_inputs: tuple[torch.Tensor, Any] | None = None
            top.register_forward_pre_hook(self._keep_top_inputs)

    def _keep_top_inputs(self, module: nn.Module, args: tuple[Any, ...]) -> None:
        # The branch layer runs on exactly what the top layer gets (states and the prepared
        # attention mask), so the mask logic stays the library's.
        self._top_inputs = (args[0], args[1] if len(args) > 1 else None)

    def technique_states(
        self, states: torch.Tensor, pooled: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The token states and pooled vector the technique heads read."""
        if not self.branch:
            return states, pooled
        assert self._top_inputs is not None
        hidden, mask = self._top_inputs
        out = self.technique_layer(hidden, mask)
        out = out[0] if isinstance(out, tuple) else out
        return out, mean_pool(out, attention_mask)

    def encode(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Token states and their masked mean."""
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return out, mean_pool(out, attention_mask)

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.encode(input_ids, attention_mask)[1]

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        states, pooled = self.encode(input_ids, attention_mask)
        out = {task: head(pooled).squeeze(-1) for task, head in self.heads.items()}
        if self.techniques:
            t_states, t_pooled = self.technique_states(states, pooled, attention_mask)
            out["techniques"] = self.technique_head(t_pooled)
            out["technique_tokens"] = self.token_head(t_states)
        return out


class _Export(nn.Module):
    """The graph that ships: probabilities per task and the normalized sentence embedding."""

    def __init__(self, model: ClaimModel) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, ...]:
        states, pooled = self.model.encode(input_ids, attention_mask)
        probs = [torch.sigmoid(self.model.heads[t](pooled).squeeze(-1)) for t in TASKS]
        embedding = nn.functional.normalize(pooled, dim=-1)
        if not self.model.techniques:
            return (*probs, embedding)
        t_states, t_pooled = self.model.technique_states(states, pooled, attention_mask)
        return (
            *probs,
            embedding,
            torch.sigmoid(self.model.technique_head(t_pooled)),
            torch.sigmoid(self.model.token_head(t_states)),
        )


def output_names(techniques: bool) -> list[str]:
    """The exported graph's outputs, in order."""
    return [*TASKS, "embedding", *(["techniques", "technique_tokens"] if techniques else [])]


@torch.no_grad()
def predict(model: ClaimModel, tok: Tokenizer, texts: Sequence[str], task: str) -> list[float]:
    """Probabilities of the positive class for ``task``, in input order."""
    model.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = [0.0] * len(texts)
    for start in range(0, len(order), 64):
        idx = order[start : start + 64]
        ids, mask = token_batch(tok, [texts[i] for i in idx])
        where = model_device(model)
        probs = torch.sigmoid(model(ids.to(where), mask.to(where))[task]).tolist()
        for i, p in zip(idx, probs, strict=True):
            out[i] = p
    return out
