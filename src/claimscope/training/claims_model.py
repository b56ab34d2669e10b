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

    A **branch** is a copy of the top encoder layer that some outputs read instead of the
    encoder, so that they can learn while the encoder and the other heads stay frozen:
    ``branch`` puts the technique heads on it, ``subjectivity_branch`` (with ``branch``) the
    subjectivity score (``branch_subjectivity``), ``checkworthiness_branch`` the
    check-worthiness score (``branch_checkworthiness``; the techniques then stay on the
    encoder). ``branch_layers=2`` makes the branch a copy of the top two layers (the lower one
    ``technique_lower``), for more capacity at one more layer of inference.
    """

    def __init__(
        self,
        base: str,
        *,
        techniques: bool = False,
        branch: bool = False,
        subjectivity_branch: bool = False,
        checkworthiness_branch: bool = False,
        branch_layers: int = 1,
    ) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(base)
        hidden = self.encoder.config.hidden_size
        self.heads = nn.ModuleDict({task: nn.Linear(hidden, 1) for task in TASKS})
        self.techniques = techniques
        self.branch = branch and not checkworthiness_branch  # the techniques read the branch
        self.subjectivity_branch = self.branch and subjectivity_branch
        self.checkworthiness_branch = checkworthiness_branch
        if techniques:
            self.technique_head = nn.Linear(hidden, len(TECHNIQUES) + 1)
            self.token_head = nn.Linear(hidden, len(TECHNIQUES))
        if branch_layers not in (1, 2):
            raise ValueError(f"a branch has 1 or 2 layers, not {branch_layers}")
        self.branch_layers = branch_layers if self.has_branch else 0
        if self.has_branch:
            layers = self.encoder.encoder.layer
            # Named for its first use, so that the weights saved since still load.
            self.technique_layer = copy.deepcopy(layers[-1])
            if branch_layers == 2:
                self.technique_lower = copy.deepcopy(layers[-2])
            self._top_inputs: tuple[torch.Tensor, Any] | None = None
            layers[-branch_layers].register_forward_pre_hook(self._keep_top_inputs)
        if self.subjectivity_branch:
            self.branch_subjectivity = nn.Linear(hidden, 1)
        if self.checkworthiness_branch:
            self.branch_checkworthiness = nn.Linear(hidden, 1)

    @property
    def has_branch(self) -> bool:
        """Whether any output reads the branch layer."""
        return self.branch or self.checkworthiness_branch

    def branch_modules(self) -> list[nn.Module]:
        """The branch's layers, lowest first."""
        if not self.has_branch:
            return []
        lower = [self.technique_lower] if self.branch_layers == 2 else []
        return [*lower, self.technique_layer]

    def branch_heads(self) -> list[nn.Module]:
        """The heads that read the branch (they learn with it)."""
        heads: list[nn.Module] = [self.technique_head, self.token_head] if self.branch else []
        if self.subjectivity_branch:
            heads.append(self.branch_subjectivity)
        if self.checkworthiness_branch:
            heads.append(self.branch_checkworthiness)
        return heads

    def _keep_top_inputs(self, module: nn.Module, args: tuple[Any, ...]) -> None:
        # The branch layer runs on exactly what the top layer gets (states and the prepared
        # attention mask), so the mask logic stays the library's.
        self._top_inputs = (args[0], args[1] if len(args) > 1 else None)

    def _branch_states(self, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The branch layer's token states and their masked mean, for the last encoding."""
        assert self._top_inputs is not None
        out, mask = self._top_inputs
        for layer in self.branch_modules():
            out = layer(out, mask)
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

    def logits(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        """Every output's logits, and the encoder's pooled vector (the embedding)."""
        states, pooled = self.encode(input_ids, attention_mask)
        out = {task: head(pooled).squeeze(-1) for task, head in self.heads.items()}
        b_states, b_pooled = (
            self._branch_states(attention_mask) if self.has_branch else (states, pooled)
        )
        if self.techniques:
            t_states, t_pooled = (b_states, b_pooled) if self.branch else (states, pooled)
            out["techniques"] = self.technique_head(t_pooled)
            out["technique_tokens"] = self.token_head(t_states)
        if self.subjectivity_branch:
            out["subjectivity"] = self.branch_subjectivity(b_pooled).squeeze(-1)
        if self.checkworthiness_branch:
            out["checkworthiness"] = self.branch_checkworthiness(b_pooled).squeeze(-1)
        return out, pooled

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        return self.logits(input_ids, attention_mask)[0]


class _Export(nn.Module):
    """The graph that ships: probabilities per task and the normalized sentence embedding."""

    def __init__(self, model: ClaimModel) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, ...]:
        out, pooled = self.model.logits(input_ids, attention_mask)
        probs = [torch.sigmoid(out[t]) for t in TASKS]
        embedding = nn.functional.normalize(pooled, dim=-1)
        if not self.model.techniques:
            return (*probs, embedding)
        return (
            *probs,
            embedding,
            torch.sigmoid(out["techniques"]),
            torch.sigmoid(out["technique_tokens"]),
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
