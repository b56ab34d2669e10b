"""Moved to ``claimscope.store.factchecks``: this name stays for the imports not changed yet
(to go)."""

from __future__ import annotations

from claimscope.store.factchecks import (
    count_factchecks,
    fetch_factchecks,
    import_factchecks,
    load_factchecks,
    open_factcheck_index,
)

__all__ = [
    "count_factchecks",
    "fetch_factchecks",
    "import_factchecks",
    "load_factchecks",
    "open_factcheck_index",
]
