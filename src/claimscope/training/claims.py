"""Train the multi-task sentence model: one MiniLM encoder with a check-worthiness head, a
subjectivity head and, given PTC articles, persuasion-technique heads (sentence and token level).

Seeded and reproducible on CPU. Model selection (epoch, thresholds) uses a validation split cut
from the CT24 training file, the CT25 ``dev`` file and validation articles of PTC; the files given
as ``report_*`` (and the PTC dev articles) are only scored at the end, never used to choose.
"""

from __future__ import annotations

import copy
import json
import logging
import random
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn
from transformers import AutoModel

from claimscope.evaluation.claim_data import Example, deduplicate, read_examples
from claimscope.metrics import best_threshold, binary_scores, macro_f1_score
from claimscope.persuasion.techniques import KEYS as TECHNIQUES
from claimscope.training import persuasion
from claimscope.training.hardware import cpu_state, device, load_state, model_device

logger = logging.getLogger(__name__)

TASKS = ("checkworthiness", "subjectivity")


@dataclass(slots=True)
class TrainConfig:
    """Hyper-parameters of a training run (stored in the model card)."""

    epochs: int = 3
    batch_size: int = 32
    lr: float = 5e-5
    head_lr: float = 1e-3
    max_len: int = 96
    seed: int = 0
    val_fraction: float = 0.1
    subj_oversample: int = 4
    warmup: float = 0.1
    limit: int | None = None  # for smoke tests: this many examples per task at most
    # Check-worthiness examples drawn per epoch (None: all); a warm start replays a sample.
    checkworthiness_per_epoch: int | None = None
    token_loss_weight: float = 1.0
    # Positive-class weights for the technique heads (sqrt(neg/pos), capped); 0 turns them off.
    technique_weight_cap: float = 10.0
    # Technique heads on their own copy of the top encoder layer, everything else frozen (the
    # claim heads keep their scores exactly; one extra layer of inference).
    technique_branch: bool = False
    # Distillation: weight of the soft loss against the teacher's scores (0: no teacher), and
    # the unlabelled pool sentences drawn per epoch (None: all).
    distil_weight: float = 0.0
    pool_per_epoch: int | None = None
    threads: int = 2
    extra: dict[str, Any] = field(default_factory=dict)


class ClaimModel(nn.Module):
    """Encoder, mean pooling, one logit per task; the exported graph returns probabilities.

    With ``techniques``, two more heads: sentence logits (any technique, then one per
    technique) on the pooled vector, and per-token technique logits on the token states.
    """

    def __init__(self, base: str, *, techniques: bool = False, branch: bool = False) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(base)
        hidden = self.encoder.config.hidden_size
        self.heads = nn.ModuleDict({task: nn.Linear(hidden, 1) for task in TASKS})
        self.techniques = techniques
        self.branch = branch
        if techniques:
            self.technique_head = nn.Linear(hidden, len(TECHNIQUES) + 1)
            self.token_head = nn.Linear(hidden, len(TECHNIQUES))
        if branch:
            top = self.encoder.encoder.layer[-1]
            self.technique_layer = copy.deepcopy(top)
            self._top_inputs: tuple[torch.Tensor, Any] | None = None
            top.register_forward_pre_hook(self._keep_top_inputs)

    def _keep_top_inputs(self, module: nn.Module, args: tuple[Any, ...]) -> None:
        # The branch layer runs on exactly what the top layer gets (states and the prepared
        # attention mask), so the mask logic stays the library's.
        self._top_inputs = (args[0], args[1] if len(args) > 1 else None)

    def technique_states(
        self, states: torch.Tensor, pooled: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The token states and pooled vector the technique heads read."""
        if not self.branch:
            return states, pooled
        assert self._top_inputs is not None
        hidden, mask = self._top_inputs
        out = self.technique_layer(hidden, mask)
        out = out[0] if isinstance(out, tuple) else out
        weights = attention_mask.unsqueeze(-1).to(out.dtype)
        return out, (out * weights).sum(1) / weights.sum(1).clamp(min=1.0)

    def encode(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Token states and their masked mean."""
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(out.dtype)
        return out, (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.encode(input_ids, attention_mask)[1]

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        states, pooled = self.encode(input_ids, attention_mask)
        out = {task: head(pooled).squeeze(-1) for task, head in self.heads.items()}
        if self.techniques:
            t_states, t_pooled = self.technique_states(states, pooled, attention_mask)
            out["techniques"] = self.technique_head(t_pooled)
            out["technique_tokens"] = self.token_head(t_states)
        return out


class _Export(nn.Module):
    """The graph that ships: probabilities per task and the normalized sentence embedding."""

    def __init__(self, model: ClaimModel) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, ...]:
        states, pooled = self.model.encode(input_ids, attention_mask)
        probs = [torch.sigmoid(self.model.heads[t](pooled).squeeze(-1)) for t in TASKS]
        embedding = nn.functional.normalize(pooled, dim=-1)
        if not self.model.techniques:
            return (*probs, embedding)
        t_states, t_pooled = self.model.technique_states(states, pooled, attention_mask)
        return (
            *probs,
            embedding,
            torch.sigmoid(self.model.technique_head(t_pooled)),
            torch.sigmoid(self.model.token_head(t_states)),
        )


def output_names(techniques: bool) -> list[str]:
    """The exported graph's outputs, in order."""
    return [*TASKS, "embedding", *(["techniques", "technique_tokens"] if techniques else [])]


def load_tokenizer(path: Path, max_len: int) -> Tokenizer:
    """The encoder's tokenizer as the run time uses it: truncated, no fixed padding."""
    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.enable_truncation(max_len)
    return tok


def _batch(tok: Tokenizer, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    enc = tok.encode_batch(list(texts))
    width = max(len(e.ids) for e in enc)
    ids = torch.zeros((len(enc), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, e in enumerate(enc):
        ids[i, : len(e.ids)] = torch.tensor(e.ids)
        mask[i, : len(e.ids)] = 1
    return ids, mask


@torch.no_grad()
def predict(model: ClaimModel, tok: Tokenizer, texts: Sequence[str], task: str) -> list[float]:
    """Probabilities of the positive class for ``task``, in input order."""
    model.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = [0.0] * len(texts)
    for start in range(0, len(order), 64):
        idx = order[start : start + 64]
        ids, mask = _batch(tok, [texts[i] for i in idx])
        where = model_device(model)
        probs = torch.sigmoid(model(ids.to(where), mask.to(where))[task]).tolist()
        for i, p in zip(idx, probs, strict=True):
            out[i] = p
    return out


def _split(
    examples: list[Example], fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """A stratified split: (train, validation)."""
    rng = random.Random(seed)
    train, val = [], []
    for label in (0, 1):
        group = [e for e in examples if e.label == label]
        rng.shuffle(group)
        cut = round(len(group) * fraction)
        val += group[:cut]
        train += group[cut:]
    rng.shuffle(train)
    return train, val


def _evaluate(
    model: ClaimModel,
    tok: Tokenizer,
    cw_val: list[Example],
    subj_val: list[Example],
    ptc_val: Sequence[persuasion.Sentence] = (),
) -> dict[str, Any]:
    return validation_figures(
        cw_val,
        predict(model, tok, [e.text for e in cw_val], "checkworthiness"),
        subj_val,
        predict(model, tok, [e.text for e in subj_val], "subjectivity"),
        ptc_val,
        np.array(predict(model, tok, [s.text for s in ptc_val], "techniques")) if ptc_val else None,
    )


def validation_figures(
    cw_val: Sequence[Example],
    cw_scores: Sequence[float],
    subj_val: Sequence[Example],
    subj_scores: Sequence[float],
    ptc_val: Sequence[persuasion.Sentence] = (),
    ptc_probs: np.ndarray | None = None,
) -> dict[str, Any]:
    """Per-task validation figures at each task's best threshold, from a model's scores."""
    cw_t, cw_f1 = best_threshold([e.label for e in cw_val], list(cw_scores), metric="f1")
    subj_t, subj_f1 = best_threshold(
        [e.label for e in subj_val], list(subj_scores), metric="macro_f1"
    )
    out: dict[str, Any] = {
        "checkworthiness": {"threshold": cw_t, "f1": cw_f1},
        "subjectivity": {"threshold": subj_t, "macro_f1": subj_f1},
    }
    if ptc_val and ptc_probs is not None:
        out["persuasion"] = persuasion.sentence_scores([s.techniques for s in ptc_val], ptc_probs)
    return out


def _selection_key(val: dict[str, Any]) -> float:
    """One model serves every task: select on the mean of their validation scores."""
    values = [val["checkworthiness"]["f1"], val["subjectivity"]["macro_f1"]]
    if "persuasion" in val:
        values += [val["persuasion"]["binary_f1"], val["persuasion"]["micro_f1"]]
    return float(np.mean(values))


def _soft_loss(
    outputs: dict[str, torch.Tensor],
    texts: Sequence[str],
    soft: Mapping[str, np.ndarray],
    where: torch.device,
) -> torch.Tensor:
    """Binary cross-entropy of every sentence head against the teacher's probabilities, over
    the batch's texts that the teacher scored (the others add nothing)."""
    rows = [i for i, t in enumerate(texts) if t in soft]
    if not rows:
        return torch.zeros((), device=where)
    target = torch.sigmoid(torch.tensor(np.stack([soft[texts[i]] for i in rows]), device=where))
    heads = [outputs["checkworthiness"][rows, None], outputs["subjectivity"][rows, None]]
    if "techniques" in outputs:
        heads.append(outputs["techniques"][rows])
    student = torch.cat(heads, dim=1)
    return nn.functional.binary_cross_entropy_with_logits(student, target[:, : student.shape[1]])


def train(
    *,
    checkworthiness: Sequence[Path],
    subjectivity_train: Path,
    subjectivity_dev: Path,
    base: Path,
    out: Path,
    config: TrainConfig,
    extra_checkworthiness: Sequence[Path] = (),
    held_out: Sequence[Path] = (),
    techniques_train: Sequence[persuasion.Sentence] = (),
    techniques_validation: Sequence[persuasion.Sentence] = (),
    init: Path | None = None,
    soft: Mapping[str, np.ndarray] | None = None,
    pool: Sequence[str] = (),
) -> dict[str, Any]:
    """Fine-tune, pick the best epoch on validation data, and save the torch model under ``out``.

    ``extra_checkworthiness`` files (ClaimBuster) are deduplicated against the CT24 training
    data and against every ``held_out`` file: ClaimBuster shares CT24's sentences, dev included.
    ``techniques_*`` (PTC sentences) add the persuasion heads. ``init`` warm-starts from the
    ``model.pt`` of an earlier run (heads it lacks start fresh).
    """
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)

    cw: list[Example] = []
    for path in checkworthiness:
        cw += read_examples(path)
    reported: list[Example] = []
    for path in held_out:
        reported += read_examples(path)
    extra: list[Example] = []
    for path in extra_checkworthiness:
        extra += deduplicate(read_examples(path), cw + extra + reported)
    cw_train, cw_val = _split(cw, config.val_fraction, config.seed)
    cw_train += extra
    subj_train = read_examples(subjectivity_train)
    subj_val = read_examples(subjectivity_dev)
    ptc_train, ptc_val = list(techniques_train), list(techniques_validation)
    if config.limit:
        cw_train, cw_val = cw_train[: config.limit], cw_val[: config.limit // 4 or 8]
        subj_train, subj_val = subj_train[: config.limit], subj_val[: config.limit // 4 or 8]
        ptc_train, ptc_val = ptc_train[: config.limit], ptc_val[: config.limit // 4 or 8]
    logger.info(
        "check-worthiness: %d train (%d from extra files after dedup), %d validation; "
        "subjectivity: %d train, %d dev; techniques: %d train, %d validation sentences",
        len(cw_train),
        len(extra),
        len(cw_val),
        len(subj_train),
        len(subj_val),
        len(ptc_train),
        len(ptc_val),
    )

    tok = load_tokenizer(base / "tokenizer.json", config.max_len)
    branch = config.technique_branch and bool(ptc_train)
    model = ClaimModel(str(base), techniques=bool(ptc_train), branch=branch)
    if init is not None:
        missing, unexpected = model.load_state_dict(load_state(init / "model.pt"), strict=False)
        if unexpected:
            raise ValueError(f"{init}/model.pt does not fit this model: {unexpected[:3]}")
        logger.info("warm start from %s (new: %s)", init, ", ".join(missing) or "none")
        if branch and any(k.startswith("technique_layer.") for k in missing):
            # The branch starts as the (fine-tuned) top layer it runs beside.
            model.technique_layer.load_state_dict(model.encoder.encoder.layer[-1].state_dict())
    if branch:
        # Only the branch and the technique heads learn; the claim heads' scores stay exact.
        for p in model.parameters():
            p.requires_grad_(False)
        for module in (model.technique_layer, model.technique_head, model.token_head):
            for p in module.parameters():
                p.requires_grad_(True)
        groups = [
            {"params": list(model.technique_layer.parameters()), "lr": config.lr},
            {
                "params": [*model.technique_head.parameters(), *model.token_head.parameters()],
                "lr": config.head_lr,
            },
        ]
    else:
        encoder_ids = {id(p) for p in model.encoder.parameters()}
        groups = [
            {"params": list(model.encoder.parameters()), "lr": config.lr},
            {
                "params": [p for p in model.parameters() if id(p) not in encoder_ids],
                "lr": config.head_lr,
            },
        ]
    where = device()
    model.to(where)
    optimizer = torch.optim.AdamW(groups, weight_decay=0.01)
    rng = random.Random(config.seed)
    unlabelled = list(pool)

    def epoch_batches() -> list[tuple[str, list[Any]]]:
        batches: list[tuple[str, list[Any]]] = []
        cw_pool = cw_train
        if config.checkworthiness_per_epoch:
            cw_pool = rng.sample(cw_train, min(len(cw_train), config.checkworthiness_per_epoch))
        tasks: list[tuple[str, list[Any], int]] = [("techniques", list(ptc_train), 1)]
        if unlabelled and soft is not None and config.distil_weight:
            n = min(len(unlabelled), config.pool_per_epoch or len(unlabelled))
            tasks.append(("pool", rng.sample(unlabelled, n), 1))
        if not branch:  # with a branch, the claim heads are frozen: nothing to train
            tasks += [
                ("checkworthiness", list(cw_pool), 1),
                ("subjectivity", list(subj_train), config.subj_oversample),
            ]
        for task, data, repeat in tasks:
            for _ in range(repeat):
                pool = data[:]
                rng.shuffle(pool)
                batches += [
                    (task, pool[i : i + config.batch_size])
                    for i in range(0, len(pool), config.batch_size)
                ]
        rng.shuffle(batches)
        return batches

    steps_per_epoch = len(epoch_batches())
    total = steps_per_epoch * config.epochs
    warmup = max(1, int(total * config.warmup))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    loss_fn = nn.BCEWithLogitsLoss()
    token_loss_fn = nn.BCEWithLogitsLoss(reduction="none")
    technique_loss_fn = loss_fn
    if ptc_train and config.technique_weight_cap:
        weights = persuasion.class_weights(ptc_train, config.technique_weight_cap)
        logger.info("technique class weights: %s", [round(w, 2) for w in weights.tolist()])
        technique_loss_fn = nn.BCEWithLogitsLoss(
            pos_weight=torch.cat([torch.ones(1), weights]).to(where)
        )
        token_loss_fn = nn.BCEWithLogitsLoss(reduction="none", pos_weight=weights.to(where))
    history = []
    best: tuple[float, dict[str, Any], dict[str, torch.Tensor]] | None = None
    for epoch in range(1, config.epochs + 1):
        model.train()
        if branch:
            model.encoder.eval()  # frozen: no dropout, so the branch sees run-time states
        started, losses = time.perf_counter(), []
        for step, (task, batch) in enumerate(epoch_batches(), start=1):
            if task == "techniques":
                ids, mask, sent, tokens, token_mask = (
                    t.to(where) for t in persuasion.batch(tok, batch)
                )
                outputs = model(ids, mask)
                token_loss = token_loss_fn(outputs["technique_tokens"], tokens).mean(-1)
                token_loss = (token_loss * token_mask).sum() / token_mask.sum().clamp(min=1.0)
                loss = (
                    technique_loss_fn(outputs["techniques"], sent)
                    + config.token_loss_weight * token_loss
                )
            elif task == "pool":
                ids, mask = _batch(tok, batch)
                outputs = model(ids.to(where), mask.to(where))
                loss = torch.zeros((), device=where)
            else:
                ids, mask = _batch(tok, [e.text for e in batch])
                outputs = model(ids.to(where), mask.to(where))
                gold = torch.tensor([float(e.label) for e in batch], device=where)
                loss = loss_fn(outputs[task], gold)
            if soft is not None and config.distil_weight:
                texts = [x if isinstance(x, str) else x.text for x in batch]
                loss = loss + config.distil_weight * _soft_loss(outputs, texts, soft, where)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            losses.append(loss.item())
            if step % 100 == 0:
                logger.info(
                    "epoch %d step %d/%d loss %.4f",
                    epoch,
                    step,
                    steps_per_epoch,
                    np.mean(losses[-100:]),
                )
        val = _evaluate(model, tok, cw_val, subj_val, ptc_val)
        seconds = time.perf_counter() - started
        history.append({"epoch": epoch, "loss": float(np.mean(losses)), "seconds": seconds, **val})
        logger.info("epoch %d: %s (%.0f s)", epoch, val, seconds)
        key = _selection_key(val)
        if best is None or key > best[0]:
            best = (key, val, cpu_state(model))
        out.mkdir(parents=True, exist_ok=True)
        torch.save(cpu_state(model), out / f"epoch{epoch}.pt")  # to resume by hand
    assert best is not None
    model.load_state_dict(best[2])
    out.mkdir(parents=True, exist_ok=True)
    torch.save(best[2], out / "model.pt")
    shutil.copy(base / "tokenizer.json", out / "tokenizer.json")
    summary = {
        "config": {k: getattr(config, k) for k in config.__slots__},  # type: ignore[attr-defined]
        "init": str(init) if init else None,
        "data": {
            "checkworthiness": [str(p) for p in checkworthiness],
            "checkworthiness_extra": [str(p) for p in extra_checkworthiness],
            "subjectivity_train": str(subjectivity_train),
            "subjectivity_dev": str(subjectivity_dev),
            "sizes": {
                "checkworthiness_train": len(cw_train),
                "checkworthiness_validation": len(cw_val),
                "checkworthiness_extra_after_dedup": len(extra),
                "subjectivity_train": len(subj_train),
                "subjectivity_dev": len(subj_val),
                "techniques_train_sentences": len(ptc_train),
                "techniques_validation_sentences": len(ptc_val),
                "unlabelled_pool": len(pool) if soft is not None else 0,
                "teacher_scored_texts": len(soft) if soft is not None else 0,
            },
        },
        "history": history,
        "selected": best[1],
        "techniques": bool(ptc_train),
        "technique_branch": branch,
        "validation_texts": {
            "checkworthiness": [[e.text, e.label] for e in cw_val],
            "subjectivity": [[e.text, e.label] for e in subj_val],
        },
    }
    (out / "training.json").write_text(json.dumps(summary, indent=1))
    return summary


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
        str(base), techniques=techniques, branch=bool(summary.get("technique_branch"))
    )
    model.load_state_dict(load_state(trained / "model.pt"))
    model.eval()
    tok = load_tokenizer(trained / "tokenizer.json", max_len)
    out.mkdir(parents=True, exist_ok=True)
    fp32 = trained / "model.fp32.onnx"
    ids, mask = _batch(tok, ["A sample sentence.", "Another, longer sample sentence for export."])
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
        ids, mask = _batch(tok, texts[start : start + 64])
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
    tok = load_tokenizer(base / "tokenizer.json", 96)

    @torch.no_grad()
    def embed(texts: list[str]) -> np.ndarray:
        vecs = []
        for start in range(0, len(texts), 64):
            ids, mask = _batch(tok, texts[start : start + 64])
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
