"""The WARC reader: the articles in a web archive (``.warc`` or ``.warc.gz``), read with warcio.

Each successful HTML (or plain-text) ``response`` record becomes a Document sourced ``path#n``,
n counting the file's records from 1, with the record's ``WARC-Target-URI`` as its URL. Other
records (requests, metadata, images, redirects) are not articles and are passed over; a page with
no article text becomes a Failure, and the file goes on. Records are read one at a time, so a
large archive never sits in memory.
"""

from __future__ import annotations

import gzip
import logging
import re
import sys
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from warcio import archiveiterator as _archiveiterator
from warcio import bufferedreaders as _bufferedreaders
from warcio import digestverifyingreader as _digestverifyingreader
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

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
    for the record cut short, or for the file (``broken WARC record at byte N: ...``) when what
    is left reads as no record. warcio's own warnings go to the log, one line each.
    """
    settings = settings or Settings()
    source = str(path)
    number = end = 0
    records: ArchiveIterator | None = None
    with _open(Path(path)) as handle:
        try:
            records = ArchiveIterator(handle)
            for record in records:
                _log_notes(source)
                if record.format != "warc":
                    # warcio reads any text as an old ARC record: a .warc file must be a WARC.
                    reason = _broken(end, "not a WARC record (no WARC/1.x header line)")
                    yield Failure(source=source, error=reason, kind="InputError")
                    return
                number += 1
                where = f"{source}#{number}"
                items = _read_record(record, where, settings)
                records.read_to_end()
                _log_notes(source)
                end = records.get_record_offset() + records.get_record_length()
                # A record's stream counts down from its declared length; short of 0, the file
                # broke off inside it (warcio itself says nothing).
                if getattr(record.raw_stream, "limit", 0) > 0:
                    reason = "record is cut short (a truncated WARC?)"
                    items = [Failure(source=where, error=reason, kind="InputError")]
                yield from items
            size = Path(path).stat().st_size
        except Exception as exc:  # warcio raises several types for a damaged archive
            _log_notes(source)
            # Where the record that broke starts: the end of the last one read whole.
            at = getattr(records, "offset", end)
            reason = _broken(at if isinstance(at, int) else end, _why(exc), number)
            log.info("%s: %s", source, reason)
            yield Failure(source=source, error=reason, kind="InputError")
            return
    # warcio stops quietly where a compressed archive breaks off: bytes left over tell.
    if size - end > _SEPARATOR:
        what = f"{size - end:,} bytes left over that read as no record (truncated or corrupt)"
        yield Failure(source=source, error=_broken(end, what, number), kind="InputError")


def _broken(at: int, why: str, records: int | None = None) -> str:
    after = "" if records is None else f" ({records} record(s) read before it)"
    return f"broken WARC record at byte {at:,}: {why}{after}"


def _why(exc: Exception) -> str:
    """What broke, in a few words: warcio's errors carry raw bytes, several lines, or a bare
    AttributeError from a header it could not parse."""
    if isinstance(exc, ArchiveLoadFailed):
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        first = lines[0] if lines else ""
        if "non-chunked gzip" in first:
            return "one gzip stream for several records (each must be compressed on its own)"
        _, _, found = first.partition("first line:")
        if found.strip():
            return f"not a WARC record header ({_starts(found)})"
        return "not a WARC record"
    if isinstance(exc, zlib.error | EOFError | gzip.BadGzipFile):
        return "corrupt compressed data"
    if isinstance(exc, OSError):
        return f"cannot read file: {exc.strerror or exc}"
    if isinstance(exc, AttributeError | TypeError | ValueError | IndexError | KeyError):
        return "malformed record headers"
    return f"unreadable record ({type(exc).__name__})"


def _starts(text: str, limit: int = 60) -> str:
    """What a line starts with, for a message: quoted when it is text, else said so."""
    text = " ".join(text.split())
    if not text.isprintable():
        return "it starts with bytes that are not text"
    shown = text if len(text) <= limit else text[:limit] + "..."
    return f"it starts {shown!r}"


class _Notes(threading.local):
    """What warcio wrote to stderr in this thread since it was last read."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def write(self, text: str) -> int:
        self.texts.append(text)
        return len(text)

    def flush(self) -> None:
        return None


class _QuietSys:
    """``sys`` as warcio's modules see it, but for ``stderr``: warcio writes its warnings there
    itself (not through logging), over several lines with raw bytes; they are kept instead, and
    logged by the reader in one line each."""

    stderr = _Notes()

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)


_INC_RECORD = re.compile(r"Content-Length is invalid\s+Offset:\s*(\d+)", re.DOTALL)


def _log_notes(source: str) -> None:
    notes = _QuietSys.stderr
    texts, notes.texts = notes.texts, []
    for text in texts:
        if not text.strip():
            continue
        match = _INC_RECORD.search(text)
        if match:
            note = (
                f"WARC record ending at byte {int(match[1]):,} is not followed by a blank line "
                "(a wrong Content-Length?)"
            )
        else:
            note = f"warcio: {ascii(' '.join(text.split()))[:200]}"
        log.warning("%s: %s", source, note)


# Once, at import: every use of warcio in this process is quiet from then on, which only moves
# its warnings from stderr to claimscope's log.
for _module in (_archiveiterator, _bufferedreaders, _digestverifyingreader):
    _module.sys = _QuietSys()  # type: ignore[attr-defined]


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
        reason = f"page could not be read: {type(exc).__name__}: {' '.join(str(exc).split())}"
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
