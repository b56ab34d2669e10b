"""Ship the contextual attribution tagger: the probe's networks (training/
attribution_context.py), each reading the claim encoder's token states through its own PCA,
averaged in one ONNX graph (``context.onnx`` in the ``attribution-tagger`` folder, beside v3's
``model.onnx``, which runs where no states are at hand).

Two edits make it run in the pipeline:

- the shipped claim graph (``claims-minilm``) gets one more output, ``token_states``: the top
  encoder layer's and the technique layer's token states, each projected on its PCA fitted on
  PolNeAR train (128 columns), side by side, float16 ``(batch, tokens, 256)``; its other outputs
  are untouched (``add_token_states``);
- ``context.onnx`` takes batches of windows: v3's inputs ``x``, each word's first-subword
  reduced states ``states`` and each window's ``lengths`` (a word past the encoder's truncation
  has zero states, as in training); it runs the networks and gives the log of their mean
  probabilities, as v3's graph does.

The networks are the probe's runs of each seed given (their best epochs, by validation), and
the PCA is fitted again exactly as the probe fitted it (same cached states, same sample)::

    python -m claimscope.training.attribution_context_build --seeds 0 \
        --out src/claimscope/models/attribution-tagger
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from claimscope.extract.attribution_features import ROLES
from claimscope.models.scorer import TOKEN_STATES
from claimscope.training.attribution import TaggerNet
from claimscope.training.attribution_build import POLNEAR, _split, store_weights_fp16
from claimscope.training.attribution_context import (
    BOTH,
    STATES,
    cache_context,
    claims_folder,
    fit_pca,
    layer_columns,
    run_folder,
    split_states,
)
from claimscope.training.attribution_ensemble import load_best

logger = logging.getLogger(__name__)

PCA_DIMS = 128  # one layer's states, reduced


def run_name(states: str, seed: int, hidden: int = 64) -> str:
    """The probe's checkpoint folder of a network reading ``states`` from initial ``seed``."""
    return run_folder(states, 128, seed, hidden)


def add_token_states(path: Path, pcas: list[tuple[np.ndarray, ...]]) -> None:
    """Give the claim graph at ``path`` the ``token_states`` output (in place, replacing an
    earlier one): each layer of ``STATES`` projected on its PCA (``pcas``, in that order),
    ``(s - mean) @ axes.T / scale`` as training/attribution_context.project, side by side and
    cast to float16. The graph's own outputs are untouched."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    _drop_token_states(graph)
    known = {o for n in graph.node for o in n.output}
    missing = [t for t in STATES.values() if t not in known]
    if missing:
        raise SystemExit(f"{path} has no tensor {missing[0]!r}: not the graph the tagger reads")
    reduced = []
    for i, ((mean, axes, scale), tensor) in enumerate(zip(pcas, STATES.values(), strict=True)):
        weight = (axes.T / scale[0]).astype(np.float32)
        bias = (-(mean @ axes.T) / scale[0]).astype(np.float32)
        graph.initializer.extend(
            [numpy_helper.from_array(weight, f"{_PREFIX}w{i}"),
             numpy_helper.from_array(bias, f"{_PREFIX}b{i}")]
        )  # fmt: skip
        graph.node.extend(
            [helper.make_node("MatMul", [tensor, f"{_PREFIX}w{i}"], [f"{_PREFIX}m{i}"],
                              name=f"{_PREFIX}matmul{i}"),
             helper.make_node("Add", [f"{_PREFIX}m{i}", f"{_PREFIX}b{i}"], [f"{_PREFIX}r{i}"],
                              name=f"{_PREFIX}add{i}")]
        )  # fmt: skip
        reduced.append(f"{_PREFIX}r{i}")
    graph.node.extend(
        [helper.make_node("Concat", reduced, [f"{_PREFIX}all"], axis=2, name=f"{_PREFIX}concat"),
         helper.make_node("Cast", [f"{_PREFIX}all"], [TOKEN_STATES], to=TensorProto.FLOAT16,
                          name=f"{_PREFIX}cast")]
    )  # fmt: skip
    width = sum(int(axes.shape[0]) for _, axes, _ in pcas)
    graph.output.append(
        helper.make_tensor_value_info(TOKEN_STATES, TensorProto.FLOAT16, ["batch", "tokens", width])
    )
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


# Names of what add_token_states puts into the claim graph (an earlier build's "attribution_").
_PREFIX = "attribution_states_"


def _drop_token_states(graph: Any) -> None:
    """Take an earlier ``token_states`` output, its nodes and its weights out of ``graph``."""
    keep = [o for o in graph.output if o.name != TOKEN_STATES]
    del graph.output[:]
    graph.output.extend(keep)
    nodes = [n for n in graph.node if not n.name.startswith(("attribution_", _PREFIX))]
    del graph.node[:]
    graph.node.extend(nodes)
    weights = [w for w in graph.initializer if not w.name.startswith(_PREFIX)]
    del graph.initializer[:]
    graph.initializer.extend(weights)


class ContextEnsemble(nn.Module):
    """v3's inputs and the reduced token states (``PCA_DIMS`` columns per layer of ``STATES``,
    as the claim graph's ``token_states`` gives them) in; the log of the mean O/B/I
    probabilities of the networks, each reading one layer's columns (``reads[i]``) or, where
    that is None, every column, out."""

    def __init__(self, nets: list[TaggerNet], reads: list[int | None]) -> None:
        super().__init__()
        self.nets = nn.ModuleList(nets)
        self.reads = list(reads)

    def forward(self, x: torch.Tensor, states: torch.Tensor) -> torch.Tensor:
        # A word with no state (past the truncation) reads zeros, as it did in training.
        probs = []
        for net, i in zip(self.nets, self.reads, strict=True):
            cols = states if i is None else states[..., i * PCA_DIMS : (i + 1) * PCA_DIMS]
            logits = net(torch.cat([x, cols], dim=-1))
            probs.append(torch.softmax(logits.reshape(*x.shape[:2], len(ROLES), 3), dim=-1))
        mean = torch.stack(probs).mean(dim=0)
        return torch.log(mean.clamp_min(1e-12)).reshape(*x.shape[:2], 3 * len(ROLES))


def train_pcas(data_dir: Path, threads: int) -> list[tuple[np.ndarray, ...]]:
    """The probe's PCA of each half of the states (train split, 128 axes, sample seed 0)."""
    from claimscope.training.attribution_data import prepare_split
    from claimscope.training.teacher_base import cache_root

    cache, ctx = cache_root() / "attribution", cache_context()
    train, _ = _split(prepare_split(data_dir / POLNEAR / "train", cache), 0)
    raw = split_states({"train": train}, ctx, threads)["train"]
    return [fit_pca([layer_columns(s, name) for s in raw], PCA_DIMS) for name in STATES]


def export_context(net: ContextEnsemble, path: Path, dim: int) -> float:
    """Write ``net`` to ``path`` (fp16 weights) for a batch of windows: the input ``lengths``
    gives each window's words, and the GRUs stop there (``with_lengths``); the largest
    difference between onnxruntime on a padded batch and torch on each window alone."""
    import onnxruntime as ort

    width = PCA_DIMS * len(STATES)
    x, s = torch.zeros((2, 12, dim)), torch.zeros((2, 12, width))
    axes = {0: "windows", 1: "words"}
    torch.onnx.export(
        net,
        (x, s),
        str(path),
        input_names=["x", "states"],
        output_names=["logits"],
        dynamic_axes={"x": axes, "states": axes, "logits": axes},
        opset_version=17,
        dynamo=False,
    )
    with_lengths(path)
    store_weights_fp16(path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    sizes = [3, 40, 160, 1]
    xs = np.zeros((len(sizes), max(sizes), dim), dtype=np.float32)
    ss = np.zeros((len(sizes), max(sizes), width), dtype=np.float32)
    for i, n in enumerate(sizes):
        xs[i, :n] = rng.normal(size=(n, dim))
        ss[i, : n - 1] = rng.normal(size=(n - 1, width))  # the last word: truncated
    lengths = np.asarray(sizes, dtype=np.int32)
    (got,) = session.run(None, {"x": xs, "states": ss, "lengths": lengths})
    worst = 0.0
    with torch.no_grad():
        for i, n in enumerate(sizes):
            want = net(torch.from_numpy(xs[i : i + 1, :n]), torch.from_numpy(ss[i : i + 1, :n]))
            worst = max(worst, float(np.abs(got[i, :n] - want[0].numpy()).max()))
    return worst


def with_lengths(path: Path) -> None:
    """Give the graph at ``path`` an input ``lengths`` (int32, one per window) and make every
    GRU read it as its ``sequence_lens``: each direction of each layer then runs over the
    window's own words only, so a padded batch gives each window what it gives alone."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(path))
    graph = model.graph
    grus = [n for n in graph.node if n.op_type == "GRU"]
    if not grus:
        raise SystemExit(f"{path}: no GRU node to give the lengths to")
    for node in grus:
        while len(node.input) < 5:
            node.input.append("")
        node.input[4] = "lengths"
    graph.input.append(helper.make_tensor_value_info("lengths", TensorProto.INT32, ["windows"]))
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def build(
    data_dir: Path,
    out: Path,
    claims: Path,
    threads: int,
    seeds: list[int],
    hidden: int = 64,
    reads: Sequence[str] = tuple(STATES),
) -> dict[str, Any]:
    """Give the claim graph ``claims`` its ``token_states`` (the PCA of each layer fitted on
    train) and write ``context.onnx`` into the tagger folder ``out`` (a network per seed and
    entry of ``reads``, a layer of ``STATES`` or ``BOTH``, of ``hidden`` GRU units each way);
    the card's part on it."""
    torch.set_num_threads(threads)
    pcas = train_pcas(data_dir, threads)
    add_token_states(claims, pcas)
    ctx = cache_context()
    layers = list(STATES)
    runs = [
        (None if name == BOTH else layers.index(name), run_name(name, seed, hidden))
        for seed in seeds
        for name in reads
    ]
    members = [load_best(ctx / run, _input_dim(ctx / run)) for _, run in runs]
    # v3's inputs, then the states' columns the first member reads.
    dim = _input_dim(ctx / runs[0][1]) - PCA_DIMS * (len(layers) if runs[0][0] is None else 1)
    net = ContextEnsemble([n for n, _ in members], [i for i, _ in runs])
    net.eval()
    worst = export_context(net, out / "context.onnx", dim)
    return {
        "graph": "context.onnx",
        "reads": (
            f"{claims_folder().name}'s {TOKEN_STATES} output (each layer's states on its PCA, "
            "fitted on PolNeAR train, float16): each word's first subword"
        ),
        "states": list(STATES),
        "pca_dims": PCA_DIMS,
        "members": [
            {**{k: v for k, v in m.items() if k != "history"}, "reads": name}
            for (_, m), name in zip(members, [n for _ in seeds for n in reads], strict=True)
        ],
        "export_max_abs_diff_vs_torch": worst,
    }


def measure_members(data_dir: Path, seeds: list[int], hidden: int = 64) -> dict[str, Any]:
    """Validation and dev figures of the networks of the first 1, 2, ... of ``seeds`` (both
    layers' runs of each) averaged, in torch on the probe's cached states: with v3's cut-offs,
    and with cut-offs chosen on validation, the first seed's pair giving the floor."""
    import argparse

    from claimscope.extract.attribution_decode import Decoding
    from claimscope.training.attribution import examples
    from claimscope.training.attribution_context import V3, _states_for, measures, with_context
    from claimscope.training.attribution_data import prepare_split
    from claimscope.training.attribution_ensemble import _vectors
    from claimscope.training.attribution_select import choose, fine_grid, report
    from claimscope.training.teacher_base import cache_root

    cache, ctx = cache_root() / "attribution", cache_context()
    train, val = _split(prepare_split(data_dir / POLNEAR / "train", cache), 0)
    splits = {"train": train, "val": val, "dev": prepare_split(data_dir / POLNEAR / "dev", cache)}
    _, _, _, vectors = _vectors()
    probe_args = argparse.Namespace(threads=1, states=next(iter(STATES)), dims=128)
    logits: dict[tuple[str, int], dict[str, list[np.ndarray]]] = {}
    windows: dict[str, list[Any]] = {}
    for name in STATES:
        reduced = _states_for(probe_args, splits, ctx, name)
        data = {k: examples(splits[k], vectors) for k in ("val", "dev")}
        for k, rows in data.items():
            with_context(rows, splits[k], reduced[k])
            windows[k] = [(e.article, e.window) for e in rows]
        for seed in seeds:
            net, _ = load_best(ctx / run_name(name, seed, hidden), data["val"][0].x.shape[1])
            logits[(name, seed)] = {k: _predict(net, rows) for k, rows in data.items()}
    v3 = Decoding(outside=V3["outside"], merge=V3["merge"])  # type: ignore[arg-type]
    floor = None
    out: dict[str, Any] = {}
    for n in range(1, len(seeds) + 1):
        members = [(name, seed) for seed in seeds[:n] for name in STATES]
        probs = {k: _averaged(members, logits, k, windows[k], len(splits[k])) for k in windows}
        row: dict[str, Any] = {f"{k}_v3": measures(report(splits[k], probs[k], v3)) for k in probs}
        floor = floor or row["val_v3"]
        chosen, _ = choose(splits["val"], probs["val"], [v3, *fine_grid()], floor)
        row["chosen"] = {"outside": list(chosen.outside), "merge": chosen.merge}
        row.update({f"{k}_chosen": measures(report(splits[k], probs[k], chosen)) for k in probs})
        out["seeds_" + "_".join(map(str, seeds[:n]))] = row
        logger.info("seeds %s: %s", seeds[:n], row)
    return out


def _predict(net: nn.Module, rows: list[Any]) -> list[np.ndarray]:
    from claimscope.training.attribution import predict

    return predict(net, rows)


def _averaged(
    members: list[tuple[str, int]],
    logits: dict[tuple[str, int], dict[str, list[np.ndarray]]],
    split: str,
    windows: list[Any],
    articles: int,
) -> Any:
    """The log of the members' mean probabilities per window, as the graph gives them."""
    from claimscope.extract.attribution_tagger import softmax_roles
    from claimscope.training.attribution_select import probabilities

    mean = [
        np.log(np.clip(np.mean([softmax_roles(logits[m][split][i]) for m in members], axis=0),
                       1e-12, None)).reshape(-1, 3 * len(ROLES))
        for i in range(len(windows))
    ]  # fmt: skip
    return probabilities(articles, windows, mean)


def _input_dim(run: Path) -> int:
    saved = torch.load(run / "checkpoint.pt", weights_only=False)
    return int(saved["net"]["proj.0.weight"].shape[1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, help="the tagger folder")
    parser.add_argument("--claims", type=Path, default=None,
                        help="claim folder to edit (default: shipped)")  # fmt: skip
    parser.add_argument("--seeds", default="0", help="the probe runs' seeds, comma-separated")
    parser.add_argument("--hidden", type=int, default=64, help="the runs' GRU units each way")
    parser.add_argument("--reads", default=",".join(STATES),
                        help=f"the states each seed's networks read: layers of {', '.join(STATES)}"
                        f" or {BOTH}, comma-separated (default: a network per layer)")  # fmt: skip
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--measure", type=Path, default=None,
                        help="only measure the seeds' averages, into this JSON file")  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    seeds = [int(x) for x in args.seeds.split(",")]
    if args.measure:
        figures = measure_members(args.data_dir, seeds, args.hidden)
        args.measure.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        return
    if args.out is None:
        raise SystemExit("--out is needed to build the graph")
    graph = (args.claims or claims_folder()) / "model.onnx"
    reads = args.reads.split(",")
    part = build(args.data_dir, args.out, graph, args.threads, seeds, args.hidden, reads)
    card = json.loads((args.out / "card.json").read_text(encoding="utf-8"))
    card["context"] = part
    (args.out / "card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(part, indent=2))


if __name__ == "__main__":
    main()
