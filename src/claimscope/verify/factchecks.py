"""Read fact-check collections: ClaimReview JSON-LD, CSV/TSV and the CheckThat! formats.

Accepted shapes, found by looking at the data rather than by file name alone:

- schema.org ClaimReview JSON-LD as publishers embed it (``<script type="application/ld+json">``
  in an HTML page, possibly inside an ``@graph``) and as the public data feeds ship it (a
  ``Dataset`` whose ``dataFeedElement`` items hold ClaimReviews); a .json file with one object or
  a list, or .jsonl with one object per line;
- CheckThat! verified claims: the 2022 ``vclaims/*.json`` records (``vclaim``, ``vclaim_id``,
  ``title``...) and the 2020 ``verified_claims.docs.tsv``;
- CSV or TSV with a header: a claim column (``claim``, ``claimReviewed``, ``vclaim`` or ``text``)
  and optional ``rating``, ``url``, ``publisher``, ``date``, ``claimant``, ``title``, ``id``.

A bad record becomes a Failure naming the record and the field; the rest of the file is read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from claimscope.errors import InputError, RecordError
from claimscope.ingest.dates import parse_date
from claimscope.ingest.decode import decode_raw
from claimscope.model import FactCheck, Failure
from claimscope.verify.ratings import normalize_rating

SUFFIXES = (".json", ".jsonld", ".jsonl", ".ndjson", ".csv", ".tsv", ".html", ".htm")
# Column names accepted for each field of a flat (CSV/TSV/JSON) record, first match wins.
COLUMNS: dict[str, tuple[str, ...]] = {
    "claim": ("claim", "claimreviewed", "claim_reviewed", "vclaim", "text"),
    "rating": ("rating", "textualrating", "textual_rating", "verdict", "label"),
    "url": ("url", "review_url", "link"),
    "publisher": ("publisher", "author", "site", "reviewer"),
    "reviewed": ("date", "reviewed", "datepublished", "date_published", "review_date"),
    "claimant": ("claimant", "speaker"),
    "claim_date": ("claim_date", "claimdate"),
    "title": ("title", "headline"),
    "id": ("id", "vclaim_id", "claim_id"),
    "lang": ("lang", "language", "inlanguage"),
}
_MAX_BYTES = 512 * 2**20

FactCheckOrFailure = FactCheck | Failure
# The kind of a Failure that is only a note: the record was read, one field was dropped.
WARNING = "FieldWarning"


def read_factchecks(paths: Iterable[str | Path]) -> Iterator[FactCheckOrFailure]:
    """Every fact-check in the files and folders given (folders walked), or why a record failed."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
            if not files:
                yield Failure(str(path), "holds no .json, .jsonl, .csv, .tsv or .html files")
            for file in files:
                yield from read_file(file)
        else:
            yield from read_file(path)


def read_file(path: Path) -> Iterator[FactCheckOrFailure]:
    """The fact-checks in one file."""
    source = str(path)
    try:
        if not path.is_file():
            raise InputError("no such file")
        if path.stat().st_size > _MAX_BYTES:
            raise InputError(f"larger than {_MAX_BYTES // 2**20} MiB")
        text, _, _ = decode_raw(path.read_bytes(), source=source)
    except InputError as exc:
        yield Failure(source, exc.message, type(exc).__name__)
        return
    except OSError as exc:
        yield Failure(source, f"cannot read: {exc.strerror or exc}", "InputError")
        return
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        yield from _read_table(text, source, "\t" if suffix == ".tsv" else ",")
    elif suffix in (".jsonl", ".ndjson"):
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield from _read_json(line, f"{source}#{number}")
    elif suffix in (".html", ".htm"):
        blocks = _ld_json_blocks(text)
        if not blocks:
            yield Failure(source, "no <script type=application/ld+json> block in the page")
        for number, block in enumerate(blocks, 1):
            yield from _read_json(block, f"{source}#ld{number}")
    else:
        yield from _read_json(text, source)


def _read_json(text: str, source: str) -> Iterator[FactCheckOrFailure]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Failure(source, f"not JSON: {exc.msg} at line {exc.lineno}", "RecordError")
        return
    records = list(_claim_reviews(data))
    if not records:  # not JSON-LD: flat records (CheckThat! vclaims, our own exports)
        flat = data if isinstance(data, list) else [data]
        records = [r for r in flat if isinstance(r, dict)]
        if not records:
            yield Failure(source, "holds no ClaimReview and no claim records", "RecordError")
            return
    single = len(records) == 1
    for number, record in enumerate(records, 1):
        where = source if single else f"{source}#{number}"
        yield from _convert(record, where)


def _read_table(text: str, source: str, delimiter: str) -> Iterator[FactCheckOrFailure]:
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if not any(name in fields for name in COLUMNS["claim"]):
        yield Failure(
            source,
            f"no claim column (one of {', '.join(COLUMNS['claim'])}); columns: "
            f"{', '.join(fields[:12]) or 'none'}",
            "RecordError",
        )
        return
    for number, row in enumerate(reader, 2):  # line 1 is the header
        record = {(k or "").strip().lower(): v for k, v in row.items()}
        # CheckThat! 2020 writes the id in an unnamed first column.
        if "" in record and "id" not in record:
            record["id"] = record.pop("")
        yield from _convert(record, f"{source}#{number}")


def _convert(record: dict[str, Any], where: str) -> Iterator[FactCheckOrFailure]:
    """One record as a FactCheck, then a warning per dropped field; or why it failed."""
    warnings: list[str] = []
    try:
        if _is_claim_review(record):
            yield from_claim_review(record, where, warnings)
        else:
            yield from_flat(record, where, warnings)
    except RecordError as exc:
        yield Failure(where, exc.message, "RecordError")
    for warning in warnings:
        yield Failure(where, warning, WARNING)


def from_claim_review(
    record: dict[str, Any], source: str, warnings: list[str] | None = None
) -> FactCheck:
    """A FactCheck from one schema.org ClaimReview object; dropped fields noted in ``warnings``."""
    warnings = [] if warnings is None else warnings
    claim = _text(record.get("claimReviewed"))
    if not claim:
        raise RecordError("ClaimReview has no claimReviewed")
    rating = record.get("reviewRating")
    if rating is not None and not isinstance(rating, dict):
        raise RecordError("reviewRating is not an object")
    rating = rating or {}
    textual = _text(rating.get("alternateName")) or _text(rating.get("name"))
    verdict = normalize_rating(
        textual,
        _number(rating.get("ratingValue"), "reviewRating.ratingValue"),
        _number(rating.get("worstRating"), "reviewRating.worstRating"),
        _number(rating.get("bestRating"), "reviewRating.bestRating"),
    )
    item = record.get("itemReviewed")
    item = item if isinstance(item, dict) else {}
    url = _text(record.get("url"))
    return FactCheck(
        id=_text(record.get("@id")) or _stable_id(url, claim),
        claim=claim,
        rating=textual,
        verdict=verdict,
        url=url,
        publisher=_name(record.get("author")) or _name(record.get("publisher")),
        reviewed=_date(record.get("datePublished"), "datePublished", warnings),
        claimant=_name(item.get("author")),
        claim_date=_date(item.get("datePublished"), "itemReviewed.datePublished", warnings),
        title=_text(record.get("name")) or _text(record.get("headline")),
        lang=_text(record.get("inLanguage")),
        source=source,
    )


def from_flat(record: dict[str, Any], source: str, warnings: list[str] | None = None) -> FactCheck:
    """A FactCheck from a flat record (CSV row, CheckThat! vclaim, exported JSON)."""
    warnings = [] if warnings is None else warnings
    lowered = {str(k).strip().lower(): v for k, v in record.items()}

    def pick(field: str) -> Any:
        for name in COLUMNS[field]:
            if lowered.get(name) not in (None, ""):
                return lowered[name]
        return None

    claim = _text(pick("claim"))
    if not claim:
        raise RecordError(f"no claim text (fields: {', '.join(COLUMNS['claim'])})")
    rating = _text(pick("rating"))
    url = _text(pick("url"))
    return FactCheck(
        id=_text(pick("id")) or _stable_id(url, claim),
        claim=claim,
        rating=rating,
        verdict=normalize_rating(rating),
        url=url,
        publisher=_name(pick("publisher")),
        reviewed=_date(pick("reviewed"), "date", warnings),
        claimant=_name(pick("claimant")),
        claim_date=_date(pick("claim_date"), "claim_date", warnings),
        title=_text(pick("title")),
        lang=_text(pick("lang")),
        source=source,
    )


def _claim_reviews(data: Any) -> Iterator[dict[str, Any]]:
    """ClaimReview objects anywhere in a JSON-LD value (lists, @graph, data-feed items)."""
    if isinstance(data, list):
        for item in data:
            yield from _claim_reviews(item)
    elif isinstance(data, dict):
        if _is_claim_review(data):
            yield data
            return
        for key in ("@graph", "dataFeedElement", "item", "mainEntity", "review"):
            if key in data:
                yield from _claim_reviews(data[key])


def _is_claim_review(record: dict[str, Any]) -> bool:
    kind = record.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.rsplit("/", 1)[-1] == "ClaimReview" for k in kinds)


class _LdJson(HTMLParser):
    """Collects the bodies of ``<script type="application/ld+json">`` elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = (dict(attrs).get("type") or "").strip().lower()
        self._inside = tag == "script" and kind == "application/ld+json"
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data


def _ld_json_blocks(html: str) -> list[str]:
    parser = _LdJson()
    parser.feed(html)
    parser.close()
    return [b for b in parser.blocks if b.strip()]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _name(value: Any) -> str | None:
    """A person's or organisation's name: a string, or an object's ``name`` (first of a list)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return _text(value)


def _number(value: Any, field: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise RecordError(f"{field} is not a number: {str(value)[:40]!r}") from None


def _date(value: Any, field: str, warnings: list[str]) -> str | None:
    """An ISO date; a value that is no date is dropped with a warning (the claim still counts)."""
    if value in (None, ""):
        return None
    parsed = parse_date(value)
    if parsed is None:
        warnings.append(f"{field} ignored, not a date: {str(value)[:40]!r}")
    return parsed


def _stable_id(url: str | None, claim: str) -> str:
    key = (url or "") + "\n" + " ".join(claim.lower().split())
    return "fc-" + hashlib.sha256(key.encode()).hexdigest()[:16]
