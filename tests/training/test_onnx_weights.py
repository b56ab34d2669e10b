"""Warm starts from a shipped model's int8 graph: the rebuilt weights quantize back to the same
graph, so a branch trained on them keeps the shipped claim scores exactly."""

import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("onnx")

import torch

from claimscope.models.batches import read_tokenizer
from claimscope.training.claims_export import _onnx_predict, export
from claimscope.training.claims_model import ClaimModel
from claimscope.training.onnx_weights import init_state, state_from_onnx
from tests.training.tiny_models import tiny_encoder

TEXTS = [
    "The council spent 40 million on the new bridge.",
    "What a disgraceful and cowardly decision by the mayor!",
    "Officials said the bridge opens next spring.",
    "Nobody believes these lies any more.",
]


def _shipped(tmp_path, name, state=None):
    """A tiny technique-branch claim model exported as the run time gets it."""
    base = tiny_encoder(tmp_path / "base", TEXTS, "bert", layers=2)
    work = tmp_path / f"{name}-work"
    work.mkdir()
    torch.manual_seed(1 if state is None else 2)
    model = ClaimModel(str(base), techniques=True, branch=True)
    with torch.no_grad():  # no zero biases: the exporter would share equal tensors by name
        for param in model.parameters():
            param.add_(torch.randn_like(param) * 0.1)
    if state is not None:
        model.load_state_dict(state, strict=False)
    torch.save(model.state_dict(), work / "model.pt")
    (work / "tokenizer.json").write_text((base / "tokenizer.json").read_text())
    summary = {
        "techniques": True,
        "technique_branch": True,
        "validation_texts": {"checkworthiness": [[t, 0] for t in TEXTS]},
    }
    (work / "training.json").write_text(json.dumps(summary))
    export(trained=work, base=base, out=tmp_path / name, max_len=32)
    return base, tmp_path / name


def _scores(base, folder):
    import onnxruntime as ort

    session = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
    tok = read_tokenizer(base, 32)
    return _onnx_predict(session, tok, TEXTS, ["checkworthiness", "subjectivity", "techniques"])


def test_rebuilt_weights_give_the_same_int8_graph(tmp_path):
    base, shipped = _shipped(tmp_path, "shipped")
    rebuilt = state_from_onnx(shipped / "model.onnx")
    assert {k.split(".")[0] for k in rebuilt} == {"encoder", "heads"}  # the branch starts fresh
    assert rebuilt["heads.checkworthiness.weight"].shape == (1, 32)
    # Every weight of the encoder and the claim heads is rebuilt (the pooler is not exported).
    expected = {k for k in ClaimModel(str(base)).state_dict() if not k.startswith("encoder.pooler")}
    assert expected - set(rebuilt) == set()

    _, again = _shipped(tmp_path, "again", state=rebuilt)
    before, after = _scores(base, shipped), _scores(base, again)
    for task in ("checkworthiness", "subjectivity"):
        assert np.array_equal(before[task], after[task])
    # The technique heads were not carried over, so they do differ.
    assert not np.allclose(before["techniques"], after["techniques"])


def test_init_state_prefers_a_training_run(tmp_path):
    _, shipped = _shipped(tmp_path, "shipped")
    assert "heads.subjectivity.bias" in init_state(shipped)
    torch.save({"heads.subjectivity.bias": torch.zeros(1)}, shipped / "model.pt")
    assert list(init_state(shipped)) == ["heads.subjectivity.bias"]
