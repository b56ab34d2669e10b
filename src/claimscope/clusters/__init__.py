"""Claim clusters: the same claim, worded alike or differently, grouped across documents
(docs/clusters.md).

The write side clusters the claims a store holds and no cluster has yet (``update_clusters``,
or a ``ClusterSession`` an ingest updates as it goes, in a ``ClusterThread`` of its own beside
worker processes); the read side lists clusters and their members (``top_clusters``,
``get_cluster``). ``claim_text`` compares claims' texts, ``claim_index`` keeps their vectors.
"""

from __future__ import annotations

from claimscope.clusters.config import ClusterConfig, ClusterStats
from claimscope.clusters.read import Cluster, Member, get_cluster, top_clusters
from claimscope.clusters.session import ClusterSession, update_clusters

__all__ = [
    "Cluster",
    "ClusterConfig",
    "ClusterSession",
    "ClusterStats",
    "Member",
    "get_cluster",
    "top_clusters",
    "update_clusters",
]
