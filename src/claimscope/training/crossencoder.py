"""The MiniLM cross-encoder both pair models train (re-ranker, stance), and its int8 export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from tokenizers import Tokenizer
from torch import nn
from transformers import AutoModel

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
        mask = attention_mask.unsqueeze(-1).to(out.dtype)
        pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        logits: torch.Tensor = self.head(pooled)
        return logits.squeeze(-1) if logits.shape[-1] == 1 else logits


def pair_tokenizer(path: Path, max_tokens: int) -> Tokenizer:
    """The base tokenizer, truncating pairs longest-first, unpadded."""
    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.enable_truncation(max_tokens, strategy="longest_first")
    return tok


def encode_pairs(tok: Tokenizer, pairs: Sequence[tuple[str, str]]) -> dict[str, torch.Tensor]:
    """Padded input tensors for text pairs."""
    enc = tok.encode_batch([list(p) for p in pairs])
    width = max(len(e.ids) for e in enc)
    out = {k: torch.zeros((len(enc), width), dtype=torch.long) for k in INPUT_NAMES}
    for i, e in enumerate(enc):
        n = len(e.ids)
        out["input_ids"][i, :n] = torch.tensor(e.ids)
        out["attention_mask"][i, :n] = 1
        out["token_type_ids"][i, :n] = torch.tensor(e.type_ids)
    return out


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
