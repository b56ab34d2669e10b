"""Fixtures for the store tests: the ferry story's store, and no network."""

from __future__ import annotations

import pytest

from tests.ingest.conftest import no_network  # noqa: F401  (autouse: the store is offline too)


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """A store of the ferry story (tests/store/ferry_story.py), built once per module."""
    from tests.store.ferry_story import store_story

    return store_story(tmp_path_factory.mktemp("story"))


@pytest.fixture
def store(story):
    """The ferry-story store, opened read-only."""
    from claimscope.store import Store

    with Store.open(story, read_only=True) as opened:
        yield opened
