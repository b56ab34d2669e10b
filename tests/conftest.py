"""Shared fixtures: the project's example article, the seed article when ../shared exists, and
settings that skip the models."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seed" / "article.txt"


@pytest.fixture(scope="session")
def example_path() -> Path:
    """The bundled example article (written by the project)."""
    return Path(str(resources.files("claimscope.examples").joinpath("harbour.txt")))


@pytest.fixture(scope="session")
def example_analysis(example_path):
    """The bundled example, analyzed once per test session."""
    from claimscope import analyze

    return analyze(example_path)


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The seed article from ../shared (third-party text: read here, never copied)."""
    if not SEED.exists():
        pytest.skip("../shared/seed/article.txt is not here")
    return SEED


@pytest.fixture(scope="session")
def seed_analysis(seed_path):
    """The seed article, analyzed once per test session."""
    from claimscope import analyze

    return analyze(seed_path)


@pytest.fixture(scope="session")
def rules():
    """Settings with the rules profile: no model to load, so ingest tests run fast."""
    from claimscope.settings import Settings

    return Settings(profile="rules")
