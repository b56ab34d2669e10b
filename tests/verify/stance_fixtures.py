"""A tiny stance model folder built in the test: a word-level tokenizer and a bag-of-words ONNX.

Its rules are simple enough to predict by hand: in the passage (the first segment), "yes"
pushes towards supports and "not" towards refutes; in the claim (the second segment) neither
word does anything, so a pair read in the wrong order gives the uniform answer.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "yes", "not", "cats", "purr", "the", "sky", "is"]
# The card's label order differs from STANCE_LABELS on purpose: the scorer must reorder.
CARD_LABELS = ["neutral", "supports", "refutes"]


def _tokenizer() -> object:
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace
    from tokenizers.processors import TemplateProcessing

    vocab = {w: i for i, w in enumerate(WORDS)}
    tok = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = Whitespace()  # type: ignore[assignment]
    tok.post_processor = TemplateProcessing(  # type: ignore[assignment]
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    return tok


def _onnx_model(path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    n = len(WORDS)
    # Row (type * n + id) gives a token's logits; only passage tokens (type 0) carry any.
    table = np.zeros((2 * n, 3), dtype=np.float32)
    col = {label: i for i, label in enumerate(CARD_LABELS)}
    table[WORDS.index("yes"), col["supports"]] = 4.0
    table[WORDS.index("not"), col["refutes"]] = 4.0
    inits = [
        numpy_helper.from_array(table, "table"),
        numpy_helper.from_array(np.array(n, dtype=np.int64), "n"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "axis_last"),
    ]
    nodes = [
        helper.make_node("Mul", ["token_type_ids", "n"], ["offset"]),
        helper.make_node("Add", ["input_ids", "offset"], ["rows"]),
        helper.make_node("Gather", ["table", "rows"], ["per_token"]),
        helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["maskf", "axis_last"], ["mask3"]),
        helper.make_node("Mul", ["per_token", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["logits"], keepdims=0),
    ]
    dims = ["batch", "tokens"]
    graph = helper.make_graph(
        nodes,
        "tiny-stance",
        [
            helper.make_tensor_value_info(k, TensorProto.INT64, dims)
            for k in ("input_ids", "attention_mask", "token_type_ids")
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def tiny_stance_model(folder: Path, *, labels: list[str] | None = None) -> Path:
    """Write the tiny stance model folder (model.onnx, tokenizer.json, card.json) and return it.

    Needs the ``onnx`` package (the [train] extra): the test is skipped without it.
    """
    import pytest

    pytest.importorskip("onnx")
    folder.mkdir(parents=True, exist_ok=True)
    _onnx_model(folder / "model.onnx")
    _tokenizer().save(str(folder / "tokenizer.json"))  # type: ignore[attr-defined]
    card = {
        "name": "tiny-stance",
        "version": "0",
        "task": "stance",
        "labels": labels or CARD_LABELS,
        "max_tokens": 16,
        "calibration": {"temperature": 1.0},
        "splits": {"sick": {"dev": ["3"], "test": ["1", "2"]}},
    }
    (folder / "card.json").write_text(json.dumps(card), encoding="utf-8")
    return folder
