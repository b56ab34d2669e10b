"""The frozen layers' token states of every text a teacher run reads, cached on disk as fp16
shards (an interrupted caching pass goes on from its last shard), and the heads' logits
computed from them."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer

from claimscope.persuasion.techniques import KEYS as TECHNIQUES
from claimscope.training.encoding import token_batch
from claimscope.training.teacher_model import TeacherModel

# The teacher run's logger: the cache's progress is part of what a run logs.
logger = logging.getLogger("claimscope.training.teacher")


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
                    ids, mask = token_batch(tok, [texts[i] for i in idx])
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


@torch.no_grad()
def cached_logits(
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
