"""What the two static models (``claims-static`` and ``embed-static``) share: model2vec's
distillation of an encoder into token vectors, their storage, the folder's card and its
throughput."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from tokenizers import Tokenizer

logger = logging.getLogger(__name__)

# What a static model folder holds besides its card.
FILES = ["static.npz", "tokenizer.json"]


class DistillSettings(Protocol):
    """What a distillation reads from a config (StaticConfig and EmbedConfig both have it)."""

    pca_dims: int
    sif_coefficient: float
    vectors: str


def distill_vectors(encoder: Path, config: DistillSettings) -> tuple[np.ndarray, Tokenizer, Any]:
    """model2vec's static vectors (float32), their tokenizer, and the StaticModel itself."""
    from model2vec.distill import distill

    static = distill(
        str(encoder),
        pca_dims=config.pca_dims,
        sif_coefficient=config.sif_coefficient,
        device="cpu",
        quantize_to="float32",
    )
    if static.weights is not None or static.token_mapping is not None:
        raise RuntimeError(
            "expected plain token vectors from model2vec (no vocabulary quantization)"
        )
    tokenizer = Tokenizer.from_str(static.tokenizer.to_str())
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return np.asarray(static.embedding, dtype=np.float32), tokenizer, static


def quantize(vectors: np.ndarray, kind: str) -> dict[str, np.ndarray]:
    """The arrays that store ``vectors``: int8 with a scale per row, or float16."""
    if kind == "float16":
        return {"vectors": vectors.astype(np.float16)}
    if kind != "int8":
        raise ValueError(f"vectors must be int8 or float16, not {kind!r}")
    scales = np.abs(vectors).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    q = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    return {"vectors": q, "scales": scales.astype(np.float32)}


def distill_timed(
    encoder: Path, config: DistillSettings
) -> tuple[np.ndarray, Tokenizer, Any, float]:
    """:func:`distill_vectors`, and the seconds it took."""
    started = time.perf_counter()
    vectors, tokenizer, static = distill_vectors(encoder, config)
    seconds = time.perf_counter() - started
    logger.info("distilled %s vectors in %.0f s", vectors.shape, seconds)
    return vectors, tokenizer, static, seconds


def card_head(name: str, version: str) -> dict[str, Any]:
    """The first keys of a static model's card: its name, version, date, kind and files."""
    return {
        "name": name,
        "version": version,
        "created": dt.date.today().isoformat(),
        "kind": "static",
        "files": FILES,
    }


def start_folder(out: Path, tokenizer: Tokenizer, card: dict[str, Any]) -> None:
    """Write the tokenizer and a first card into ``out``, so that the run time's loader can
    open the folder while the rest is chosen."""
    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(out / "tokenizer.json"))
    write_card(out, card)


def throughput_sample(texts: Sequence[str], n: int) -> list[str]:
    """``n`` texts: ``texts`` repeated as often as needed."""
    return (list(texts) * (n // max(1, len(texts)) + 1))[:n]


def finish_folder(out: Path, card: dict[str, Any], files: Sequence[str]) -> dict[str, Any]:
    """Add the files' sizes to the card and write it; return it as it reads back."""
    card["files_bytes"] = {name: (out / name).stat().st_size for name in files}
    logger.info("wrote %s", out)
    return write_card(out, card)


def time_throughput(
    load: Callable[[], Any], run: Callable[[Any, list[str]], Any], texts: Sequence[str], runs: int
) -> dict[str, Any]:
    """Load a model (timed), warm it up, then time ``run(model, texts)`` ``runs`` times: the
    median wall time, the CPU time and the load average before each run."""
    started = time.perf_counter()
    model = load()
    load_s = time.perf_counter() - started
    batch = list(texts)
    run(model, batch[:256])  # warm-up
    seconds, cpu, load_avg = [], [], []
    for _ in range(runs):
        load_avg.append(os.getloadavg()[0])
        wall, proc = time.perf_counter(), time.process_time()
        run(model, batch)
        seconds.append(time.perf_counter() - wall)
        cpu.append(time.process_time() - proc)
    median = statistics.median(seconds)
    return {
        "sentences": len(batch),
        "runs": runs,
        "median_seconds": median,
        "sentences_per_s": len(batch) / median,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "load_average_before": load_avg,
        "load_seconds": load_s,
        "cpu_count": os.cpu_count(),
    }


def distillation_card(
    config: DistillSettings,
    vectors: np.ndarray,
    seconds: float,
    checked: int,
    cosine: np.ndarray,
    **extra: Any,
) -> dict[str, Any]:
    """The card's account of a model2vec distillation: settings, size, time, and how close the
    packed vectors stay to model2vec's own encoding (cosine over ``checked`` texts)."""
    return {
        "tool": f"model2vec {package_version('model2vec')} distill",
        "pca_dims": config.pca_dims,
        "sif_coefficient": config.sif_coefficient,
        "vocabulary": int(vectors.shape[0]),
        "dim": int(vectors.shape[1]),
        "stored_as": config.vectors,
        "seconds": seconds,
        **extra,
        "check_vs_model2vec_encode": {
            "texts": checked,
            "min_cosine": float(cosine.min()),
            "mean_cosine": float(cosine.mean()),
        },
    }


def write_card(out: Path, card: dict[str, Any]) -> dict[str, Any]:
    """Write ``out/card.json``; return the card as it reads back (tuples become lists)."""
    text = json.dumps(card, indent=2, ensure_ascii=False) + "\n"
    (out / "card.json").write_text(text, encoding="utf-8")
    return json.loads(text)


def package_version(package: str) -> str:
    from importlib.metadata import version

    return version(package)
