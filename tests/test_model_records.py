"""The corpus and verification records of the data model: documented, serialised as an analysis
is, rebuilt from their JSON, and described by the schemas generated from them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import jsonschema
import pytest

from claimscope import model
from claimscope.model import (
    CheckResult,
    Cluster,
    ClusterDetail,
    ClusterMember,
    ContradictionSide,
    CorpusContradiction,
    CorpusEvent,
    DateRef,
    Disagreement,
    EventSource,
    Evidence,
    FactCheck,
    Match,
    Passage,
    Reason,
    Record,
    Review,
)
from claimscope.schema import record_schemas

RECORDS = sorted(
    (
        c
        for c in vars(model).values()
        if isinstance(c, type) and issubclass(c, Record) and c is not Record
    ),
    key=lambda c: c.__name__,
)

CLUSTER = Cluster(
    id=3,
    doc_id="d1",
    claim=0,
    text="About 700 troops arrived.",
    score=0.9,
    size=2,
    documents=2,
    outlets=["A", "B"],
    first_seen=dt.date(2023, 5, 29),
    last_seen=None,
)
MEMBER = ClusterMember(
    "d1", 0, "About 700 troops arrived.", "A", dt.date(2023, 5, 29), None, "new", 1.0
)
SIDE = ContradictionSide(
    "d1", "A", "2023-05-29", None, "a.jsonl#1", 4, "It will not build a base.", 8, 17
)
CHECK = CheckResult(
    claim="700 troops arrived",
    verdict="refuted",
    confidence=0.8,
    support=0.1,
    refute=0.8,
    evidence=[
        Evidence(
            Passage(1, "e1", 0, 20, "Some 70 troops came."),
            "refutes",
            0.8,
            {"refutes": 0.8, "supports": 0.1, "neutral": 0.1},
            [Disagreement("number", "700 vs. 70", 0.9, 0, 3, 5, 7)],
        )
    ],
    reasons=[Reason(1, "refutes", "passage 1 refutes it", 0.8)],
)


@pytest.mark.parametrize("record", RECORDS, ids=lambda c: c.__name__)
def test_every_field_of_a_record_is_documented(record: type) -> None:
    assert record.__doc__
    for f in dataclasses.fields(record):
        assert f.metadata.get("doc"), f"{record.__name__}.{f.name} has no documentation"


def test_a_cluster_keeps_its_json_layout_and_round_trips() -> None:
    data = CLUSTER.to_dict()
    assert list(data)[:3] == ["id", "text", "doc_id"]  # the layout predates the class
    assert data["first_seen"] == "2023-05-29"  # dates as ISO text
    assert Cluster.from_dict(json.loads(json.dumps(data))) == CLUSTER
    detail = ClusterDetail(
        **{f.name: getattr(CLUSTER, f.name) for f in dataclasses.fields(Cluster)}
    )
    detail.members.append(MEMBER)
    assert ClusterDetail.from_dict(detail.to_dict()) == detail


def test_derived_keys_are_written_and_dropped_on_reading() -> None:
    data = SIDE.to_dict()
    assert data["text"] == "not build"
    assert ContradictionSide.from_dict(data) == SIDE
    contradiction = CorpusContradiction(
        "corpus", "negation", 0.8, "build vs. not build", SIDE, SIDE
    )
    assert CorpusContradiction.from_dict(contradiction.to_dict()) == contradiction


def test_a_timeline_event_gives_its_lead_date_and_each_source_its_mention() -> None:
    date = DateRef(2, 0, 10, 17, "date", "2023-05-29", "2023-05-29", "day", "2023-05-29", True)
    source = EventSource(
        "d1",
        "A",
        "2023-06-01",
        None,
        None,
        0,
        0,
        0,
        30,
        "On May 29 the troops came.",
        0.7,
        None,
        date,
    )
    event = CorpusEvent("2023-05-29", "2023-05-29", "date", "day", [source])
    data = event.to_dict()
    assert list(data) == [
        "start_date", "end_date", "kind", "granularity", "value", "anchored", "text", "sources",
    ]  # fmt: skip
    assert (data["value"], data["anchored"], event.value) == ("2023-05-29", True, "2023-05-29*")
    assert data["sources"][0]["date"] == {
        "id": 2, "start": 10, "end": 17, "text": "the tro", "value": "2023-05-29", "anchored": True,
    }  # fmt: skip


def test_verification_records_round_trip() -> None:
    assert CHECK.to_dict() == dataclasses.asdict(CHECK)  # the layout from before the records
    assert CheckResult.from_dict(json.loads(json.dumps(CHECK.to_dict()))) == CHECK
    match = Match(FactCheck(id="f1", claim="700 troops"), 1, 2.5, 2.5, 0.9)
    assert match.to_dict() == dataclasses.asdict(match)  # as before the records
    assert Match.from_dict(match.to_dict()) == match


def test_records_match_their_generated_schemas() -> None:
    review = Review(
        1, "d1", 0, 0, 20, "700 troops", None, "false", None, None, "ann", "2024-01-01T00:00:00Z"
    )
    samples = [CLUSTER, MEMBER, SIDE, CHECK, review]
    schemas = record_schemas(*(type(s) for s in samples))
    for sample in samples:
        schema = {**schemas[type(sample).__name__], "$defs": schemas}
        jsonschema.Draft202012Validator(schema).validate(sample.to_dict())
    assert schemas["Cluster"]["properties"]["first_seen"]["anyOf"][0]["format"] == "date"
