"""A tiny bi-encoder folder built here: a word-level tokenizer and an ONNX bag of word vectors,
so cosines can be worked out by hand (``EmbeddingScorer`` and the claim-vector cache tests)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "cats", "purr", "sky", "blue", "ferry", "late"]
# Each content word points along its own topic axis: cats/purr, sky/blue, ferry/late.
AXES = {"cats": 0, "purr": 0, "sky": 1, "blue": 1, "ferry": 2, "late": 2}


def tiny_encoder(folder: Path) -> Path:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    folder.mkdir(parents=True, exist_ok=True)
    vocab = {w: i for i, w in enumerate(WORDS)}
    tok = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = Whitespace()  # type: ignore[assignment]
    tok.save(str(folder / "tokenizer.json"))
    table = np.zeros((len(WORDS), 4), dtype=np.float32)
    table[:, 3] = 0.01  # every token a little along a shared axis: no zero vectors
    for word, axis in AXES.items():
        table[vocab[word], axis] = 1.0
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["per_token"]),
        helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["maskf", "last"], ["mask3"]),
        helper.make_node("Mul", ["per_token", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "one"], ["summed"], keepdims=0),
        helper.make_node("LpNormalization", ["summed"], ["embedding"], axis=-1, p=2),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny-bi-encoder",
        [
            helper.make_tensor_value_info(k, TensorProto.INT64, ["batch", "tokens"])
            for k in ("input_ids", "attention_mask")
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 4])],
        initializer=[
            numpy_helper.from_array(table, "table"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
            numpy_helper.from_array(np.array([-1], dtype=np.int64), "last"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(folder / "model.onnx"))
    card = {
        "name": "tiny-bi-encoder",
        "version": "0",
        "architecture": "bi-encoder",
        "max_tokens": 16,
        "scale": 10.0,
        "calibration": {"a": 1.0, "b": -5.0},
        "thresholds": {"match": 0.5},
        "fusion": {"bm25_weight": 0.5},
    }
    (folder / "card.json").write_text(json.dumps(card), encoding="utf-8")
    return folder
