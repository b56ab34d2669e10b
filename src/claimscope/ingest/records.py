"""The record readers: JSON, JSONL and CSV files holding one article per record.

Each record becomes a Document sourced ``path#n`` (n counts records from 1; for JSONL it is the line
number). A bad record becomes a Failure and the others still come through; only a file that cannot
be parsed at all raises.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

from claimscope.errors import EmptyDocumentError, InputError, RecordError
from claimscope.ingest.dates import parse_date
from claimscope.ingest.decode import repair_mojibake
from claimscope.ingest.html import lang_code
from claimscope.model import Document, Failure
from claimscope.settings import Settings

log = logging.getLogger(__name__)

RecordFormat = Literal["json", "jsonl", "csv"]

# Article bodies are far longer than csv's 128 KiB default field limit; the file size is already
# capped by max_bytes, so the limit only needs to stay within what a C long holds everywhere.
_CSV_FIELD_LIMIT = 2**31 - 1
_CSV_DELIMITERS = (",", ";", "\t", "|")

# Keys read into Document.lang rather than meta (Settings has no field name for it).
_LANG_KEYS = ("lang", "language")


def read_records(
    text: str,
    *,
    fmt: RecordFormat,
    source: str,
    settings: Settings,
    encoding: str | None = None,
    repairs: Iterable[str] = (),
) -> Iterator[Document | Failure]:
    """Documents (and Failures for bad records) from decoded record-file text.

    The whole file is parsed before the first record is returned, so a file that is not valid
    JSON or CSV raises InputError here, not halfway through a batch; JSONL is read line by line,
    each bad line becoming a Failure.
    """
    if fmt == "json":
        records: Iterable[tuple[int, Any]] = _json_records(text, source)
    elif fmt == "jsonl":
        records = _jsonl_records(text)
    else:
        records = _csv_records(text, source, settings)
    return _documents(records, source, settings, encoding, list(repairs))


def _documents(
    records: Iterable[tuple[int, Any]],
    source: str,
    settings: Settings,
    encoding: str | None,
    repairs: list[str],
) -> Iterator[Document | Failure]:
    for number, record in records:
        where = f"{source}#{number}"
        try:
            yield record_document(
                record, source=where, settings=settings, encoding=encoding, repairs=repairs
            )
        except InputError as exc:
            log.info("%s: %s", where, exc.message)
            yield Failure(source=where, error=exc.message, kind=type(exc).__name__)


def record_document(
    record: Any,
    *,
    source: str,
    settings: Settings,
    encoding: str | None = None,
    repairs: Iterable[str] = (),
) -> Document:
    """One record (a mapping of field names to values) as a Document; RecordError if unusable."""
    if isinstance(record, _BadLine):
        raise RecordError(record.message, source=source)
    if not isinstance(record, Mapping):
        raise RecordError(f"record is {_kind(record)}, not an object", source=source)
    field = settings.text_field
    if field not in record or record[field] is None:
        raise RecordError(f'record has no "{field}" field (set --text-field)', source=source)
    text = record[field]
    if not isinstance(text, str):
        raise RecordError(f'"{field}" field is {_kind(text)}, not a string', source=source)
    if not text.strip():
        raise EmptyDocumentError(f'"{field}" field is empty', source=source)

    notes = list(repairs)
    if settings.repair_mojibake:
        text, fixed = repair_mojibake(text)
        notes.extend(fixed)

    named = {
        field,
        settings.title_field,
        settings.url_field,
        settings.date_field,
        settings.outlet_field,
        *_LANG_KEYS,
    }
    meta = {
        str(key): value
        for key, raw in record.items()
        if key not in named and (value := _scalar(raw)) is not None
    }
    published = record.get(settings.date_field)
    date = parse_date(published)
    if published not in (None, "") and date is None:
        log.debug("%s: unreadable date %r left out", source, published)
    return Document(
        text=text,
        source=source,
        url=_str(record.get(settings.url_field)),
        title=_str(record.get(settings.title_field)),
        published=date,
        outlet=_str(record.get(settings.outlet_field)),
        lang=next((c for k in _LANG_KEYS if (c := lang_code(record.get(k)))), None),
        encoding=encoding,
        repairs=notes,
        meta=meta,
    )


class _BadLine:
    """A JSONL line that is not JSON: it fails as its own record, not the whole file."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _json_records(text: str, source: str) -> list[tuple[int, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # A .json file holding one object per line is a common mix-up: read it as JSONL.
        if exc.msg == "Extra data" and _looks_like_jsonl(text):
            log.info("%s: JSON with one object per line, read as JSONL", source)
            return list(_jsonl_records(text))
        raise InputError(_json_error(exc), source=source) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", source=source) from None
    if isinstance(data, dict):
        return [(1, data)]
    if isinstance(data, list):
        if not data:
            raise EmptyDocumentError("JSON list holds no records", source=source)
        return list(enumerate(data, start=1))
    raise InputError(f"JSON holds {_kind(data)}, not an object or a list of objects", source=source)


def _looks_like_jsonl(text: str) -> bool:
    first = next((line for line in text.split("\n") if line.strip()), "")
    try:
        return isinstance(json.loads(first), dict)
    except (json.JSONDecodeError, RecursionError):
        return False


def _jsonl_records(text: str) -> Iterator[tuple[int, Any]]:
    # Split on "\n" only: str.splitlines also breaks on U+2028 and friends, which JSON strings
    # may hold raw, and it would miscount the line numbers that name records.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, _BadLine(f"invalid JSON at column {exc.colno}: {exc.msg}")
        except RecursionError:
            yield number, _BadLine("invalid JSON: nested too deeply")


def _csv_records(text: str, source: str, settings: Settings) -> list[tuple[int, Any]]:
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    header = text.split("\n", 1)[0]
    delimiter = max(_CSV_DELIMITERS, key=header.count) if header.strip() else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        fields = reader.fieldnames or []
        if settings.text_field not in fields:
            raise RecordError(
                f'CSV header has no "{settings.text_field}" column (set --text-field); '
                f"columns: {', '.join(fields[:12])}",
                source=source,
            )
        # Rows with more cells than the header keep the extras under None: drop them.
        rows = [
            (number, {k: v for k, v in row.items() if k is not None})
            for number, row in enumerate(reader, start=1)
        ]
    except csv.Error as exc:
        raise InputError(f"invalid CSV at line {reader.line_num}: {exc}", source=source) from None
    if not rows:
        raise EmptyDocumentError("CSV file holds a header but no records", source=source)
    return rows


def _json_error(exc: json.JSONDecodeError) -> str:
    return f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _scalar(value: object) -> str | None:
    """A metadata value as a string: strings and numbers (ids are often numbers), else None."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _str(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
