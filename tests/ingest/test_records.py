"""Tests for the JSON, JSONL and CSV record readers."""

from __future__ import annotations

import json

import pytest

from claimscope.errors import EmptyDocumentError, InputError, RecordError
from claimscope.ingest.records import read_records, record_document
from claimscope.model import Document, Failure
from claimscope.settings import Settings

SETTINGS = Settings()

FIRST = {
    "text": "The port authority said cargo volumes rose 8% in 2023.",
    "title": "Cargo up at the port",
    "url": "https://news.example.net/cargo",
    "published": "2024-01-15T09:00:00Z",
    "outlet": "Example Net",
    "lang": "en",
    "section": "Business",
    "id": 101,
    "tags": ["port", "trade"],
}
SECOND = {"text": "A second article: the bridge reopens on Friday, officials said."}


def read(text: str, fmt: str, settings: Settings = SETTINGS) -> list[Document | Failure]:
    return list(read_records(text, fmt=fmt, source="data", settings=settings))  # type: ignore[arg-type]


def test_read_records_json_object() -> None:
    (doc,) = read(json.dumps(FIRST), "json")
    assert isinstance(doc, Document)
    assert doc.source == "data#1"
    assert doc.text == FIRST["text"]
    assert doc.title == "Cargo up at the port"
    assert doc.url == "https://news.example.net/cargo"
    assert doc.published == "2024-01-15"
    assert doc.outlet == "Example Net"
    assert doc.lang == "en"
    # Other strings (and numbers) go to meta; lists and objects do not.
    assert doc.meta == {"section": "Business", "id": "101"}


def test_read_records_json_list() -> None:
    docs = read(json.dumps([FIRST, SECOND]), "json")
    assert [d.source for d in docs] == ["data#1", "data#2"]
    assert isinstance(docs[1], Document)
    assert docs[1].text == SECOND["text"]


def test_read_records_json_list_bad_items_fail_alone() -> None:
    docs = read(json.dumps([FIRST, "just a string", {"text": 42}, {"text": "  "}, SECOND]), "json")
    assert [type(d).__name__ for d in docs] == [
        "Document",
        "Failure",
        "Failure",
        "Failure",
        "Document",
    ]
    assert docs[1] == Failure("data#2", "record is a string, not an object", "RecordError")
    assert docs[2] == Failure("data#3", '"text" field is a number, not a string', "RecordError")
    assert docs[3] == Failure("data#4", '"text" field is empty', "EmptyDocumentError")


def test_read_records_json_invalid() -> None:
    with pytest.raises(InputError) as info:
        read('[\n  {"text": "a"},\n  {"text": "b"\n  "title": "c"}\n]', "json")
    assert str(info.value) == "data: invalid JSON at line 4 column 3: Expecting ',' delimiter"


def test_read_records_json_scalar() -> None:
    with pytest.raises(InputError, match="JSON holds a number, not an object or a list"):
        read("42", "json")


def test_read_records_json_empty_list() -> None:
    with pytest.raises(EmptyDocumentError, match="no records"):
        read("[]", "json")


def test_read_records_json_file_holding_jsonl() -> None:
    docs = read(json.dumps(FIRST) + "\n" + json.dumps(SECOND) + "\n", "json")
    assert [d.source for d in docs] == ["data#1", "data#2"]


def test_read_records_jsonl_bad_record_in_the_middle() -> None:
    lines = [
        json.dumps(FIRST),
        "",
        json.dumps({"body": "no text field here"}),
        '{"text": "unterminated',
        json.dumps(SECOND),
    ]
    docs = read("\n".join(lines) + "\n", "jsonl")
    assert [d.source for d in docs] == ["data#1", "data#3", "data#4", "data#5"]
    assert isinstance(docs[0], Document)
    assert docs[1] == Failure(
        "data#3", 'record has no "text" field (set --text-field)', "RecordError"
    )
    assert isinstance(docs[2], Failure)
    assert docs[2].error.startswith("invalid JSON at column 10: Unterminated string")
    assert isinstance(docs[3], Document)
    assert docs[3].text == SECOND["text"]


def test_read_records_jsonl_line_separator_inside_string() -> None:
    # U+2028 may sit raw inside a JSON string; it must not split the line.
    text = '{"text": "one\u2028two"}\n{"text": "three"}\n'
    docs = read(text, "jsonl")
    assert [d.source for d in docs] == ["data#1", "data#2"]
    assert isinstance(docs[0], Document)
    assert docs[0].text == "one\u2028two"


def test_read_records_csv_custom_field_names() -> None:
    settings = Settings(
        text_field="body",
        title_field="headline",
        url_field="link",
        date_field="date",
        outlet_field="paper",
    )
    rows = (
        "headline,body,link,date,paper,section\n"
        '"Rates held","The bank kept rates at 4.5%, it said.",https://x.example/a,'
        '"March 5, 2024",The Daily,Economy\n'
        'Bridge,"Line one of the story.\nLine two, after a break.",,not a date,,\n'
    )
    docs = read(rows, "csv", settings)
    first, second = docs
    assert isinstance(first, Document) and isinstance(second, Document)
    assert first.source == "data#1"
    assert first.text == "The bank kept rates at 4.5%, it said."
    assert first.title == "Rates held"
    assert first.url == "https://x.example/a"
    assert first.published == "2024-03-05"
    assert first.outlet == "The Daily"
    assert first.meta == {"section": "Economy"}
    assert second.source == "data#2"
    assert second.text == "Line one of the story.\nLine two, after a break."
    # An unreadable date is left out; the record is still read.
    assert second.published is None
    assert second.url is None


def test_read_records_csv_semicolons_and_long_field() -> None:
    body = "word " * 60_000
    docs = read(f"title;text\nLong one;{body}\n", "csv")
    assert isinstance(docs[0], Document)
    assert docs[0].text == body


def test_read_records_csv_without_text_column() -> None:
    with pytest.raises(RecordError) as info:
        read("headline,body\nA,B\n", "csv")
    assert str(info.value).startswith('data: CSV header has no "text" column (set --text-field)')


def test_read_records_csv_short_row_fails_alone() -> None:
    docs = read("title,text\nOnly a title\nT,Real text here.\n", "csv")
    assert docs[0] == Failure(
        "data#1", 'record has no "text" field (set --text-field)', "RecordError"
    )
    assert isinstance(docs[1], Document)


def test_read_records_csv_header_only() -> None:
    with pytest.raises(EmptyDocumentError, match="no records"):
        read("title,text\n", "csv")


def test_record_document_repairs_mojibake() -> None:
    doc = record_document({"text": "They didnâ€™t agree."}, source="r#1", settings=SETTINGS)
    assert doc.text == "They didn’t agree."
    assert doc.repairs[0].startswith("mojibake repaired")
