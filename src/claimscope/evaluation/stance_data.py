"""Labelled stance pairs from SICK (TSV), Climate-FEVER and FEVER-Symmetric (JSONL) files.

Every reader gives ``(claim, passage, label)`` pairs with labels in ``STANCE_LABELS``; the
premise of an NLI pair is the passage and its hypothesis the claim. A malformed line is
recorded with its line number and the rest of the file is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimscope.errors import InputError, RecordError

FORMATS = ("sick", "climate-fever", "fever-symmetric")
_NLI = {"ENTAILMENT": "supports", "CONTRADICTION": "refutes", "NEUTRAL": "neutral"}
_FEVER = {"SUPPORTS": "supports", "REFUTES": "refutes", "NOT_ENOUGH_INFO": "neutral"}
# SICK's per-direction columns: "A_entails_B", "B_contradicts_A", "A_neutral_B".
_DIRECTION = {"entails": "supports", "contradicts": "refutes", "neutral": "neutral"}


@dataclass(slots=True, frozen=True)
class StancePair:
    """One labelled pair; ``group`` keeps pairs of one SICK pair or one claim together."""

    claim: str
    passage: str
    label: str
    group: str


@dataclass(slots=True)
class StanceData:
    """A file's pairs, its format, and one message per line that could not be read."""

    format: str
    pairs: list[StancePair]
    failures: list[str] = field(default_factory=list)

    @property
    def two_way(self) -> bool:
        """Whether the file has no neutral class (FEVER-Symmetric): scored supports vs refutes."""
        return self.format == "fever-symmetric"


def detect_format(path: Path) -> str:
    """The format of a stance file, from its first line."""
    try:
        with path.open(encoding="utf-8") as handle:
            first = next((line for line in handle if line.strip()), "")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read stance data: {exc}", source=str(path)) from None
    if not first:
        raise InputError("the stance data file is empty", source=str(path))
    columns = first.rstrip("\n").split("\t")
    if {"sentence_A", "sentence_B", "entailment_label"} <= set(columns):
        return "sick"
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        record = None
    if isinstance(record, dict):
        if "evidences" in record:
            return "climate-fever"
        if "claim" in record and ("evidence" in record or "sentence1" in record):
            return "fever-symmetric"
    raise InputError(
        "unknown stance data format: expected a SICK TSV (sentence_A, sentence_B, "
        "entailment_label), Climate-FEVER JSONL (claim, evidences) or FEVER-Symmetric JSONL "
        "(claim, evidence, label)",
        source=str(path),
    )


def read_stance_data(path: str | Path, *, both_directions: bool = False) -> StanceData:
    """The labelled pairs of a SICK, Climate-FEVER or FEVER-Symmetric file (auto-detected).

    ``both_directions`` adds SICK's B -> A pairs (for training; evaluation reads A -> B).
    """
    path = Path(path)
    kind = detect_format(path)
    data = StanceData(format=kind, pairs=[])
    if kind == "sick":
        records: Iterator[tuple[int, Any]] = _tsv(path)
    else:
        records = _jsonl(path, data.failures)
    for number, record in records:
        try:
            if kind == "sick":
                data.pairs.extend(_sick(record, both_directions))
            elif kind == "climate-fever":
                data.pairs.extend(_climate_fever(record))
            else:
                data.pairs.append(_fever_symmetric(record))
        except RecordError as exc:
            data.failures.append(f"{path}:{number}: {exc.message}")
    if not data.pairs:
        detail = f" ({data.failures[0]})" if data.failures else ""
        raise InputError(f"no stance pairs could be read{detail}", source=str(path))
    return data


def _tsv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        for number, line in enumerate(handle, 2):
            if line.strip():
                yield number, dict(zip(header, line.rstrip("\n").split("\t"), strict=False))


def _jsonl(path: Path, failures: list[str]) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line.strip())
            except json.JSONDecodeError as exc:
                failures.append(f"{path}:{number}: not JSON: {exc.msg}")


def _text(record: Any, key: str) -> str:
    value = record.get(key) if isinstance(record, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"{key} is missing or empty")
    return value.strip()


def _label(record: dict[str, Any], key: str, mapping: dict[str, str]) -> str:
    value = record.get(key)
    if value not in mapping:
        raise RecordError(f"{key} must be one of {', '.join(mapping)}, not {value!r}")
    return mapping[value]


def _sick(record: dict[str, str], both_directions: bool) -> list[StancePair]:
    a, b = _text(record, "sentence_A"), _text(record, "sentence_B")
    group = record.get("pair_ID", "") or f"{a}\t{b}"
    pairs = [StancePair(b, a, _label(record, "entailment_label", _NLI), group)]
    if both_directions:
        ab, ba = record.get("entailment_AB", ""), record.get("entailment_BA", "")
        forward = _DIRECTION.get(ab.split("_")[1] if ab.count("_") == 2 else "")
        backward = _DIRECTION.get(ba.split("_")[1] if ba.count("_") == 2 else "")
        if backward is None or forward is None:
            raise RecordError(f"entailment_BA must read like 'B_entails_A', not {ba!r}")
        # SICK's own label calls a pair a contradiction only when both directions contradict.
        if backward == "refutes" and forward != "refutes":
            backward = "neutral"
        pairs.append(StancePair(a, b, backward, group))
    return pairs


def _climate_fever(record: Any) -> list[StancePair]:
    claim = _text(record, "claim")
    evidences = record.get("evidences")
    if not isinstance(evidences, list) or not evidences:
        raise RecordError("evidences is missing or empty")
    group = str(record.get("claim_id", claim))
    return [
        StancePair(claim, _text(e, "evidence"), _label(e, "evidence_label", _FEVER), group)
        for e in evidences
    ]


def _fever_symmetric(record: Any) -> StancePair:
    claim = _text(record, "claim")
    passage = _text(record, "evidence" if "evidence" in record else "sentence1")
    key = "gold_label" if "gold_label" in record else "label"
    return StancePair(claim, passage, _label(record, key, _FEVER), str(record.get("id", claim)))
