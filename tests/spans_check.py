"""Test helper: every span an analysis carries, for the offset property checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from claimscope.model import Analysis, Document, data_fields, span_keys


def iter_spans(analysis: Analysis) -> Iterator[tuple[str, int, int, str]]:
    """``(where, start, end, serialized text)`` for every span in ``analysis.to_dict()``."""
    data = analysis.to_dict()

    def walk(obj: Any, dumped: Any, where: str) -> Iterator[tuple[str, int, int, str]]:
        if dataclasses.is_dataclass(obj) and not isinstance(obj, Document):
            for key, start_field, end_field in span_keys(type(obj)):
                start, end = getattr(obj, start_field), getattr(obj, end_field)
                if start is not None:
                    yield f"{where}.{key}", start, end, dumped[key]
            for f in data_fields(obj):
                yield from walk(getattr(obj, f.name), dumped[f.name], f"{where}.{f.name}")
        elif isinstance(obj, list):
            for i, (item, d) in enumerate(zip(obj, dumped, strict=True)):
                yield from walk(item, d, f"{where}[{i}]")

    for f in data_fields(analysis):
        yield from walk(getattr(analysis, f.name), data[f.name], f.name)


def assert_offsets_exact(analysis: Analysis) -> int:
    """Check ``text[start:end]`` equals each span's serialized text; returns the span count."""
    text = analysis.text
    n = 0
    for where, start, end, dumped in iter_spans(analysis):
        assert 0 <= start <= end <= len(text), where
        assert text[start:end] == dumped, where
        n += 1
    for group in (analysis.entities, analysis.quantities, analysis.dates, analysis.claims):
        for item in group:
            sentence = analysis.sentences[item.sentence]
            assert sentence.start <= item.start and item.end <= sentence.end, item
    return n
