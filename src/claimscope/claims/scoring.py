"""The scoring stage: check-worthiness and subjectivity for every sentence, in one batch."""

from __future__ import annotations

from claimscope.model import Analysis
from claimscope.models.folder import SHIPPED
from claimscope.models.scorer import ClaimScorer, load_scorer
from claimscope.registry import register
from claimscope.settings import Settings


def scorer_for(settings: Settings) -> ClaimScorer | None:
    """The claim model the settings ask for, loaded once per process; None for ``rules``."""
    if settings.model:
        return load_scorer(settings.model, settings.threads)
    if settings.profile == "rules":
        return None
    return load_scorer(SHIPPED[settings.profile], settings.threads)


@register("claimscope.scores.v1", requires=("sentences",), assigns=("scores",))
def scores_stage(batch: list[Analysis], settings: Settings) -> None:
    """Score every sentence of the batch (posts included) with the claim model."""
    scorer = scorer_for(settings)
    if scorer is None:
        return
    sentences = [(a, s) for a in batch for s in a.sentences]
    scores = scorer.score([a.text[s.start : s.end] for a, s in sentences])
    threshold = scorer.threshold("subjectivity")
    for i, (_, s) in enumerate(sentences):
        s.scores["checkworthiness"] = round(float(scores["checkworthiness"][i]), 4)
        subjective = float(scores["subjectivity"][i])
        s.scores["subjectivity"] = round(subjective, 4)
        s.labels["subjectivity"] = "SUBJ" if subjective >= threshold else "OBJ"
