"""Moved to ``claimscope.store``: this name stays for the imports not changed yet (to go)."""

from __future__ import annotations

from claimscope.store import Store

__all__ = ["Store"]
