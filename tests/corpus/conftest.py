"""Fixtures for the corpus tests: settings that skip the models, and no network."""

from __future__ import annotations

import pytest

from claimscope.settings import Settings
from tests.ingest.conftest import no_network  # noqa: F401  (autouse: the corpus is offline too)


@pytest.fixture(scope="session")
def rules() -> Settings:
    """Settings with the rules profile: no model to load, so ingest tests run fast."""
    return Settings(profile="rules")
