"""Persuasion-technique training data: PTC sentences (and SemEval-2021 task 6 meme texts) with
sentence and token labels, and the class weights that keep rare techniques from being ignored."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer

from claimscope.evaluation.ptc import Article
from claimscope.persuasion.techniques import KEYS

INDEX = {key: i for i, key in enumerate(KEYS)}


@dataclass(slots=True, frozen=True)
class Sentence:
    """One PTC sentence with its techniques and their spans relative to the sentence."""

    article: str
    text: str
    techniques: frozenset[str]
    spans: tuple[tuple[str, int, int], ...]
    any_technique: bool = False  # a technique outside the 14 (SemEval-2021 only)


def sentences(articles: Sequence[Article]) -> list[Sentence]:
    """Every sentence of ``articles``, with the gold spans clipped to it."""
    out = []
    for article in articles:
        for start, end in article.sentences():
            spans = tuple(
                (g.technique, max(g.start, start) - start, min(g.end, end) - start)
                for g in article.spans
                if g.start < end and g.end > start
            )
            out.append(
                Sentence(
                    article.id,
                    article.text[start:end],
                    frozenset(t for t, _, _ in spans),
                    spans,
                )
            )
    return out


# SemEval-2021 task 6 names -> PTC technique keys; techniques PTC lacks (smears, glittering
# generalities, obfuscation) stay unmapped: their texts count as "any technique" only.
SEMEVAL2021 = {
    "Appeal to authority": "appeal_to_authority",
    "Appeal to fear/prejudice": "fear",
    "Black-and-white Fallacy/Dictatorship": "black_and_white",
    "Causal Oversimplification": "causal_oversimplification",
    "Doubt": "doubt",
    "Exaggeration/Minimisation": "exaggeration",
    "Flag-waving": "flag_waving",
    "Loaded Language": "loaded_language",
    "Misrepresentation of Someone's Position (Straw Man)": "whataboutism",
    "Name calling/Labeling": "name_calling",
    "Presenting Irrelevant Data (Red Herring)": "whataboutism",
    "Reductio ad hitlerum": "bandwagon",
    "Repetition": "repetition",
    "Slogans": "slogans",
    "Thought-terminating cliché": "thought_terminating_cliche",
    "Whataboutism": "whataboutism",
    "Bandwagon": "bandwagon",
}


def read_semeval2021(path: Path) -> list[Sentence]:
    """The meme texts of a SemEval-2021 task 6 subtask-2 file (a JSON list with spans), one
    training unit per text; a text with only unmapped techniques is a positive of the any-head."""
    out = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        text = item["text"]
        spans = tuple(
            (SEMEVAL2021[label["technique"]], int(label["start"]), int(label["end"]))
            for label in item["labels"]
            if label["technique"] in SEMEVAL2021
        )
        any_technique = bool(item["labels"])
        out.append(
            Sentence(
                f"semeval2021:{item['id']}",
                text,
                frozenset(t for t, _, _ in spans),
                spans,
                any_technique,
            )
        )
    return out


def class_weights(items: Sequence[Sentence], cap: float = 10.0) -> torch.Tensor:
    """Positive-class weights per technique: sqrt(negatives / positives), between 1 and ``cap``.
    Without them the rare techniques' probabilities never reach a usable threshold."""
    counts = np.zeros(len(KEYS))
    for item in items:
        for t in item.techniques:
            counts[INDEX[t]] += 1
    ratio = (len(items) - counts) / np.maximum(counts, 1.0)
    return torch.tensor(np.clip(np.sqrt(ratio), 1.0, cap), dtype=torch.float32)


def batch(
    tok: Tokenizer, items: Sequence[Sentence]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """``ids, mask, sentence targets (any + one per technique), token targets, token mask``.

    A token is positive for a technique when its characters overlap one of its spans; special
    tokens (empty offsets) are masked out of the token loss.
    """
    enc = tok.encode_batch([s.text for s in items])
    width = max(len(e.ids) for e in enc)
    n = len(KEYS)
    ids = torch.zeros((len(enc), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    sent = torch.zeros((len(enc), n + 1))
    tokens = torch.zeros((len(enc), width, n))
    token_mask = torch.zeros((len(enc), width))
    for row, (e, item) in enumerate(zip(enc, items, strict=True)):
        ids[row, : len(e.ids)] = torch.tensor(e.ids)
        mask[row, : len(e.ids)] = 1
        if item.techniques or item.any_technique:
            sent[row, 0] = 1.0
            for t in item.techniques:
                sent[row, INDEX[t] + 1] = 1.0
        for col, (a, b) in enumerate(e.offsets):
            if b <= a:
                continue
            token_mask[row, col] = 1.0
            for t, start, end in item.spans:
                if a < end and b > start:
                    tokens[row, col, INDEX[t]] = 1.0
    return ids, mask, sent, tokens, token_mask


def sentence_thresholds(labels: Sequence[frozenset[str]], probs: np.ndarray) -> dict[str, float]:
    """Thresholds for the sentence heads, chosen on validation data: one shared by the
    technique heads (maximizing micro-F1; per-technique thresholds overfit the rare classes),
    then the any-head's (maximizing the binary F1 of the decoding rule)."""
    from claimscope.persuasion.decode import sentence_techniques

    gold = np.zeros((len(labels), len(KEYS)), dtype=bool)
    for row, techniques in enumerate(labels):
        for key in techniques:
            gold[row, INDEX[key]] = True
    best_t, best_f1 = 0.5, -1.0
    for step in range(5, 91, 1):
        cut = step / 100
        pred = probs[:, 1:] >= cut
        f1 = _f1(int((pred & gold).sum()), int(pred.sum()), int(gold.sum()))
        if f1 > best_f1:
            best_t, best_f1 = cut, f1
    thresholds = {key: best_t for key in KEYS}
    any_gold = gold.any(axis=1)
    best_any, best_bin = 0.5, -1.0
    for step in range(5, 96, 1):
        cut = step / 100
        chosen = {**thresholds, "any": cut}
        pred_any = np.array([bool(sentence_techniques(p, chosen)) for p in probs])
        f1 = _f1(int((pred_any & any_gold).sum()), int(pred_any.sum()), int(any_gold.sum()))
        if f1 > best_bin:
            best_any, best_bin = cut, f1
    thresholds["any"] = best_any
    return thresholds


def _f1(tp: int, predicted: int, gold: int) -> float:
    return 2 * tp / (predicted + gold) if predicted + gold else 0.0


def sentence_scores(labels: Sequence[frozenset[str]], probs: np.ndarray) -> dict[str, float]:
    """Binary (any technique) F1 and micro-F1 over techniques at the best validation
    thresholds, as training reports them per epoch."""
    return sentence_scores_at(labels, probs, sentence_thresholds(labels, probs))


def sentence_scores_at(
    labels: Sequence[frozenset[str]], probs: np.ndarray, thresholds: dict[str, float]
) -> dict[str, float]:
    """Binary (any technique) F1 and micro-F1 over techniques at given thresholds (chosen on
    other data, e.g. validation thresholds applied to dev)."""
    from claimscope.persuasion.decode import sentence_techniques

    tp = predicted = gold = 0
    btp = bpred = bgold = 0
    for techniques, p in zip(labels, probs, strict=True):
        chosen = {KEYS[i] for i in sentence_techniques(p, thresholds)}
        tp += len(chosen & techniques)
        predicted += len(chosen)
        gold += len(techniques)
        btp += int(bool(chosen) and bool(techniques))
        bpred += int(bool(chosen))
        bgold += int(bool(techniques))
    return {
        "threshold": thresholds[KEYS[0]],
        "threshold_any": thresholds["any"],
        "binary_f1": _f1(btp, bpred, bgold),
        "micro_f1": _f1(tp, predicted, gold),
    }
