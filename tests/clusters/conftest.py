"""Fixtures for the cluster tests: no network."""

from __future__ import annotations

from tests.ingest.conftest import no_network  # noqa: F401  (autouse: clustering is offline too)
