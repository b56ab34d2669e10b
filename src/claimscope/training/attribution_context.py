"""A probe: does the claim encoder's contextual token states lift the attribution tagger?

The shipped tagger reads static subword vectors (the same vector for "said" in every
sentence) and a few word features; its misses are mostly sources of actions read as reports
and reports with no cue it knows, which the words around a cue tell apart. The claim model
(``claims-minilm``) already runs over every sentence at analysis time, and its graph holds
token states: this probe adds them, as a graph output, to a copy of that graph (outside the
tree), reads each PolNeAR word's state (its first subword's, sentence by sentence, as the run
time tokenizes and truncates), reduces them by PCA fitted on train, and trains the tagger of
v2/v3 on today's inputs plus those columns. It measures, ships nothing::

    python -m claimscope.training.attribution_context --epochs 8

Everything it writes lives under ``~/.cache/claimscope/attribution/context/``: the edited
graph, the states (float16, one file per split and run of articles, so a rerun reuses them),
the PCA and the training run's checkpoints (a stopped run resumes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from claimscope.extract.attribution_features import TOKEN, Layout, first_subwords
from claimscope.models.batches import padded, read_tokenizer
from claimscope.models.folder import model_path

logger = logging.getLogger(__name__)

CLAIMS = "claims-minilm"
# Graph tensors added as outputs: the last encoder layer's token states (what the sentence
# heads pool) and the technique layer's (what the technique_tokens head reads).
STATES = {
    "encoder_states": "/encoder/encoder/layer.5/output/LayerNorm/LayerNormalization_output_0",
    "technique_states": "/technique_layer/output/LayerNorm/LayerNormalization_output_0",
}
# A network that reads every layer of STATES (each on its own PCA, side by side).
BOTH = "both"
CHUNK = 100  # articles per cached states file
BATCH = 32  # sentences per encoder call, as the scorer batches them


def context_graph(src: Path, dst: Path, tensors: dict[str, str] | None = None) -> Path:
    """Write ``src``'s graph to ``dst`` with each of ``tensors`` (output name -> graph tensor)
    also given as an output, through an Identity node; the graph's own outputs are kept
    as they are. Reused when ``dst`` exists."""
    if dst.is_file():
        return dst
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(src))
    graph = model.graph
    known = {o for n in graph.node for o in n.output}
    for name, tensor in (tensors or STATES).items():
        if tensor not in known:
            raise SystemExit(f"{src} has no tensor {tensor!r}: not the graph this probe reads")
        graph.node.append(helper.make_node("Identity", [tensor], [name], name=f"probe_{name}"))
        graph.output.append(
            helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", "tokens", 384])
        )
    onnx.checker.check_model(model)
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(".tmp")
    onnx.save(model, str(tmp))
    tmp.replace(dst)
    return dst


@dataclass(slots=True)
class Encoder:
    """The edited claim graph and the run time's tokenizer (the card's ``max_tokens``)."""

    session: Any
    tokenizer: Any
    names: list[str]

    @classmethod
    def open(cls, graph: Path, folder: Path, names: Sequence[str], threads: int = 2) -> Encoder:
        import onnxruntime as ort

        card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        tokenizer = read_tokenizer(folder, int(card.get("max_tokens", 128)))
        return cls(session, tokenizer, list(names))

    def states(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each text's token offsets ``(k, 2)`` (special tokens ``(-1, -1)``) and token states
        ``(k, dims)`` of every output in ``names``, concatenated, in input order."""
        encodings = self.tokenizer.encode_batch(list(texts))
        out: list[tuple[np.ndarray, np.ndarray]] = [(np.zeros((0, 2)), np.zeros(0))] * len(texts)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), BATCH):
            idx = order[start : start + BATCH]
            ids, mask, _ = padded([encodings[i] for i in idx])
            feeds = {"input_ids": ids, "attention_mask": mask}
            values = np.concatenate(self.session.run(self.names, feeds), axis=2)
            for row, i in enumerate(idx):
                enc = encodings[i]
                offsets = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
                offsets[np.asarray(enc.special_tokens_mask, dtype=bool)] = -1
                out[i] = (offsets, values[row, : len(enc.ids)])
        return out


def article_words(layout: Layout) -> list[tuple[int, int, int]]:
    """Every word of the layout's sentences as ``(sentence, start, end)``, in the order the
    tagger's windows hold them (extract/attribution_features.windows)."""
    return [
        (i, *m.span())
        for i, (start, end, _) in enumerate(layout.sentences)
        for m in TOKEN.finditer(layout.text, start, end)
    ]


def layout_states(encoder: Encoder, layout: Layout, dims: int) -> np.ndarray:
    """``(words, dims)`` float16: each word's first subword state, each sentence encoded
    alone as the scores stage encodes it (zeros for a word the truncation cut off)."""
    words = article_words(layout)
    out = np.zeros((len(words), dims), dtype=np.float16)
    texts = [layout.text[s:e] for s, e, _ in layout.sentences]
    by_sentence: dict[int, list[int]] = {}
    for k, (sent, _, _) in enumerate(words):
        by_sentence.setdefault(sent, []).append(k)
    for sent, (offsets, values) in enumerate(encoder.states(texts)):
        ks = by_sentence.get(sent, [])
        if not ks:
            continue
        base = layout.sentences[sent][0]
        rel = [(words[k][1] - base, words[k][2] - base) for k in ks]
        first = first_subwords(offsets, rel)
        found = first >= 0
        out[np.asarray(ks)[found]] = values[first[found]].astype(np.float16)
    return out


def _digest(layouts: Sequence[Layout]) -> str:
    key = "".join(f"{len(x.text)}:{len(x.sentences)};" for x in layouts)
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:12]


def graph_key(path: Path) -> str:
    """A digest of a claim graph's weights, less those a build adds for its ``token_states``
    output (named ``attribution_...``): cached states belong to the weights that gave them, and
    stay valid when the build edits the outputs."""
    import onnx

    h = hashlib.sha1(usedforsecurity=False)
    for init in sorted(onnx.load(str(path)).graph.initializer, key=lambda t: t.name):
        if not init.name.startswith("attribution_"):
            h.update(init.SerializeToString())
    return h.hexdigest()[:12]


def states_cache(ctx: Path, graph: Path) -> Path:
    """Where the states of the claim graph ``graph`` are cached under ``ctx``: its copy with the
    states as outputs (``claims-states.onnx``) and the states (``states/``). A new claim model
    gets a folder of its own, never another model's states."""
    return ctx / f"claims-{graph_key(graph)}"


def cached_states(
    encoder: Encoder, layouts: Sequence[Layout], cache: Path, name: str, dims: int
) -> list[np.ndarray]:
    """Every layout's word states, from ``cache`` where a earlier run left them: one file per
    ``CHUNK`` articles, so a stopped run keeps what it had done."""
    cache.mkdir(parents=True, exist_ok=True)
    digest, out = _digest(layouts), []
    for start in range(0, len(layouts), CHUNK):
        path = cache / f"states_{name}_{digest}_{start:05d}.npz"
        part = layouts[start : start + CHUNK]
        if not path.is_file():
            began = time.monotonic()
            arrays = [layout_states(encoder, x, dims) for x in part]
            tmp = path.with_name(path.name + ".tmp.npz")
            np.savez(tmp, *arrays)
            tmp.replace(path)
            logger.info(
                "%s: states of articles %d-%d in %.1f s",
                name, start, start + len(part), time.monotonic() - began,
            )  # fmt: skip
        with np.load(path) as data:
            out += [data[f"arr_{i}"] for i in range(len(part))]
    return out


def fit_pca(states: Sequence[np.ndarray], dims: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    """The mean, the first ``dims`` principal axes and one overall scale (so the columns
    come out near unit variance) of the rows of ``states`` (at most 200k rows sampled)."""
    rows = np.concatenate([s for s in states if len(s)]).astype(np.float32)
    rows = rows[np.abs(rows).sum(axis=1) > 0]  # truncated words are zeros, not data
    if len(rows) > 200_000:
        rows = rows[np.random.default_rng(seed).choice(len(rows), 200_000, replace=False)]
    mean = rows.mean(axis=0)
    _, _, axes = np.linalg.svd(rows - mean, full_matrices=False)
    projected = (rows - mean) @ axes[:dims].T
    scale = np.array([projected.std() or 1.0], dtype=np.float32)
    return mean, axes[:dims].astype(np.float32), scale


def project(states: np.ndarray, pca: tuple[np.ndarray, ...]) -> np.ndarray:
    """``states`` on the PCA's axes; a word with no state (all zeros) stays all zeros."""
    mean, axes, scale = pca
    x = states.astype(np.float32)
    out = (x - mean) @ axes.T / scale[0]
    out[np.abs(x).sum(axis=1) == 0] = 0.0
    return out.astype(np.float32)  # type: ignore[no-any-return]


def window_slices(layout: Layout) -> Iterator[slice]:
    """Each window's rows of the article's word states, in order."""
    from claimscope.extract.attribution_features import windows

    at = 0
    for window in windows(layout):
        yield slice(at, at + len(window.words))
        at += len(window.words)


def run_folder(states: str, dims: int, seed: int, hidden: int = 64, distil: float = 0.0) -> str:
    """The checkpoint folder's name of a probe run (v2's GRU width, 64, is left out)."""
    return (
        f"run-{states}-d{dims}-s{seed}"
        + ("" if hidden == 64 else f"-h{hidden}")
        + (f"-kd{distil:g}" if distil else "")
    )


def claims_folder() -> Path:
    return model_path(CLAIMS)


# ---- the probe: the tagger of v2/v3 with the states' columns added ----------------------

# v3's decoding (its card): what the shipped model is measured with.
V3 = {"outside": (0.4, 0.4, 0.5), "merge": "tagger"}
V3_RUNS = ("run-attr-v2-14ep", "run-attr-s1")


def with_context(data: list[Any], articles: Sequence[Any], states: Sequence[np.ndarray]) -> None:
    """Append to each example's inputs its words' reduced states (in place)."""
    slices: dict[int, Iterator[slice]] = {}
    for e in data:
        if e.article not in slices:
            slices[e.article] = window_slices(articles[e.article].layout)
        rows = states[e.article][next(slices[e.article])]
        if len(rows) != len(e.x):
            raise SystemExit(f"article {e.article}: {len(rows)} states for {len(e.x)} words")
        e.x = np.concatenate([e.x, rows], axis=1).astype(np.float32)


def measures(rep: dict[str, Any]) -> dict[str, float]:
    """The summary of a report with the source overlap's precision and recall."""
    from claimscope.training.attribution_select import summary

    overlap = rep["source"]["overlap"]
    return {
        **summary(rep),
        "source_overlap_p": round(overlap["precision"], 4),
        "source_overlap_r": round(overlap["recall"], 4),
    }


def split_states(
    splits: dict[str, list[Any]], ctx: Path, threads: int
) -> dict[str, list[np.ndarray]]:
    """Each split's word states of the shipped claim graph, every layer of ``STATES`` side by
    side (384 columns each), from its cache folder under ``ctx`` (computed where missing)."""
    graph = claims_folder() / "model.onnx"
    where = states_cache(ctx, graph)
    encoder = Encoder.open(
        context_graph(graph, where / "claims-states.onnx"), claims_folder(), list(STATES), threads
    )
    began = time.monotonic()
    raw = {
        k: cached_states(encoder, [p.layout for p in v], where / "states", k, 384 * len(STATES))
        for k, v in splits.items()
    }
    logger.info("states ready in %.1f s", time.monotonic() - began)
    return raw


def layer_columns(states: np.ndarray, layer: str) -> np.ndarray:
    """The 384 columns of one layer of ``STATES`` in ``split_states``' rows."""
    col = list(STATES).index(layer) * 384
    return states[:, col : col + 384]


def _states_for(
    args: argparse.Namespace, splits: dict[str, list[Any]], ctx: Path, which: str | None = None
) -> Any:
    """Each split's word states of ``which`` (default ``args.states``), reduced by a PCA fitted
    on train."""
    raw = split_states(splits, ctx, args.threads)
    which = which or args.states
    # "both": each layer on its own PCA, side by side, as the claim graph's token_states.
    layers = list(STATES) if which == BOTH else [which]
    reduced: dict[str, list[list[np.ndarray]]] = {k: [[] for _ in v] for k, v in raw.items()}
    for name in layers:
        picked = {k: [layer_columns(s, name) for s in v] for k, v in raw.items()}
        pca = fit_pca(picked["train"], args.dims)
        for k, v in picked.items():
            for i, s in enumerate(v):
                reduced[k][i].append(project(s, pca))
    return {k: [np.concatenate(p, axis=1) for p in v] for k, v in reduced.items()}


def run_probe(args: argparse.Namespace) -> dict[str, Any]:
    """Train the tagger with the states' columns; its figures on validation and dev."""
    import dataclasses

    import torch

    from claimscope.extract.attribution_decode import Decoding
    from claimscope.training.attribution import TaggerConfig, TaggerNet, examples, train_tagger
    from claimscope.training.attribution_build import POLNEAR, _measure, _split
    from claimscope.training.attribution_data import prepare_split
    from claimscope.training.attribution_ensemble import _vectors
    from claimscope.training.attribution_select import choose, fine_grid, report, summary

    torch.set_num_threads(args.threads)
    cache = args.cache / "attribution"
    ctx = cache / "context"
    root = args.data_dir / POLNEAR
    train, val = _split(prepare_split(root / "train", cache), 0)
    dev = prepare_split(root / "dev", cache)
    splits = {"train": train, "val": val, "dev": dev}
    reduced = _states_for(args, splits, ctx)
    _, _, _, vectors = _vectors()
    data = {k: examples(v, vectors) for k, v in splits.items()}
    # v3's members read the same windows without the states: their logits come first.
    members = v3_logits(data, cache) if args.with_v3 else {}
    for k in splits:
        with_context(data[k], splits[k], reduced[k])
    if args.distil:
        for e, soft in zip(data["train"], shipped_probabilities(splits["train"], ctx), strict=True):
            e.soft = soft
    run = run_folder(args.states, args.dims, args.seed, args.hidden, args.distil)
    config = TaggerConfig(
        epochs=args.epochs,
        seed=args.seed,
        hidden=args.hidden,
        checkpoints=str(ctx / run),
        distil=args.distil,
    )

    def score(n: TaggerNet) -> dict[str, float]:
        return summary(_measure(n, data["val"], val, Decoding())[1])

    net, history = train_tagger(data["train"], config, score)
    v3 = Decoding(outside=V3["outside"], merge=V3["merge"])  # type: ignore[arg-type]
    val_probs, _ = _measure(net, data["val"], val, v3)
    dev_probs, _ = _measure(net, data["dev"], dev, v3)
    out: dict[str, Any] = {
        "run": run,
        "history": history,
        "validation_v3_decoding": measures(report(val, val_probs, v3)),
        "dev_v3_decoding": measures(report(dev, dev_probs, v3)),
    }
    if args.choose:
        chosen, tried = choose(val, val_probs, [v3, *fine_grid()])
        out["chosen_decoding"] = dataclasses.asdict(chosen)
        out["validation_chosen"] = measures(report(val, val_probs, chosen))
        out["dev_chosen"] = measures(report(dev, dev_probs, chosen))
        out["decodings_tried"] = len(tried)
    if members:
        names = [*V3_RUNS, run]
        out["with_v3_members"] = _with_members(net, data, splits, members, v3, names)
    if args.pair:
        other, names = _pair_logits(args, splits, ctx, vectors, config), [args.pair, run]
        out["with_pair"] = _with_members(net, data, splits, other, v3, names)
    return out


def shipped_probabilities(articles: list[Any], ctx: Path) -> list[np.ndarray]:
    """The mean O/B/I probabilities of v4's networks (a network per layer of ``STATES``,
    seed 0, their best epochs) on every window of ``articles``, in ``examples``' order: the
    teacher of a distilling run."""
    from claimscope.extract.attribution_tagger import softmax_roles
    from claimscope.training.attribution import examples, predict
    from claimscope.training.attribution_ensemble import _vectors, load_best

    _, _, _, vectors = _vectors()
    every = []
    for name in STATES:
        args = argparse.Namespace(threads=2, states=name, dims=128)
        reduced = _states_for(args, {"train": articles}, ctx, name)
        rows = examples(articles, vectors)
        with_context(rows, articles, reduced["train"])
        net, _ = load_best(ctx / run_folder(name, 128, 0), rows[0].x.shape[1])
        every.append([softmax_roles(z) for z in predict(net, rows)])
    return [np.mean(p, axis=0).astype(np.float32) for p in zip(*every, strict=True)]


def v3_logits(data: dict[str, list[Any]], cache: Path) -> dict[str, list[list[np.ndarray]]]:
    """The logits of v3's two networks (their training runs' checkpoints under ``cache``,
    as the ensemble module reads them) on the validation and dev windows."""
    from claimscope.training.attribution import predict
    from claimscope.training.attribution_ensemble import load_member

    dim = data["val"][0].x.shape[1]
    nets = [load_member(cache / run, dim)[0] for run in V3_RUNS]
    return {k: [predict(n, data[k]) for n in nets] for k in ("val", "dev")}


def _pair_logits(
    args: argparse.Namespace, splits: dict[str, list[Any]], ctx: Path, vectors: Any, config: Any
) -> dict[str, list[list[np.ndarray]]]:
    """The logits, on validation and dev, of the run of the same settings that read the other
    states (``args.pair``), trained already: its checkpoint gives back its best epoch."""
    import dataclasses

    from claimscope.training.attribution import examples, predict, train_tagger

    reduced = _states_for(args, splits, ctx, args.pair)
    data = {k: examples(v, vectors) for k, v in splits.items()}
    for k in splits:
        with_context(data[k], splits[k], reduced[k])
    run = ctx / run_folder(args.pair, args.dims, args.seed, args.hidden)
    if not (run / "checkpoint.pt").is_file():
        raise SystemExit(f"no trained run {run}: train it first with --states {args.pair}")
    saved = __import__("torch").load(run / "checkpoint.pt", weights_only=False)
    pair = dataclasses.replace(config, epochs=saved["epoch"], checkpoints=str(run))
    net, _ = train_tagger(data["train"], pair, lambda _: {"score": 0.0})
    return {k: [predict(net, data[k])] for k in ("val", "dev")}


def _with_members(
    net: Any,
    data: dict[str, list[Any]],
    splits: dict[str, list[Any]],
    members: Any,
    v3: Any,
    names: list[str],
) -> dict[str, Any]:
    """The context network as a third member of v3's ensemble (the log of the three mean
    probabilities, as the ensemble graph gives them): validation and dev with v3's decoding,
    and with the decoding validation chooses."""
    from claimscope.extract.attribution_tagger import softmax_roles
    from claimscope.training.attribution import predict
    from claimscope.training.attribution_select import choose, fine_grid, probabilities, report

    out: dict[str, Any] = {"members": names}
    probs = {}
    for k in ("val", "dev"):
        every = [*members[k], predict(net, data[k])]
        mean = [
            np.log(np.clip(np.mean([softmax_roles(m[i]) for m in every], axis=0), 1e-12, None))
            for i in range(len(data[k]))
        ]
        logits = [z.reshape(len(z), -1) for z in mean]
        windows = [(e.article, e.window) for e in data[k]]
        probs[k] = probabilities(len(splits[k]), windows, logits)
    for k in ("val", "dev"):
        out[f"{k}_v3_decoding"] = measures(report(splits[k], probs[k], v3))
    chosen, _ = choose(splits["val"], probs["val"], [v3, *fine_grid()])
    out["chosen_decoding"] = {"outside": list(chosen.outside), "merge": chosen.merge,
                              "min_score": chosen.min_score}  # fmt: skip
    for k in ("val", "dev"):
        out[f"{k}_chosen"] = measures(report(splits[k], probs[k], chosen))
    return out


def time_extra_output(n: int = 256, threads: int = 2) -> dict[str, float]:
    """Milliseconds per sentence of the claim graph with its own outputs (all, or the sentence
    heads' alone as with techniques off), and with a states output added (one pass either
    way), over ``n`` sentences of a made-up text."""
    folder = claims_folder()
    where = states_cache(cache_context(), folder / "model.onnx")
    graph = context_graph(folder / "model.onnx", where / "claims-states.onnx")
    words = "The minister said on Tuesday that the plan would cut costs by a third".split()
    texts = [" ".join(words[: 6 + i % len(words)] * (1 + i % 3)) for i in range(n)]
    own = ["checkworthiness", "subjectivity", "embedding", "techniques", "technique_tokens"]
    sentence = own[:3]  # what the scores stage asks for with techniques off
    cases = {
        "claims_outputs": own,
        "with_technique_states": [*own, "technique_states"],
        "with_encoder_states": [*own, "encoder_states"],
        "sentence_outputs": sentence,
        "sentence_with_encoder_states": [*sentence, "encoder_states"],
        "sentence_with_technique_states": [*sentence, "technique_states"],
    }
    sessions = {k: Encoder.open(graph, folder, v, threads=threads) for k, v in cases.items()}
    encodings = sessions["claims_outputs"].tokenizer.encode_batch(texts)
    batches = [padded(encodings[k : k + BATCH]) for k in range(0, n, BATCH)]
    best: dict[str, float] = {}
    for _ in range(3):  # rounds of every case in turn: the least of each is the least noisy
        for label, enc in sessions.items():
            enc.session.run(
                enc.names, {"input_ids": batches[0][0], "attention_mask": batches[0][1]}
            )
            began = time.monotonic()
            for ids, mask, _ in batches:
                enc.session.run(enc.names, {"input_ids": ids, "attention_mask": mask})
            ms = 1000 * (time.monotonic() - began) / n
            best[label] = min(best.get(label, ms), ms)
    return {f"{k}_ms_per_sentence": round(v, 3) for k, v in best.items()}


def cache_context() -> Path:
    from claimscope.training.teacher_base import cache_root

    return cache_root() / "attribution" / "context"


def main(argv: list[str] | None = None) -> None:
    from claimscope.training.teacher_base import cache_root

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--cache", type=Path, default=cache_root())
    parser.add_argument("--states", choices=[*STATES, BOTH], default="technique_states")
    parser.add_argument("--dims", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hidden", type=int, default=64, help="GRU units each way")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--choose", action="store_true", help="also choose a decoding on val")
    parser.add_argument(
        "--distil", type=float, default=0.0, help="weight of v4's probabilities against gold"
    )
    parser.add_argument("--with-v3", action="store_true", help="also with v3's two networks")
    parser.add_argument("--pair", choices=list(STATES), help="also averaged with that run")
    parser.add_argument("--time-only", action="store_true", help="only time the extra output")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.time_only:
        print(json.dumps(time_extra_output(threads=args.threads)))
        return
    from claimscope.training.attribution_build import POLNEAR

    if not (args.data_dir / POLNEAR / "train").is_dir():
        raise SystemExit(f"training data not found: {args.data_dir / POLNEAR / 'train'}")
    out = run_probe(args)
    text = json.dumps(out, indent=2)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
