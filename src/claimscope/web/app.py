"""The workbench application: the REST API and the pages over one corpus store."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from claimscope import __version__
from claimscope.errors import ClaimscopeError
from claimscope.web import api, openapi, pages
from claimscope.web.security import CsrfTokens, Guard, RateLimiter, allowed_hosts
from claimscope.web.service import ServerConfig, Workbench

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def content_security_policy() -> str:
    """Scripts: only the HTML report's own, by hash; no inline handlers, no other origin."""
    from claimscope.report.html import _asset

    digest = hashlib.sha256(_asset("report.js").encode("utf-8")).digest()
    script = base64.b64encode(digest).decode()
    return (
        "default-src 'self'; "
        f"script-src 'sha256-{script}'; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )


def create_app(config: ServerConfig) -> FastAPI:
    """The workbench for ``config``; the store opens when the app starts serving."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.workbench = Workbench(config)
        try:
            yield
        finally:
            app.state.workbench.close()

    app = FastAPI(
        title="claimscope workbench",
        version=__version__,
        description=(
            "Claims, persuasion techniques, contradictions, coverage, fact-check matches, "
            "evidence and reviews over one corpus store. See docs/workbench.md."
        ),
        lifespan=lifespan,
        # FastAPI's /docs and /redoc load their scripts from a CDN: offline, and refused by the
        # CSP, they are blank pages. The description itself is served at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.state.csrf = CsrfTokens()  # a secret of this server's own: a restart makes new ones
    app.state.limiter = RateLimiter()  # failed sign-ins and tokens, per client address
    app.include_router(api.router)
    app.include_router(pages.router)
    openapi.install(app)  # the replies' schemas: the data model's records
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(ClaimscopeError)
    async def claimscope_error(request: Request, exc: ClaimscopeError) -> Response:
        # Errors of the workbench name their own status (not found, busy); the rest are 400.
        status = getattr(exc, "http_status", 400)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=status)
        return pages.error_page(request, str(exc), status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"{where}: {first.get('msg', 'invalid request')}"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message, "detail": _plain(errors)}, status_code=422)
        return pages.error_page(request, message, 422)

    if config.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(config.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-claimscope-token"],
        )
    app.add_middleware(
        Guard,
        token=config.token,
        max_body=config.max_upload + 64_000,  # the upload and its multipart framing
        timeout=config.timeout,
        csp=content_security_policy(),
        hosts=allowed_hosts(config.host, config.allowed_hosts),
        origins=config.cors_origins,
        csrf=app.state.csrf,
        limiter=app.state.limiter,
        page=lambda status, message: pages.page_html(
            "error.html.j2", store_name=config.db.name, error=message, title="error"
        ),
    )
    return app


def _plain(errors: object) -> object:
    """Validation errors as JSON-safe data (they may carry the raw input, bytes included)."""
    import json

    return json.loads(json.dumps(errors, default=str))
