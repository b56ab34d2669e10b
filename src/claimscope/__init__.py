"""claimscope: read news articles and social posts the way a fact-checker does, offline."""

from __future__ import annotations

import logging

from claimscope.errors import ClaimscopeError
from claimscope.model import (
    Analysis,
    Attribution,
    Claim,
    Contradiction,
    DateRef,
    Document,
    Entity,
    Failure,
    Link,
    Post,
    Quantity,
    Quote,
    Segment,
    Sentence,
)
from claimscope.settings import Settings

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> object:
    # The pipeline pulls in spaCy and trafilatura: load it on first use, not on import.
    if name in ("analyze", "analyze_many", "iter_analyses", "Batch"):
        from claimscope import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'claimscope' has no attribute {name!r}")


__all__ = [
    "Analysis",
    "Attribution",
    "Batch",
    "Claim",
    "ClaimscopeError",
    "Contradiction",
    "DateRef",
    "Document",
    "Entity",
    "Failure",
    "Link",
    "Post",
    "Quantity",
    "Quote",
    "Segment",
    "Sentence",
    "Settings",
    "__version__",
    "analyze",
    "analyze_many",
    "iter_analyses",
]
