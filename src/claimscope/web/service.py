"""What the workbench does, as plain functions over one corpus store: the API and the pages
both call these, so a page shows exactly what the API returns.

The server holds the store's one read-write connection (DuckDB lets one process write); a lock
serialises its use, since a DuckDB connection is not meant for concurrent threads. Analysis runs
outside the lock, in worker processes (``web/workers.py``): only reading and writing the store
wait for it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from claimscope.errors import ClaimscopeError, InputError
from claimscope.model import (
    Analysis,
    ClaimDetail,
    ClaimPage,
    Cluster,
    ClusterDetail,
    ContradictionPage,
    CorpusContradiction,
    Document,
    DocumentPage,
    DocumentSummary,
    MatchList,
    ReviewSummary,
    StoredClaim,
    StoredDocument,
    TechniqueCount,
    TechniquePage,
    TechniqueSpan,
)
from claimscope.settings import Settings
from claimscope.store import Store
from claimscope.web.workers import AnalysisPool

log = logging.getLogger(__name__)

T = TypeVar("T")
# Stored documents shown as annotated articles are analysed again from their stored text; keep
# the last few so paging through one document's claims does not redo the work.
_ANALYSIS_CACHE = 32


class NotFound(ClaimscopeError):
    """A document, claim or cluster the store does not hold (HTTP 404)."""

    http_status = 404


@dataclass(slots=True)
class ServerConfig:
    """How ``claimscope serve`` runs: the store, access, limits (see docs/workbench.md)."""

    db: Path
    token: str | None = None
    evidence: Path | None = None
    stance_model: str | None = None
    max_upload: int = 2_000_000
    timeout: float = 60.0
    cors_origins: tuple[str, ...] = ()
    settings: Settings = field(default_factory=Settings)
    # Analysis worker processes (0: in the request thread, one at a time, never ended early).
    workers: int = 2
    # Start the workers with the server rather than on the first analysis.
    warm_up: bool = False
    host: str = "127.0.0.1"  # the address bound: requests must name it (or allowed_hosts)
    allowed_hosts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    """Paging of a list: at most ``limit`` items from ``offset`` on."""

    limit: int = 50
    offset: int = 0

    def sql(self) -> str:
        return f" LIMIT {int(self.limit)} OFFSET {int(self.offset)}"


class Workbench:
    """The corpus store a server works on, with the lock that guards its connection."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.store = Store.open(config.db)
        self._lock = threading.RLock()
        self._analyses: OrderedDict[str, Analysis] = OrderedDict()
        self.pool = AnalysisPool(config.settings, config.workers)
        if config.warm_up:
            self.pool.warm_up()
        self.catch_up()

    def catch_up(self) -> None:
        """Cluster and compare what was ingested since the store was last brought up to date
        (both incremental: nothing to do costs a query each)."""
        from claimscope.clusters import update_clusters
        from claimscope.corpus.contradictions import update_contradictions

        with self._lock:
            clustered = update_clusters(self.store)
            compared = update_contradictions(self.store)
        if clustered.claims or compared.documents:
            log.info(
                "caught up: %d claims clustered, %d documents compared",
                clustered.claims,
                compared.documents,
            )

    def close(self) -> None:
        """End the analysis workers and close the store."""
        self.pool.close()
        with self._lock:
            self.store.close()

    @contextmanager
    def locked(self) -> Iterator[Store]:
        """The store, for the calling thread alone."""
        with self._lock:
            yield self.store

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a query, under the lock."""
        import duckdb

        with self.locked() as store:
            try:
                return store.connection.execute(sql, list(params)).fetchall()
            except duckdb.Error as exc:
                raise ClaimscopeError(str(exc).splitlines()[0]) from None

    def run(self, work: Callable[[Store], T]) -> T:
        """``work(store)`` under the lock."""
        with self.locked() as store:
            return work(store)

    # -- analysis ------------------------------------------------------------------------------

    def analyze(self, document: Document, *, keep: bool = False) -> tuple[Analysis, bool]:
        """Analyze a document; with ``keep``, store it (and cluster and compare it) as well.

        Gives the analysis and whether it was newly stored.
        """
        analysis = self.pool.analyze(document, self.config.timeout)
        if not keep:
            return analysis, False
        from claimscope.store.rows import analysis_rows

        rows = analysis_rows(analysis, profile=self.config.settings.profile)
        with self.locked() as store:
            result = store.write([rows])
            if result.lost:
                raise ClaimscopeError(result.lost[0].error)
            if result.stored:
                self.catch_up()
        return analysis, bool(result.stored)

    def stored_analysis(self, doc_id: str) -> Analysis:
        """The annotated article of a stored document: its stored text analysed again."""
        with self._lock:  # request threads share the cache
            if doc_id in self._analyses:
                self._analyses.move_to_end(doc_id)
                return self._analyses[doc_id]
        row = self.rows(
            "SELECT text, source, title, url, CAST(published AS VARCHAR), outlet, lang "
            "FROM documents WHERE id = ?",
            [doc_id],
        )
        if not row:
            raise NotFound(f"no document {doc_id!r}")
        keys = ("text", "source", "title", "url", "published", "outlet", "lang")  # SELECT order
        document = Document(**dict(zip(keys, row[0], strict=True)))
        analysis = self.pool.analyze(document, self.config.timeout)
        with self._lock:
            self._analyses[doc_id] = analysis
            while len(self._analyses) > _ANALYSIS_CACHE:
                self._analyses.popitem(last=False)
        return analysis

    # -- documents -----------------------------------------------------------------------------

    def documents(
        self,
        *,
        q: str | None = None,
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        page: Page = Page(),
    ) -> dict[str, Any]:
        """Stored documents matching a query (the coverage query language), newest first."""
        from claimscope.store.query import document_predicate, parse_filters, parse_query

        filters = parse_filters(since, until, [outlet] if outlet else [], prefix="")
        if q and q.strip():
            where, params = document_predicate(parse_query(q), filters, "d")
        else:
            where, params = filters.predicate("d")
        total = self.rows(f"SELECT count(*) FROM documents d WHERE {where}", params)[0][0]
        rows = self.rows(
            "SELECT d.id, d.title, d.outlet, CAST(d.published AS VARCHAR), d.source, d.url, "
            "(SELECT count(*) FROM claims c WHERE c.doc_id = d.id), "
            "(SELECT count(*) FROM techniques t WHERE t.doc_id = d.id), "
            "left(d.text, 240) "
            f"FROM documents d WHERE {where} "
            "ORDER BY d.published DESC NULLS LAST, d.ingested_at DESC, d.id" + page.sql(),
            params,
        )
        fields = [f.name for f in dataclasses.fields(DocumentSummary)]  # the SELECT's order
        items = [DocumentSummary(**dict(zip(fields, r, strict=True))) for r in rows]
        return DocumentPage(items, total, page.limit, page.offset).to_dict()

    def document(self, doc_id: str) -> dict[str, Any]:
        """One stored document: metadata, text and counts."""
        rows = self.rows(
            "SELECT id, source, url, title, CAST(published AS VARCHAR), outlet, lang, text, "
            "CAST(ingested_at AS VARCHAR) FROM documents WHERE id = ?",
            [doc_id],
        )
        if not rows:
            raise NotFound(f"no document {doc_id!r}")
        counts = {}
        for table in ("sentences", "claims", "techniques", "mentions"):
            n = self.rows(f"SELECT count(*) FROM {table} WHERE doc_id = ?", [doc_id])
            counts[table] = n[0][0]
        fields = [f.name for f in dataclasses.fields(StoredDocument)][:-1]  # the SELECT's order
        return StoredDocument(**dict(zip(fields, rows[0], strict=True)), counts=counts).to_dict()

    # -- claims --------------------------------------------------------------------------------

    def claims(
        self,
        *,
        q: str | None = None,
        doc_id: str | None = None,
        claim: int | None = None,
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        min_score: float = 0.0,
        status: str | None = None,
        assignee: str | None = None,
        page: Page = Page(),
    ) -> dict[str, Any]:
        """Stored claims, best scored first, with their cluster and latest review."""
        from claimscope.store.query import parse_filters, parse_query

        filters = parse_filters(since, until, [outlet] if outlet else [], prefix="")
        where, params = filters.predicate("d")
        parts = [where, "c.score >= ?"]
        params.append(min_score)
        if q and q.strip():
            match, more = parse_query(q).predicate("c.text")
            parts.append(f"({match})")
            params += more
        if doc_id:
            parts.append("c.doc_id = ?")
            params.append(doc_id)
        if claim is not None:
            parts.append("c.id = ?")
            params.append(claim)
        if status == "reviewed":
            parts.append("r.id IS NOT NULL")
        elif status == "unreviewed":
            parts.append("r.id IS NULL")
        elif status is not None:
            raise InputError(f"status must be reviewed or unreviewed, got {status!r}")
        if assignee:
            parts.append("r.assignee = ?")
            params.append(assignee)
        # A claim's speaker is the name a pronoun source stands for; the pronoun comes from the
        # resolved attribution of its sentence (few rows: only resolved ones are grouped).
        sql = f"""
            FROM claims c
            JOIN documents d ON d.id = c.doc_id
            LEFT JOIN cluster_members m ON m.doc_id = c.doc_id AND m.claim = c.id
            LEFT JOIN clusters k ON k.id = m.cluster_id
            LEFT JOIN (SELECT doc_id, sentence, resolved, min(speaker) AS pronoun
                       FROM attributions WHERE resolved IS NOT NULL GROUP BY ALL) a
                   ON a.doc_id = c.doc_id AND a.sentence = c.sentence AND a.resolved = c.speaker
            LEFT JOIN (SELECT * FROM reviews QUALIFY row_number() OVER
                       (PARTITION BY doc_id, claim ORDER BY id DESC) = 1) r
                   ON r.doc_id = c.doc_id AND r.claim = c.id
            WHERE {" AND ".join(parts)}
        """
        # The total rides along with the page (one query, not two: under load, each query
        # waits for the store's lock).
        rows = self.rows(
            "SELECT c.doc_id, c.id, c.text, c.score, c.speaker, a.pronoun, c.start_char, "
            "c.end_char, d.title, d.outlet, CAST(d.published AS VARCHAR), m.cluster_id, k.size, "
            "r.checkworthy, r.verdict, r.assignee, r.reviewer, CAST(r.created_at AS VARCHAR), "
            "c.sentence, count(*) OVER () "
            + sql
            + " ORDER BY c.score DESC, d.published DESC NULLS LAST, c.doc_id, c.id"
            + page.sql(),
            params,
        )
        if rows:
            total = rows[0][-1]
        else:
            total = self.rows("SELECT count(*) " + sql, params)[0][0] if page.offset else 0
        return ClaimPage([_claim_row(r) for r in rows], total, page.limit, page.offset).to_dict()

    def claim(self, doc_id: str, claim_id: int) -> dict[str, Any]:
        """One claim: its text, document, cluster, contradictions and reviews."""
        from claimscope.store.reviews import list_reviews

        found = self.claims(doc_id=doc_id, claim=claim_id, page=Page(limit=1))["items"]
        if not found:
            raise NotFound(f"no claim {claim_id} in document {doc_id!r}")
        item = StoredClaim.from_dict(found[0])
        cluster = self.cluster_detail(item.cluster) if item.cluster is not None else None
        contradictions = [
            c
            for c in self.contradiction_page(doc=doc_id, page=Page(limit=1000)).items
            if _touches(c, doc_id, item.sentence)
        ]
        reviews = self.run(lambda s: list_reviews(s, doc_id=doc_id, claim=claim_id))
        claim = {f.name: getattr(item, f.name) for f in dataclasses.fields(StoredClaim)}
        detail = ClaimDetail(
            **{**claim, "cluster": cluster}, contradictions=contradictions, reviews=reviews
        )
        return detail.to_dict()

    def clusters(
        self,
        *,
        top: int = 20,
        since: str | None = None,
        outlet: str | None = None,
        min_size: int = 1,
    ) -> list[dict[str, Any]]:
        """The largest claim clusters."""
        from claimscope.clusters import top_clusters

        day = _day(since, "since")
        found = self.run(
            lambda s: top_clusters(
                s, top=top, since=day, outlets=[outlet] if outlet else [], min_size=min_size
            )
        )
        return [c.to_dict() for c in found]

    def cluster(self, cluster_id: int) -> dict[str, Any]:
        """A cluster and its members."""
        return self.cluster_detail(cluster_id).to_dict()

    def cluster_detail(self, cluster_id: int) -> ClusterDetail:
        """A cluster and its members, as the data model's record."""
        from claimscope.clusters import get_cluster
        from claimscope.errors import StoreError

        try:
            cluster, members = self.run(lambda s: get_cluster(s, cluster_id))
        except StoreError:
            raise NotFound(f"no cluster {cluster_id}") from None
        fields = {f.name: getattr(cluster, f.name) for f in dataclasses.fields(Cluster)}
        return ClusterDetail(**fields, members=members)

    # -- techniques, contradictions, coverage, timeline ----------------------------------------

    def techniques(
        self,
        *,
        technique: str | None = None,
        doc_id: str | None = None,
        page: Page = Page(),
    ) -> dict[str, Any]:
        """Persuasion-technique spans, best scored first, and the count of each technique."""
        where, params = ["TRUE"], []
        if technique:
            where.append("t.technique = ?")
            params.append(technique)
        if doc_id:
            where.append("t.doc_id = ?")
            params.append(doc_id)
        sql = f"FROM techniques t JOIN documents d ON d.id = t.doc_id WHERE {' AND '.join(where)}"
        total = self.rows("SELECT count(*) " + sql, params)[0][0]
        rows = self.rows(
            "SELECT t.doc_id, t.id, t.technique, t.name, t.text, t.start_char, t.end_char, "
            "t.score, t.explanation, d.title, d.outlet " + sql + " ORDER BY t.score DESC, "
            "t.doc_id, t.id" + page.sql(),
            params,
        )
        fields = [f.name for f in dataclasses.fields(TechniqueSpan)]  # the SELECT's order
        counts = self.rows(
            "SELECT technique, any_value(name), count(*) FROM techniques "
            "GROUP BY technique ORDER BY count(*) DESC, technique"
        )
        return TechniquePage(
            items=[TechniqueSpan(**dict(zip(fields, r, strict=True))) for r in rows],
            total=total,
            limit=page.limit,
            offset=page.offset,
            counts=[TechniqueCount(*c) for c in counts],
        ).to_dict()

    def contradiction_page(
        self,
        *,
        doc: str | None = None,
        kind: str | None = None,
        scope: str | None = None,
        page: Page = Page(),
    ) -> ContradictionPage:
        """Stored contradictions, best scored first, as the data model's record."""
        from claimscope.corpus.contradictions import list_contradictions

        found = self.run(
            lambda s: list_contradictions(
                s, doc=doc, kind=kind, scope=scope, limit=page.offset + page.limit + 1
            )
        )
        items = found[page.offset : page.offset + page.limit]
        more = len(found) > page.offset + page.limit
        return ContradictionPage(items, page.limit, page.offset, more)

    def coverage(
        self,
        q: str,
        *,
        by: Sequence[str] = ("outlet", "week"),
        since: str | None = None,
        until: str | None = None,
        outlet: str | None = None,
    ) -> Any:
        """Coverage of a query by outlet and/or period (a ``Coverage``)."""
        from claimscope.store.coverage import coverage, parse_by
        from claimscope.store.query import parse_filters, parse_query

        parsed = parse_query(q)
        filters = parse_filters(since, until, [outlet] if outlet else [], prefix="")
        by_outlet, period = parse_by(list(by))
        return self.run(
            lambda s: coverage(s, parsed, by_outlet=by_outlet, period=period, filters=filters)
        )

    def timeline(
        self,
        q: str,
        *,
        since: str | None = None,
        until: str | None = None,
        outlet: str | None = None,
        limit: int = 200,
    ) -> list[Any]:
        """Dated events of the claims of documents matching a query, in date order."""
        from claimscope.store.query import parse_filters, parse_query
        from claimscope.store.timeline import timeline

        parsed = parse_query(q)
        filters = parse_filters(since, until, [outlet] if outlet else [], prefix="")
        return self.run(lambda s: timeline(s, parsed, filters=filters, limit=limit))

    # -- verification --------------------------------------------------------------------------

    def matches(self, text: str, *, k: int = 5) -> dict[str, Any]:
        """Fact-checks that ``text`` may repeat (BM25 alone when no pair model is installed)."""
        from claimscope.models.reranker import installed, load_pair_scorer
        from claimscope.store.factchecks import (
            count_factchecks,
            fetch_factchecks,
            open_factcheck_index,
        )
        from claimscope.verify.matching import FactCheckMatcher

        if not text.strip():
            raise InputError("text is empty")
        if not self.run(count_factchecks):
            return MatchList([], "no fact-checks imported into this store").to_dict()
        reranker = load_pair_scorer() if installed() else None
        with self.locked() as store, open_factcheck_index(store) as index:
            found = FactCheckMatcher(index, fetch_factchecks(store), reranker=reranker).match(
                text, k
            )
        note = None if reranker else "no pair model installed: ranked by BM25 alone"
        return MatchList(found, note).to_dict()

    def check(self, claim: str, *, k: int = 5) -> dict[str, Any]:
        """Evidence passages for a claim with stance, and a verdict (needs ``--evidence``)."""
        from claimscope.models.stance import load_stance_scorer
        from claimscope.verify.check import check

        if self.config.evidence is None:
            raise InputError("this server has no evidence index (start it with --evidence DIR)")
        model = self.config.stance_model
        scorer = load_stance_scorer(model) if model else None
        return check(claim, self.config.evidence, k=k, scorer=scorer).to_dict()


def upload_name(filename: str | None) -> str:
    """An upload's base name, for display only: never used as a path."""
    base = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isprintable())[:100] or "upload"


def _claim_row(r: tuple[Any, ...]) -> StoredClaim:
    """A row of ``Workbench.claims``'s SELECT: its columns follow StoredClaim's keys, with the
    latest review's fields in the review's place, and the total last."""
    at = StoredClaim.KEYS.index("review")
    names = [f.name for f in dataclasses.fields(ReviewSummary)]
    end = at + len(names)
    review = ReviewSummary(**dict(zip(names, r[at:end], strict=True)))
    values = [*r[:at], review if review.reviewer is not None else None, *r[end:-1]]
    return StoredClaim(**dict(zip(StoredClaim.KEYS, values, strict=True)))


def _touches(contradiction: CorpusContradiction, doc_id: str, sentence: int) -> bool:
    sides = (contradiction.a, contradiction.b)
    return any(s.doc_id == doc_id and s.sentence == sentence for s in sides)


def _day(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None
