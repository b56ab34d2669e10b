"""The MiniLM cross-encoder both pair models train (re-ranker, stance), and its int8 export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from tokenizers import Tokenizer
from torch import nn
from transformers import AutoModel

from claimscope.models.batches import padded
from claimscope.training.encoding import mean_pool

INPUT_NAMES = ["input_ids", "attention_mask", "token_type_ids"]


class PairModel(nn.Module):
    """MiniLM over a text pair, mean-pooled, a linear head: one logit per output.

    With one output the logit axis is squeezed away (a relevance score per pair).
    """

    def __init__(self, base: str, outputs: int = 1) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(base)
        self.head = nn.Linear(self.encoder.config.hidden_size, outputs)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor:
        out = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        logits: torch.Tensor = self.head(mean_pool(out, attention_mask))
        return logits.squeeze(-1) if logits.shape[-1] == 1 else logits


def encode_pairs(tok: Tokenizer, pairs: Sequence[tuple[str, str]]) -> dict[str, torch.Tensor]:
    """Padded input tensors for text pairs."""
    arrays = padded(tok.encode_batch([list(p) for p in pairs]))
    return {k: torch.from_numpy(a) for k, a in zip(INPUT_NAMES, arrays, strict=True)}


class _Export(nn.Module):
    def __init__(self, model: PairModel) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor:
        return self.model(input_ids, attention_mask, token_type_ids)


@torch.no_grad()
def export_int8(
    model: PairModel,
    tok: Tokenizer,
    fp32: Path,
    out: Path,
    output: str,
    *,
    per_channel: bool = False,
) -> None:
    """Export ``model`` to ONNX at ``fp32`` (one output named ``output``), then int8 at ``out``
    (``per_channel``: one weight scale per output channel rather than per tensor)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    sample = encode_pairs(tok, [("a post", "a claim"), ("another post, longer", "a claim")])
    torch.onnx.export(
        _Export(model),
        tuple(sample[n] for n in INPUT_NAMES),
        str(fp32),
        input_names=INPUT_NAMES,
        output_names=[output],
        dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in INPUT_NAMES}, output: {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=per_channel)
