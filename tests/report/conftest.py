"""Fixtures for the report tests."""

from __future__ import annotations

import pytest

from claimscope.model import Analysis
from tests.report.builder import newsroom_analysis


@pytest.fixture
def newsroom() -> Analysis:
    """A realistic hand-built article with claims, posts, entities, numbers and dates."""
    return newsroom_analysis()
