"""claimscope: read news articles and social posts the way a fact-checker does, offline."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from claimscope._version import __version__
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
    set_html_renderer,
)
from claimscope.settings import Settings
from claimscope.verify import sources

if TYPE_CHECKING:
    from claimscope.verify.sources import FactChecks


logging.getLogger(__name__).addHandler(logging.NullHandler())


# The root stands above every layer (docs/architecture.md), so it joins what a lower layer needs
# to what a higher one provides; each is loaded on first use, never on import.
def _notebook_html(analysis: Analysis) -> str:
    from claimscope.report.html import render_html

    return render_html([analysis], fragment=True)


def _open_factchecks(location: str) -> FactChecks:
    from claimscope.store.factchecks import StoreFactChecks

    return StoreFactChecks.open(location)


set_html_renderer(_notebook_html)
sources.set_opener(_open_factchecks)


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
