"""The scoring stage: one encoder pass gives every sentence its check-worthiness, subjectivity
and, with a model that has technique heads, its persuasion techniques and their spans."""

from __future__ import annotations

import numpy as np

from claimscope.model import Analysis, Sentence, Technique
from claimscope.models.scorer import TokenScores, scorer_for
from claimscope.persuasion.decode import Decoding, find_techniques
from claimscope.persuasion.techniques import BY_KEY
from claimscope.registry import register
from claimscope.settings import Settings


@register("claimscope.scores.v1", requires=("sentences",), assigns=("scores", "techniques"))
def scores_stage(batch: list[Analysis], settings: Settings) -> None:
    """Score every sentence of the batch (posts included) with the claim model; keep the token
    states of the sentences outside posts for the attribution tagger, when it runs."""
    scorer = scorer_for(settings)
    if scorer is None:
        return
    sentences = [(a, s) for a in batch for s in a.sentences]
    texts = [a.text[s.start : s.end] for a, s in sentences]
    with_techniques = settings.techniques and scorer.has_techniques_
    scores, tokens, states = scorer.score_with_states(
        texts,
        tokens=with_techniques,
        techniques=with_techniques,
        states=settings.attribution == "model",
    )
    for i, (a, s) in enumerate(sentences):
        if states is not None and a.segments[s.segment].post is None:
            a.token_states[s.id] = states[i]
    threshold = scorer.threshold("subjectivity")
    for i, (_, s) in enumerate(sentences):
        s.scores["checkworthiness"] = round(float(scores["checkworthiness"][i]), 4)
        subjective = float(scores["subjectivity"][i])
        s.scores["subjectivity"] = round(subjective, 4)
        s.labels["subjectivity"] = "SUBJ" if subjective >= threshold else "OBJ"
    if with_techniques and tokens is not None:
        decoding = Decoding.from_card(scorer.folder_.card)
        for i, (a, s) in enumerate(sentences):
            probs = scores["techniques"][i]
            s.scores["persuasion"] = round(float(probs[0]), 4)
            _add_techniques(a, s, texts[i], probs, tokens[i], decoding, settings)


def _add_techniques(
    analysis: Analysis,
    sentence: Sentence,
    text: str,
    probs: np.ndarray,
    tokens: TokenScores,
    decoding: Decoding,
    settings: Settings,
) -> None:
    offsets, token_probs = tokens
    shown = settings.techniques_shown
    for found in find_techniques(probs, token_probs, offsets, text, decoding, shown):
        info = BY_KEY[found.technique]
        analysis.techniques.append(
            Technique(
                id=len(analysis.techniques),
                sentence=sentence.id,
                start=sentence.start + found.start,
                end=sentence.start + found.end,
                technique=found.technique,
                name=info.name,
                score=found.score,
                explanation=info.explanation,
                precise=found.precise,
            )
        )
