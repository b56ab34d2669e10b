"""A broken WARC is one failure line in claimscope's words; warcio never writes to stderr."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from claimscope.ingest.inputs import iter_inputs
from claimscope.ingest.warc import read_warc
from claimscope.model import Document, Failure
from claimscope.settings import Settings
from tests.corpus.builders import TEXTS, page, write_warc

PAGES = [
    ("https://a.example/1", "200 OK", "text/html", page("One", TEXTS["ferry.txt"])),
    ("https://a.example/2", "200 OK", "text/html", page("Two", TEXTS["budget.txt"])),
]


def _warc(tmp_path: Path, *, gzip: bool = False) -> Path:
    return write_warc(tmp_path / ("a.warc.gz" if gzip else "a.warc"), PAGES, gzip=gzip)


def _read(path: Path) -> tuple[list[Document], list[Failure]]:
    items = list(read_warc(path))
    docs = [i for i in items if isinstance(i, Document)]
    fails = [i for i in items if isinstance(i, Failure)]
    return docs, fails


def _one_line(failure: Failure) -> None:
    assert "\n" not in failure.error
    assert "Error" not in failure.error  # no exception class names: AttributeError, ...
    assert "\\x" not in failure.error  # no raw bytes


def test_warc_malformed_record_headers_are_one_line(tmp_path, capfd):
    """A record whose WARC-Target-URI header is garbled made warcio raise AttributeError."""
    path = _warc(tmp_path)
    data = path.read_bytes()
    # Records: warcinfo, request 1, response 1, request 2 (garbled here), response 2.
    at = -1
    for _ in range(3):
        at = data.index(b"WARC-Target-URI", at + 1)
    path.write_bytes(data[:at] + b"\xff\xfe\x00junk\x01" + data[at + 10 :])
    docs, (failure,) = _read(path)
    assert [d.url for d in docs] == ["https://a.example/1"]
    assert failure.source == str(path)
    assert failure.error.startswith("broken WARC record at byte ")
    assert "malformed record headers" in failure.error
    _one_line(failure)
    assert capfd.readouterr().err == ""


def test_warc_wrong_content_length_is_logged_in_one_line_not_printed(tmp_path, capfd, caplog):
    path = _warc(tmp_path)
    path.write_bytes(path.read_bytes().replace(b"Content-Length: ", b"Content-Length: 1", 1))
    with caplog.at_level(logging.WARNING, logger="claimscope.ingest.warc"):
        _docs, failures = _read(path)
    assert capfd.readouterr().err == ""  # warcio printed "WARNING: ...\n Offset\n Remainder: b'..."
    assert failures and all(f.error.startswith("broken WARC record at byte ") for f in failures)
    for failure in failures:
        _one_line(failure)
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings and all("\n" not in w and "Remainder" not in w for w in warnings)
    assert "is not followed by a blank line (a wrong Content-Length?)" in warnings[0]


def test_warc_a_text_file_named_warc_is_a_failure(tmp_path):
    """warcio reads any text as old ARC records: before, this gave no document and no failure."""
    path = tmp_path / "notes.warc"
    path.write_text("this is not a web archive\r\n\r\n" * 3, encoding="utf-8")
    (failure,) = list(iter_inputs([path], settings=Settings()))
    assert isinstance(failure, Failure) and failure.source == str(path)
    assert failure.error == (
        "broken WARC record at byte 0: not a WARC record (no WARC/1.x header line)"
    )


@pytest.mark.parametrize("where", [0.5, 0.75])
def test_warc_corrupt_gzip_is_one_line_and_quiet(tmp_path, capfd, where):
    path = _warc(tmp_path, gzip=True)
    data = path.read_bytes()
    cut = int(len(data) * where)
    path.write_bytes(data[:cut] + bytes(b ^ 0x55 for b in data[cut : cut + 40]) + data[cut + 40 :])
    _docs, failures = _read(path)
    assert failures
    for failure in failures:
        _one_line(failure)
        assert failure.error.startswith(("broken WARC record at byte ", "record is cut short"))
    assert capfd.readouterr().err == ""
