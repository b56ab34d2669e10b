"""The fact-check matching stage: each claim's likely earlier fact-checks.

It reads the collection through ``claimscope.verify.sources.FactChecks``; the corpus store that
keeps it is opened from above, so an analysis without ``factchecks`` never loads the store.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from claimscope.errors import SettingsError
from claimscope.model import Analysis, FactCheckMatch
from claimscope.models.reranker import installed, load_pair_scorer
from claimscope.registry import register
from claimscope.settings import Settings
from claimscope.verify.matching import FactCheckMatcher
from claimscope.verify.sources import open_factchecks

log = logging.getLogger(__name__)

# Matches kept per claim: a desk reads the best few, not a ranking.
PER_CLAIM = 3


@functools.cache
def matcher_for(path: str, threads: int) -> FactCheckMatcher:
    """The matcher over the fact-checks at ``path``, opened once per process (a lazy cache)."""
    if not Path(path).is_file():
        raise SettingsError(f"factchecks: no such store: {path}")
    checks = open_factchecks(path)
    if checks.count() == 0:
        raise SettingsError(
            f"factchecks: {path} holds no fact-checks (claimscope factchecks import)"
        )
    if not installed():
        log.warning(
            "no pair model installed (match-minilm): fact-checks ranked by BM25 alone, which "
            "gives no match probability, so claims get no matches (`claimscope match` shows "
            "BM25's ranking)"
        )
        return FactCheckMatcher(checks.text_index(), checks.fetch)
    matcher = FactCheckMatcher(
        checks.text_index(), checks.fetch, reranker=load_pair_scorer(threads=threads)
    )
    if matcher.vectors is not None:
        matcher.vectors.sync()  # the collection's claim vectors, computed once and kept
    return matcher


@register("claimscope.factcheck_matches.v1", requires=("sentences", "claims"), assigns=("matches",))
def factcheck_matches_stage(batch: list[Analysis], settings: Settings) -> None:
    """Each claim's top fact-check matches above the threshold (no-op without ``factchecks``)."""
    if not settings.factchecks:
        return
    matcher = matcher_for(settings.factchecks, settings.threads)
    if matcher.reranker is None:
        return
    threshold = settings.match_threshold or matcher.reranker.threshold
    for a in batch:
        for claim in a.claims:
            found = matcher.match(a.text[claim.start : claim.end], PER_CLAIM)
            claim.matches = [
                FactCheckMatch(
                    factcheck=m.check.id,
                    claim=m.check.claim,
                    probability=round(m.probability, 4),
                    rating=m.check.rating,
                    verdict=m.check.verdict,
                    publisher=m.check.publisher,
                    reviewed=m.check.reviewed,
                    url=m.check.url,
                )
                for m in found
                if m.probability is not None and m.probability >= threshold
            ]
