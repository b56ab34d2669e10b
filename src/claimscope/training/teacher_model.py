"""The teacher's model: MPNet, mean pooling and the claim trainer's heads, run in two parts (the
frozen lower layers and the trained upper ones); a trained teacher loaded back, and its scores."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn
from transformers import MPNetConfig, MPNetModel

from claimscope.models.batches import read_tokenizer
from claimscope.persuasion.techniques import KEYS as TECHNIQUES
from claimscope.training.claims_model import TASKS
from claimscope.training.encoding import mean_pool, token_batch
from claimscope.training.hardware import device, load_state


class TeacherModel(nn.Module):
    """MPNet, mean pooling and the claim trainer's heads (same names and outputs as
    ``ClaimModel`` with techniques), run in two parts: ``lower`` (embeddings and the frozen
    layers, cached) and ``upper`` (the trained layers and the heads)."""

    def __init__(self, encoder: MPNetModel, frozen_layers: int) -> None:
        super().__init__()
        layers = encoder.encoder.layer
        if not 0 <= frozen_layers < len(layers):
            raise ValueError(f"frozen_layers must be in [0, {len(layers) - 1}]: {frozen_layers}")
        self.encoder = encoder
        self.frozen_layers = frozen_layers
        hidden = encoder.config.hidden_size
        self.heads = nn.ModuleDict({task: nn.Linear(hidden, 1) for task in TASKS})
        self.technique_head = nn.Linear(hidden, len(TECHNIQUES) + 1)
        self.token_head = nn.Linear(hidden, len(TECHNIQUES))
        for module in self._frozen_modules():
            for p in module.parameters():
                p.requires_grad_(False)

    @classmethod
    def from_base(cls, base: Path, frozen_layers: int) -> TeacherModel:
        """The pretrained encoder in ``base`` (a sentence-transformers folder), fresh heads."""
        encoder = MPNetModel.from_pretrained(str(base), add_pooling_layer=False)
        return cls(encoder, frozen_layers)

    def _frozen_modules(self) -> list[nn.Module]:
        return [
            self.encoder.embeddings,
            self.encoder.encoder.relative_attention_bias,
            *self.encoder.encoder.layer[: self.frozen_layers],
        ]

    def train(self, mode: bool = True) -> TeacherModel:
        """The frozen part never drops out: its cached states are those of inference."""
        super().train(mode)
        for module in self._frozen_modules():
            module.eval()
        return self

    def _run(self, hidden: torch.Tensor, mask: torch.Tensor, layers: Any) -> torch.Tensor:
        extended = self.encoder.get_extended_attention_mask(mask, tuple(mask.shape))
        bias = self.encoder.encoder.compute_position_bias(hidden)
        for layer in layers:
            hidden = layer(hidden, extended, bias)[0]
        return hidden

    def lower(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Token states after the frozen layers."""
        ids = input_ids.masked_fill(attention_mask == 0, self.encoder.config.pad_token_id)
        hidden = self.encoder.embeddings(input_ids=ids)
        return self._run(hidden, attention_mask, self.encoder.encoder.layer[: self.frozen_layers])

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """The logits of every head, from the frozen layers' token states."""
        states = self._run(hidden, attention_mask, self.encoder.encoder.layer[self.frozen_layers :])
        pooled = mean_pool(states, attention_mask)
        out = {task: head(pooled).squeeze(-1) for task, head in self.heads.items()}
        out["techniques"] = self.technique_head(pooled)
        out["technique_tokens"] = self.token_head(states)
        return out

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        return self.upper(self.lower(input_ids, attention_mask), attention_mask)

    def trainable(self) -> dict[str, nn.Parameter]:
        return {k: p for k, p in self.named_parameters() if p.requires_grad}


def load_teacher(folder: Path) -> tuple[TeacherModel, Tokenizer]:
    """A trained teacher written by :func:`train_teacher`, on the training device, in eval mode."""
    card = json.loads((folder / "teacher.json").read_text(encoding="utf-8"))
    encoder = MPNetModel(
        MPNetConfig.from_json_file(str(folder / "config.json")), add_pooling_layer=False
    )
    model = TeacherModel(encoder, card["config"]["frozen_layers"])
    model.load_state_dict(load_state(folder / "model.pt"))
    tok = read_tokenizer(folder, card["config"]["max_len"])
    return model.to(device()).eval(), tok


@torch.no_grad()
def teacher_scores(
    texts: Sequence[str],
    teacher: Path | tuple[TeacherModel, Tokenizer],
    *,
    logits: bool = False,
    tokens: bool = False,
    batch_size: int = 64,
) -> dict[str, Any]:
    """The teacher's scores of ``texts``, in input order: probabilities (or ``logits``).

    ``checkworthiness`` and ``subjectivity`` ``(n,)``; ``techniques`` ``(n, 15)`` (any
    technique, then ``techniques.KEYS``). With ``tokens``, also ``technique_tokens`` and
    ``offsets``: per text, ``(tokens, 14)`` scores and the ``(tokens, 2)`` character offsets of
    the teacher's tokens, to align with a student's tokens by character.
    """
    model, tok = load_teacher(teacher) if isinstance(teacher, Path) else teacher
    model.eval()
    where = next(model.parameters()).device
    n = len(texts)
    out: dict[str, Any] = {
        "checkworthiness": np.zeros(n, dtype=np.float32),
        "subjectivity": np.zeros(n, dtype=np.float32),
        "techniques": np.zeros((n, len(TECHNIQUES) + 1), dtype=np.float32),
    }
    if tokens:
        out["technique_tokens"] = [None] * n
        out["offsets"] = [None] * n
    order = sorted(range(n), key=lambda i: len(texts[i]))
    for start in range(0, n, batch_size):
        rows = order[start : start + batch_size]
        ids, mask = token_batch(tok, [texts[i] for i in rows])
        result = model(ids.to(where), mask.to(where))
        result = result if logits else {k: torch.sigmoid(v) for k, v in result.items()}
        for name in ("checkworthiness", "subjectivity", "techniques"):
            out[name][rows] = result[name].float().cpu().numpy()
        if tokens:
            encodings = tok.encode_batch([texts[i] for i in rows])
            per_token = result["technique_tokens"].float().cpu().numpy()
            for row, (i, enc) in enumerate(zip(rows, encodings, strict=True)):
                width = int(mask[row].sum())
                out["technique_tokens"][i] = per_token[row, :width]
                out["offsets"][i] = np.array(enc.offsets[:width], dtype=np.int64)
    return out
