"""The workbench's guards against other sites and guessing: cross-site writes (Origin, Referer,
CSRF tokens, API content types), the Host check (DNS rebinding), the limit on failed sign-ins
and tokens, and bodies streamed past the size limit."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from claimscope.corpus.ingest import ingest_paths
from claimscope.settings import Settings
from claimscope.web import ServerConfig, create_app
from claimscope.web.security import (
    CSRF_COOKIE,
    CsrfTokens,
    RateLimiter,
    allowed_hosts,
    normalize_origin,
    split_host,
)
from tests.web.conftest import form_token, serve

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "claimscope" / "examples"
TEST_HOST = ("testserver",)
EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("web-security") / "peru.duckdb"
    ingest_paths([EXAMPLES / "peru_corpus.jsonl"], db=db, settings=Settings())
    return db


@pytest.fixture()
def db(store_path: Path, tmp_path: Path) -> Path:
    """A private copy of the store, for tests that write to it."""
    copy = tmp_path / "peru.duckdb"
    copy.write_bytes(store_path.read_bytes())
    return copy


def client_for(db: Path, base_url: str = "http://testserver", **config: Any) -> TestClient:
    config.setdefault("allowed_hosts", TEST_HOST)
    return TestClient(create_app(ServerConfig(db=db, **config)), base_url=base_url)


@pytest.fixture()
def client(db: Path) -> Iterator[TestClient]:
    with client_for(db) as c:
        yield c


def a_claim(client: TestClient) -> dict[str, Any]:
    items = client.get("/api/v1/claims", params={"limit": 1}).json()["items"]
    assert items
    return dict(items[0])


def review_count(client: TestClient) -> int:
    return len(client.get("/api/v1/reviews").json())


def document_count(client: TestClient) -> int:
    return int(client.get("/api/v1/documents").json()["total"])


# Cross-site writes


def test_csrf_cross_origin_api_writes_are_refused(client: TestClient) -> None:
    claim = a_claim(client)
    review = {"doc_id": claim["doc_id"], "claim": claim["claim"], "reviewer": "x", "note": "n"}
    for headers in (
        {"Origin": EVIL},
        {"Origin": "null"},  # a sandboxed frame, or a page with no-referrer
        {"Origin": "http://testserver:8080"},  # another port is another origin
        {"Origin": "https://testserver"},  # and another scheme
        {"Referer": f"{EVIL}/page.html"},  # no Origin: the Referer decides
    ):
        reply = client.post("/api/v1/reviews", json=review, headers=headers)
        assert reply.status_code == 403, headers
        assert "another origin" in reply.json()["error"]
    text = {"text": "Exports rose 12% in 2023, the minister said.", "store": True}
    assert client.post("/api/v1/analyze", json=text, headers={"Origin": EVIL}).status_code == 403
    assert review_count(client) == 0 and document_count(client) == 5
    # The server's own origin, or none at all (curl, scripts), may write.
    own = client.post("/api/v1/reviews", json=review, headers={"Origin": "http://testserver"})
    assert own.status_code == 201
    same_page = {"Referer": "http://testserver/claims/x/0"}
    assert client.post("/api/v1/reviews", json=review, headers=same_page).status_code == 201
    assert client.post("/api/v1/reviews", json=review).status_code == 201
    assert review_count(client) == 3


def test_csrf_api_writes_need_json_or_a_header_forms_cannot_send(client: TestClient) -> None:
    claim = a_claim(client)
    # What a cross-site <form enctype="text/plain"> can send, with no Origin (an old browser).
    review = {"doc_id": claim["doc_id"], "claim": claim["claim"], "reviewer": "x", "note": "n"}
    body = json.dumps(review)
    plain = client.post("/api/v1/reviews", content=body, headers={"Content-Type": "text/plain"})
    assert plain.status_code == 403 and "application/json" in plain.json()["error"]
    html = b"<html><body><p>The council said 1,200 homes would be built by 2027.</p></body></html>"
    files = {"file": ("a.html", html, "text/html")}
    upload = client.post("/api/v1/analyze/upload", files=files, data={"store": "true"})
    assert upload.status_code == 403
    assert review_count(client) == 0 and document_count(client) == 5
    sent = client.post(
        "/api/v1/analyze/upload",
        files=files,
        data={"store": "true"},
        headers={"X-Requested-With": "curl"},
    )
    assert sent.status_code == 200 and sent.json()["stored"] is True


def test_csrf_page_forms_need_the_token_of_their_cookie(client: TestClient, db: Path) -> None:
    claim = a_claim(client)
    page = f"/claims/{claim['doc_id']}/{claim['claim']}"
    form = {"reviewer": "ana", "verdict": "false", "note": "checked"}
    missing = client.post(f"{page}/review", data=form)
    assert missing.status_code == 403
    assert missing.headers["content-type"].startswith("text/html")  # the error page
    assert "CSRF token" in missing.text
    token = form_token(client, page)
    assert client.cookies[CSRF_COOKIE] == token
    # Another server's token (another secret), and a token without its cookie, are refused.
    forged = CsrfTokens().new()
    client.cookies.set(CSRF_COOKIE, forged)
    assert client.post(f"{page}/review", data={**form, "csrf_token": forged}).status_code == 403
    client.cookies.clear()
    assert client.post(f"{page}/review", data={**form, "csrf_token": token}).status_code == 403
    # A cross-site post with a valid token pair is still refused on its Origin.
    client.cookies.set(CSRF_COOKIE, token)
    evil = client.post(
        f"{page}/review", data={**form, "csrf_token": token}, headers={"Origin": EVIL}
    )
    assert evil.status_code == 403 and "another origin" in evil.text
    assert review_count(client) == 0
    sent = client.post(
        f"{page}/review",
        data={**form, "csrf_token": token},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and review_count(client) == 1
    # The analyze form (multipart, with a file) and its "keep it in the corpus".
    html = b"<html><body><p>The council said 1,200 homes would be built by 2027.</p></body></html>"
    files = {"file": ("a.html", html, "text/html")}
    refused = client.post("/analyze", data={"store": "1"}, files=files)
    assert refused.status_code == 403 and document_count(client) == 5
    kept = client.post("/analyze", data={"store": "1", "csrf_token": token}, files=files)
    assert kept.status_code == 200 and document_count(client) == 6


def test_csrf_pages_set_one_token_and_keep_it(client: TestClient) -> None:
    first = form_token(client, "/analyze")
    assert form_token(client, "/analyze") == first  # the cookie's token is reused
    reply = client.get("/corpus")
    assert reply.headers["referrer-policy"] == "same-origin"  # so form posts carry an Origin
    assert CSRF_COOKIE not in reply.headers.get("set-cookie", "")  # a valid one is not set again


def test_csrf_allows_configured_cors_origins(db: Path) -> None:
    with client_for(db, cors_origins=("https://app.example",)) as c:
        claim = a_claim(c)
        review = {"doc_id": claim["doc_id"], "claim": claim["claim"], "reviewer": "x", "note": "n"}
        ok = c.post("/api/v1/reviews", json=review, headers={"Origin": "https://app.example"})
        assert ok.status_code == 201
        assert c.post("/api/v1/reviews", json=review, headers={"Origin": EVIL}).status_code == 403


# The Host check


def test_host_outside_the_allowed_names_is_refused(client: TestClient) -> None:
    for path in ("/api/v1/claims", "/api/v1/health", "/corpus", "/analyze"):
        reply = client.get(path, headers={"Host": "attacker.example"})
        assert reply.status_code == 400, path
        assert "Host" in reply.json()["error"]
    assert client.get("/api/v1/claims", headers={"Host": "testserver:8000"}).status_code == 200


def test_host_defaults_are_the_loopback_names(db: Path) -> None:
    """Without allowed hosts, a loopback server answers its loopback names only: not even the
    test client's own ``testserver``."""
    with client_for(db, allowed_hosts=()) as c:
        assert c.get("/api/v1/health").status_code == 400
        for host in ("127.0.0.1:8000", "127.0.0.1", "localhost", "LOCALHOST:8000", "[::1]:8000"):
            assert c.get("/api/v1/health", headers={"Host": host}).status_code == 200, host
        for host in ("localhost.evil.example", "127.0.0.1.nip.io", "", "a b", "localhost:x"):
            assert c.get("/api/v1/health", headers={"Host": host}).status_code == 400, host


def test_host_allow_host_and_the_local_address(db: Path) -> None:
    config = {"host": "0.0.0.0", "token": "s3cret", "allowed_hosts": ("wb.example",)}
    with client_for(db, base_url="http://10.1.2.3:8000", **config) as c:
        # An address a connection came to cannot be rebound; a name must be allowed.
        assert c.get("/api/v1/health").status_code == 200
        assert c.get("/api/v1/health", headers={"Host": "wb.example"}).status_code == 200
        assert c.get("/api/v1/health", headers={"Host": "localhost"}).status_code == 400
        assert c.get("/api/v1/health", headers={"Host": "10.9.9.9"}).status_code == 400


def test_host_names_are_parsed_strictly() -> None:
    assert split_host("LocalHost.:8000") == ("localhost", 8000)
    assert split_host("::1") == ("[::1]", None)
    assert split_host("[::1]:80") == ("[::1]", 80)
    for bad in ("", "http://x", "x:99999", "x:", "[::1", "a/b", "user@x", "x y"):
        assert split_host(bad) is None, bad
    assert allowed_hosts("127.0.0.1", ["proxy.example:443"]) == (
        ("127.0.0.1", None),
        ("localhost", None),
        ("[::1]", None),
        ("proxy.example", 443),
    )
    assert allowed_hosts("0.0.0.0") == (("0.0.0.0", None),)
    with pytest.raises(ValueError):
        allowed_hosts("127.0.0.1", ["https://proxy.example/"])
    assert normalize_origin("http://LOCALHOST") == "http://localhost:80"
    assert normalize_origin("https://[::1]:8443/x?y") == "https://[::1]:8443"
    assert normalize_origin("null") is None and normalize_origin("file:///etc") is None


def test_host_serve_refuses_a_bad_allow_host(tmp_path: Path) -> None:
    from claimscope.cli import app

    result = CliRunner().invoke(
        app, ["serve", "--db", str(tmp_path / "x.duckdb"), "--allow-host", "https://x/"]
    )
    assert result.exit_code != 0 and "--allow-host" in result.output


# The limit on failed sign-ins and tokens


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_window() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=3, window=60, clock=clock)
    for _ in range(2):
        limiter.fail("a")
    assert limiter.retry_after("a") == 0
    clock.now += 10
    limiter.fail("a")
    assert limiter.retry_after("a") == 60 - 10  # until the first failure leaves the window
    assert limiter.retry_after("b") == 0  # per client
    clock.now += 50
    assert limiter.retry_after("a") == 0
    limiter.fail("a")
    assert limiter.retry_after("a") == 0  # the first two left the window
    limiter.fail("a")
    assert limiter.retry_after("a") == 10  # until the one at 10 s leaves it


def test_rate_limiter_is_thread_safe_and_bounded() -> None:
    limiter = RateLimiter(limit=4000, window=60, max_clients=50)

    def fail(n: int) -> None:
        for i in range(500):
            limiter.fail("shared")
            limiter.fail(f"client-{n}-{i % 40}")
            limiter.retry_after("shared")

    threads = [threading.Thread(target=fail, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(limiter._failures) <= 50
    assert limiter.retry_after("shared") > 0  # 8 x 500 = 4000 failures, none lost


def test_rate_limit_on_bearer_tokens(db: Path) -> None:
    with client_for(db, token="s3cret") as c:
        clock = Clock()
        c.app.state.limiter.clock = clock  # type: ignore[attr-defined]
        good = {"Authorization": "Bearer s3cret"}
        for _ in range(30):  # successes are not counted
            assert c.get("/api/v1/documents", headers=good).status_code == 200
        for n in range(10):
            wrong = {"Authorization": f"Bearer guess{n}"}
            assert c.get("/api/v1/documents", headers=wrong).status_code == 401
        blocked = c.get("/api/v1/documents", headers={"X-Claimscope-Token": "guess"})
        assert blocked.status_code == 429 and "try again" in blocked.json()["error"]
        assert 1 <= int(blocked.headers["retry-after"]) <= 60
        # While blocked, the right token is no answer either (no oracle), but open paths are.
        assert c.get("/api/v1/documents", headers=good).status_code == 429
        assert c.get("/api/v1/health").status_code == 200
        clock.now += 61
        assert c.get("/api/v1/documents", headers=good).status_code == 200


def test_rate_limit_on_login(db: Path) -> None:
    with client_for(db, token="s3cret") as c:
        clock = Clock()
        c.app.state.limiter.clock = clock  # type: ignore[attr-defined]
        csrf = form_token(c, "/login")
        for _ in range(5):
            signed_in = c.post("/login", data={"token": "s3cret", "csrf_token": csrf})
            assert signed_in.status_code == 200  # followed to the corpus page
        c.cookies.delete("claimscope_token")
        for n in range(10):
            wrong = c.post("/login", data={"token": f"guess{n}", "csrf_token": csrf})
            assert wrong.status_code == 401
        blocked = c.post("/login", data={"token": "s3cret", "csrf_token": csrf})
        assert blocked.status_code == 429 and blocked.headers["retry-after"] == "60"
        assert blocked.headers["content-type"].startswith("text/html")
        clock.now += 30
        blocked = c.post("/login", data={"token": "s3cret", "csrf_token": csrf})
        assert blocked.headers["retry-after"] == "30"
        clock.now += 30
        assert c.post("/login", data={"token": "s3cret", "csrf_token": csrf}).status_code == 200


def test_rate_limit_a_stale_cookie_is_forgotten(db: Path) -> None:
    with client_for(db, token="s3cret") as c:
        c.cookies.set("claimscope_token", "old")
        reply = c.get("/corpus", follow_redirects=False)
        assert reply.status_code == 303 and reply.headers["location"] == "/login"
        assert "claimscope_token=;" in reply.headers["set-cookie"]


# Bodies streamed past the limit


def chunks(total: int, size: int = 500) -> Iterator[bytes]:
    yield b'{"text": "'
    for _ in range(total // size):
        yield b"w" * size
    yield b'"}'


def test_limits_a_chunked_body_past_the_limit_is_413(db: Path) -> None:
    with client_for(db, max_upload=1000) as c:
        limit = 1000 + 64_000
        reply = c.post(
            "/api/v1/analyze",
            content=chunks(limit + 10_000),
            headers={"Content-Type": "application/json"},
        )
        assert "content-length" not in reply.request.headers
        assert reply.status_code == 413
        assert reply.json() == {"error": f"request body over {limit} bytes"}
        page = c.post("/analyze", content=chunks(limit + 10_000))
        assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
        small = c.post(
            "/api/v1/analyze", content=chunks(0), headers={"Content-Type": "application/json"}
        )
        assert small.status_code == 422  # read whole and passed on (an empty text)


def test_limits_a_chunked_body_over_http(tmp_path: Path) -> None:
    """Over a socket, uvicorn gives the body in pieces as it comes."""
    with serve(tmp_path / "empty.duckdb", max_upload=1000) as server:
        reply = server.post(
            "/api/v1/analyze",
            content=chunks(200_000),
            headers={"Content-Type": "application/json"},
        )
        assert reply.status_code == 413 and "error" in reply.json()
        assert reply.request.headers["transfer-encoding"] == "chunked"
        # The connection pool is not poisoned: the next request is answered.
        assert server.get("/api/v1/health").status_code == 200
        assert (
            httpx.get(f"{server.url}/api/v1/health", headers={"Host": "evil.example"}).status_code
            == 400
        )
