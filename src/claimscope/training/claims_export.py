"""The trained claim model's ONNX export and int8 quantization, checked against torch, and
what the card measures with the shipped model: validation thresholds, the frozen-encoder
baseline, the held-out files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn

from claimscope.evaluation.claim_data import Example, read_examples
from claimscope.metrics import best_threshold, binary_scores, macro_f1_score
from claimscope.models.batches import read_tokenizer
from claimscope.training.claims import _split
from claimscope.training.claims_model import (
    TASKS,
    ClaimModel,
    _Export,
    output_names,
    predict,
)
from claimscope.training.encoding import token_batch
from claimscope.training.hardware import load_state


def export(
    *,
    trained: Path,
    base: Path,
    out: Path,
    max_len: int,
    per_channel: bool = False,
    keep_fp32: Sequence[str] = (),
) -> dict[str, Any]:
    """Export ``trained/model.pt`` to ONNX, quantize to int8, check both against torch.

    ``per_channel`` quantizes each weight column on its own scale; the MatMuls whose names
    contain one of ``keep_fp32`` stay in fp32 (larger, closer to torch).
    """
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    summary = json.loads((trained / "training.json").read_text())
    techniques = bool(summary.get("techniques"))
    model = ClaimModel(
        str(base),
        techniques=techniques,
        branch=bool(summary.get("technique_branch")),
        subjectivity_branch=bool(summary.get("subjectivity_branch")),
        checkworthiness_branch=bool(summary.get("checkworthiness_branch")),
        branch_layers=int(summary.get("branch_layers") or 1),
    )
    model.load_state_dict(load_state(trained / "model.pt"))
    model.eval()
    tok = read_tokenizer(trained, max_len)
    out.mkdir(parents=True, exist_ok=True)
    fp32 = trained / "model.fp32.onnx"
    ids, mask = token_batch(
        tok, ["A sample sentence.", "Another, longer sample sentence for export."]
    )
    names = output_names(techniques)
    axes: dict[str, dict[int, str]] = {name: {0: "batch"} for name in names}
    if techniques:
        axes["technique_tokens"] = {0: "batch", 1: "tokens"}
    torch.onnx.export(
        _Export(model),
        (ids, mask),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=names,
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            **axes,
        },
        opset_version=17,
        dynamo=False,
    )
    kept = _matmuls(fp32, keep_fp32) if keep_fp32 else []
    quantize_dynamic(str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8,
                     per_channel=per_channel, nodes_to_exclude=kept)  # fmt: skip
    shutil.copy(trained / "tokenizer.json", out / "tokenizer.json")
    summary["export"] = {"per_channel": per_channel, "fp32_matmuls": kept}

    checks: dict[str, Any] = {}
    sessions = {
        name: ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        for name, path in (("fp32", fp32), ("int8", out / "model.onnx"))
    }
    texts = [t for t, _ in summary["validation_texts"]["checkworthiness"][:256]]
    compared = [*TASKS, *(["techniques"] if techniques else [])]
    with torch.no_grad():
        ref = {t: np.array(predict(model, tok, texts, t)) for t in compared}
    for name, session in sessions.items():
        got = _onnx_predict(session, tok, texts, compared)
        checks[name] = {t: float(np.max(np.abs(got[t] - ref[t]))) for t in compared}
    summary["export_checks_max_abs_diff_vs_torch"] = checks
    return summary


def _matmuls(onnx_path: Path, patterns: Sequence[str]) -> list[str]:
    """The MatMul nodes of the graph whose names contain one of ``patterns``."""
    import onnx

    nodes = onnx.load(str(onnx_path)).graph.node
    return [n.name for n in nodes if n.op_type == "MatMul" and any(p in n.name for p in patterns)]


def _onnx_predict(
    session: Any, tok: Tokenizer, texts: Sequence[str], names: Sequence[str] = TASKS
) -> dict[str, np.ndarray]:
    outs: dict[str, list[Any]] = {t: [] for t in names}
    for start in range(0, len(texts), 64):
        ids, mask = token_batch(tok, texts[start : start + 64])
        res = session.run(list(names), {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})
        for t, r in zip(names, res, strict=True):
            outs[t] += r.tolist()
    return {t: np.array(v) for t, v in outs.items()}


def thresholds_on_validation(
    session: Any, tok: Tokenizer, summary: dict[str, Any]
) -> dict[str, Any]:
    """Thresholds for the shipped (int8) model, chosen on the validation data."""
    result = {}
    for task, metric in (("checkworthiness", "f1"), ("subjectivity", "macro_f1")):
        rows = summary["validation_texts"][task]
        scores = _onnx_predict(session, tok, [t for t, _ in rows])[task]
        labels = [int(y) for _, y in rows]
        t, value = best_threshold(labels, scores.tolist(), metric=metric)
        result[task] = {"threshold": t, metric: value}
    return result


def frozen_baseline(
    *,
    base: Path,
    checkworthiness: Sequence[Path],
    subjectivity_train: Path,
    subjectivity_dev: Path,
    seed: int,
    val_fraction: float,
    threads: int,
) -> dict[str, Any]:
    """The comparison the card records: the same encoder frozen, with logistic-regression heads."""
    from sklearn.linear_model import LogisticRegression

    torch.set_num_threads(threads)
    model = ClaimModel(str(base)).eval()
    tok = read_tokenizer(base, 96)

    @torch.no_grad()
    def embed(texts: list[str]) -> np.ndarray:
        vecs = []
        for start in range(0, len(texts), 64):
            ids, mask = token_batch(tok, texts[start : start + 64])
            vecs.append(nn.functional.normalize(model.pooled(ids, mask), dim=-1).numpy())
        return np.concatenate(vecs)

    cw: list[Example] = []
    for path in checkworthiness:
        cw += read_examples(path)
    cw_train, cw_val = _split(cw, val_fraction, seed)
    subj_train, subj_val = read_examples(subjectivity_train), read_examples(subjectivity_dev)
    out = {}
    for task, train_ex, val_ex, metric in (
        ("checkworthiness", cw_train, cw_val, "f1"),
        ("subjectivity", subj_train, subj_val, "macro_f1"),
    ):
        clf = LogisticRegression(max_iter=2000, C=1.0, random_state=seed)
        clf.fit(embed([e.text for e in train_ex]), [e.label for e in train_ex])
        scores = clf.predict_proba(embed([e.text for e in val_ex]))[:, 1]
        t, value = best_threshold([e.label for e in val_ex], scores.tolist(), metric=metric)
        out[task] = {"threshold": t, metric: value}
    return out


def report(
    session: Any, tok: Tokenizer, files: dict[str, Path], thresholds: dict[str, float]
) -> dict[str, Any]:
    """Scores on held-out files (never used for selection), for the card and benchmarks."""
    out = {}
    for task, path in files.items():
        examples = read_examples(path)
        scores = _onnx_predict(session, tok, [e.text for e in examples])[task]
        preds = [int(s >= thresholds[task]) for s in scores]
        labels = [e.label for e in examples]
        out[task] = {
            "file": path.name,
            **binary_scores(labels, preds),
            "macro_f1": macro_f1_score(labels, preds),
        }
    return out
