"""The claims stage: sentence features, then the ranked claims."""

from __future__ import annotations

from claimscope.claims.features import sentence_features
from claimscope.claims.ranking import rank_claims
from claimscope.model import Analysis
from claimscope.models.scorer import scorer_for
from claimscope.registry import register
from claimscope.settings import Settings


@register(
    "claimscope.claims.v1",
    requires=("sentences", "entities", "dates", "quantities", "speakers", "scores"),
    assigns=("features", "claims"),
)
def claims_stage(batch: list[Analysis], settings: Settings) -> None:
    """Features for every sentence; claims ranked by the claim model (or the heuristic card)."""
    scorer = scorer_for(settings)
    model = (scorer.name, scorer.threshold("checkworthiness")) if scorer else None
    for a in batch:
        sentence_features(a)
        scored = model is not None and all("checkworthiness" in s.scores for s in a.sentences)
        rank_claims(a, threshold=settings.claim_threshold, model=model if scored else None)
