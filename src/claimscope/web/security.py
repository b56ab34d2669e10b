"""The workbench's guards: a token, a body-size limit, a time limit, and strict headers.

Documents are hostile input: pages escape every piece of text (Jinja autoescaping), and the
Content-Security-Policy forbids inline script other than the report's own, by hash, so a
payload that slipped through escaping would still not run.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_ENV = "CLAIMSCOPE_TOKEN"
TOKEN_HEADER = "x-claimscope-token"
TOKEN_COOKIE = "claimscope_token"
# Paths open without a token: the login form, its assets, and the health check.
OPEN_PATHS = ("/login", "/static/", "/api/v1/health")


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def token_matches(given: str | None, token: str) -> bool:
    """Constant-time comparison, so response times do not leak the token."""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def request_token(scope: Scope) -> str | None:
    """The token a request carries: ``Authorization: Bearer``, the header, or the cookie."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    if TOKEN_HEADER in headers:
        return headers[TOKEN_HEADER]
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == TOKEN_COOKIE:
            return value
    return None


class Guard:
    """ASGI middleware: token check, body-size limit, time limit, security headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        max_body: int,
        timeout: float,
        csp: str,
    ) -> None:
        self.app = app
        self.token = token
        self.max_body = max_body
        self.timeout = timeout
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cache-control", b"no-store"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        api = path.startswith("/api/")
        locked = self.token and not path.startswith(OPEN_PATHS)
        if locked and not token_matches(request_token(scope), self.token or ""):
            if api or scope["method"] != "GET":
                await _error(send, 401, "a token is required", self.headers)
            else:
                await _redirect(send, "/login", self.headers)
            return
        length = _content_length(scope)
        if length is not None and length > self.max_body:
            await _error(send, 413, f"request body over {self.max_body} bytes", self.headers)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        try:
            await asyncio.wait_for(
                self.app(scope, _limited(receive, self.max_body), send_with_headers),
                timeout=self.timeout,
            )
        except _TooLarge:
            if not started:
                await _error(send, 413, f"request body over {self.max_body} bytes", self.headers)
        except TimeoutError:
            if not started:
                message = f"the request took longer than {self.timeout:g} s"
                await _error(send, 503, message, self.headers)


class _TooLarge(Exception):
    pass


def _limited(receive: Receive, limit: int) -> Receive:
    """``receive`` that stops a body streamed past ``limit`` bytes (no Content-Length)."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
        return message

    return wrapped


def _content_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _error(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str, headers: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode()), (b"content-length", b"0"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": b""})
