"""Input discovery and the streaming readers: folders, large record files, web archives."""

from __future__ import annotations

import gzip
import json

import pytest

from claimscope.errors import InputError
from claimscope.ingest import read_path
from claimscope.ingest.inputs import check_paths, count_documents, discover, iter_inputs
from claimscope.ingest.warc import read_warc
from claimscope.model import Document, Failure
from claimscope.settings import Settings
from tests.corpus.builders import TEXTS, page, write_warc
from tests.ingest.samples import ARTICLE_HTML, NO_ARTICLE_HTML


def _docs(items):
    return [i for i in items if isinstance(i, Document)]


def _fails(items):
    return [i for i in items if isinstance(i, Failure)]


def test_inputs_discover_walks_folders_in_name_order_skipping_hidden_and_unknown(tmp_path):
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / ".cache").mkdir()
    for name in ("b/deep/z.html", "b/a.txt", "c.jsonl", "a.warc.gz", "notes.pdf", ".hidden.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / ".cache" / "x.txt").write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == ["a.warc.gz", "c.jsonl", "b/a.txt", "b/deep/z.html"]


def test_inputs_discover_is_lazy(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    stream = discover([tmp_path])
    assert next(stream).name == "a.txt"  # a generator: nothing is listed up front


def test_inputs_check_paths_names_the_missing_one(tmp_path):
    with pytest.raises(InputError, match=r"missing\.txt: no such file"):
        check_paths([tmp_path, tmp_path / "missing.txt"])


def test_inputs_count_documents_only_when_knowable(tmp_path):
    for name in ("a.txt", "b.html"):
        (tmp_path / name).write_text("x")
    assert count_documents([tmp_path]) == 2
    (tmp_path / "c.jsonl").write_text("{}\n")
    assert count_documents([tmp_path]) is None


def test_inputs_large_jsonl_is_streamed_like_the_reader_reads_it(tmp_path):
    """Past max_bytes a JSONL file is streamed: same documents, same ``path#line`` sources."""
    records = [
        {"body": f"Report {i}: the port hired {i + 10} workers.", "headline": f"H{i}", "src": "X"}
        for i in range(5)
    ]
    lines = [json.dumps(r) for r in records]
    lines[2] = "{not json"
    lines.insert(3, "")
    lines.append(json.dumps({"body": "y" * 400}))  # one record over the per-record limit
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fields = {"text_field": "body", "title_field": "headline", "outlet_field": "src"}
    small = Settings(max_bytes=300, **fields)
    assert path.stat().st_size > small.max_bytes
    streamed = list(iter_inputs([path], settings=small))
    # The reader, with no size limit in the way, reads the same records (and the long one).
    read = [d for d in _docs(read_path(path, settings=Settings(**fields))) if "y" * 9 not in d.text]
    assert [d.source for d in _docs(streamed)] == [d.source for d in read]
    assert [(d.text, d.title, d.outlet) for d in _docs(streamed)] == [
        (d.text, d.title, d.outlet) for d in read
    ]
    assert len(read) == 4
    assert {f.source: f.kind for f in _fails(streamed)} == {
        f"{path}#3": "RecordError",
        f"{path}#7": "RecordError",
    }
    assert "max_bytes" in _fails(streamed)[-1].error


def test_inputs_large_csv_is_streamed_with_custom_fields(tmp_path):
    path = tmp_path / "big.csv"
    rows = ["story;headline;site"] + [
        f"Claim {i}: 40 homes flooded.;Title {i};Site" for i in range(4)
    ]
    rows.insert(3, ";only a title;Site")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    settings = Settings(
        max_bytes=60, text_field="story", title_field="headline", outlet_field="site"
    )
    items = list(iter_inputs([path], settings=settings))
    docs = _docs(items)
    assert [d.source for d in docs] == [f"{path}#{n}" for n in (1, 2, 4, 5)]
    assert docs[0].title == "Title 0" and docs[0].outlet == "Site"
    assert [f.source for f in _fails(items)] == [f"{path}#3"]


def test_inputs_large_csv_without_the_text_column_fails_as_a_file(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "1,2\n" * 50, encoding="utf-8")
    items = list(iter_inputs([path], settings=Settings(max_bytes=50)))
    assert len(items) == 1 and isinstance(items[0], Failure)
    assert 'no "text" column' in items[0].error


def test_inputs_an_unreadable_file_is_a_failure_and_the_stream_goes_on(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_text(TEXTS["ferry.txt"])
    items = list(iter_inputs([tmp_path], settings=Settings()))
    assert [type(i).__name__ for i in items] == ["Failure", "Document"]


@pytest.mark.parametrize("compressed", [False, True])
def test_inputs_warc_pages_become_documents_with_the_target_uri(tmp_path, compressed):
    name = "crawl.warc.gz" if compressed else "crawl.warc"
    path = write_warc(
        tmp_path / name,
        [
            ("https://ledger.example.org/a", "200 OK", "text/html; charset=utf-8", ARTICLE_HTML),
            ("https://ledger.example.org/logo.png", "200 OK", "image/png", "PNG"),
            ("https://ledger.example.org/gone", "404 Not Found", "text/html", ARTICLE_HTML),
            ("https://ledger.example.org/app", "200 OK", "text/html", NO_ARTICLE_HTML),
            (
                "https://news.example.com/ferry",
                "200 OK",
                "text/html",
                page("Ferry numbers", TEXTS["ferry.txt"]),
            ),
            ("https://news.example.com/plain", "200 OK", "text/plain", TEXTS["budget.txt"]),
        ],
        gzip=compressed,
    )
    if compressed:
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    items = list(iter_inputs([tmp_path], settings=Settings()))
    docs = _docs(items)
    assert [d.url for d in docs] == [
        "https://ledger.example.org/a",
        "https://news.example.com/ferry",
        "https://news.example.com/plain",
    ]
    assert "sea wall" in docs[0].text and docs[0].title == "Harbour town votes to rebuild sea wall"
    assert "1,240 passengers" in docs[1].text
    assert docs[2].text == TEXTS["budget.txt"]
    assert all(d.source.startswith(f"{path}#") for d in docs)
    assert docs[0].meta["warc_record_id"].startswith("<urn:uuid:")
    (failure,) = _fails(items)
    assert failure.source == f"{path}#9" and "no article" in failure.error


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("cut", [50, 400, 600])
def test_inputs_truncated_warc_keeps_the_records_before_the_break(tmp_path, compressed, cut):
    """warcio reads a cut archive without a word; the reader reports where it broke off."""
    path = write_warc(
        tmp_path / "cut.warc",
        [
            ("https://a.example/1", "200 OK", "text/html", page("One", TEXTS["ferry.txt"])),
            ("https://a.example/2", "200 OK", "text/html", page("Two", TEXTS["budget.txt"])),
        ],
        gzip=compressed,
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - cut])
    items = list(read_warc(path))
    assert [d.url for d in _docs(items)] == ["https://a.example/1"]
    (failure,) = _fails(items)
    assert failure.source in (str(path), f"{path}#5")
    assert "cut short" in failure.error or "left over" in failure.error


def test_inputs_a_gzip_that_is_not_a_warc_is_a_failure(tmp_path):
    path = tmp_path / "fake.warc.gz"
    path.write_bytes(gzip.compress(b"this is not a web archive\n" * 10))
    (failure,) = list(iter_inputs([path], settings=Settings()))
    assert isinstance(failure, Failure) and failure.source == str(path)
