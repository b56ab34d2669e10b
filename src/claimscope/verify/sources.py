"""What fact-check matching reads from a collection of fact-checks, as a protocol, and how a
``factchecks`` setting (a location) is opened as one.

The matching stage runs in the pipeline, below the corpus store that keeps the collection
(``claimscope.store.factchecks``): it never imports the store. The package root, above every
layer, installs the opener (``set_opener``), which loads the store only when a run asks for
fact-checks. This module stays light so that the root can import it at no cost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from claimscope.errors import SettingsError
from claimscope.model import FactCheck
from claimscope.verify.textindex import TextIndex


class FactChecks(Protocol):
    """A collection of fact-checks, as matching reads it."""

    def count(self) -> int:
        """How many fact-checks it holds."""
        ...

    def text_index(self) -> TextIndex:
        """A BM25 index of the fact-checks' passages (``claim_passage``) keyed by id, up to date."""
        ...

    def fetch(self, ids: Sequence[str]) -> dict[str, FactCheck]:
        """The fact-checks with these ids, by id (unknown ids are left out)."""
        ...


Opener = Callable[[str], FactChecks]

_opener: Opener | None = None


def set_opener(opener: Opener) -> None:
    """Install how a ``factchecks`` location becomes a collection (the package root does)."""
    global _opener
    _opener = opener


def open_factchecks(location: str) -> FactChecks:
    """The collection of fact-checks at ``location``, through the installed opener."""
    if _opener is None:
        raise SettingsError("factchecks: no opener of fact-check collections is installed")
    return _opener(location)
