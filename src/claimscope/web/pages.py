"""The workbench pages: server-rendered HTML over the same functions as the API."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from claimscope.errors import ClaimscopeError, InputError
from claimscope.report.html import safe_href
from claimscope.web.security import (
    CSRF_COOKIE,
    TOKEN_COOKIE,
    CsrfTokens,
    RateLimiter,
    client_key,
    token_matches,
)
from claimscope.web.service import Page, Workbench, upload_name

router = APIRouter(include_in_schema=False)
TEMPLATES = Path(__file__).parent / "templates"
REVIEWER_COOKIE = "claimscope_reviewer"
ClaimId = Annotated[int, PathParam(ge=0, le=2**31 - 1)]


@functools.cache
def environment() -> jinja2.Environment:
    """The pages' Jinja environment: autoescaping on, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_href
    return env


def page_html(template: str, *, store_name: str, **context: Any) -> str:
    """The HTML of ``template`` in the layout (``csrf_token`` is needed by pages with forms)."""
    context.setdefault("error", None)
    context.setdefault("nav", "")
    context.setdefault("title", "claimscope")
    context.setdefault("csrf_token", "")
    return environment().get_template(template).render(store_name=store_name, **context)


def render(request: Request, template: str, *, code: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``template`` with the layout's context and the browser's CSRF token (a new
    one, set as its cookie, when it has no valid one)."""
    workbench: Workbench = request.app.state.workbench
    tokens: CsrfTokens = request.app.state.csrf
    token = request.cookies.get(CSRF_COOKIE)
    fresh = not tokens.valid(token)
    if fresh:
        token = tokens.new()
    html = page_html(template, store_name=workbench.config.db.name, csrf_token=token, **context)
    response = HTMLResponse(html, status_code=code)
    if fresh:
        response.set_cookie(CSRF_COOKIE, token or "", samesite="lax", httponly=True)
    return response


def error_page(request: Request, message: str, status: int) -> HTMLResponse:
    """The layout with a one-line error."""
    return render(
        request,
        "login.html.j2" if status == 401 else "error.html.j2",
        code=status,
        error=message,
        title="error",
    )


def bench(request: Request) -> Workbench:
    workbench: Workbench = request.app.state.workbench
    return workbench


@router.get("/")
def home() -> Response:
    return RedirectResponse("/corpus", status_code=303)


_EMPTY_FORM = {"text": "", "title": "", "outlet": "", "published": "", "store": False}


@router.get("/analyze")
def analyze_form(request: Request) -> HTMLResponse:
    return render(
        request, "analyze.html.j2", nav="analyze", title="Analyze", form=_EMPTY_FORM, report=None
    )


@router.post("/analyze")
async def analyze_page(
    request: Request,
    text: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    outlet: Annotated[str, Form()] = "",
    published: Annotated[str, Form()] = "",
    store: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    from starlette.concurrency import run_in_threadpool

    from claimscope.ingest import read_bytes, read_text
    from claimscope.model import Failure
    from claimscope.report.html import render_html

    workbench = bench(request)
    form = {
        "text": text,
        "title": title,
        "outlet": outlet,
        "published": published,
        "store": bool(store),
    }
    meta = {"title": title or None, "outlet": outlet or None, "published": published or None}
    settings = workbench.config.settings
    try:
        data, name = b"", "upload"
        if file is not None:
            data, name = (
                await file.read(workbench.config.max_upload + 1),
                upload_name(file.filename),
            )
        if len(data) > workbench.config.max_upload:
            raise InputError(f"upload over {workbench.config.max_upload} bytes")
        if data:
            docs = list(read_bytes(data, source=name, settings=settings))
            if len(docs) != 1 or isinstance(docs[0], Failure):
                raise InputError(
                    docs[0].error if docs and isinstance(docs[0], Failure) else "upload one article"
                )
            document = docs[0]
            for key, value in meta.items():
                if value and key != "published":
                    setattr(document, key, value)
        else:
            document = read_text(text, settings=settings, source="<workbench>", **meta)
        analysis, stored = await run_in_threadpool(workbench.analyze, document, keep=bool(store))
    except ClaimscopeError as exc:
        return render(
            request,
            "analyze.html.j2",
            code=400,
            nav="analyze",
            title="Analyze",
            form=form,
            report=None,
            error=str(exc),
        )
    doc_id = analysis.document.id if store else None
    return render(
        request,
        "analyze.html.j2",
        nav="analyze",
        title=analysis.document.title or "Analysis",
        form=form,
        report=Markup(render_html([analysis], fragment=True)),
        doc_id=doc_id,
        stored=stored,
        claims=analysis.claims,
    )


@router.get("/documents/{doc_id}")
def document_page(request: Request, doc_id: str) -> HTMLResponse:
    from claimscope.report.html import render_html

    workbench = bench(request)
    doc = workbench.document(doc_id)
    analysis = workbench.stored_analysis(doc_id)
    claims = workbench.claims(doc_id=doc_id, page=Page(limit=500))["items"]
    return render(
        request,
        "document.html.j2",
        nav="corpus",
        title=doc["title"] or doc["source"],
        doc=doc,
        claims=claims,
        report=Markup(render_html([analysis], fragment=True)),
    )


@router.get("/corpus")
def corpus_page(
    request: Request,
    q: str = "",
    outlet: str = "",
    since: str = "",
    until: str = "",
    offset: int = 0,
) -> HTMLResponse:
    workbench = bench(request)
    filters = {"q": q, "outlet": outlet, "since": since, "until": until}
    context: dict[str, Any] = {"nav": "corpus", "title": "Corpus", **filters}
    page = Page(limit=25, offset=max(0, min(offset, 10**9)))
    try:
        context["documents"] = workbench.documents(
            q=q or None,
            outlet=outlet or None,
            since=since or None,
            until=until or None,
            page=page,
        )
        context["clusters"] = workbench.clusters(top=10, outlet=outlet or None, since=since or None)
        contradictions = workbench.contradiction_page(page=Page(limit=10))
        context["contradictions"] = contradictions.to_dict()["items"]
        context["coverage_rows"] = []
        if q:
            found = workbench.coverage(
                q, since=since or None, until=until or None, outlet=outlet or None
            )
            context["coverage_rows"] = [
                {
                    "outlet": r.outlet,
                    "period": found.period_label(r),
                    "documents": r.documents,
                    "claims": r.claims,
                }
                for r in found.rows
            ]
    except ClaimscopeError as exc:
        empty = {"items": [], "total": 0, "limit": page.limit, "offset": 0}
        context.update(
            documents=empty, clusters=[], contradictions=[], coverage_rows=[], error=str(exc)
        )
        return render(request, "corpus.html.j2", code=400, chart_url="", next_page="", **context)
    chart = {k: v for k, v in filters.items() if v}
    return render(
        request,
        "corpus.html.j2",
        chart_url="/api/v1/coverage.svg?" + urlencode(chart),
        next_page="/corpus?" + urlencode({**chart, "offset": page.offset + page.limit}),
        **context,
    )


@router.get("/claims/{doc_id}/{claim}")
def claim_page(request: Request, doc_id: str, claim: ClaimId) -> HTMLResponse:
    from claimscope.store.reviews import REVIEW_VERDICTS

    workbench = bench(request)
    item = workbench.claim(doc_id, claim)
    evidence, evidence_note = None, "No evidence index: start the server with --evidence DIR."
    if workbench.config.evidence is not None:
        try:
            evidence = workbench.check(item["text"])
        except ClaimscopeError as exc:
            evidence_note = str(exc)
    try:
        matches = workbench.matches(item["text"])
    except ClaimscopeError as exc:
        matches = {"matches": [], "note": str(exc)}
    return render(
        request,
        "claim.html.j2",
        nav="review",
        title=f"claim #{claim}",
        claim=item,
        matches=matches,
        evidence=evidence,
        evidence_note=evidence_note,
        verdicts=REVIEW_VERDICTS,
        reviewer=request.cookies.get(REVIEWER_COOKIE, ""),
    )


@router.post("/claims/{doc_id}/{claim}/review")
def review_submit(
    request: Request,
    doc_id: str,
    claim: ClaimId,
    reviewer: Annotated[str, Form(max_length=200)] = "",
    checkworthy: Annotated[str, Form(max_length=5)] = "",
    verdict: Annotated[str, Form(max_length=40)] = "",
    assignee: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    from claimscope.store.reviews import add_review

    flag = {"yes": True, "no": False}.get(checkworthy)
    bench(request).run(
        lambda s: add_review(
            s,
            doc_id=doc_id,
            claim=claim,
            reviewer=reviewer,
            checkworthy=flag,
            verdict=verdict or None,
            note=note or None,
            assignee=assignee or None,
        )
    )
    response = RedirectResponse(f"/claims/{_quote(doc_id)}/{claim}#reviews", status_code=303)
    response.set_cookie(
        REVIEWER_COOKIE,
        " ".join(reviewer.split()),
        samesite="strict",
        httponly=True,
        max_age=90 * 86400,
    )
    return response


@router.get("/review")
def review_page(
    request: Request,
    q: str = "",
    status: str = "",
    assignee: str = "",
    min_score: float = 0.0,
    offset: int = 0,
) -> HTMLResponse:
    workbench = bench(request)
    page = Page(limit=50, offset=max(0, min(offset, 10**9)))
    filters: dict[str, Any] = {
        "q": q,
        "status": status,
        "assignee": assignee,
        "min_score": f"{min_score:g}" if min_score else "",
    }
    claims = workbench.claims(
        q=q or None,
        status=status or None,
        assignee=assignee or None,
        min_score=max(0.0, min(min_score, 1.0)),
        page=page,
    )
    query = {k: v for k, v in filters.items() if v}
    return render(
        request,
        "review.html.j2",
        nav="review",
        title="Review",
        claims=claims,
        next_page="/review?" + urlencode({**query, "offset": page.offset + page.limit}),
        **filters,
    )


@router.get("/api")
def api_page(request: Request) -> HTMLResponse:
    """The REST API's endpoints, read from the app's own OpenAPI description."""
    spec = request.app.openapi()
    schemas = spec.get("components", {}).get("schemas", {})
    operations = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            ref = (
                op.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
                .get("$ref", "")
            )
            body = list(schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": (op.get("description") or op.get("summary") or "").split("\n")[0],
                    "params": [p["name"] for p in op.get("parameters", [])],
                    "body": body,
                }
            )
    return render(request, "api.html.j2", nav="api", title="API", operations=operations)


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html.j2", title="Sign in")


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=500)] = "") -> Response:
    expected = bench(request).config.token
    if expected is None:
        return RedirectResponse("/", status_code=303)
    if not token_matches(token, expected):
        limiter: RateLimiter = request.app.state.limiter
        limiter.fail(client_key(request.scope))
        return render(request, "login.html.j2", code=401, title="Sign in", error="wrong token")
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(TOKEN_COOKIE, token, samesite="strict", httponly=True)
    return response


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")
