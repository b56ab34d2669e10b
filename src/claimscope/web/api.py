"""The REST API (``/api/v1``): everything the CLI does, as JSON, paged and filterable.

Each route answers with a record of the data model, as its ``to_dict`` writes it, and says which
(``returns``): /openapi.json documents the reply with that record's schema (``web/openapi.py``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field

from claimscope import __version__
from claimscope.errors import InputError
from claimscope.model import (
    Analysis,
    AnalysisReply,
    CheckResult,
    ClaimDetail,
    ClaimPage,
    Cluster,
    ClusterDetail,
    ContradictionPage,
    CorpusEvent,
    CoverageReport,
    DocumentPage,
    MatchList,
    Review,
    ServerHealth,
    StoredDocument,
    TechniquePage,
)
from claimscope.web.openapi import returns
from claimscope.web.service import Page, Workbench, upload_name

router = APIRouter(prefix="/api/v1")

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000, description="Items skipped.")]
Day = Annotated[str | None, Query(description="YYYY-MM-DD", max_length=10)]
Text = Annotated[str | None, Query(max_length=1000)]
MAX_TEXT = 2_000_000
ClaimId = Annotated[int, Path(ge=0, le=2**31 - 1)]


def bench(request: Request) -> Workbench:
    """The workbench of the app serving ``request``."""
    workbench: Workbench = request.app.state.workbench
    return workbench


class AnalyzeRequest(BaseModel):
    """A text to analyze, with what is known about it."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    title: str | None = Field(default=None, max_length=1000)
    url: str | None = Field(default=None, max_length=2000)
    published: str | None = Field(default=None, max_length=40)
    outlet: str | None = Field(default=None, max_length=200)
    lang: str | None = Field(default=None, max_length=20)
    store: bool = Field(default=False, description="Keep it in the corpus store too.")


class ReviewRequest(BaseModel):
    """A reviewer's decision about a stored claim; at least one of the optional fields."""

    doc_id: str = Field(min_length=1, max_length=200)
    claim: int = Field(ge=0, le=2**31 - 1)
    reviewer: str = Field(min_length=1, max_length=200)
    checkworthy: bool | None = None
    verdict: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, max_length=5000)
    assignee: str | None = Field(default=None, max_length=200)


class CheckRequest(BaseModel):
    """A claim to check against the server's evidence index."""

    claim: str = Field(min_length=1, max_length=2000)
    k: int = Field(default=5, ge=1, le=50)


def _analysis_reply(workbench: Workbench, document: Any, store: bool) -> dict[str, Any]:
    analysis, stored = workbench.analyze(document, keep=store)
    return AnalysisReply(analysis.document.id, stored, analysis).to_dict()


@router.get("/health", tags=["server"], **returns(ServerHealth))
def health(request: Request) -> dict[str, Any]:
    """The server is up; which store it serves."""
    workbench = bench(request)
    return ServerHealth("ok", __version__, workbench.config.db.name).to_dict()


@router.post("/analyze", tags=["analysis"], **returns(AnalysisReply))
def analyze_text(body: AnalyzeRequest, request: Request) -> dict[str, Any]:
    """Analyze a text: claims, speakers, numbers, dates, posts, techniques, contradictions."""
    from claimscope.ingest import read_text

    workbench = bench(request)
    meta = body.model_dump(exclude={"text", "store"})
    document = read_text(body.text, settings=workbench.config.settings, source="<api>", **meta)
    return _analysis_reply(workbench, document, body.store)


@router.post("/analyze/upload", tags=["analysis"], **returns(AnalysisReply))
async def analyze_upload(
    request: Request,
    file: Annotated[UploadFile, File(description="A .txt or .html article.")],
    store: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    """Analyze an uploaded article (text or HTML; the content decides, not the name)."""
    from starlette.concurrency import run_in_threadpool

    from claimscope.ingest import read_bytes
    from claimscope.model import Failure

    workbench = bench(request)
    data = await file.read(workbench.config.max_upload + 1)
    if len(data) > workbench.config.max_upload:
        raise InputError(f"upload over {workbench.config.max_upload} bytes")
    name = upload_name(file.filename)
    docs = list(read_bytes(data, source=name, settings=workbench.config.settings))
    if len(docs) != 1:
        raise InputError(f"{name}: holds {len(docs)} records; upload one article")
    if isinstance(docs[0], Failure):
        raise InputError(docs[0].error)
    return await run_in_threadpool(_analysis_reply, workbench, docs[0], store)


@router.get("/documents", tags=["corpus"], **returns(DocumentPage))
def documents(
    request: Request,
    q: Text = None,
    outlet: Text = None,
    since: Day = None,
    until: Day = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Stored documents matching a query (words, "phrases", OR, -excluded, prefix*)."""
    return bench(request).documents(
        q=q, outlet=outlet, since=since, until=until, page=Page(limit, offset)
    )


@router.get("/documents/{doc_id}", tags=["corpus"], **returns(StoredDocument))
def document(request: Request, doc_id: str) -> dict[str, Any]:
    """One stored document: metadata, exact text and counts."""
    return bench(request).document(doc_id)


@router.get("/documents/{doc_id}/analysis", tags=["corpus"], **returns(Analysis))
def document_analysis(request: Request, doc_id: str) -> dict[str, Any]:
    """A stored document's full analysis (its stored text analysed again)."""
    return bench(request).stored_analysis(doc_id).to_dict()


@router.get("/claims", tags=["claims"], **returns(ClaimPage))
def claims(
    request: Request,
    q: Text = None,
    doc_id: Text = None,
    outlet: Text = None,
    since: Day = None,
    until: Day = None,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
    status: Literal["reviewed", "unreviewed"] | None = None,
    assignee: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Stored claims, best scored first, each with its cluster and latest review."""
    return bench(request).claims(
        q=q,
        doc_id=doc_id,
        outlet=outlet,
        since=since,
        until=until,
        min_score=min_score,
        status=status,
        assignee=assignee,
        page=Page(limit, offset),
    )


@router.get("/claims/{doc_id}/{claim}", tags=["claims"], **returns(ClaimDetail))
def claim(request: Request, doc_id: str, claim: ClaimId) -> dict[str, Any]:
    """One claim with its cluster, contradictions and reviews."""
    return bench(request).claim(doc_id, claim)


@router.get("/clusters", tags=["claims"], **returns(Cluster, many=True))
def clusters(
    request: Request,
    top: Annotated[int, Query(ge=1, le=500)] = 20,
    since: Day = None,
    outlet: Text = None,
    min_size: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> list[dict[str, Any]]:
    """The largest claim clusters: the same claim across documents."""
    return bench(request).clusters(top=top, since=since, outlet=outlet, min_size=min_size)


@router.get("/clusters/{cluster_id}", tags=["claims"], **returns(ClusterDetail))
def cluster(request: Request, cluster_id: ClaimId) -> dict[str, Any]:
    """A cluster and its member claims."""
    return bench(request).cluster(cluster_id)


@router.get("/techniques", tags=["corpus"], **returns(TechniquePage))
def techniques(
    request: Request,
    technique: Text = None,
    doc_id: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Persuasion-technique spans, best scored first, and counts per technique."""
    return bench(request).techniques(technique=technique, doc_id=doc_id, page=Page(limit, offset))


@router.get("/contradictions", tags=["corpus"], **returns(ContradictionPage))
def contradictions(
    request: Request,
    doc: Text = None,
    kind: Literal["number", "date", "negation"] | None = None,
    scope: Literal["document", "corpus"] | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Contradictions within and across documents, best scored first."""
    return (
        bench(request)
        .contradiction_page(doc=doc, kind=kind, scope=scope, page=Page(limit, offset))
        .to_dict()
    )


By = Annotated[list[Literal["outlet", "day", "week", "month"]], Query(max_length=2)]


@router.get("/coverage", tags=["corpus"], **returns(CoverageReport))
def coverage(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=1000)],
    by: By = ["outlet", "week"],  # noqa: B006  (FastAPI copies defaults)
    since: Day = None,
    until: Day = None,
    outlet: Text = None,
) -> dict[str, Any]:
    """Documents, sentences and claims matching a query, by outlet and/or period."""
    found = bench(request).coverage(q, by=by, since=since, until=until, outlet=outlet)
    result: dict[str, Any] = found.to_dict()
    return result


@router.get("/coverage.svg", tags=["corpus"], response_class=Response)
def coverage_svg(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=1000)],
    by: By = ["outlet", "week"],  # noqa: B006
    since: Day = None,
    until: Day = None,
    outlet: Text = None,
) -> Response:
    """The coverage chart as SVG."""
    from claimscope.report.charts import coverage_spec, render_svg

    found = bench(request).coverage(q, by=by, since=since, until=until, outlet=outlet)
    if not found.rows:
        raise InputError("nothing matches: no chart to draw")
    return Response(render_svg(coverage_spec(found)), media_type="image/svg+xml")


@router.get("/timeline", tags=["corpus"], **returns(CorpusEvent, many=True))
def timeline(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=1000)],
    since: Day = None,
    until: Day = None,
    outlet: Text = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Dated events from the claims of matching documents, in date order, with sources."""
    events = bench(request).timeline(q, since=since, until=until, outlet=outlet, limit=limit)
    return [e.to_dict() for e in events]


@router.get("/matches", tags=["verification"], **returns(MatchList))
def matches(
    request: Request,
    text: Annotated[str, Query(min_length=1, max_length=2000)],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
) -> dict[str, Any]:
    """Previously fact-checked claims that a text makes again, best first."""
    return bench(request).matches(text, k=k)


@router.post("/check", tags=["verification"], **returns(CheckResult))
def check(body: CheckRequest, request: Request) -> dict[str, Any]:
    """Evidence passages for a claim, each with a stance, and a verdict with its reasons."""
    return bench(request).check(body.claim, k=body.k)


@router.post("/reviews", tags=["reviews"], status_code=201, **returns(Review, status=201))
def add_review(body: ReviewRequest, request: Request) -> dict[str, Any]:
    """Record a reviewer's decision about a claim (a new review; history is kept)."""
    from claimscope.store.reviews import add_review as store_review

    review = bench(request).run(lambda s: store_review(s, **body.model_dump()))
    return review.to_dict()


@router.get("/reviews", tags=["reviews"], **returns(Review, many=True))
def reviews(
    request: Request,
    doc_id: Text = None,
    claim: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
    reviewer: Text = None,
    assignee: Text = None,
    verdict: Text = None,
    latest: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """Reviews, newest first; ``latest`` keeps each claim's current review only."""
    from claimscope.store.reviews import list_reviews

    found = bench(request).run(
        lambda s: list_reviews(
            s,
            doc_id=doc_id,
            claim=claim,
            reviewer=reviewer,
            assignee=assignee,
            verdict=verdict,
            latest=latest,
            limit=limit,
            offset=offset,
        )
    )
    return [r.to_dict() for r in found]


ExportFormat = Literal["csv", "jsonl", "claimreview", "training"]
_MEDIA = {
    "csv": ("text/csv", "reviews.csv"),
    "jsonl": ("application/x-ndjson", "reviews.jsonl"),
    "claimreview": ("application/ld+json", "claimreview.json"),
    "training": ("text/tab-separated-values", "checkworthiness-corrections.tsv"),
}


@router.get("/reviews/export", tags=["reviews"], response_class=PlainTextResponse)
def export_reviews(request: Request, format: ExportFormat = "csv") -> Response:
    """All reviews as CSV or JSONL; verdicts as ClaimReview JSON-LD; check-worthiness
    corrections as training data (CheckThat! TSV)."""
    from claimscope.store.reviews import export_reviews as export
    from claimscope.store.reviews import list_reviews

    found = bench(request).run(lambda s: list_reviews(s))
    media, name = _MEDIA[format]
    return Response(
        export(found, format),
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
