"""The corpus: many documents analyzed into one DuckDB store, queried with SQL (docs/corpus.md).

``ingest_paths`` fills a store from files, folders, record files and web archives, in parallel
and resumably; ``Store`` opens one to query or export it.
"""

from __future__ import annotations

from claimscope.corpus.ingest import IngestStats, ingest_paths
from claimscope.corpus.store import QueryResult, Store, WriteResult

__all__ = ["IngestStats", "QueryResult", "Store", "WriteResult", "ingest_paths"]
