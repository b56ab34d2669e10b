"""Coverage: how many documents (and sentences, claims) match a query, per outlet and period.

One aggregate query in DuckDB: only the counts come back to Python, never the texts. A document
matches when its title or text matches the query; its sentences and claims are counted when they
match the query themselves. Documents without a published date are counted under ``undated``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from claimscope.errors import QueryError
from claimscope.model.corpus import CoverageReport, CoverageRow, CoverageTotals
from claimscope.store.connection import Store
from claimscope.store.query import Filters, Query, document_predicate

# A period's first day, from ``d.published`` (code, never user text, goes into the SQL).
PERIODS: dict[str, str] = {
    "day": "d.published",
    "week": "CAST(date_trunc('week', d.published) AS DATE)",  # ISO weeks: from Monday
    "month": "CAST(date_trunc('month', d.published) AS DATE)",
}
GROUPINGS: tuple[str, ...] = ("outlet", *PERIODS)
UNDATED = "undated"


@dataclass(slots=True)
class Coverage:
    """What ``coverage`` counted: the query, how rows are grouped, and the rows."""

    query: str
    filters: Filters
    by_outlet: bool
    period: str | None
    rows: list[CoverageRow] = field(default_factory=list)

    @property
    def documents(self) -> int:
        """Matching documents, all rows together."""
        return sum(r.documents for r in self.rows)

    @property
    def undated(self) -> int:
        """Matching documents without a published date (counted under ``undated``)."""
        return sum(r.documents for r in self.rows if r.period is None) if self.period else 0

    def period_label(self, row: CoverageRow) -> str:
        """The row's period as shown (see ``period_label``)."""
        return period_label(self.period, row.period)

    def by(self) -> list[str]:
        """The groupings, in column order."""
        return (["outlet"] if self.by_outlet else []) + ([self.period] if self.period else [])

    def table(self) -> list[dict[str, Any]]:
        """The rows as plain records: the grouping columns, then the counts."""
        out = []
        for row in self.rows:
            record: dict[str, Any] = {}
            if self.by_outlet:
                record["outlet"] = row.outlet
            if self.period:
                record[self.period] = self.period_label(row)
            record |= {"documents": row.documents, "sentences": row.sentences, "claims": row.claims}
            out.append(record)
        return out

    def report(self) -> CoverageReport:
        """What was counted, as the data model's record (what ``--json`` and the API give)."""
        return CoverageReport(
            query=self.query,
            filters=self.filters.record(),
            by=self.by(),
            rows=self.table(),
            totals=CoverageTotals(
                documents=self.documents,
                sentences=sum(r.sentences for r in self.rows),
                claims=sum(r.claims for r in self.rows),
                undated=self.undated,
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-ready data."""
        return self.report().to_dict()


def period_label(period: str | None, first_day: dt.date | None) -> str:
    """A period as shown: ``2023-05-29`` (a day, or a week by its Monday), ``2023-05`` (a
    month), ``undated``."""
    if first_day is None:
        return UNDATED
    return first_day.strftime("%Y-%m") if period == "month" else first_day.isoformat()


def parse_by(values: Sequence[str]) -> tuple[bool, str | None]:
    """``--by`` values as (by outlet, period); both outlet and week when none is given."""
    if not values:
        return True, "week"
    unknown = [v for v in values if v not in GROUPINGS]
    if unknown:
        raise QueryError(f"--by {unknown[0]}: choose from {', '.join(GROUPINGS)}")
    periods = list(dict.fromkeys(v for v in values if v in PERIODS))
    if len(periods) > 1:
        raise QueryError(f"--by: one period at a time ({' or '.join(periods)})")
    return "outlet" in values, periods[0] if periods else None


def coverage(
    store: Store,
    query: Query,
    *,
    by_outlet: bool = True,
    period: str | None = "week",
    filters: Filters | None = None,
) -> Coverage:
    """Count matching documents, sentences and claims per outlet and/or period."""
    filters = filters or Filters()
    if period is not None and period not in PERIODS:
        raise QueryError(f"unknown period {period!r}: choose from {', '.join(PERIODS)}")
    docs_where, docs_params = document_predicate(query, filters, "d")
    sent_where, sent_params = query.predicate("s.text")
    claim_where, claim_params = query.predicate("c.text")
    keys = (["d.outlet"] if by_outlet else ["NULL"]) + (
        [PERIODS[period]] if period else ["NULL::DATE"]
    )
    sql = f"""
        WITH docs AS (
            SELECT d.id, {keys[0]} AS outlet, {keys[1]} AS period
            FROM documents d WHERE {docs_where}
        ),
        sent AS (
            SELECT s.doc_id, count(*) AS n FROM sentences s SEMI JOIN docs ON docs.id = s.doc_id
            WHERE {sent_where} GROUP BY s.doc_id
        ),
        cl AS (
            SELECT c.doc_id, count(*) AS n FROM claims c SEMI JOIN docs ON docs.id = c.doc_id
            WHERE {claim_where} GROUP BY c.doc_id
        )
        SELECT docs.outlet, docs.period, count(*) AS documents,
               coalesce(sum(sent.n), 0) AS sentences, coalesce(sum(cl.n), 0) AS claims
        FROM docs
        LEFT JOIN sent ON sent.doc_id = docs.id
        LEFT JOIN cl ON cl.doc_id = docs.id
        GROUP BY docs.outlet, docs.period
        ORDER BY docs.period NULLS LAST, docs.outlet NULLS LAST
    """
    rows = store.fetch(sql, [*docs_params, *sent_params, *claim_params])
    return Coverage(
        query=query.text,
        filters=filters,
        by_outlet=by_outlet,
        period=period,
        rows=[
            CoverageRow(
                outlet=outlet, period=day, documents=int(n), sentences=int(s), claims=int(c)
            )
            for outlet, day, n, s, c in rows
        ],
    )
