"""An attribution tagger of several trained networks in one ONNX graph: each network's O/B/I
probabilities, averaged.

Networks trained from other initial weights on the same articles err in different places;
the mean of their probabilities is a steadier tagger than either (PolNeAR validation and dev:
benchmarks/results/attribution.json). The first run is the tagger that shipped before: its
figures on validation are the floor the ensemble's decoding must keep. The graph gives the log
of the mean probabilities as its logits, so the run time
(``extract/attribution_tagger.softmax_roles``) reads an ensemble folder exactly as it reads a
single network's.

The members are training runs' checkpoints (``claimscope train attribution`` or
``train_member`` below, each under ``~/.cache/claimscope/attribution/<run>``) that share the
validation articles (the split seed), so validation still chooses the decoding on articles no
member saw::

    python -m claimscope.training.attribution_ensemble --runs run-attr-v2-14ep,run-attr-s1 \
        --out src/claimscope/models/attribution-tagger
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn

from claimscope.extract.attribution_decode import Decoding
from claimscope.extract.attribution_features import ROLES
from claimscope.models.folder import model_path
from claimscope.models.tagger import WordVectors
from claimscope.training.attribution import TaggerConfig, TaggerNet, examples, train_tagger
from claimscope.training.attribution_build import (
    BASE_VECTORS,
    DIMS,
    POLNEAR,
    _card,
    _measure,
    _split,
    export_and_measure,
    reduced_vectors,
)
from claimscope.training.attribution_data import prepare_split
from claimscope.training.attribution_select import choose, fine_grid, report, summary
from claimscope.training.teacher_base import cache_root

logger = logging.getLogger(__name__)

# The decoding of the single tagger (v2) the ensemble replaces; the first of ``runs`` is its
# network.
SHIPPED = Decoding(outside=(0.5, 0.5, 0.6), merge="tagger")


class Averaged(nn.Module):
    """Several ``TaggerNet``s read the same window; the log of their mean probabilities per
    role comes out, shaped as one network's ``(batch, words, 9)`` logits."""

    def __init__(self, nets: list[TaggerNet]) -> None:
        super().__init__()
        self.nets = nn.ModuleList(nets)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        probs = [
            torch.softmax(net(x, lengths).reshape(*x.shape[:2], len(ROLES), 3), dim=-1)
            for net in self.nets
        ]
        mean = torch.stack(probs).mean(dim=0)
        # The floor keeps log finite where every member is certain (softmax gives back mean).
        return torch.log(mean.clamp_min(1e-12)).reshape(*x.shape[:2], 3 * len(ROLES))


def _config(saved: dict[str, Any]) -> TaggerConfig:
    fields = TaggerConfig.__dataclass_fields__
    return TaggerConfig(**{k: v for k, v in saved.items() if k in fields})


def _split_seed(saved: dict[str, Any]) -> int:
    split = saved.get("split_seed")
    return int(saved["seed"] if split is None else split)


def load_member(run: Path, dim: int) -> tuple[TaggerNet, dict[str, Any]]:
    """A run's network (the weights of its last epoch) and its checkpoint's config and
    history."""
    if not (run / "checkpoint.pt").is_file():
        raise SystemExit(f"no checkpoint.pt in {run}")
    saved = torch.load(run / "checkpoint.pt", weights_only=False)
    net = TaggerNet(dim, _config(saved["config"]))
    net.load_state_dict(saved["net"])
    net.eval()
    info = {"run": run.name, "epochs_done": saved["epoch"], "config": saved["config"]}
    return net, {**info, "history": saved["history"]}


def load_best(run: Path, dim: int) -> tuple[TaggerNet, dict[str, Any]]:
    """A probe run's network at its best epoch (by validation) and what the card says of it."""
    if not (run / "checkpoint.pt").is_file():
        raise SystemExit(f"no checkpoint.pt in {run}: run the probe first")
    saved = torch.load(run / "checkpoint.pt", weights_only=False)
    net = TaggerNet(dim, _config(saved["config"]))
    net.load_state_dict(saved["best"]["state"])
    net.eval()
    info = {"run": run.name, "best_epoch": saved["best"]["epoch"], "config": saved["config"]}
    return net, {**info, "history": saved["history"]}


def _vectors() -> tuple[np.ndarray, np.ndarray, Path, WordVectors]:
    base = model_path(BASE_VECTORS)
    rows, scales = reduced_vectors(base, DIMS)
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    return rows, scales, base, WordVectors(tokenizer, rows.astype(np.float32) * scales[:, None])


def build_ensemble(data_dir: Path, out: Path, cache: Path, runs: list[str]) -> dict[str, Any]:
    """Average the runs' networks, choose the decoding on validation (split seed 0, as the
    members were trained), export the folder ``out`` and measure dev; the card."""
    torch.set_num_threads(1)  # the machine is shared
    root = data_dir / POLNEAR
    train, val = _split(prepare_split(root / "train", cache), 0)
    dev = prepare_split(root / "dev", cache)
    rows, scales, base, vectors = _vectors()
    val_x, dev_x = examples(val, vectors), examples(dev, vectors)
    members = [load_member(cache / run, val_x[0].x.shape[1]) for run in runs]
    splits = {m["run"]: _split_seed(m["config"]) for _, m in members}
    if any(s != 0 for s in splits.values()):
        raise SystemExit(f"members must keep split seed 0's validation articles: {splits}")
    net = Averaged([n for n, _ in members])
    net.eval()
    val_probs, _ = _measure(net, val_x, val, Decoding())
    # The first run, alone with the decoding it shipped with, is the floor: the one measure
    # below its target (source overlap F1) is raised, exact F1 and content linked may not
    # fall below the shipped tagger's on validation.
    first, _ = members[0]
    floor = summary(report(val, _measure(first, val_x, val, SHIPPED)[0], SHIPPED))
    decoding, tried = choose(val, val_probs, [SHIPPED, *fine_grid()], floor)
    worst, dev_reports = export_and_measure(net, out, (rows, scales, base), dev_x, dev, decoding)
    config = _config(members[0][1]["config"])
    card = _card(config, decoding, [], tried, dev_reports, worst, out, len(train), len(val))
    card.pop("history")
    card["members"] = [m for _, m in members]
    card["validation"]["floor"] = {"run": members[0][1]["run"], "decoding": "v2's", **floor}
    card["validation"]["chosen"] = next(
        t
        for t in tried
        if (t["outside"], t["merge"], t["min_score"])
        == (list(decoding.outside), decoding.merge, decoding.min_score)
    )
    card["validation"]["members_alone"] = {
        m["run"]: summary(report(val, _measure(n, val_x, val, decoding)[0], decoding))
        for n, m in members
    }
    (out / "card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card


def train_member(data_dir: Path, cache: Path, seed: int, epochs: int, run: str) -> None:
    """Train one more member: initial weights from ``seed``, split seed 0's validation
    articles, checkpointed under ``cache/run`` after each epoch (a stopped run resumes)."""
    torch.set_num_threads(1)
    config = TaggerConfig(epochs=epochs, seed=seed, split_seed=0, checkpoints=str(cache / run))
    train, val = _split(prepare_split(data_dir / POLNEAR / "train", cache), 0)
    _, _, _, vectors = _vectors()
    train_x, val_x = examples(train, vectors), examples(val, vectors)

    def score(n: TaggerNet) -> dict[str, float]:
        return summary(_measure(n, val_x, val, Decoding())[1])

    train_tagger(train_x, config, score)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--runs", required=True, help="checkpoint folders, comma-separated")
    parser.add_argument("--out", type=Path, help="the ensemble folder to write")
    parser.add_argument("--train-seed", type=int, default=None,
                        help="train the one run --runs names from this seed first")  # fmt: skip
    parser.add_argument("--epochs", type=int, default=12)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    cache = (args.cache_dir or cache_root()) / "attribution"
    runs = [r for r in args.runs.split(",") if r]
    if not (args.data_dir / POLNEAR / "train").is_dir():
        raise SystemExit(f"training data not found: {args.data_dir / POLNEAR / 'train'}")
    if args.train_seed is not None:
        if len(runs) != 1:
            raise SystemExit("--train-seed trains one run: name it alone in --runs")
        train_member(args.data_dir, cache, args.train_seed, args.epochs, runs[0])
        return
    if args.out is None:
        raise SystemExit("--out is needed to build an ensemble")
    card = build_ensemble(args.data_dir, args.out, cache, runs)
    print(json.dumps({k: card[k] for k in ("decoding", "validation")}, indent=2)[:4000])


if __name__ == "__main__":
    main()
