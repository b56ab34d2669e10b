"""Fixtures for the corpus tests: settings that skip the models, and no network."""

from __future__ import annotations

import pytest

from claimscope.settings import Settings
from tests.ingest.conftest import no_network  # noqa: F401  (autouse: the corpus is offline too)


@pytest.fixture(scope="session")
def rules() -> Settings:
    """Settings with the rules profile: no model to load, so ingest tests run fast."""
    return Settings(profile="rules")


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """A store of the ferry story (tests/corpus/ferry_story.py), built once per module."""
    from tests.corpus.ferry_story import store_story

    return store_story(tmp_path_factory.mktemp("story"))


@pytest.fixture
def store(story):
    """The ferry-story store, opened read-only."""
    from claimscope.corpus.store import Store

    with Store.open(story, read_only=True) as opened:
        yield opened
