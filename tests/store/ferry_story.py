"""A small story told by several outlets, written for the coverage and timeline tests.

Weeks start on Monday: 2024-03-04 and 2024-03-11. One document has no date and no outlet; one
outlet, title and URL are hostile (markup, a javascript: link); one text is full of regex
metacharacters; one date has no year in its text (anchored to the publication date).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from claimscope.pipeline import analyze_many
from claimscope.settings import Settings
from claimscope.store import Store
from claimscope.store.rows import analysis_rows
from tests.corpus.builders import write_jsonl

HOSTILE = "<script>alert(1)</script>"

RECORDS: list[dict[str, Any]] = [
    {
        "outlet": "Harbour Post",
        "published": "2024-03-04",
        "title": "Ferry fares rise",
        "url": "https://harbour-post.example/fares",
        "text": (
            "Ferry fares on the Ostmark line rose by 12% on March 1, 2024, the port authority "
            "said.\nThe operator blamed the cost of fuel."
        ),
    },
    {
        "outlet": "Harbour Post",
        "published": "2024-03-06",
        "title": "Strike ends",
        "url": "https://harbour-post.example/strike",
        "text": (
            "The ferry strike ended on March 5, 2024, after two days of talks, the union said.\n"
            "Passengers had waited at the Halvik terminal since March 4, 2024, the union said."
        ),
    },
    {
        "outlet": "Coastal Times",
        "published": "2024-03-12",
        "title": "Crossings resume",
        "url": "https://coastal-times.example/crossings",
        "text": (
            "Ferry crossings resumed after the strike ended on March 5, 2024, following two days "
            "of talks, the union said.\nThe Halvik terminal reopened its cafe."
        ),
    },
    {
        "outlet": "Coastal Times",
        "published": "2024-03-12",
        "title": "Council budget",
        "url": "https://coastal-times.example/budget",
        "text": (
            "The city council approved a budget of 3 million euros on March 5, 2024, and cut "
            "ferry subsidies, the mayor said.\n"
            "Lithium batteries for the new buses were also funded."
        ),
    },
    {
        "outlet": HOSTILE,
        "published": "2024-03-13",
        "title": "<b>Ferry</b> & " + HOSTILE,
        "url": "javascript:alert(3)",
        "text": (
            "A ferry ticket costs $12 (c++ a.k.a. [x]*?) per trip from April 2, 2024, "
            "the operator said.\nNothing else changed."
        ),
    },
    {
        "text": (
            "A ferry sank near Halvik on June 2, 2023, officials said.\n"
            "All 40 passengers were rescued."
        ),
    },
    {
        "outlet": "Coastal Times",
        "published": "2024-03-20",
        "title": "Ferries return",
        "url": "https://coastal-times.example/return",
        "text": (
            "Ferries returned to the Ostmark line on Tuesday, March 19, the port authority "
            "said.\nTimetables are unchanged."
        ),
    },
]


def store_story(folder: Path, records: list[dict[str, Any]] | None = None) -> Path:
    """The records as JSONL, analyzed (rules profile: no model) and written to
    ``folder/story.duckdb`` as an ingest writes them (without what ingest adds afterwards)."""
    feed = write_jsonl(folder / "story.jsonl", RECORDS if records is None else records)
    settings = Settings(profile="rules")
    batch = analyze_many([feed], settings=settings)
    assert not batch.failures, batch.failures
    db = folder / "story.duckdb"
    with Store.open(db) as store:
        store.write([analysis_rows(a, profile=settings.profile) for a in batch.analyses])
    return db
