"""Write fact-checks as schema.org ClaimReview JSON-LD, the format publishers and feeds use."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from claimscope.model import FactCheck
from claimscope.verify.ratings import VERDICTS

# Our verdict scale as a schema.org Rating: 1 (false) to 6 (true); others carry no value.
_VALUES = {verdict: i for i, verdict in enumerate(VERDICTS, 1)}


def claim_review(check: FactCheck) -> dict[str, Any]:
    """One ClaimReview object (reading it back with ``read_factchecks`` gives ``check`` again)."""
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "@id": check.id,
        "claimReviewed": check.claim,
    }
    optional = {
        "url": check.url,
        "datePublished": check.reviewed,
        "name": check.title,
        "inLanguage": check.lang,
    }
    review.update({k: v for k, v in optional.items() if v})
    if check.publisher:
        review["author"] = {"@type": "Organization", "name": check.publisher}
    item: dict[str, Any] = {"@type": "Claim"}
    if check.claimant:
        item["author"] = {"@type": "Person", "name": check.claimant}
    if check.claim_date:
        item["datePublished"] = check.claim_date
    if len(item) > 1:
        review["itemReviewed"] = item
    if check.rating or check.verdict:
        rating: dict[str, Any] = {"@type": "Rating", "alternateName": check.rating or check.verdict}
        if check.verdict in _VALUES:
            rating.update(
                ratingValue=_VALUES[check.verdict], worstRating=1, bestRating=len(_VALUES)
            )
        review["reviewRating"] = rating
    return review


def claim_review_feed(checks: Iterable[FactCheck]) -> dict[str, Any]:
    """A data feed of ClaimReviews, in the shape the public fact-check feeds ship."""
    return {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "dataFeedElement": [{"@type": "DataFeedItem", "item": [claim_review(c)]} for c in checks],
    }
