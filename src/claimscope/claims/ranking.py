"""The heuristic claim ranker: hand-set feature weights read from its card, like a model."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from claimscope.model import Analysis, Claim

_REASONS = {
    "has_quantity": "states a number",
    "has_date": "gives a date",
    "has_entity": "names someone or something",
    "attributed": "is attributed",
    "is_question": "is a question",
    "is_from_post": "comes from an embedded post",
    "hedged": "is hedged",
    "first_person": "is in the first person",
    "exclamation": "exclaims",
}


@functools.cache
def load_card() -> dict[str, Any]:
    """The ranker's card: weights, threshold and method, shipped as package data."""
    path = resources.files("claimscope.claims").joinpath("heuristic_card.json")
    return json.loads(path.read_text(encoding="utf-8"))


def describe(card: dict[str, Any]) -> str:
    """One line saying how claims were ranked, for the reports."""
    weights = ", ".join(f"{k} {v:+g}" for k, v in card["weights"].items())
    return (
        f"{card['name']} v{card['version']}: hand-set feature weights (base {card['base']:g}; "
        f"{weights}); claims score >= {card['threshold']:g} and name a number, date or entity."
    )


def heuristic_scores(analysis: Analysis) -> dict[int, float]:
    """The heuristic score of every sentence, from its features and the card's weights."""
    card = load_card()
    weights: dict[str, float] = card["weights"]
    n_quantities: dict[int, int] = {}
    for q in analysis.quantities:
        n_quantities[q.sentence] = n_quantities.get(q.sentence, 0) + 1
    scores = {}
    for s in analysis.sentences:
        score = card["base"] + sum(w for name, w in weights.items() if s.features.get(name))
        score += card["per_extra_quantity"] * max(0, n_quantities.get(s.id, 0) - 1)
        scores[s.id] = min(1.0, max(0.0, score))
    return scores


def rank_claims(
    analysis: Analysis,
    *,
    threshold: float = 0.0,
    model: tuple[str, float] | None = None,
) -> None:
    """Score every sentence (``scores['claim']``) and fill ``analysis.claims``, best first.

    With ``model`` (its name and threshold), sentences are ranked by the model's
    ``checkworthiness`` score; without, by the heuristic ranker's card.
    """
    card = load_card()
    if model is not None:
        name, model_threshold = model
        scores = {s.id: s.scores["checkworthiness"] for s in analysis.sentences}
        threshold = threshold or model_threshold
        analysis.ranking = (
            f"{name}: fine-tuned check-worthiness probability; claims score >= {threshold:g} "
            "(threshold chosen on validation data, see the model card)."
        )
    else:
        scores = heuristic_scores(analysis)
        threshold = threshold or card["threshold"]
        analysis.ranking = describe(card)
    candidates = []
    for s in analysis.sentences:
        score = scores[s.id]
        s.scores["claim"] = round(score, 4)
        f = s.features
        verifiable = model is not None or (
            f.get("has_quantity") or f.get("has_date") or f.get("has_entity")
        )
        words = len(analysis.text[s.start : s.end].split())
        furniture = analysis.segments[s.segment].kind == "furniture"
        if score >= threshold and verifiable and words >= card["min_words"] and not furniture:
            candidates.append((score, s))
    candidates.sort(key=lambda c: (-c[0], c[1].id))
    by_sentence: dict[str, dict[int, list[int]]] = {"e": {}, "q": {}, "d": {}}
    for key, items in (("e", analysis.entities), ("q", analysis.quantities), ("d", analysis.dates)):
        for item in items:
            by_sentence[key].setdefault(item.sentence, []).append(item.id)
    weights: dict[str, float] = card["weights"]
    analysis.claims = [
        Claim(
            id=i,
            sentence=s.id,
            start=s.start,
            end=s.end,
            score=round(score, 4),
            rank=i + 1,
            speaker=s.speaker,
            entities=by_sentence["e"].get(s.id, []),
            quantities=by_sentence["q"].get(s.id, []),
            dates=by_sentence["d"].get(s.id, []),
            reasons=([f"check-worthiness {score:.2f}"] if model is not None else [])
            + [_REASONS[k] for k, w in weights.items() if s.features.get(k) and w != 0],
        )
        for i, (score, s) in enumerate(candidates)
    ]
