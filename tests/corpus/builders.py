"""Inputs written for the corpus tests: generated articles, hand-written texts, small WARCs."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[2]


def articles(n: int, *, seed: int = 0, paragraphs: int = 4) -> Iterator[dict[str, Any]]:
    """``n`` fictional articles from benchmarks/lib/corpus.py, cut to their first paragraphs (so
    that analysis stays fast), as records: text, title, url, published, outlet, topic."""
    if str(ROOT / "benchmarks" / "lib") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks" / "lib"))
    import corpus  # benchmarks/lib/corpus.py: the project's own article generator

    for record in corpus.generate(n, seed=seed):
        record["text"] = "\n".join(record["text"].split("\n")[:paragraphs])
        yield record


def write_jsonl(
    path: Path, records: list[dict[str, Any]], *, extra_lines: Sequence[str] = ()
) -> Path:
    """Records as JSON Lines, then any raw ``extra_lines`` (bad lines, for failure tests)."""
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


TEXTS = {
    "ferry.txt": (
        "The ferry between Ostmark and Halvik carried 1,240 passengers on May 3, 2024, "
        "according to the port authority.\n"
        "Officials said the new timetable would add 6 crossings a week from June."
    ),
    "budget.txt": (
        "Dravonia's parliament approved a budget of 4.5 billion euros on Tuesday.\n"
        "Teresa Dahl, the finance minister, said that spending on schools would rise by 8%."
    ),
}


def page(title: str, body: str) -> str:
    """A small article page, written for these tests."""
    paragraphs = "".join(f"<p>{p}</p>\n" for p in body.split("\n"))
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'</head>\n<body><nav><a href="/">Home</a></nav><article><h1>{title}</h1>\n{paragraphs}'
        "</article><footer>Footer</footer></body></html>\n"
    )


def write_warc(path: Path, pages: list[tuple[str, str, str, str]], *, gzip: bool) -> Path:
    """A WARC of ``(uri, status, content type, body)`` responses, each after its request."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for uri, status, content_type, body in pages:
            request = writer.create_warc_record(
                uri,
                "request",
                payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"),
                http_headers=StatusAndHeaders("GET / HTTP/1.1", [], is_http_request=True),
            )
            writer.write_record(request)
            data = body.encode("utf-8")
            headers = StatusAndHeaders(
                status,
                [("Content-Type", content_type), ("Content-Length", str(len(data)))],
                protocol="HTTP/1.1",
            )
            writer.write_record(
                writer.create_warc_record(
                    uri, "response", payload=io.BytesIO(data), http_headers=headers
                )
            )
    return path
