"""Claim reviews: what a person decided about a stored claim, with who and when; and exports.

A review is appended, never edited: the latest review of a claim is its current state, the
earlier ones its history. Exports: CSV and JSONL of the reviews, ClaimReview JSON-LD of the
verdicts, and reviewer corrections as check-worthiness training data (CheckThat! TSV, the format
``claimscope eval checkworthiness`` and ``claimscope train`` read).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields
from typing import Any

import duckdb

from claimscope.errors import InputError, StoreError
from claimscope.model import FactCheck
from claimscope.model.corpus import Review
from claimscope.store.connection import Store
from claimscope.store.schema import REVIEWS
from claimscope.verify.claimreview import claim_review_feed
from claimscope.verify.ratings import OTHER, VERDICTS

REVIEW_VERDICTS: tuple[str, ...] = (*VERDICTS, *OTHER)
EXPORT_FORMATS = ("csv", "jsonl", "claimreview", "training")
# Bounds on what one review may carry: notes are free text from a browser.
MAX_NOTE = 5000
MAX_NAME = 200

# Review's fields and the columns of the reviews table holding them, in field order.
_FIELDS = REVIEWS.fields_of(Review)
_COLUMNS = ", ".join(_FIELDS.values())


def add_review(
    store: Store,
    *,
    doc_id: str,
    claim: int,
    reviewer: str,
    checkworthy: bool | None = None,
    verdict: str | None = None,
    note: str | None = None,
    assignee: str | None = None,
) -> Review:
    """Store a review of claim ``claim`` of document ``doc_id``; InputError names what is wrong."""
    reviewer = _name(reviewer, "reviewer", required=True) or ""
    assignee = _name(assignee, "assignee")
    if verdict is not None and verdict not in REVIEW_VERDICTS:
        raise InputError(f"verdict must be one of {', '.join(REVIEW_VERDICTS)}, got {verdict!r}")
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise InputError(f"note is {len(note)} characters; at most {MAX_NOTE}")
    if checkworthy is None and verdict is None and note is None and assignee is None:
        raise InputError("a review needs at least one of: checkworthy, verdict, note, assignee")
    found = _rows(
        store,
        "SELECT start_char, end_char, text FROM claims WHERE doc_id = ? AND id = ?",
        [doc_id, claim],
    )
    if not found:
        raise InputError(f"no claim {claim} in document {doc_id!r}")
    start, end, text = found[0]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    written = REVIEWS.row(
        doc_id=doc_id,
        claim=claim,
        start_char=start,
        end_char=end,
        claim_text=text,
        checkworthy=checkworthy,
        verdict=verdict,
        note=note,
        assignee=assignee,
        reviewer=reviewer,
        created_at=now,
    )
    row = _rows(
        store,
        f"INSERT INTO reviews ({', '.join(REVIEWS.written)}) "
        f"VALUES ({', '.join('?' * len(written))}) RETURNING {_COLUMNS}",
        list(written),
    )
    return _review(row[0])


def list_reviews(
    store: Store,
    *,
    doc_id: str | None = None,
    claim: int | None = None,
    reviewer: str | None = None,
    assignee: str | None = None,
    verdict: str | None = None,
    latest: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[Review]:
    """Reviews, newest first, filtered; ``latest`` keeps each claim's most recent one only."""
    where, params = [], []
    for column, value in (
        ("doc_id", doc_id),
        ("claim", claim),
        ("reviewer", reviewer),
        ("assignee", assignee),
        ("verdict", verdict),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    source = "reviews"
    if latest:
        source = (
            "(SELECT * FROM reviews QUALIFY row_number() OVER "
            "(PARTITION BY doc_id, claim ORDER BY id DESC) = 1)"
        )
    sql = f"SELECT {_COLUMNS} FROM {source}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
    return [_review(r) for r in _rows(store, sql, params)]


def export_reviews(reviews: Sequence[Review], fmt: str, *, publisher: str = "claimscope") -> str:
    """The reviews as ``fmt``: csv, jsonl, claimreview (JSON-LD feed) or training (TSV)."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([f.name for f in fields(Review)])
        for r in reviews:
            writer.writerow([_cell(v) for v in asdict(r).values()])
        return out.getvalue()
    if fmt == "jsonl":
        return "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in reviews)
    if fmt == "claimreview":
        feed = claim_review_feed(_factchecks(_latest(reviews), publisher))
        return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"
    if fmt == "training":
        return training_tsv(_latest(reviews))
    raise InputError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}")


def training_tsv(reviews: Iterable[Review]) -> str:
    """Reviewer check-worthiness decisions in the CheckThat! TSV layout (Yes/No labels)."""
    lines = ["Sentence_id\tText\tclass_label"]
    for r in reviews:
        if r.checkworthy is None:
            continue
        text = " ".join(r.claim_text.split())  # tabs and newlines would break the TSV
        lines.append(f"{r.doc_id}:{r.claim}\t{text}\t{'Yes' if r.checkworthy else 'No'}")
    return "\n".join(lines) + "\n"


def _latest(reviews: Iterable[Review]) -> list[Review]:
    """Each claim's most recent review, newest first."""
    seen: set[tuple[str, int]] = set()
    kept = []
    for r in sorted(reviews, key=lambda r: r.id, reverse=True):
        if (r.doc_id, r.claim) not in seen:
            seen.add((r.doc_id, r.claim))
            kept.append(r)
    return kept


def _factchecks(reviews: Iterable[Review], publisher: str) -> list[FactCheck]:
    """Reviews with a verdict as FactChecks, so ClaimReview export has one writer."""
    checks = []
    for r in reviews:
        if r.verdict is None:
            continue
        key = hashlib.sha1(f"{r.doc_id}:{r.claim}".encode()).hexdigest()[:16]
        checks.append(
            FactCheck(
                id=f"claimscope:review:{key}",
                claim=r.claim_text,
                verdict=r.verdict,
                rating=r.verdict,
                publisher=publisher,
                reviewed=r.created_at[:10],
                source=f"review#{r.id}",
            )
        )
    return checks


def _name(value: str | None, what: str, *, required: bool = False) -> str | None:
    value = " ".join((value or "").split()) or None
    if value is None and required:
        raise InputError(f"{what} is required")
    if value and len(value) > MAX_NAME:
        raise InputError(f"{what} is {len(value)} characters; at most {MAX_NAME}")
    return value


def _cell(value: object) -> object:
    # Spreadsheet programs run a cell that starts like a formula: neutralise it (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _review(row: tuple[Any, ...]) -> Review:
    values = dict(zip(_FIELDS, row, strict=True))
    values["created_at"] = values["created_at"].isoformat(timespec="seconds") + "Z"
    return Review(**values)


def _rows(store: Store, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    try:
        return store.connection.execute(sql, params).fetchall()
    except duckdb.Error as exc:
        raise StoreError(str(exc).splitlines()[0], source=str(store.path)) from None
