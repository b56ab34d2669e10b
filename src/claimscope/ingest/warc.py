"""The WARC reader: the articles in a web archive (``.warc`` or ``.warc.gz``), read with warcio.

Each successful HTML (or plain-text) ``response`` record becomes a Document sourced ``path#n``,
n counting the file's records from 1, with the record's ``WARC-Target-URI`` as its URL. Other
records (requests, metadata, images, redirects) are not articles and are passed over; a page with
no article text becomes a Failure, and the file goes on. Records are read one at a time, so a
large archive never sits in memory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

from claimscope.errors import InputError
from claimscope.ingest import read_bytes
from claimscope.ingest.files import open_regular
from claimscope.model import Document, Failure
from claimscope.settings import Settings

log = logging.getLogger(__name__)

WARC_SUFFIXES: tuple[str, ...] = (".warc", ".warc.gz")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain",)
# Bytes that may follow the last record: the blank lines ending an uncompressed record.
_SEPARATOR = 4


def is_warc(path: str | Path) -> bool:
    """Whether a file name ends like a web archive (``.warc``, ``.warc.gz``)."""
    return str(path).lower().endswith(WARC_SUFFIXES)


def read_warc(
    path: str | Path, *, settings: Settings | None = None
) -> Iterator[Document | Failure]:
    """Documents from the article pages of a WARC file; Failures for pages that hold none.

    A file that cannot be opened raises InputError on the first iteration. Where a file breaks
    off (truncated, corrupt), the records before the break still come through, then a Failure:
    for the record cut short, or for the file when what is left reads as no record.
    """
    settings = settings or Settings()
    source = str(path)
    number = end = 0
    with _open(Path(path)) as handle:
        try:
            records = ArchiveIterator(handle)
            for record in records:
                number += 1
                where = f"{source}#{number}"
                items = _read_record(record, where, settings)
                records.read_to_end()
                end = records.get_record_offset() + records.get_record_length()
                # A record's stream counts down from its declared length; short of 0, the file
                # broke off inside it (warcio itself says nothing).
                if getattr(record.raw_stream, "limit", 0) > 0:
                    reason = "record is cut short (a truncated WARC?)"
                    items = [Failure(source=where, error=reason, kind="InputError")]
                yield from items
            size = Path(path).stat().st_size
        except Exception as exc:  # warcio raises several types for a damaged archive
            reason = f"unreadable WARC after {number} record(s): {type(exc).__name__}: {exc}"
            log.info("%s: %s", source, reason)
            yield Failure(source=source, error=reason, kind="InputError")
            return
    # warcio stops quietly where a compressed archive breaks off: bytes left over tell.
    if size - end > _SEPARATOR:
        reason = (
            f"unreadable WARC after {number} record(s): {size - end:,} bytes left over "
            "(truncated or corrupt)"
        )
        yield Failure(source=source, error=reason, kind="InputError")


def _read_record(record: Any, where: str, settings: Settings) -> list[Document | Failure]:
    """The documents in one record: none unless it is an article page."""
    fmt = _article_format(record)
    if fmt is None:
        return []
    try:
        data = _payload(record, settings.max_bytes, where)
        items = list(read_bytes(data, source=where, settings=settings, fmt=fmt))
    except InputError as exc:
        log.info("%s: %s", where, exc.message)
        return [Failure(source=where, error=exc.message, kind=type(exc).__name__)]
    except Exception as exc:
        # One odd page out of thousands must not end the archive: it fails alone.
        log.exception("%s: page could not be read", where)
        reason = f"page could not be read: {type(exc).__name__}: {exc}"
        return [Failure(source=where, error=reason, kind="InputError")]
    for item in items:
        if isinstance(item, Document):
            _add_record_meta(item, record)
    return items


def _open(path: Path) -> IO[bytes]:
    # A FIFO or a device is refused before it is opened (opening a FIFO blocks).
    return open_regular(path)


def _article_format(record: Any) -> str | None:
    """``html`` or ``text`` for a successful page response; None for any other record."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = record.http_headers.get_statuscode() or ""
    if not status.startswith("2"):
        return None
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    mime = content_type.split(";", 1)[0].strip()
    if mime in _HTML_TYPES:
        return "html"
    if mime in _TEXT_TYPES:
        return "text"
    return None


def _payload(record: Any, max_bytes: int, source: str) -> bytes:
    """The response body, de-chunked and decompressed, refused past ``max_bytes``."""
    data: bytes = record.content_stream().read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"record is over the {max_bytes:,}-byte limit (max_bytes)", source=source)
    return data


def _add_record_meta(doc: Document, record: Any) -> None:
    uri = record.rec_headers.get_header("WARC-Target-URI")
    if uri:
        doc.url = uri
    for header, key in (("WARC-Date", "warc_date"), ("WARC-Record-ID", "warc_record_id")):
        value = record.rec_headers.get_header(header)
        if value:
            doc.meta[key] = value
