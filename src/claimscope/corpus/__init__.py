"""The corpus: many documents analyzed into one DuckDB store, queried with SQL (docs/corpus.md).

``ingest_paths`` fills a store from files, folders, record files and web archives, in parallel
and resumably, on processes of this machine (``runner.py``) or on a Dask cluster
(``dask_engine.py``); ``contradictions.py`` compares the stored documents with each other.
``Store`` (from ``claimscope.store``) opens a store to query or export it.
"""

from __future__ import annotations

from claimscope.corpus.ingest import ingest_paths
from claimscope.corpus.runner import IngestStats
from claimscope.store import QueryResult, Store, WriteResult

__all__ = ["IngestStats", "QueryResult", "Store", "WriteResult", "ingest_paths"]
