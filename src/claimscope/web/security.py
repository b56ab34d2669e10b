"""The workbench's guards: the Host, the origin of writes, CSRF tokens, a token, a limit on
failed sign-ins, a body-size limit, a time limit, and strict headers (docs/workbench.md,
"Security").

Documents are hostile input: pages escape every piece of text (Jinja autoescaping), and the
Content-Security-Policy forbids inline script other than the report's own, by hash, so a
payload that slipped through escaping would still not run.

Other web pages the user visits are hostile too. A request that changes something (any method
but GET, HEAD and OPTIONS) is refused when its Origin (or Referer) is another site's; a page's
form also carries a CSRF token (a signed double-submit cookie), and an API write must be JSON or
carry a header that a cross-site form cannot send. A Host header that does not name this server
is refused, so a rebound DNS name cannot read it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import math
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

TOKEN_ENV = "CLAIMSCOPE_TOKEN"
TOKEN_HEADER = "x-claimscope-token"
TOKEN_COOKIE = "claimscope_token"
CSRF_COOKIE = "claimscope_csrf"
CSRF_FIELD = "csrf_token"
# Paths open without a token: the login form, its assets, and the health check.
OPEN_PATHS = ("/login", "/static/", "/api/v1/health")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Host names a loopback-bound server answers to besides its address, with any port.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
# A non-JSON API write (the multipart upload) must carry one of these: a cross-site form cannot
# send a header, and a cross-site script may only after a CORS preflight the server refuses.
API_WRITE_HEADERS = ("authorization", TOKEN_HEADER, "x-requested-with")
# Failed token or sign-in attempts allowed per client address within the window (seconds).
LOGIN_LIMIT = 10
LOGIN_WINDOW = 60.0
_HOST_NAME = re.compile(r"^(?:\[[0-9a-f:.]+\]|[a-z0-9_.-]+)$")


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def split_host(value: str) -> tuple[str, int | None] | None:
    """``name[:port]`` (a Host header, a bind address, an ``--allow-host``) as a lowercase name
    (IPv6 in brackets, no trailing dot) and a port; None when it is not one."""
    value = value.strip().lower()
    if value.count(":") > 1 and not value.startswith("["):
        value = f"[{value}]"  # a bare IPv6 address, as --host takes it
    name, port = value, None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[: end + 1], value[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                return None
            port = _port(rest[1:])
            if port is None:
                return None
    elif ":" in value:
        name, _, digits = value.partition(":")
        port = _port(digits)
        if port is None:
            return None
    name = name.rstrip(".") if not name.startswith("[") else name
    if not name or not _HOST_NAME.match(name):
        return None
    return name, port


def _port(digits: str) -> int | None:
    if not digits.isascii() or not digits.isdigit() or len(digits) > 5 or int(digits) > 65535:
        return None
    return int(digits)


def allowed_hosts(bind: str, extra: Iterable[str] = ()) -> tuple[tuple[str, int | None], ...]:
    """The Host names a server bound to ``bind`` answers: its address, the loopback names when
    it is a loopback address, and ``extra`` (``name`` for any port, ``name:port`` for one)."""
    names = [bind, *(LOOPBACK_NAMES if is_loopback(bind) else ()), *extra]
    parsed = []
    for name in names:
        host = split_host(name)
        if host is None:
            raise ValueError(f"not a host name: {name!r}")
        parsed.append(host)
    return tuple(dict.fromkeys(parsed))


def normalize_origin(value: str) -> str | None:
    """``scheme://host:port`` of an origin or URL (default ports made explicit); None for
    ``null``, other schemes and anything unparsable."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = split_host(parts.netloc.rpartition("@")[2])
    if host is None:
        return None
    return f"{scheme}://{host[0]}:{port or (443 if scheme == 'https' else 80)}"


def token_matches(given: str | None, token: str) -> bool:
    """Constant-time comparison, so response times do not leak the token."""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def header(scope: Scope, name: str) -> str | None:
    """The first ``name`` header of a request (``name`` in lowercase)."""
    key = name.encode("latin-1")
    for k, v in scope["headers"]:
        if k.lower() == key:
            return str(v.decode("latin-1"))
    return None


def request_cookie(scope: Scope, name: str) -> str | None:
    """The value of cookie ``name`` a request carries."""
    for line in (v for k, v in scope["headers"] if k.lower() == b"cookie"):
        for part in line.decode("latin-1").split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return value
    return None


def request_token(scope: Scope) -> str | None:
    """The token a request carries: ``Authorization: Bearer``, the header, or the cookie."""
    auth = header(scope, "authorization") or ""
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    given = header(scope, TOKEN_HEADER)
    if given is not None:
        return given
    return request_cookie(scope, TOKEN_COOKIE)


def client_key(scope: Scope) -> str:
    """Whom a request comes from, for the sign-in limit: the client's address."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class CsrfTokens:
    """Signed double-submit tokens: a random nonce and its HMAC under a secret made for this
    server (so a restart invalidates them). A form sends the token in a hidden field, the
    browser sends it as a cookie; a write needs both, equal, and signed."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def new(self) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._sign(nonce)}"

    def valid(self, token: str | None) -> bool:
        if not token or len(token) > 200:
            return False
        nonce, _, signature = token.partition(".")
        return bool(nonce) and hmac.compare_digest(signature.encode(), self._sign(nonce).encode())

    def matches(self, cookie: str | None, field: str | None) -> bool:
        """Whether a form's field and the browser's cookie are one valid token."""
        if cookie is None or field is None or not self.valid(cookie):
            return False
        return hmac.compare_digest(cookie.encode(), field.encode())

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest()


class RateLimiter:
    """Failed attempts per client within a sliding window: after ``limit`` of them, the client
    waits until the oldest leaves the window. Successes are not counted. Thread-safe (the
    middleware and the page handlers' threads share one)."""

    def __init__(
        self,
        *,
        limit: int = LOGIN_LIMIT,
        window: float = LOGIN_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_clients = max_clients
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Seconds ``key`` must wait before its next attempt; 0 when it may try now."""
        with self._lock:
            failures = self._failures.get(key)
            if failures is None:
                return 0.0
            now = self.clock()
            self._prune(failures, now)
            if len(failures) < self.limit:
                return 0.0
            return max(failures[-self.limit] + self.window - now, 0.0)

    def fail(self, key: str) -> None:
        """Record a failed attempt by ``key``."""
        with self._lock:
            now = self.clock()
            # Taken out and put back: the dict runs from the least to the most recent failure.
            failures = self._failures.pop(key, None) or deque()
            self._prune(failures, now)
            failures.append(now)
            self._failures[key] = failures
            if len(self._failures) > self.max_clients:
                for other, old in list(self._failures.items()):
                    if not self._prune(old, now):
                        del self._failures[other]
                while len(self._failures) > self.max_clients:  # the least recent go first
                    del self._failures[next(iter(self._failures))]

    def _prune(self, failures: deque[float], now: float) -> deque[float]:
        """``failures`` without those out of the window, and at most ``limit`` of them."""
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        while len(failures) > self.limit:
            failures.popleft()
        return failures


class Guard:
    """ASGI middleware: the Host check, cross-site write refusal, CSRF tokens, the token and
    its sign-in limit, body-size limit, time limit, security headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        max_body: int,
        timeout: float,
        csp: str,
        hosts: Iterable[tuple[str, int | None]] = (),
        origins: Iterable[str] = (),
        csrf: CsrfTokens | None = None,
        limiter: RateLimiter | None = None,
        page: Callable[[int, str], str] | None = None,
    ) -> None:
        self.app = app
        self.token = token
        self.max_body = max_body
        self.timeout = timeout
        self.hosts = tuple(hosts)
        self.origins = {o for o in map(normalize_origin, origins) if o}
        self.csrf = csrf or CsrfTokens()
        self.limiter = limiter or RateLimiter()
        self.page = page
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            # Same-origin requests say where they come from (a form post's Origin is then this
            # server's, not "null"); other sites learn nothing.
            (b"referrer-policy", b"same-origin"),
            (b"cache-control", b"no-store"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        api = path.startswith("/api/")
        safe = method in SAFE_METHODS
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        async def refuse(status: int, message: str, extra: Headers | None = None) -> None:
            headers = [*(extra or []), *self.headers]
            if api or self.page is None:
                await _error(tracked, status, message, headers)
            else:
                html = self.page(status, message).encode()
                await _respond(tracked, status, b"text/html; charset=utf-8", html, headers)

        if not self._host_allowed(scope):
            await _error(
                tracked, 400, "unknown Host: start the server with --allow-host NAME", self.headers
            )
            return
        if not safe and (problem := self._cross_site(scope, api)):
            await refuse(403, problem)
            return
        locked = bool(self.token) and not path.startswith(OPEN_PATHS)
        given = request_token(scope) if locked else None
        client = client_key(scope)
        if (given is not None or (path == "/login" and not safe)) and (
            wait := self.limiter.retry_after(client)
        ):
            seconds = math.ceil(wait)
            message = f"too many failed sign-ins from this address: try again in {seconds} s"
            await refuse(429, message, [(b"retry-after", str(seconds).encode())])
            return
        if locked and not token_matches(given, self.token or ""):
            if given is not None:
                self.limiter.fail(client)
            if api or method != "GET":
                await _error(tracked, 401, "a token is required", self.headers)
            else:
                forget = [(b"set-cookie", f"{TOKEN_COOKIE}=; Max-Age=0; Path=/".encode())]
                await _redirect(tracked, "/login", [*(forget if given else []), *self.headers])
            return
        length = _content_length(scope)
        if length is not None and length > self.max_body:
            await refuse(413, f"request body over {self.max_body} bytes")
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await tracked(message)

        async def serve() -> None:
            body = await _read_body(receive, self.max_body)
            if body is None:
                return  # the client went away
            if not safe and not api:
                problem = await self._csrf_problem(scope, body)
                if problem:
                    await refuse(403, problem)
                    return
            await self.app(scope, _replay(body, receive), send_with_headers)

        try:
            await asyncio.wait_for(serve(), timeout=self.timeout)
        except _TooLarge:
            if not started:
                await refuse(413, f"request body over {self.max_body} bytes")
        except TimeoutError:
            if not started:
                await refuse(503, f"the request took longer than {self.timeout:g} s")

    def _host_allowed(self, scope: Scope) -> bool:
        """The Host names this server: an allowed name, or the address the connection came to."""
        value = header(scope, "host")
        host = split_host(value) if value else None
        if host is None:
            return False
        name, port = host
        if any(name == n and (p is None or p == port) for n, p in self.hosts):
            return True
        server = scope.get("server")
        if not server:
            return False
        try:  # an address, not a name, cannot be rebound: the one this connection came to
            address = ipaddress.ip_address(str(server[0]).strip("[]"))
            return ipaddress.ip_address(name.strip("[]")) == address
        except ValueError:
            return False

    def _cross_site(self, scope: Scope, api: bool) -> str | None:
        """Why a write looks sent by another site, or None."""
        origin = header(scope, "origin")
        if origin is None and (referer := header(scope, "referer")) is not None:
            origin = referer
        if origin is not None:
            own = normalize_origin(f"{scope.get('scheme', 'http')}://{header(scope, 'host')}")
            given = normalize_origin(origin)
            if given is None or (given != own and given not in self.origins):
                return "a write from another origin is refused (cross-site request)"
        forgeable = not any(header(scope, h) is not None for h in API_WRITE_HEADERS)
        if api and forgeable and not _is_json(header(scope, "content-type")):
            return (
                "an API write must be Content-Type: application/json or carry an "
                "X-Requested-With (or token) header"
            )
        return None

    async def _csrf_problem(self, scope: Scope, body: bytes) -> str | None:
        """Why a page's form post lacks a valid CSRF token, or None."""
        from starlette.requests import Request

        request = Request(scope, _replay(body, _no_more))
        try:
            form = await request.form()
        except Exception as exc:  # malformed multipart or urlencoded data
            return f"an unreadable form: {exc}"
        try:
            field = form.get(CSRF_FIELD)
            cookie = request_cookie(scope, CSRF_COOKIE)
            if not self.csrf.matches(cookie, field if isinstance(field, str) else None):
                return (
                    "the form's CSRF token is missing or stale: reload the page and send it again"
                )
            return None
        finally:
            await form.close()


class _TooLarge(Exception):
    pass


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, refused past ``limit`` bytes (with or without Content-Length);
    None when the client disconnects first."""
    chunks: list[bytes] = []
    seen = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` that gives ``body`` once, then whatever the connection says (a disconnect)."""
    sent = False

    async def wrapped() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped


async def _no_more() -> Message:
    return {"type": "http.disconnect"}


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _content_length(scope: Scope) -> int | None:
    value = header(scope, "content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


async def _error(send: Send, status: int, message: str, headers: Headers) -> None:
    body = json.dumps({"error": message}).encode()
    await _respond(send, status, b"application/json", body, headers)


async def _respond(send: Send, status: int, kind: bytes, body: bytes, headers: Headers) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str, headers: Headers) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode()), (b"content-length", b"0"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": b""})
