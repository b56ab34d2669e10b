"""Fact-check fixtures written for these tests: fictional claims in every accepted format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REVIEWS: list[dict[str, Any]] = [
    {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://checks.example/valmora-harbour-jobs",
        "claimReviewed": "The Valmora harbour deal will create 45,000 jobs.",
        "datePublished": "2024-03-09",
        "author": {"@type": "Organization", "name": "The Fact Desk"},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Teresa Oyelaran"},
            "datePublished": "2024-03-05",
        },
        "reviewRating": {"@type": "Rating", "alternateName": "Mostly False"},
        "name": "No, the harbour deal will not create 45,000 jobs",
    },
    {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://checks.example/ferry-fares",
        "claimReviewed": "Ferry fares to Santa Lucía doubled in 2023.",
        "datePublished": "2024-01-15",
        "author": {"@type": "Organization", "name": "La Lupa"},
        "reviewRating": {"@type": "Rating", "ratingValue": 5, "worstRating": 1, "bestRating": 5},
    },
]
FEED = {
    "@context": "https://schema.org",
    "@type": "DataFeed",
    "dataFeedElement": [{"@type": "DataFeedItem", "item": [r]} for r in REVIEWS],
}
BAD_REVIEW = {
    "@type": "ClaimReview",
    "claimReviewed": "Vaccines for cattle are banned in Korvana.",
    "reviewRating": {"ratingValue": "very", "bestRating": 5, "worstRating": 1},
}
PAGE = """<!doctype html><html><head><title>Check</title>
<script type="application/ld+json">{graph}</script>
<script>var notJsonLd = 1;</script></head><body><p>Our check.</p></body></html>"""
CSV_TEXT = (
    "claim,rating,url,publisher,date\n"
    "The mayor of Port Oriol owns three yachts.,False,https://checks.example/yachts,"
    "Open Dispatch,2023-11-02\n"
    '"Tap water in Norwick contains lithium, officials admit.",Half true,,The Ledger,\n'
    ",True,https://checks.example/empty,The Ledger,2023-01-01\n"
)
VCLAIMS = [
    {
        "title": "Did a Dunmere bridge collapse in a storm?",
        "subtitle": "Photos circulated online.",
        "author": "A. Writer",
        "date": "6 March 2021",
        "vclaim_id": "vclaim-bridge",
        "vclaim": "A photograph shows the Dunmere bridge collapsing during a storm.",
    },
    {
        "title": "Korvana's giant tortoise",
        "author": "A. Writer",
        "date": "sometime last spring",
        "vclaim_id": "vclaim-tortoise",
        "vclaim": "A video shows a 300-year-old tortoise walking through Korvana's capital.",
    },
    {
        "title": "Halvik tax rise",
        "author": "B. Writer",
        "date": "2 May 2020",
        "vclaim_id": "vclaim-tax",
        "vclaim": "Halvik raised income tax to 70 percent for every worker.",
    },
]


def write(path: Path, data: Any) -> Path:
    """Write JSON (or text) to ``path``; the path."""
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def vclaims_dir(folder: Path) -> Path:
    """A CheckThat! 2022 style folder: one JSON file per verified claim."""
    folder.mkdir(parents=True, exist_ok=True)
    for record in VCLAIMS:
        write(folder / f"{record['vclaim_id']}.json", record)
    return folder


def evidence_index(base: Path, text: str) -> Path:
    """An evidence index of one article (``text``) under ``base``; the index folder."""
    from claimscope.verify.evidence_index import index_paths

    corpus = base / "evidence"
    corpus.mkdir()
    write(corpus / "article.txt", text)
    index_paths([corpus], base / "index")
    return base / "index"
