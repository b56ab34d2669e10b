"""Thresholds chosen from data and written into a model's card: ``claimscope train thresholds``.

Two choices, each made on training-side data and reported on held-out data:

- **techniques, precision first**: per technique, the decoding rule (sentence threshold, token
  threshold, whether a whole sentence may be a span, the least a single word needs) that is
  right at least half the time on the PTC validation articles, as span precision; a technique
  no rule makes precise enough is left out of the precise set (shown only with
  ``techniques_shown="all"``). Then the rules are tightened until neutral reporting (the
  mainstream outlets of PolNeAR's train articles) has at most ``max_news_density`` spans per
  1,000 words. Reported: PTC dev, PolNeAR dev.
- **subjectivity at a news prior**: the threshold that maximizes macro-F1 on CT25 dev re-weighted
  so that subjective sentences are ``subjective_share`` of it (news has fewer opinions than
  dev's 52%). Reported: CT25 dev_test.

The model's outputs for every dataset are computed once and kept under the cache folder
(``$CLAIMSCOPE_CACHE`` or ~/.cache/claimscope), keyed by the model's weights and the texts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from claimscope.evaluation.claim_data import read_examples
from claimscope.evaluation.persuasion import ScoredLines, measure
from claimscope.evaluation.ptc import Article, read_ptc
from claimscope.metrics import binary_scores, macro_f1_score
from claimscope.models.scorer import ClaimScorer
from claimscope.persuasion.decode import Decoding
from claimscope.persuasion.techniques import KEYS
from claimscope.training.technique_rules import (
    SENTENCE_GRID,
    TOKEN_GRID,
    Candidate,
    choose_rules,
    news_density,
    technique_candidates,
)
from claimscope.training.threshold_scores import MAINSTREAM, News, read_news, score_cached


@dataclass(slots=True, frozen=True)
class Targets:
    """What the thresholds are chosen for (each is a ``train thresholds`` option)."""

    precision: float = 0.55  # validation span precision of a precise rule (0.50 and a margin)
    min_spans: int = 20  # validation spans a rule must find for its precision to count
    max_news_density: float = 10.0  # precise spans per 1,000 words of mainstream news
    subjective_share: float = 0.275  # share of subjective sentences in news
    outlets: tuple[str, ...] = MAINSTREAM


def _scored_lines(
    scorer: ClaimScorer, articles: Sequence[Article], cache: Path | None
) -> ScoredLines:
    lines = [(a, start, end) for a in articles for start, end in a.sentences()]
    scored = score_cached(scorer, [a.text[s:e] for a, s, e in lines], cache=cache)
    scores = {
        "checkworthiness": scored.checkworthiness,
        "subjectivity": scored.subjectivity,
        "techniques": scored.techniques,
    }
    return ScoredLines(articles, lines, scores, scored.tokens)


def subjectivity_threshold(news_scores: np.ndarray, share: float) -> float:
    """The threshold (to 0.01) at which the share of news sentences marked subjective is
    closest to ``share``."""
    grid = [step / 100 for step in range(1, 100)]
    return min(grid, key=lambda t: (abs(float(np.mean(news_scores >= t)) - share), t))


def _subjectivity_report(
    labels: Sequence[int], scores: np.ndarray, threshold: float
) -> dict[str, Any]:
    preds = [int(s >= threshold) for s in scores]
    return {
        **binary_scores(list(labels), preds),
        "macro_f1": macro_f1_score(list(labels), preds),
        "predicted_subjective": sum(preds),
    }


@dataclass(slots=True)
class _Inputs:
    """What the choices read: the PTC articles and their scored sentences, and the news."""

    ptc: dict[str, list[Article]]
    lines: dict[str, ScoredLines]
    news: dict[str, News]
    outlets: tuple[str, ...]
    train_mask: np.ndarray

    @classmethod
    def read(
        cls,
        scorer: ClaimScorer,
        card: dict[str, Any],
        data_dir: Path,
        outlets: tuple[str, ...],
        cache: Path | None,
    ) -> _Inputs:
        split = card["techniques"]["split"]
        by_id = {a.id: a for a in read_ptc(data_dir / "persuasion" / "ptc")}
        ptc = {
            name: [by_id[i] for i in split[name] if i in by_id] for name in ("validation", "dev")
        }
        lines = {name: _scored_lines(scorer, arts, cache) for name, arts in ptc.items()}
        polnear = data_dir / "attribution" / "polnear"
        news = {name: read_news(polnear / name, scorer, cache=cache) for name in ("train", "dev")}
        return cls(ptc, lines, news, outlets, news["train"].keep(outlets))


@dataclass(slots=True)
class _TechniqueChoice:
    """The precise rules chosen and what they measure."""

    candidates: dict[str, list[Candidate]]
    gold: dict[str, int]
    chosen: dict[str, Candidate]
    log: list[str]
    decoding: Decoding
    metrics: dict[str, dict[str, Any]]
    density: dict[str, dict[str, Any]]


def _choose_techniques(
    scorer: ClaimScorer, card: dict[str, Any], inputs: _Inputs, targets: Targets
) -> _TechniqueChoice:
    news, outlets = inputs.news, inputs.outlets
    candidates: dict[str, list[Candidate]] = {}
    gold: dict[str, int] = {}
    for key in KEYS:
        candidates[key], gold[key] = technique_candidates(
            key,
            inputs.lines["validation"],
            news["train"],
            inputs.train_mask,
            sentence_grid=SENTENCE_GRID,
            token_grid=TOKEN_GRID,
        )
    chosen, log = choose_rules(
        candidates,
        news_words=news["train"].word_count(outlets),
        precision=targets.precision,
        min_spans=targets.min_spans,
        max_news_density=targets.max_news_density,
    )
    thresholds = {k: float(v) for k, v in card["techniques"]["thresholds"].items()}
    decoding = Decoding(thresholds, {k: c.rule for k, c in chosen.items()})

    metrics: dict[str, dict[str, Any]] = {"precise": {}, "all": {}}
    for shown in ("precise", "all"):
        for name in ("validation", "dev"):
            report = measure(
                scorer,
                inputs.ptc[name],
                decoding,
                shown=shown,
                scored=inputs.lines[name],  # type: ignore[arg-type]
            )
            report.pop("predictions")
            metrics[shown][name] = {"split": name, **report}
    density = {
        shown: {
            f"polnear_{name}_{group}": news_density(news[name], group_outlets, decoding, shown)
            for name in ("train", "dev")
            for group, group_outlets in (
                ("mainstream", outlets),
                ("all", tuple(sorted(set(news[name].outlets)))),
            )
        }
        for shown in ("precise", "all")
    }
    return _TechniqueChoice(candidates, gold, chosen, log, decoding, metrics, density)


def _choose_subjectivity(
    scorer: ClaimScorer,
    card: dict[str, Any],
    inputs: _Inputs,
    targets: Targets,
    subj_dir: Path,
    cache: Path | None,
) -> dict[str, Any]:
    """Subjectivity at a news prior: the threshold and what it measures."""
    news, outlets = inputs.news, inputs.outlets
    news_subj = news["train"].scored.subjectivity[inputs.train_mask]
    # The threshold before this command first ran (kept when it runs again).
    old_threshold = float(
        card.get("subjectivity_threshold", {}).get(
            "previous_threshold", card["thresholds"]["subjectivity"]
        )
    )
    new_threshold = subjectivity_threshold(news_subj, targets.subjective_share)
    subj: dict[str, Any] = {
        "method": "the threshold at which the share of sentences of mainstream news (PolNeAR "
        f"train: {', '.join(outlets)}) marked SUBJ is closest to the news prior",
        "news_prior": targets.subjective_share,
        "threshold": new_threshold,
        "previous_threshold": old_threshold,
        "news_share": {},
    }
    for name in ("train", "dev"):
        scores = news[name].scored.subjectivity[news[name].keep(outlets)]
        subj["news_share"][f"polnear_{name}_mainstream"] = {
            "at_threshold": round(float(np.mean(scores >= new_threshold)), 4),
            "at_previous_threshold": round(float(np.mean(scores >= old_threshold)), 4),
        }
    for name, file in (("validation", "ct25_dev_en.tsv"), ("held_out", "ct25_dev_test_en.tsv")):
        examples = read_examples(subj_dir / file)
        scores = score_cached(scorer, [e.text for e in examples], cache=cache).subjectivity
        labels = [e.label for e in examples]
        subj[name] = {
            "file": file,
            "subjective_share": round(sum(labels) / len(labels), 4),
            "at_threshold": _subjectivity_report(labels, scores, new_threshold),
            "at_previous_threshold": _subjectivity_report(labels, scores, old_threshold),
        }
    return subj


def _precise_section(choice: _TechniqueChoice, targets: Targets, command: str) -> dict[str, Any]:
    """The card's ``techniques.precise``: the rules, how they were chosen, what they measure."""
    decoding, outlets = choice.decoding, targets.outlets
    best = {
        key: {
            "best_precision_with_enough_spans": max(
                (c.precision for c in cands if c.predicted >= targets.min_spans), default=0.0
            ),
            "gold_spans": choice.gold[key],
        }
        for key, cands in choice.candidates.items()
    }
    return {
        "rules": {k: decoding.precise[k].as_dict() for k in KEYS if k in decoding.precise},
        "hidden": [k for k in KEYS if k not in decoding.precise],
        "selection": (
            f"per technique, of the rules on a grid (sentence threshold {SENTENCE_GRID[0]}-"
            f"{SENTENCE_GRID[-1]}, token and one-word thresholds {TOKEN_GRID[0]}-{TOKEN_GRID[-1]}, "
            "whole-sentence spans or not), those whose span precision (partial overlap) on the "
            f"validation articles reaches {targets.precision} over at least {targets.min_spans} "
            "spans; the best span F1 of them; then, while the precise spans of all techniques "
            f"exceed {targets.max_news_density:g} per 1,000 words on the mainstream articles "
            f"of PolNeAR train ({', '.join(outlets)}), the technique with the most moves to a "
            "rule with fewer or is hidden. The dev articles and PolNeAR dev choose nothing."
        ),
        "targets": {
            "validation_span_precision": targets.precision,
            "min_spans": targets.min_spans,
            "max_news_density": targets.max_news_density,
            "news_outlets": list(outlets),
        },
        "news_cap_log": choice.log,
        "validation_rules": {
            k: {
                "precision": round(c.precision, 4),
                "recall": round(c.recall, 4),
                "f1": round(c.f1, 4),
                "predicted": c.predicted,
                "news_spans": c.news_spans,
            }
            for k, c in choice.chosen.items()
        },
        "best_validation_precision": best,
        "metrics": choice.metrics["precise"],
        "density": choice.density["precise"],
        "command": command,
        "chosen": dt.date.today().isoformat(),
    }


def _update_card(
    card: dict[str, Any],
    choice: _TechniqueChoice,
    precise_section: dict[str, Any],
    subj: dict[str, Any],
    targets: Targets,
) -> None:
    techniques = card["techniques"]
    techniques["precise"] = precise_section
    techniques["metrics"] = choice.metrics["all"]
    techniques["density_all"] = choice.density["all"]
    techniques["metrics_note"] = (
        "metrics: every span (techniques_shown='all': the sensitive thresholds above, with the "
        "precise spans); precise.metrics: the default (techniques_shown='precise')"
    )
    new_threshold = subj["threshold"]
    card["thresholds"]["subjectivity"] = new_threshold
    card["threshold_selection"] = (
        "check-worthiness: maximizes F1 of the int8 model on validation data (10% of the CT24 "
        "train file, stratified, seeded); subjectivity: the share of mainstream-news sentences "
        f"marked SUBJ matches a news prior of {targets.subjective_share:g} (see "
        "subjectivity_threshold); never on the reported files"
    )
    card["subjectivity_threshold"] = subj
    held = subj["held_out"]["at_threshold"]
    card["metrics"]["held_out"]["subjectivity"] = {"file": subj["held_out"]["file"], **held}
    card["metrics"]["validation_int8"]["subjectivity"] = {
        "threshold": new_threshold,
        "macro_f1": subj["validation"]["at_threshold"]["macro_f1"],
    }
    dev_precise = choice.metrics["precise"]["dev"]
    shown_precision = [
        dev_precise["spans_per_technique"][k]["precision"] for k in precise_section["rules"]
    ]
    news_dev = choice.density["precise"]["polnear_dev_mainstream"]["density"]
    card.setdefault("targets", {}).update(
        {
            "subjectivity_macro_f1_ct25_dev_test": _target(0.78, held["macro_f1"]),
            "techniques_binary_f1_ptc_dev": _target(0.63, dev_precise["binary"]["f1"]),
            "techniques_micro_f1_ptc_dev": _target(0.40, dev_precise["micro"]["f1"]),
            "techniques_span_precision_each_shown_ptc_dev": _target(
                0.50, min(shown_precision, default=0.0)
            ),
            "techniques_density_polnear_dev_mainstream": {
                "target": "<= 10 and <= half the PTC dev density",
                "measured": news_dev,
                "ptc_dev": dev_precise["density"],
                "met": news_dev <= 10 and news_dev <= dev_precise["density"] / 2,
            },
        }
    )


def _summary(
    choice: _TechniqueChoice, precise_section: dict[str, Any], subj: dict[str, Any]
) -> dict[str, Any]:
    """What ``claimscope train thresholds`` prints."""
    held = subj["held_out"]["at_threshold"]
    return {
        "rules": precise_section["rules"],
        "hidden": precise_section["hidden"],
        "news_cap_log": choice.log,
        "validation_rules": precise_section["validation_rules"],
        "ptc": {
            shown: {
                name: {
                    "binary_f1": m["binary"]["f1"],
                    "micro_f1": m["micro"]["f1"],
                    "span_f1": m["spans"]["f1"],
                    "span_precision": m["spans"]["precision"],
                    "density": m["density"],
                    "span_precision_shown": {
                        k: round(m["spans_per_technique"][k]["precision"], 4)
                        for k in precise_section["rules"]
                    },
                }
                for name, m in choice.metrics[shown].items()
            }
            for shown in ("precise", "all")
        },
        "news_density": {
            shown: {k: v["density"] for k, v in d.items()} for shown, d in choice.density.items()
        },
        "subjectivity": {
            "threshold": subj["threshold"],
            "previous": subj["previous_threshold"],
            "ct25_dev_macro_f1": subj["validation"]["at_threshold"]["macro_f1"],
            "ct25_dev_test_macro_f1": held["macro_f1"],
            "ct25_dev_test_macro_f1_previous": subj["held_out"]["at_previous_threshold"][
                "macro_f1"
            ],
        },
    }


def choose_thresholds(
    model: Path,
    data_dir: Path,
    *,
    targets: Targets = Targets(),
    cache: Path | None = None,
    command: str = "",
) -> dict[str, Any]:
    """Choose the precise technique rules and the subjectivity threshold of the model folder
    ``model`` and write them, with what they measure, into its ``card.json``.

    Reads under ``data_dir``: persuasion/ptc (the card's validation articles choose, its dev
    articles report), attribution/polnear/train (news: the cap on density, the subjective
    share) and dev (reported), subjectivity/ct25_dev_en.tsv and ct25_dev_test_en.tsv (reported
    only). Returns the summary it prints.
    """
    scorer = ClaimScorer(str(model)).load()
    if not scorer.has_techniques_:
        raise ValueError(f"model {model} has no technique heads")
    card_file = scorer.folder_.path / "card.json"
    card = json.loads(card_file.read_text(encoding="utf-8"))
    inputs = _Inputs.read(scorer, card, data_dir, targets.outlets, cache)
    choice = _choose_techniques(scorer, card, inputs, targets)
    subj = _choose_subjectivity(scorer, card, inputs, targets, data_dir / "subjectivity", cache)
    precise_section = _precise_section(choice, targets, command)
    _update_card(card, choice, precise_section, subj, targets)
    card_file.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return _summary(choice, precise_section, subj)


def _target(target: float, measured: float) -> dict[str, Any]:
    return {"target": target, "measured": round(measured, 4), "met": measured >= target}
