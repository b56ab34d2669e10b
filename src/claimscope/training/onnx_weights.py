"""Torch weights rebuilt from a shipped claim model's int8 ONNX graph, to warm-start from it.

The shipped graph is all that remains of a model once its work folder is gone. Its int8
weights dequantize to float tensors which, exported and quantized again, give the same int8
weights (the scale of each tensor comes back from its largest value), so a branch trained on
the rebuilt encoder ships with claim scores identical to the original's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from claimscope.training.hardware import load_state

# The parts of a claim model a rebuilt warm start keeps: the encoder and the claim heads
# (the technique branch and heads start fresh, as when stage 2 trains on a stage-1 model).
STAGE_ONE = ("encoder.", "heads.")


def state_from_onnx(path: Path, keep: Sequence[str] = STAGE_ONE) -> dict[str, torch.Tensor]:
    """The ``ClaimModel`` weights whose names start with one of ``keep``, from the graph at
    ``path`` (exported by ``training.claims_export``, quantized dynamically)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    arrays = {i.name: numpy_helper.to_array(i) for i in graph.initializer}

    def dequantized(name: str) -> np.ndarray:
        base = name.removesuffix("_quantized")
        zero = arrays[base + "_zero_point"].astype(np.float32)
        return (arrays[name].astype(np.float32) - zero) * arrays[base + "_scale"]

    state: dict[str, np.ndarray] = {}
    for name, array in arrays.items():
        if not name.startswith("model.") or name.endswith(("_scale", "_zero_point")):
            continue
        if name.endswith("_quantized"):  # embeddings (Gather) or a linear layer (below)
            state[name.removeprefix("model.").removesuffix("_quantized")] = dequantized(name)
        else:
            state[name.removeprefix("model.")] = array
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            continue
        weight = next((i for i in node.input if i.endswith("_quantized") and i in arrays), None)
        if weight is None:
            continue
        base = weight.removesuffix("_quantized")
        # Anonymous weights (onnx::MatMul_N) are named by their node's module path.
        key = (
            base.removeprefix("model.")
            if base.startswith("model.")
            else node.name.strip("/").rsplit("/", 1)[0].replace("/", ".") + ".weight"
        )
        state[key] = dequantized(weight).T  # MatMul holds W^T; torch's Linear holds W
    return {
        key: torch.tensor(np.ascontiguousarray(value, dtype=np.float32))
        for key, value in state.items()
        if key.startswith(tuple(keep))
    }


def init_state(init: Path) -> dict[str, torch.Tensor]:
    """The weights to warm-start from: ``init/model.pt`` of a training run, else the encoder
    and claim heads of the shipped model folder ``init`` (its ``model.onnx``)."""
    if (init / "model.pt").is_file():
        return load_state(init / "model.pt")
    return state_from_onnx(init / "model.onnx")
