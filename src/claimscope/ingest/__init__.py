"""The readers: paths, bytes, stdin or strings in; Documents (and Failures for bad records) out.

Single-document inputs (text, HTML) raise InputError when they cannot be read; record files
(JSON, JSONL, CSV) raise only when the file as a whole is unreadable and otherwise yield a Failure
per bad record. ``iter_documents`` turns every InputError into a Failure so that a batch goes on.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal, cast

from claimscope.errors import EmptyDocumentError, InputError, SettingsError
from claimscope.ingest.dates import parse_date
from claimscope.ingest.decode import decode_bytes, decode_raw, repair_mojibake
from claimscope.ingest.files import open_regular
from claimscope.ingest.html import lang_code, read_html
from claimscope.ingest.records import read_records
from claimscope.model import Document, Failure
from claimscope.settings import INPUT_FORMATS, Settings

log = logging.getLogger(__name__)

Format = Literal["text", "html", "json", "jsonl", "csv"]

STDIN = "<stdin>"

_SUFFIX_FORMATS: dict[str, Format] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".markdown": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
}

_HTML_START = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_SNIFF_CHARS = 4096


def read_text(
    text: str,
    *,
    settings: Settings | None = None,
    source: str = "<text>",
    **meta: str | None,
) -> Document:
    """A Document from a string; ``meta`` may give title, url, published, outlet, lang and more.

    ``published`` is read into an ISO date (left out when unreadable); keys other than the five
    named go to ``Document.meta``.
    """
    settings = settings or Settings()
    if not text.strip():
        message = "no text, only whitespace" if text else "empty text"
        raise EmptyDocumentError(message, source=source)
    repairs: list[str] = []
    if settings.repair_mojibake:
        text, repairs = repair_mojibake(text)
    title, url, published, outlet, lang = (
        meta.pop(key, None) for key in ("title", "url", "published", "outlet", "lang")
    )
    date = parse_date(published)
    if published and date is None:
        log.warning("%s: unreadable published date %r left out", source, published)
    return Document(
        text=text,
        source=source,
        title=title,
        url=url,
        published=date,
        outlet=outlet,
        lang=lang_code(lang),
        repairs=repairs,
        meta={key: value for key, value in meta.items() if value is not None},
    )


def read_path(
    path: str | Path, *, settings: Settings | None = None
) -> Iterator[Document | Failure]:
    """The documents in a file: one for text and HTML, one per record for JSON, JSONL and CSV.

    Checks run, and a text or HTML file is read, before this returns: an unreadable file raises
    InputError here rather than on first iteration. Only a regular file is read: a FIFO, a
    device or a socket raises InputError without being opened.
    """
    settings = settings or Settings()
    path = Path(path)
    source = str(path)
    data = _read_file(path, source, settings.max_bytes)
    fmt: Format | None = None
    if settings.input_format != "auto":
        fmt = settings.input_format
    else:
        fmt = _SUFFIX_FORMATS.get(path.suffix.lower())
    return _read(data, source=source, settings=settings, fmt=fmt)


def read_bytes(
    data: bytes,
    *,
    source: str,
    settings: Settings | None = None,
    fmt: str = "auto",
) -> Iterator[Document | Failure]:
    """The documents in raw bytes (stdin, an upload); with ``fmt="auto"`` the content decides."""
    settings = settings or Settings()
    if fmt not in INPUT_FORMATS:
        raise SettingsError(f"fmt must be one of {', '.join(INPUT_FORMATS)}, got {fmt!r}")
    if len(data) > settings.max_bytes:
        raise InputError(_too_large("input", len(data), settings.max_bytes), source=source)
    chosen = fmt if fmt != "auto" else settings.input_format
    return _read(
        data,
        source=source,
        settings=settings,
        fmt=None if chosen == "auto" else cast(Format, chosen),
    )


def read_stdin(settings: Settings | None = None) -> Iterator[Document | Failure]:
    """The documents piped to standard input (read as bytes, so the encoding is detected)."""
    settings = settings or Settings()
    # One byte past the limit is enough to know the input is too large without reading it all.
    data = sys.stdin.buffer.read(settings.max_bytes + 1)
    if len(data) > settings.max_bytes:
        raise InputError(
            f"input is over the {_size(settings.max_bytes)} limit (max_bytes)", source=STDIN
        )
    return read_bytes(data, source=STDIN, settings=settings)


def iter_documents(
    sources: Iterable[str | Path], *, settings: Settings | None = None
) -> Iterator[Document | Failure]:
    """Every document in many inputs (``"-"`` is stdin); an unreadable input becomes a Failure."""
    settings = settings or Settings()
    for item in sources:
        is_stdin = isinstance(item, str) and item == "-"
        name = STDIN if is_stdin else str(item)
        try:
            yield from read_stdin(settings) if is_stdin else read_path(item, settings=settings)
        except InputError as exc:
            log.info("%s: %s", exc.source or name, exc.message)
            yield Failure(source=exc.source or name, error=exc.message, kind=type(exc).__name__)


def sniff_format(text: str) -> Format:
    """The format decoded content looks like: html, json, jsonl, or else text."""
    head = text[:_SNIFF_CHARS].lstrip("\ufeff \t\r\n")
    if head.startswith("<") and _HTML_START.search(head):
        return "html"
    if head.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            data = None
        if isinstance(data, dict | list):
            return "json"
        first = head.split("\n", 1)[0]
        try:
            if isinstance(json.loads(first), dict):
                return "jsonl"
        except (json.JSONDecodeError, RecursionError):
            pass
    # CSV is never guessed: too much plain text has commas in its first line.
    return "text"


def _read(
    data: bytes, *, source: str, settings: Settings, fmt: Format | None
) -> Iterator[Document | Failure]:
    text, encoding, notes = decode_raw(data, source=source)
    fmt = fmt or sniff_format(text)
    log.debug("%s: read as %s", source, fmt)
    if fmt in ("json", "jsonl", "csv"):
        return read_records(
            text,
            fmt=fmt,
            source=source,
            settings=settings,
            encoding=encoding,
            repairs=notes,
        )
    if fmt == "html":
        doc = read_html(text, source=source, settings=settings)
        doc.encoding = encoding
        doc.repairs[:0] = notes
        return iter([doc])
    repairs = list(notes)
    if settings.repair_mojibake:
        text, fixed = repair_mojibake(text)
        repairs.extend(fixed)
    return iter([Document(text=text, source=source, encoding=encoding, repairs=repairs)])


def _read_file(path: Path, source: str, max_bytes: int) -> bytes:
    # Only regular files are opened: a FIFO would block the open, a device never end.
    with open_regular(path, source=source) as handle:
        try:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise InputError(_too_large("file", size, max_bytes), source=source)
            # Bounded even after the size check: the file may grow while it is read.
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            reason = f"cannot read file: {exc.strerror or exc}"
            raise InputError(reason, source=source) from None
    if len(data) > max_bytes:
        raise InputError(f"file is over the {_size(max_bytes)} limit (max_bytes)", source=source)
    return data


def _too_large(what: str, size: int, limit: int) -> str:
    return f"{what} is {_size(size)}, over the {_size(limit)} limit (max_bytes)"


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} kB"
    return f"{n} bytes"


__all__ = [
    "Format",
    "decode_bytes",
    "iter_documents",
    "read_bytes",
    "read_html",
    "read_path",
    "read_stdin",
    "read_text",
    "sniff_format",
]
