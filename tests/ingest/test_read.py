"""Tests for the reader entry points: paths, bytes, stdin, strings and batches of sources."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from claimscope.errors import EmptyDocumentError, InputError, RecordError
from claimscope.ingest import (
    iter_documents,
    read_bytes,
    read_path,
    read_stdin,
    read_text,
    sniff_format,
)
from claimscope.model import Document, Failure
from claimscope.settings import Settings

from .samples import ARTICLE_HTML, NO_ARTICLE_HTML, PNG_BYTES

STORY = "The minister said 40 schools would reopen in Apurímac by June.\n\nCritics disagreed.\n"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_bytes(data.encode("utf-8"))
    else:
        path.write_bytes(data)
    return path


def one(items: object) -> Document:
    (doc,) = list(items)  # type: ignore[call-overload]
    assert isinstance(doc, Document)
    return doc


def test_read_path_text_file(tmp_path: Path) -> None:
    path = write(tmp_path, "story.txt", STORY)
    doc = one(read_path(path))
    assert doc.text == STORY
    assert doc.source == str(path)
    assert doc.encoding == "utf-8"
    assert doc.title is None
    assert doc.repairs == []


def test_read_path_text_file_crlf_and_bom_kept_exact(tmp_path: Path) -> None:
    text = "“Quoted,” she said — 3 🎉 items.\r\nSecond line.\r\n"
    path = write(tmp_path, "story.md", b"\xef\xbb\xbf" + text.encode())
    doc = one(read_path(str(path)))
    assert doc.text == text
    assert doc.encoding == "utf-8-sig"


def test_read_path_cp1252_file(tmp_path: Path) -> None:
    text = "La señora Núñez llegó a Apurímac el miércoles, según el informe oficial."
    doc = one(read_path(write(tmp_path, "nota.txt", text.encode("cp1252"))))
    assert (doc.text, doc.encoding) == (text, "cp1252")


def test_read_path_utf16_file(tmp_path: Path) -> None:
    doc = one(read_path(write(tmp_path, "w.txt", STORY.encode("utf-16"))))
    assert (doc.text, doc.encoding) == (STORY, "utf-16")


def test_read_path_mojibake_file_repaired(tmp_path: Path) -> None:
    doc = one(read_path(write(tmp_path, "m.txt", "We donâ€™t know yet.\n")))
    assert doc.text == "We don’t know yet.\n"
    assert doc.repairs[0].startswith("mojibake repaired (ftfy: ")


def test_read_path_html_file(tmp_path: Path) -> None:
    doc = one(read_path(write(tmp_path, "page.html", ARTICLE_HTML)))
    assert doc.title == "Harbour town votes to rebuild sea wall"
    assert doc.published == "2024-03-05"
    assert doc.outlet == "The Coastal Ledger"
    assert doc.encoding == "utf-8"
    assert doc.source == str(tmp_path / "page.html")


def test_read_path_html_without_article(tmp_path: Path) -> None:
    path = write(tmp_path, "app.htm", NO_ARTICLE_HTML)
    with pytest.raises(EmptyDocumentError) as info:
        read_path(path)
    assert str(info.value) == f"{path}: no article text found in HTML"


def test_read_path_unknown_extension_sniffs_html(tmp_path: Path) -> None:
    doc = one(read_path(write(tmp_path, "page.aspx", ARTICLE_HTML)))
    assert doc.title == "Harbour town votes to rebuild sea wall"


def test_read_path_unknown_extension_plain_text(tmp_path: Path) -> None:
    doc = one(read_path(write(tmp_path, "NOTES", STORY)))
    assert doc.text == STORY


def test_read_path_input_format_overrides_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "page.html", ARTICLE_HTML)
    doc = one(read_path(path, settings=Settings(input_format="text")))
    assert doc.text == ARTICLE_HTML


def test_read_path_jsonl_records(tmp_path: Path) -> None:
    lines = [json.dumps({"text": "First story."}), "{oops", json.dumps({"text": "Third."})]
    path = write(tmp_path, "data.ndjson", "\n".join(lines))
    items = list(read_path(path))
    assert [i.source for i in items] == [f"{path}#1", f"{path}#2", f"{path}#3"]
    assert [type(i).__name__ for i in items] == ["Document", "Failure", "Document"]
    assert all(isinstance(i, Failure) or i.encoding == "utf-8" for i in items)


def test_read_path_json_invalid(tmp_path: Path) -> None:
    path = write(tmp_path, "data.json", '{"text": "a",\n "title": }')
    with pytest.raises(InputError) as info:
        read_path(path)
    assert str(info.value) == f"{path}: invalid JSON at line 2 column 11: Expecting value"


def test_read_path_csv_with_settings(tmp_path: Path) -> None:
    path = write(tmp_path, "data.csv", "id,body\n7,The mayor resigned on Tuesday.\n")
    doc = one(read_path(path, settings=Settings(text_field="body")))
    assert doc.text == "The mayor resigned on Tuesday."
    assert doc.meta == {"id": "7"}
    assert doc.source == f"{path}#1"


def test_read_path_csv_missing_text_column(tmp_path: Path) -> None:
    path = write(tmp_path, "data.csv", "id,body\n7,Story.\n")
    with pytest.raises(RecordError, match='no "text" column'):
        read_path(path)


def test_read_path_missing(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(InputError) as info:
        read_path(path)
    assert str(info.value) == f"{path}: no such file"


def test_read_path_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_path(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a directory, not a file"


def test_read_path_empty_file(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocumentError, match="empty input"):
        read_path(write(tmp_path, "empty.txt", b""))


def test_read_path_whitespace_only_file(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocumentError, match="only whitespace"):
        read_path(write(tmp_path, "blank.txt", "  \n\t\r\n  "))


def test_read_path_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, "photo.txt", PNG_BYTES)
    with pytest.raises(InputError) as info:
        read_path(path)
    assert str(info.value) == f"{path}: binary file, not text"


def test_read_path_over_max_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", "x" * 2_500)
    with pytest.raises(InputError) as info:
        read_path(path, settings=Settings(max_bytes=1_000))
    assert str(info.value) == f"{path}: file is 2.5 kB, over the 1.0 kB limit (max_bytes)"


def test_read_path_over_max_bytes_in_megabytes(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", b"x" * 2_530_000)
    with pytest.raises(InputError, match=r"file is 2\.5 MB, over the 2\.0 MB limit \(max_bytes\)"):
        read_path(path, settings=Settings(max_bytes=2_000_000))


def test_read_bytes_sniffs_text_html_json_jsonl() -> None:
    assert one(read_bytes(STORY.encode(), source="<stdin>")).source == "<stdin>"
    assert one(read_bytes(ARTICLE_HTML.encode(), source="<stdin>")).outlet == "The Coastal Ledger"
    records = [{"text": "One."}, {"text": "Two."}]
    docs = list(read_bytes(json.dumps(records).encode(), source="<stdin>"))
    assert [d.source for d in docs] == ["<stdin>#1", "<stdin>#2"]
    jsonl = "\n".join(json.dumps(r) for r in records).encode()
    assert len(list(read_bytes(jsonl, source="<stdin>"))) == 2


def test_read_bytes_bracketed_text_stays_text() -> None:
    text = "[Updated] The vote was moved to Thursday.\n"
    assert one(read_bytes(text.encode(), source="<stdin>")).text == text


def test_read_bytes_explicit_format() -> None:
    doc = one(read_bytes(b"text,title\nHello there.,Hi\n", source="<stdin>", fmt="csv"))
    assert (doc.text, doc.title, doc.source) == ("Hello there.", "Hi", "<stdin>#1")


def test_read_bytes_over_max_bytes() -> None:
    with pytest.raises(InputError, match=r"input is 200 bytes, over the 100 bytes limit"):
        read_bytes(b"a" * 200, source="<stdin>", settings=Settings(max_bytes=100))


def test_read_stdin_reads_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = SimpleNamespace(buffer=io.BytesIO("Café owners said prices rose.".encode("cp1252")))
    monkeypatch.setattr(sys, "stdin", fake)
    doc = one(read_stdin())
    assert (doc.text, doc.source, doc.encoding) == (
        "Café owners said prices rose.",
        "<stdin>",
        "cp1252",
    )


def test_read_stdin_over_max_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(b"a" * 5_000)))
    with pytest.raises(InputError, match=r"<stdin>: input is over the 1\.0 kB limit"):
        read_stdin(Settings(max_bytes=1_000))


def test_read_text_with_metadata() -> None:
    doc = read_text(
        STORY,
        title="Schools",
        url="https://example.org/s",
        published="5 March 2024",
        outlet="Example",
        lang="es-PE",
        section="Education",
    )
    assert doc.text == STORY
    assert doc.source == "<text>"
    assert (doc.title, doc.url, doc.published, doc.outlet, doc.lang) == (
        "Schools",
        "https://example.org/s",
        "2024-03-05",
        "Example",
        "es",
    )
    assert doc.meta == {"section": "Education"}
    assert doc.encoding is None


def test_read_text_repairs_mojibake() -> None:
    doc = read_text("CafÃ© owners agreed.")
    assert doc.text == "Café owners agreed."
    assert doc.repairs


def test_read_text_empty() -> None:
    with pytest.raises(EmptyDocumentError, match="<text>: empty text"):
        read_text("")
    with pytest.raises(EmptyDocumentError, match="only whitespace"):
        read_text(" \n ", source="note")


def test_iter_documents_batch_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = write(tmp_path, "good.txt", STORY)
    records = write(tmp_path, "r.jsonl", '{"text": "A."}\n{"title": "no text"}\n')
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(b"From a pipe.")))
    items = list(
        iter_documents(
            [
                good,
                str(tmp_path / "missing.txt"),
                tmp_path,
                write(tmp_path, "empty.txt", b""),
                write(tmp_path, "bin.txt", PNG_BYTES),
                records,
                "-",
            ]
        )
    )
    summary = [
        (i.source, i.kind, i.error) if isinstance(i, Failure) else (i.source, i.text) for i in items
    ]
    assert summary == [
        (str(good), STORY),
        (str(tmp_path / "missing.txt"), "InputError", "no such file"),
        (str(tmp_path), "InputError", "is a directory, not a file"),
        (str(tmp_path / "empty.txt"), "EmptyDocumentError", "empty input (0 bytes)"),
        (str(tmp_path / "bin.txt"), "InputError", "binary file, not text"),
        (f"{records}#1", "A."),
        (f"{records}#2", "RecordError", 'record has no "text" field (set --text-field)'),
        ("<stdin>", "From a pipe."),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!DOCTYPE html><html><body>x</body></html>", "html"),
        ("\n  <html lang='en'><p>x</p></html>", "html"),
        ('<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"></html>', "html"),
        ('{"text": "a"}', "json"),
        ('[{"text": "a"}]', "json"),
        ('{"text": "a"}\n{"text": "b"}\n', "jsonl"),
        ("<b>bold</b> claim in plain text", "text"),
        ("[Updated] text", "text"),
        ("title,text\nA,B\n", "text"),
    ],
)
def test_sniff_format(text: str, expected: str) -> None:
    assert sniff_format(text) == expected
