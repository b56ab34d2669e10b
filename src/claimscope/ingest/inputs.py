"""Many inputs: the files under the paths given, and the documents in them, as streams.

Folders are walked lazily (one folder's listing at a time); record files and web archives are
read record by record. A JSONL or CSV file within ``max_bytes`` goes through the same reader as
``claimscope analyze`` (encoding detection included); a larger one is streamed line by line as
UTF-8, ``max_bytes`` then bounding each record, so a corpus dump of any size reads in flat memory.
Corpus ingestion and the evidence index both read their inputs through here.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from claimscope.errors import InputError, RecordError
from claimscope.ingest import read_path
from claimscope.ingest.files import open_regular
from claimscope.ingest.records import record_document
from claimscope.ingest.warc import is_warc, read_warc
from claimscope.model import Document, Failure
from claimscope.settings import Settings

log = logging.getLogger(__name__)

DOCUMENT_SUFFIXES: tuple[str, ...] = (
    ".txt",
    ".text",
    ".md",
    ".markdown",
    ".html",
    ".htm",
    ".xhtml",
)
RECORD_SUFFIXES: dict[str, str] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
}
_CSV_DELIMITERS = (",", ";", "\t", "|")
# Bytes read at a time while skipping the rest of an over-long line.
_SKIP_CHUNK = 1 << 20


def check_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The paths as Paths; InputError naming the first one that does not exist."""
    out = []
    for item in paths:
        path = Path(item)
        if not path.exists():
            raise InputError("no such file or folder", source=str(path))
        out.append(path)
    if not out:
        raise InputError("no input paths given")
    return out


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Every input file: files as given, and the readable files under folders, in name order."""
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        # Sorted in place so that os.walk descends in name order; hidden folders are skipped.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and _is_input(name):
                yield Path(root) / name


def _is_input(name: str) -> bool:
    lower = name.lower()
    suffix = os.path.splitext(lower)[1]
    return is_warc(lower) or suffix in DOCUMENT_SUFFIXES or suffix in RECORD_SUFFIXES


def count_documents(paths: Iterable[Path], *, limit: int = 1_000_000) -> int | None:
    """How many documents the paths hold, when that is known without reading them: one per file
    when no file holds records; None when one does (or past ``limit`` files)."""
    n = 0
    for path in discover(paths):
        if is_warc(path) or path.suffix.lower() in RECORD_SUFFIXES or n >= limit:
            return None
        n += 1
    return n


def iter_inputs(paths: Iterable[Path], *, settings: Settings) -> Iterator[Document | Failure]:
    """Every document under the paths, in order; an unreadable input becomes a Failure."""
    for path in discover(paths):
        yield from read_input(path, settings=settings)


def read_input(path: Path, *, settings: Settings) -> Iterator[Document | Failure]:
    """The documents in one file (one, or one per record); Failures for what cannot be read."""
    source = str(path)
    try:
        if is_warc(path):
            yield from read_warc(path, settings=settings)
            return
        fmt = _record_format(path, settings)
        if fmt in ("jsonl", "csv") and _size(path) > settings.max_bytes:
            log.info("%s: over max_bytes, streamed record by record as UTF-8", source)
            yield from (_jsonl if fmt == "jsonl" else _csv)(path, settings)
            return
        yield from read_path(path, settings=settings)
    except InputError as exc:
        log.info("%s: %s", exc.source or source, exc.message)
        yield Failure(source=exc.source or source, error=exc.message, kind=type(exc).__name__)


def _record_format(path: Path, settings: Settings) -> str | None:
    if settings.input_format != "auto":
        return settings.input_format
    return RECORD_SUFFIXES.get(path.suffix.lower())


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read_path reports the error in its own words


def _jsonl(path: Path, settings: Settings) -> Iterator[Document | Failure]:
    """The records of a JSONL file, one line at a time (numbered by line, as the reader does)."""
    with _open(path) as handle:
        for number, line in _lines(handle, settings.max_bytes):
            where = f"{path}#{number}"
            try:
                if line is None:
                    raise RecordError(
                        f"line is over the {settings.max_bytes:,}-byte limit (max_bytes)"
                    )
                if not line.strip():
                    continue
                record = _json_line(line, first=number == 1)
                yield record_document(record, source=where, settings=settings, encoding="utf-8")
            except InputError as exc:
                yield Failure(source=where, error=exc.message, kind=type(exc).__name__)


def _json_line(line: bytes, *, first: bool) -> Any:
    try:
        text = line.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 at byte {exc.start}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON at column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise RecordError("invalid JSON: nested too deeply") from None


def _lines(handle: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, line)``, split on ``\\n`` only; None for a line over ``limit`` bytes."""
    number = 0
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := handle.readline(_SKIP_CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield number, None
            continue
        yield number, line


def _csv(path: Path, settings: Settings) -> Iterator[Document | Failure]:
    """The rows of a CSV file as records, streamed (numbered from 1, as the reader does)."""
    source = str(path)
    # Article bodies outgrow csv's 128 KiB field limit; max_bytes bounds a record instead.
    csv.field_size_limit(max(csv.field_size_limit(), min(settings.max_bytes, 2**31 - 1)))
    number = 0
    with _open(path) as raw:
        handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            header = handle.readline()
            delimiter = max(_CSV_DELIMITERS, key=header.count) if header.strip() else ","
            fields = next(csv.reader([header], delimiter=delimiter), [])
            if settings.text_field not in fields:
                raise RecordError(
                    f'CSV header has no "{settings.text_field}" column (set --text-field); '
                    f"columns: {', '.join(fields[:12])}",
                    source=source,
                )
            reader = csv.DictReader(handle, fieldnames=fields, delimiter=delimiter)
            for number, row in enumerate(reader, start=1):
                where = f"{source}#{number}"
                record = {k: v for k, v in row.items() if k is not None}
                try:
                    yield record_document(record, source=where, settings=settings, encoding="utf-8")
                except InputError as exc:
                    yield Failure(source=where, error=exc.message, kind=type(exc).__name__)
        except UnicodeDecodeError as exc:
            reason = f"not UTF-8 after record {number}: {exc.reason}"
            raise InputError(reason, source=source) from None
        except csv.Error as exc:
            raise InputError(f"invalid CSV after record {number}: {exc}", source=source) from None


def _open(path: Path) -> IO[bytes]:
    # A FIFO or a device is refused before it is opened (opening a FIFO blocks).
    return open_regular(path)
