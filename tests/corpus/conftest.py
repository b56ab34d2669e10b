"""Fixtures for the corpus tests: no network."""

from __future__ import annotations

from tests.ingest.conftest import no_network  # noqa: F401  (autouse: the corpus is offline too)
