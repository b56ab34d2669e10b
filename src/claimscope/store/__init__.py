"""The store: one DuckDB file of documents, their annotations and what is made from them.

``Store.open`` opens (creating and migrating) a store; ``schema.py`` declares its tables,
``migrations.py`` is their history, ``rows.py`` turns an analysis into rows. The other modules
read and write one kind of record each: coverage, timelines, fact-checks, reviews.
"""

from __future__ import annotations

from claimscope.store.connection import QueryResult, Store, WriteResult

__all__ = ["QueryResult", "Store", "WriteResult"]
