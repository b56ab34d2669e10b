"""/openapi.json describes every reply by the data model's record, and the replies match it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from claimscope.corpus.ingest import ingest_paths
from claimscope.model import FactCheck
from claimscope.settings import Settings
from claimscope.store import Store
from claimscope.store.factchecks import import_factchecks
from claimscope.web import ServerConfig, create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "claimscope" / "examples"
# Each route and the record it answers with ("[X]": a list of X).
REPLIES = {
    ("get", "/api/v1/health"): "ServerHealth",
    ("post", "/api/v1/analyze"): "AnalysisReply",
    ("post", "/api/v1/analyze/upload"): "AnalysisReply",
    ("get", "/api/v1/documents"): "DocumentPage",
    ("get", "/api/v1/documents/{doc_id}"): "StoredDocument",
    ("get", "/api/v1/documents/{doc_id}/analysis"): "Analysis",
    ("get", "/api/v1/claims"): "ClaimPage",
    ("get", "/api/v1/claims/{doc_id}/{claim}"): "ClaimDetail",
    ("get", "/api/v1/clusters"): "[Cluster]",
    ("get", "/api/v1/clusters/{cluster_id}"): "ClusterDetail",
    ("get", "/api/v1/techniques"): "TechniquePage",
    ("get", "/api/v1/contradictions"): "ContradictionPage",
    ("get", "/api/v1/coverage"): "CoverageReport",
    ("get", "/api/v1/timeline"): "[CorpusEvent]",
    ("get", "/api/v1/matches"): "MatchList",
    ("post", "/api/v1/check"): "CheckResult",
    ("post", "/api/v1/reviews"): "Review",
    ("get", "/api/v1/reviews"): "[Review]",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("openapi") / "peru.duckdb"
    ingest_paths([EXAMPLES / "peru_corpus.jsonl"], db=db, settings=Settings())
    check = FactCheck(id="f1", claim="About 700 American troops are expected in Peru")
    with Store.open(db) as store:
        import_factchecks(store, [check])
    config = ServerConfig(db=db, allowed_hosts=("testserver",), workers=0)
    with TestClient(create_app(config)) as c:
        yield c


def reply_schema(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    responses = spec["paths"][path][method]["responses"]
    (ok,) = [r for status, r in responses.items() if status.startswith("2")]
    schema: dict[str, Any] = ok["content"]["application/json"]["schema"]
    return schema


def named(schema: dict[str, Any]) -> str:
    if schema.get("type") == "array":
        return f"[{named(schema['items'])}]"
    return str(schema["$ref"]).removeprefix("#/components/schemas/")


def test_openapi_names_the_data_model_records(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    found = {key: named(reply_schema(spec, *key)) for key in REPLIES}
    assert found == REPLIES
    schemas = spec["components"]["schemas"]
    held = ("ClusterMember", "EventSource", "CorpusContradiction", "Match", "Passage", "Evidence")
    for name in (*held, "Reason", "Review", "FactCheck", "QueryFilters", "CoverageTotals"):
        assert schemas[name]["description"] and schemas[name]["properties"], name
    # Derived keys are documented too, and a record's fields all are.
    assert "derived" in schemas["ContradictionSide"]["properties"]["text"]["description"]
    assert all(p["description"] for p in schemas["Cluster"]["properties"].values())


def test_every_reply_matches_its_schema(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    first = client.get("/api/v1/claims", params={"limit": 1}).json()["items"][0]
    doc_id, claim = first["doc_id"], first["claim"]
    review = {"doc_id": doc_id, "claim": claim, "reviewer": "ann", "verdict": "false"}
    replies = {
        ("post", "/api/v1/reviews"): client.post("/api/v1/reviews", json=review),
        ("post", "/api/v1/analyze"): client.post("/api/v1/analyze", json={"text": "It cost $4."}),
        ("get", "/api/v1/health"): client.get("/api/v1/health"),
        ("get", "/api/v1/documents"): client.get("/api/v1/documents"),
        ("get", "/api/v1/documents/{doc_id}"): client.get(f"/api/v1/documents/{doc_id}"),
        ("get", "/api/v1/claims"): client.get("/api/v1/claims"),
        ("get", "/api/v1/claims/{doc_id}/{claim}"): client.get(f"/api/v1/claims/{doc_id}/{claim}"),
        ("get", "/api/v1/clusters"): client.get("/api/v1/clusters"),
        ("get", "/api/v1/clusters/{cluster_id}"): client.get("/api/v1/clusters/1"),
        ("get", "/api/v1/techniques"): client.get("/api/v1/techniques"),
        ("get", "/api/v1/contradictions"): client.get("/api/v1/contradictions"),
        ("get", "/api/v1/coverage"): client.get("/api/v1/coverage", params={"q": "troops"}),
        ("get", "/api/v1/timeline"): client.get("/api/v1/timeline", params={"q": "troops"}),
        ("get", "/api/v1/matches"): client.get("/api/v1/matches", params={"text": "700 troops"}),
        ("get", "/api/v1/reviews"): client.get("/api/v1/reviews"),
    }
    for (method, path), reply in replies.items():
        assert reply.status_code in (200, 201), (path, reply.text)
        schema = {**reply_schema(spec, method, path), "components": spec["components"]}
        jsonschema.Draft202012Validator(schema).validate(reply.json())
        with pytest.raises(jsonschema.ValidationError):  # the schemas do check: no key is optional
            jsonschema.Draft202012Validator(schema).validate({})
    assert client.get("/api/v1/claims/" + f"{doc_id}/{claim}").json()["reviews"]
