"""Claim clusters read back: the largest ones, and one cluster with its members."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from claimscope.errors import SettingsError, StoreError
from claimscope.model.corpus import Cluster, ClusterMember
from claimscope.store import Store

# The data model names a cluster's member ``ClusterMember``; ``Member`` is its older name here.
Member = ClusterMember

# A cluster's row: the columns of the clusters table named as ``Cluster``'s fields, in order.
_CLUSTER_FIELDS = tuple(f.name for f in dataclasses.fields(Cluster))
_CLUSTER_COLUMNS = ", ".join(_CLUSTER_FIELDS)
# Each field of a member and the SQL that gives it (rows are read back by field name).
_MEMBER_SQL = {
    "doc_id": "m.doc_id",
    "claim": "m.claim",
    "text": "c.text",
    "outlet": "d.outlet",
    "day": "coalesce(d.published, CAST(d.ingested_at AS DATE))",
    "title": "d.title",
    "how": "m.how",
    "similarity": "m.similarity",
    "speaker": "c.speaker",
}


def summary_sql(where: str) -> str:
    """The SELECT (up to its last column) summarizing the members matching ``where`` per
    cluster: representative (highest score, then earliest), size, documents, outlets, first and
    last seen. A document's day is its publication date, else the day it was stored."""
    return (
        "WITH m AS (SELECT m.cluster_id, m.doc_id, m.claim, c.text, c.score, d.outlet, "
        "coalesce(d.published, CAST(d.ingested_at AS DATE)) AS day FROM cluster_members m "
        "JOIN claims c ON c.doc_id = m.doc_id AND c.id = m.claim "
        f"JOIN documents d ON d.id = m.doc_id WHERE {where}), "
        "ranked AS (SELECT *, row_number() OVER (PARTITION BY cluster_id "
        "ORDER BY score DESC, day, doc_id, claim) AS r FROM m) "
        "SELECT cluster_id, any_value(doc_id) FILTER (WHERE r = 1), "
        "any_value(claim) FILTER (WHERE r = 1), any_value(text) FILTER (WHERE r = 1), "
        "any_value(score) FILTER (WHERE r = 1), count(*), count(DISTINCT doc_id), "
        "list(DISTINCT outlet ORDER BY outlet) FILTER (WHERE outlet IS NOT NULL), "
        "min(day), max(day)"
    )


def top_clusters(
    store: Store,
    *,
    top: int = 20,
    since: dt.date | None = None,
    outlets: Sequence[str] = (),
    min_size: int = 1,
    speakers: Sequence[str] = (),
) -> list[Cluster]:
    """The largest clusters (size, then documents, then the latest seen), at most ``top``.

    With ``since``, ``outlets`` or ``speakers``, only the members from documents of that day or
    later, or of one of those outlets, or claims said by one of those speakers (any case; a
    pronoun's speaker is the name it was resolved to), count: sizes, outlets, days and the
    representative are theirs.
    """
    if top < 1 or min_size < 1:
        raise SettingsError("--top and --min-size must be 1 or more")
    order = "ORDER BY size DESC, documents DESC, last_seen DESC NULLS LAST, id LIMIT ?"
    if since is None and not outlets and not speakers:
        sql = f"SELECT {_CLUSTER_COLUMNS} FROM clusters WHERE size >= ? {order}"
        params: list[Any] = [min_size, top]
    else:
        where, params = ["true"], []
        if since is not None:
            where.append("coalesce(d.published, CAST(d.ingested_at AS DATE)) >= ?")
            params.append(since)
        if outlets:
            where.append("lower(d.outlet) IN (SELECT lower(unnest(?::VARCHAR[])))")
            params.append(list(outlets))
        if speakers:
            where.append("lower(c.speaker) IN (SELECT lower(unnest(?::VARCHAR[])))")
            params.append(list(speakers))
        sql = (
            "SELECT * FROM ("
            + summary_sql(" AND ".join(where))
            + f" FROM ranked GROUP BY cluster_id) AS s({_CLUSTER_COLUMNS}) WHERE size >= ? {order}"
        )
        params += [min_size, top]
    return [_cluster(r) for r in store.fetch(sql, params)]


def get_cluster(store: Store, cluster_id: int) -> tuple[Cluster, list[ClusterMember]]:
    """A cluster and its members, by day; StoreError when there is no such cluster."""
    rows = store.fetch(f"SELECT {_CLUSTER_COLUMNS} FROM clusters WHERE id = ?", [cluster_id])
    if not rows:
        raise StoreError(f"no cluster {cluster_id}", source=str(store.path))
    select = ", ".join(f"{sql} AS {name}" for name, sql in _MEMBER_SQL.items())
    members = [
        ClusterMember(**dict(zip(_MEMBER_SQL, row, strict=True)))
        for row in store.fetch(
            f"SELECT {select} FROM cluster_members m "
            "JOIN claims c ON c.doc_id = m.doc_id AND c.id = m.claim "
            "JOIN documents d ON d.id = m.doc_id WHERE m.cluster_id = ? "
            "ORDER BY day NULLS LAST, d.ingested_at, m.doc_id, m.claim",
            [cluster_id],
        )
    ]
    return _cluster(rows[0]), members


def _cluster(row: tuple[Any, ...]) -> Cluster:
    """A cluster from its row (``_CLUSTER_COLUMNS``); no outlet is NULL in the table."""
    values = dict(zip(_CLUSTER_FIELDS, row, strict=True))
    return Cluster(**{**values, "outlets": list(values["outlets"] or [])})
