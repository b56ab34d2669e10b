"""The workbench's REST API and pages, through the test client, on the example corpus."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from claimscope.corpus.ingest import ingest_paths
from claimscope.model import FactCheck
from claimscope.settings import Settings
from claimscope.verify.factchecks import read_factchecks
from claimscope.web import ServerConfig, create_app
from tests.web.conftest import form_token

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "claimscope" / "examples"
# The test client's Host: the server answers only names it is told are its own.
TEST_HOST = ("testserver",)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("web") / "peru.duckdb"
    ingest_paths([EXAMPLES / "peru_corpus.jsonl"], db=db, settings=Settings())
    return db


@pytest.fixture()
def client(store_path: Path, tmp_path: Path) -> Iterator[TestClient]:
    db = tmp_path / "peru.duckdb"
    db.write_bytes(store_path.read_bytes())  # each test gets its own copy to write reviews in
    with TestClient(create_app(ServerConfig(db=db, allowed_hosts=TEST_HOST))) as c:
        yield c


def first_claim(client: TestClient, **params: object) -> dict[str, object]:
    items = client.get("/api/v1/claims", params={"limit": 1, **params}).json()["items"]
    assert items
    return items[0]


def test_lists_are_paged_and_filtered(client: TestClient) -> None:
    docs = client.get("/api/v1/documents").json()
    assert docs["total"] == 5 and len(docs["items"]) == 5
    page = client.get("/api/v1/documents", params={"limit": 2, "offset": 4}).json()
    assert page["total"] == 5 and len(page["items"]) == 1
    troops = client.get("/api/v1/documents", params={"q": "troops"}).json()
    assert 0 < troops["total"] < 5
    outlet = troops["items"][0]["outlet"]
    one = client.get("/api/v1/documents", params={"q": "troops", "outlet": outlet}).json()
    assert all(d["outlet"] == outlet for d in one["items"])
    claims = client.get("/api/v1/claims", params={"limit": 3}).json()
    scores = [c["score"] for c in claims["items"]]
    assert scores == sorted(scores, reverse=True) and claims["total"] >= 3


def test_document_and_its_analysis(client: TestClient) -> None:
    doc_id = client.get("/api/v1/documents", params={"limit": 1}).json()["items"][0]["id"]
    doc = client.get(f"/api/v1/documents/{doc_id}").json()
    assert doc["id"] == doc_id and doc["counts"]["claims"] >= 1
    analysis = client.get(f"/api/v1/documents/{doc_id}/analysis").json()
    assert analysis["document"]["text"] == doc["text"]
    for claim in analysis["claims"]:
        assert doc["text"][claim["start"] : claim["end"]] == claim["text"]
    missing = client.get("/api/v1/documents/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["error"]


def test_clusters_contradictions_coverage_timeline(client: TestClient) -> None:
    clusters = client.get("/api/v1/clusters", params={"min_size": 2}).json()
    troops = [c for c in clusters if "700" in c["text"]]
    assert troops and troops[0]["documents"] >= 2
    cluster = client.get(f"/api/v1/clusters/{troops[0]['id']}").json()
    assert len(cluster["members"]) == troops[0]["size"]
    assert client.get("/api/v1/clusters/999999").status_code == 404
    found = client.get("/api/v1/contradictions", params={"kind": "date"}).json()["items"]
    assert any("30" in c["explanation"] and "31" in c["explanation"] for c in found)
    coverage = client.get("/api/v1/coverage", params={"q": "troops", "by": ["outlet"]}).json()
    assert coverage["by"] == ["outlet"] and coverage["totals"]["documents"] >= 2
    svg = client.get("/api/v1/coverage.svg", params={"q": "troops"})
    assert svg.status_code == 200 and svg.text.lstrip().startswith("<svg")
    events = client.get("/api/v1/timeline", params={"q": "troops"}).json()
    days = [e["start_date"] for e in events]
    assert events and days == sorted(days)


def test_bad_queries_are_clear_4xx(client: TestClient) -> None:
    bad = client.get("/api/v1/documents", params={"since": "yesterday"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("since: ")
    assert client.get("/api/v1/claims", params={"limit": 0}).status_code == 422
    assert client.get("/api/v1/coverage", params={"q": "troops", "by": "year"}).status_code == 422
    unbalanced = client.get("/api/v1/coverage", params={"q": '"troops'})
    assert unbalanced.status_code in (200, 400)
    assert client.post("/api/v1/analyze", json={"text": "   "}).status_code == 400
    assert client.post("/api/v1/check", json={"claim": "x"}).status_code == 400


def test_analyze_text_and_upload(client: TestClient) -> None:
    text = "The council said on 3 March 2024 that 1,200 homes would be built by 2027."
    reply = client.post("/api/v1/analyze", json={"text": text, "title": "Homes"}).json()
    analysis = reply["analysis"]
    assert reply["stored"] is False and analysis["document"]["title"] == "Homes"
    assert analysis["claims"] and analysis["claims"][0]["text"] in text
    total = client.get("/api/v1/documents").json()["total"]
    html = b"<html><body><p>" + text.encode() + b"</p></body></html>"
    upload = client.post(
        "/api/v1/analyze/upload",
        files={"file": ("../../etc/passwd.html", html, "text/html")},
        data={"store": "true"},
        headers={"X-Requested-With": "test"},  # not JSON: a header no cross-site form sends
    ).json()
    assert upload["stored"] is True
    assert upload["analysis"]["document"]["source"] == "passwd.html"  # a name, never a path
    assert client.get("/api/v1/documents").json()["total"] == total + 1


def test_reviews_are_stored_with_history_and_exported(client: TestClient) -> None:
    claim = first_claim(client)
    key = {"doc_id": claim["doc_id"], "claim": claim["claim"]}
    first = client.post("/api/v1/reviews", json={**key, "reviewer": "ana", "checkworthy": True})
    assert first.status_code == 201
    second = client.post(
        "/api/v1/reviews",
        json={**key, "reviewer": "ben", "verdict": "mostly-false", "note": "=cmd|' /C calc'!A0"},
    )
    assert second.status_code == 201
    history = client.get("/api/v1/reviews", params=key).json()
    assert [r["reviewer"] for r in history] == ["ben", "ana"]
    latest = client.get("/api/v1/reviews", params={"latest": True}).json()
    assert len(latest) == 1 and latest[0]["verdict"] == "mostly-false"
    shown = client.get(f"/api/v1/claims/{claim['doc_id']}/{claim['claim']}").json()
    assert len(shown["reviews"]) == 2
    reviewed = client.get("/api/v1/claims", params={"status": "reviewed"}).json()
    assert reviewed["total"] == 1 and reviewed["items"][0]["review"]["reviewer"] == "ben"

    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/reviews/export").text)))
    assert len(rows) == 2 and rows[0]["note"].startswith("'=")  # no spreadsheet formula
    lines = client.get("/api/v1/reviews/export", params={"format": "jsonl"}).text.splitlines()
    assert {json.loads(line)["reviewer"] for line in lines} == {"ana", "ben"}
    feed = client.get("/api/v1/reviews/export", params={"format": "claimreview"})
    assert feed.headers["content-type"].startswith("application/ld+json")
    path = Path(client.app.state.workbench.config.db).with_name("feed.json")  # type: ignore[attr-defined]
    path.write_text(feed.text)
    checks = [c for c in read_factchecks([path]) if isinstance(c, FactCheck)]
    assert len(checks) == 1 and checks[0].verdict == "mostly-false"
    training = client.get("/api/v1/reviews/export", params={"format": "training"}).text
    assert training.splitlines()[0] == "Sentence_id\tText\tclass_label"
    assert len(training.splitlines()) == 1  # the latest review has no check-worthiness


def test_bad_reviews_are_refused(client: TestClient) -> None:
    claim = first_claim(client)
    key = {"doc_id": claim["doc_id"], "claim": claim["claim"], "reviewer": "ana"}
    assert client.post("/api/v1/reviews", json={**key, "verdict": "pants"}).status_code == 400
    assert client.post("/api/v1/reviews", json=key).status_code == 400  # nothing decided
    missing = client.post("/api/v1/reviews", json={**key, "claim": 9999, "note": "x"})
    assert missing.status_code == 400 and "no claim 9999" in missing.json()["error"]
    assert client.get("/api/v1/reviews").json() == []


def test_pages_render(client: TestClient) -> None:
    claim = first_claim(client, q="troops")
    for url in (
        "/corpus",
        "/corpus?q=troops",
        "/review?status=unreviewed",
        f"/documents/{claim['doc_id']}",
        f"/claims/{claim['doc_id']}/{claim['claim']}",
        "/analyze",
        "/api",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert page.headers["content-type"].startswith("text/html")
        assert "script-src 'sha256-" in page.headers["content-security-policy"]
    form = {"reviewer": "ana", "checkworthy": "yes", "verdict": "false", "note": "checked"}
    form["csrf_token"] = form_token(client, f"/claims/{claim['doc_id']}/{claim['claim']}")
    sent = client.post(f"/claims/{claim['doc_id']}/{claim['claim']}/review", data=form)
    assert sent.status_code == 200 and "checked" in sent.text  # followed the redirect
    text = "Exports rose 12% in 2023, the minister said."
    result = client.post("/analyze", data={"text": text, "csrf_token": form["csrf_token"]})
    assert result.status_code == 200 and 'class="claimscope' in result.text
    assert client.get("/documents/nope").status_code == 404
    assert "/api/v1/reviews/export" in client.get("/api").text


def test_token_is_required_when_set(store_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "peru.duckdb"
    db.write_bytes(store_path.read_bytes())
    with TestClient(create_app(ServerConfig(db=db, token="s3cret", allowed_hosts=TEST_HOST))) as c:
        assert c.get("/api/v1/health").status_code == 200
        assert c.get("/api/v1/claims").status_code == 401
        assert c.get("/api/v1/claims", headers={"Authorization": "Bearer nope"}).status_code == 401
        ok = c.get("/api/v1/claims", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert c.get("/api/v1/claims", headers={"X-Claimscope-Token": "s3cret"}).status_code == 200
        page = c.get("/corpus", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login"
        csrf = form_token(c, "/login")
        assert c.post("/login", data={"token": "wrong", "csrf_token": csrf}).status_code == 401
        c.post("/login", data={"token": "s3cret", "csrf_token": csrf})  # sets the cookie
        assert c.get("/corpus").status_code == 200


def test_limits(store_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "peru.duckdb"
    db.write_bytes(store_path.read_bytes())
    with TestClient(create_app(ServerConfig(db=db, max_upload=1000, allowed_hosts=TEST_HOST))) as c:
        big = c.post("/api/v1/analyze", json={"text": "word " * 30_000})
        assert big.status_code == 413
        upload = c.post(
            "/api/v1/analyze/upload",
            files={"file": ("a.txt", b"x " * 600)},
            headers={"X-Requested-With": "test"},
        )
        assert upload.status_code == 400 and "upload over" in upload.json()["error"]
        assert (
            "access-control-allow-origin"
            not in c.get("/api/v1/health", headers={"Origin": "https://evil.example"}).headers
        )
