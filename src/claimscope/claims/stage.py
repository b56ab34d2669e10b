"""The claims stage: sentence features, then the ranked claims."""

from __future__ import annotations

from claimscope.claims.features import sentence_features
from claimscope.claims.ranking import rank_claims
from claimscope.model import Analysis
from claimscope.registry import register
from claimscope.settings import Settings


@register(
    "claimscope.claims.v1",
    requires=("sentences", "entities", "dates", "quantities", "speakers"),
    assigns=("features", "claims"),
)
def claims_stage(batch: list[Analysis], settings: Settings) -> None:
    """Features for every sentence; claims ranked by the heuristic ranker's card."""
    for a in batch:
        sentence_features(a)
        rank_claims(a, threshold=settings.claim_threshold)
