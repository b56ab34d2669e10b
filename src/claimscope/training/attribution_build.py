"""Build the attribution tagger folder: data, training, decoding choice, ONNX export, card.

Validation is a tenth of PolNeAR train, set apart by the seed: it chooses the epoch, the
cut-offs and the merge with the rules. Dev is only measured, after every choice is made.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import random
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn

from claimscope.extract.attribution_decode import Decoding
from claimscope.extract.attribution_features import N_FEATURES
from claimscope.models.folder import model_path
from claimscope.models.tagger import WordVectors
from claimscope.training.attribution import (
    Example,
    TaggerConfig,
    TaggerNet,
    examples,
    predict,
    train_tagger,
)
from claimscope.training.attribution_data import Prepared, prepare_split
from claimscope.training.attribution_select import choose, probabilities, report, summary
from claimscope.training.teacher_base import cache_root

logger = logging.getLogger(__name__)

POLNEAR = Path("attribution") / "polnear"
# The static vectors the word vectors come from, cut to this many dimensions (PCA).
BASE_VECTORS = "embed-static"
DIMS = 64
VALIDATION_SHARE = 0.1


def reduced_vectors(base: Path, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """The base folder's subword vectors projected on their first ``dims`` principal axes,
    as int8 rows and one float32 scale per row."""
    with np.load(base / "static.npz") as data:
        table = data["vectors"].astype(np.float32)
        if "scales" in data:
            table *= data["scales"].astype(np.float32)[:, None]
    centred = table - table.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ axes[:dims].T
    scales = np.maximum(np.abs(reduced).max(axis=1), 1e-9) / 127.0
    rows = np.round(reduced / scales[:, None]).astype(np.int8)
    return rows, scales.astype(np.float32)


def _split(train: list[Prepared], seed: int) -> tuple[list[Prepared], list[Prepared]]:
    order = list(range(len(train)))
    random.Random(seed).shuffle(order)
    n_val = max(1, round(len(train) * VALIDATION_SHARE))
    val = sorted(order[:n_val])
    rest = sorted(order[n_val:])
    return [train[i] for i in rest], [train[i] for i in val]


def _measure(net: nn.Module, data: list[Example], articles: list[Prepared], d: Decoding) -> Any:
    probs = probabilities(len(articles), [(e.article, e.window) for e in data], predict(net, data))
    return probs, report(articles, probs, d)


def export(net: nn.Module, out: Path, rows: np.ndarray, scales: np.ndarray, base: Path) -> None:
    """Write ``model.onnx``, ``static.npz`` and ``tokenizer.json`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "static.npz", vectors=rows, scales=scales)
    shutil.copyfile(base / "tokenizer.json", out / "tokenizer.json")
    x = torch.zeros((1, 12, rows.shape[1] + N_FEATURES))
    torch.onnx.export(
        net,
        (x,),
        str(out / "model.onnx"),
        input_names=["x"],
        output_names=["logits"],
        dynamic_axes={"x": {1: "words"}, "logits": {1: "words"}},
        opset_version=17,
        dynamo=False,
    )
    store_weights_fp16(out / "model.onnx")


def store_weights_fp16(path: Path) -> None:
    """Rewrite the ONNX graph at ``path`` with its float weights stored as float16, each cast
    back to float32 where the graph reads it: the file halves (shipped weights are int8 or
    fp16), while the arithmetic stays float32 (a GRU is not quantized by onnxruntime)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    kept, casts = [], []
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT or len(init.dims) == 0:
            kept.append(init)  # scalars and integer shapes stay as they are
            continue
        half = numpy_helper.from_array(
            numpy_helper.to_array(init).astype(np.float16), f"{init.name}_fp16"
        )
        kept.append(half)
        casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend([*casts, *nodes])
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def _check_export(out: Path, net: nn.Module, data: list[Example]) -> float:
    """Largest difference between torch's and onnxruntime's logits over a few windows."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    worst = 0.0
    with torch.no_grad():
        for e in data[:20]:
            want = net(torch.from_numpy(e.x)[None])[0].numpy()
            (got,) = session.run(None, {"x": e.x[None]})
            worst = max(worst, float(np.abs(got[0] - want).max()))
    return worst


def export_and_measure(
    net: nn.Module,
    out: Path,
    vectors: tuple[np.ndarray, np.ndarray, Path],
    dev_x: list[Example],
    dev: list[Prepared],
    decoding: Decoding,
) -> tuple[float, dict[str, Any]]:
    """Export ``net`` with its vectors (rows, scales, base folder) into ``out``; the largest
    torch/onnxruntime difference, and dev's reports with the rules, the tagger and ``decoding``'s
    own merge (measured once, after every choice was made on validation)."""
    export(net, out, *vectors)
    worst = _check_export(out, net, dev_x)
    dev_probs, _ = _measure(net, dev_x, dev, decoding)
    dev_reports = {
        how: report(dev, dev_probs, dataclasses.replace(decoding, merge=how))
        for how in ("rules", "tagger", decoding.merge)
    }
    return worst, dev_reports


def build_attribution_model(
    data_dir: Path, out: Path, cache: Path, config: TaggerConfig, *, limit: int | None = None
) -> dict[str, Any]:
    """Train, choose, export and measure the tagger; the card (also written to ``out``)."""
    torch.set_num_threads(1)  # the machine is shared: one core, as asked
    root = data_dir / POLNEAR
    train_all = prepare_split(root / "train", cache, limit=limit)
    dev = prepare_split(root / "dev", cache, limit=limit)
    train, val = _split(train_all, config.seed if config.split_seed is None else config.split_seed)
    base = model_path(BASE_VECTORS)
    rows, scales = reduced_vectors(base, DIMS)
    vectors = WordVectors(
        Tokenizer.from_file(str(base / "tokenizer.json")),
        rows.astype(np.float32) * scales[:, None],
    )
    train_x, val_x, dev_x = (examples(a, vectors) for a in (train, val, dev))
    logger.info("windows: train %d, validation %d, dev %d", len(train_x), len(val_x), len(dev_x))

    def score(net: TaggerNet) -> dict[str, float]:
        return summary(_measure(net, val_x, val, Decoding())[1])

    net, history = train_tagger(train_x, config, score)
    val_probs, _ = _measure(net, val_x, val, Decoding())
    decoding, tried = choose(val, val_probs)
    worst, dev_reports = export_and_measure(net, out, (rows, scales, base), dev_x, dev, decoding)
    card = _card(config, decoding, history, tried, dev_reports, worst, out, len(train), len(val))
    (out / "card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card


def _card(
    config: TaggerConfig,
    decoding: Decoding,
    history: list[dict[str, float]],
    tried: list[dict[str, Any]],
    dev: dict[str, dict[str, Any]],
    worst: float,
    out: Path,
    n_train: int,
    n_val: int,
) -> dict[str, Any]:
    best = max(tried, key=lambda t: t["score"])
    return {
        "name": "claimscope.attribution-tagger",
        "version": "1",
        "created": dt.date.today().isoformat(),
        "kind": "tagger",
        "files": ["model.onnx", "static.npz", "tokenizer.json"],
        "task": "attribution spans: O/B/I of source, cue and content for each word of a window "
        "of whole sentences (extract/attribution_features.py)",
        "base_vectors": f"{BASE_VECTORS} subword vectors, PCA to {DIMS} dimensions, int8",
        "license": "the word vectors derive from embed-static (all-MiniLM-L6-v2, Apache-2.0); the "
        "weights were trained here on PolNeAR train (Newell, Margolin and Ruths, LREC 2018), "
        "which came with no license file: research data, check that your use fits",
        "data": f"PolNeAR train: {n_train} articles to train, {n_val} for validation (chosen "
        f"by seed {config.seed}); dev only measured",
        "config": {k: v for k, v in asdict(config).items() if k != "checkpoints"},
        "decoding": {
            "outside": list(decoding.outside),
            "merge": decoding.merge,
            "min_score": decoding.min_score,
        },
        "history": history,
        "validation": {"chosen": best, "tried": len(tried)},
        "dev": {how: {**summary(r), "report": r} for how, r in dev.items()},
        "onnx_max_abs_diff": worst,
        "bytes": {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.is_file()},
    }


def train_attribution_cli(
    data_dir: Path, out: Path, cache_dir: Path | None, *, epochs: int, seed: int, limit: int
) -> None:
    """``claimscope train attribution``: build the tagger folder ``out`` and print its figures."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    missing = [
        str(data_dir / POLNEAR / s)
        for s in ("train", "dev")
        if not (data_dir / POLNEAR / s).is_dir()
    ]
    if missing:
        raise SystemExit(f"training data not found: {', '.join(missing)}")
    cache = (cache_dir or cache_root()) / "attribution"
    config = TaggerConfig(epochs=epochs, seed=seed, checkpoints=str(cache / f"run-seed{seed}"))
    card = build_attribution_model(data_dir, out, cache, config, limit=limit or None)
    print(
        json.dumps(
            {
                "decoding": card["decoding"],
                "dev": {
                    k: {m: v for m, v in d.items() if m != "report"} for k, d in card["dev"].items()
                },
            },
            indent=2,
        )
    )
