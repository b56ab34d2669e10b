"""Readers for labelled claim data: CheckThat! check-worthiness and subjectivity, ClaimBuster.

Used by ``claimscope eval`` and by training; never at analysis time.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from claimscope.errors import InputError


@dataclass(slots=True, frozen=True)
class Example:
    """One labelled sentence: an id, the text, and a binary label (1 = positive class)."""

    id: str
    text: str
    label: int


_POSITIVE = {"yes": 1, "no": 0, "1": 1, "0": 0, "subj": 1, "obj": 0, "true": 1, "false": 0}


def _label(raw: object, *, where: str) -> int:
    key = str(raw).strip().lower()
    if key not in _POSITIVE:
        raise InputError(f"{where}: unknown label {raw!r}")
    return _POSITIVE[key]


def read_examples(path: str | Path) -> list[Example]:
    """Labelled sentences: a CheckThat! TSV (check-worthiness, subjectivity) or ClaimBuster JSON.

    TSV files are read with quoting off (the CheckThat! files contain unbalanced quotes); the
    id, text and label columns are found by name (``Sentence_id``/``sentence_id``,
    ``Text``/``sentence``/``tweet_text``, ``class_label``/``label``/``check_worthiness``).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    if path.suffix.lower() == ".json":
        return _read_claimbuster(path)
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows:
        raise InputError("empty file", source=str(path))
    header = [h.strip().lower() for h in rows[0]]
    id_col = _column(header, ("sentence_id", "tweet_id", "id"), path)
    text_col = _column(header, ("text", "sentence", "tweet_text"), path)
    label_col = _column(header, ("class_label", "label", "check_worthiness"), path)
    examples = []
    for n, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) <= max(id_col, text_col, label_col):
            raise InputError(f"line {n}: expected {len(header)} columns", source=str(path))
        label = _label(row[label_col], where=f"{path}:{n}")
        examples.append(Example(id=row[id_col], text=row[text_col], label=label))
    return examples


def _column(header: list[str], names: tuple[str, ...], path: Path) -> int:
    for name in names:
        if name in header:
            return header.index(name)
    raise InputError(f"no column named {' or '.join(names)}", source=str(path))


def _read_claimbuster(path: Path) -> list[Example]:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc}", source=str(path)) from None
    if not isinstance(records, list):
        raise InputError("expected a list of {sentence_id, label, text} records", source=str(path))
    return [
        Example(
            id=str(r["sentence_id"]),
            text=str(r["text"]),
            label=_label(r["label"], where=f"{path}#{i}"),
        )
        for i, r in enumerate(records, start=1)
    ]


def deduplicate(extra: list[Example], against: list[Example]) -> list[Example]:
    """The examples of ``extra`` whose id and normalized text both differ from ``against``'s."""
    ids = {e.id for e in against}
    texts = {" ".join(e.text.lower().split()) for e in against}
    return [e for e in extra if e.id not in ids and " ".join(e.text.lower().split()) not in texts]
