"""claimscope: read news articles and social posts the way a fact-checker does, offline."""

from __future__ import annotations

import logging

from claimscope.errors import ClaimscopeError
from claimscope.model import (
    Analysis,
    Attribution,
    Claim,
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

__all__ = [
    "Analysis",
    "Attribution",
    "Claim",
    "ClaimscopeError",
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
]
