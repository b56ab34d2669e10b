"""How every dataclass of the data model documents its fields and becomes JSON-ready data.

One serialiser serves the whole model, so an analysis, a claim cluster and a verdict come out
the same way: a dataclass is a dict of its fields in declared order, lists and dicts are copied
item by item, dates become ISO text. ``from_data`` reverses it from the type hints, ignoring the
keys that are not fields (the derived ones), so reading never trusts what was only computed.

A field's documentation lives in its metadata (``doc``): the JSON Schemas (``claimscope.schema``),
``docs/schema.md`` and the REST API's /openapi.json are generated from it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from dataclasses import field
from typing import Any, ClassVar, Self


def doc(text: str, **kwargs: Any) -> Any:
    """A dataclass field carrying its documentation (used by the schema and docs generators)."""
    return field(metadata={"doc": text}, **kwargs)


def transient(text: str) -> Any:
    """A field that one stage leaves for a later one while a batch is analyzed (an empty dict
    until then): never serialised, compared or shown, and emptied when the batch is done."""
    return field(
        default_factory=dict,
        init=False,
        repr=False,
        compare=False,
        metadata={"doc": text, "transient": True},
    )


def data_fields(cls: Any) -> tuple[dataclasses.Field[Any], ...]:
    """The fields of a dataclass (or instance) that its JSON holds: all but the transient."""
    return tuple(f for f in dataclasses.fields(cls) if not f.metadata.get("transient"))


@functools.cache
def span_keys(cls: type) -> tuple[tuple[str, str, str], ...]:
    """The spans a dataclass carries: ``(text key, start field, end field)``.

    ``start``/``end`` give the key ``text``; ``<name>_start``/``<name>_end`` give ``<name>_text``.
    """
    names = [f.name for f in data_fields(cls)]
    keys = []
    for name in names:
        if name == "start":
            keys.append(("text", "start", "end"))
        elif name.endswith("_start") and name[:-6] + "_end" in names:
            keys.append((name[:-6] + "_text", name, name[:-6] + "_end"))
    return tuple(keys)


def to_data(obj: Any, text: str | None = None) -> Any:
    """``obj`` as JSON-ready data. With ``text`` (a document's), each span of a dataclass also
    gets the text it covers (see ``span_keys``); a dataclass with a ``to_dict`` (a ``Record``,
    an ``Analysis``) serialises itself."""
    if isinstance(obj, Record):
        return obj.to_dict()
    if text is None and dataclasses.is_dataclass(obj) and hasattr(obj, "to_dict"):
        # An Analysis inside a record: it knows its own text and derived keys.
        return obj.to_dict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in data_fields(obj):
            out[f.name] = to_data(getattr(obj, f.name), text)
        if text is not None:
            for key, start_field, end_field in span_keys(type(obj)):
                start, end = getattr(obj, start_field), getattr(obj, end_field)
                out[key] = text[start:end] if start is not None and end is not None else None
        return out
    if isinstance(obj, list):
        return [to_data(x, text) for x in obj]
    if isinstance(obj, dict):
        return {k: to_data(v, text) for k, v in obj.items()}
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


def from_data(tp: Any, data: Any) -> Any:
    """The value of type ``tp`` that ``to_data`` turned into ``data``; keys that are not fields
    (derived ones) are dropped."""
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp) and isinstance(data, dict):
        hints = typing.get_type_hints(tp)
        kwargs = {
            f.name: from_data(hints[f.name], data[f.name])
            for f in dataclasses.fields(tp)
            if f.name in data and f.init
        }
        return tp(**kwargs)
    if origin in (types.UnionType, typing.Union):
        if data is None:
            return None
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return from_data(inner[0], data)
    if origin is list:
        (item,) = typing.get_args(tp)
        return [from_data(item, x) for x in data]
    if origin is dict:
        _, value = typing.get_args(tp)
        return {k: from_data(value, v) for k, v in data.items()}
    if tp is float and isinstance(data, int):
        return float(data)
    if tp is dt.date and isinstance(data, str):
        return dt.date.fromisoformat(data)
    return data


class Record:
    """Base of the records made from many documents (the corpus) and of verification results.

    Unlike an analysis's annotations, a record carries its texts itself (it does not point into
    one document), so its spans get no covered text added. Derived keys are computed by
    properties and listed in ``DERIVED``; ``KEYS`` fixes the order of the keys where it is not
    the fields' order followed by the derived keys (the JSON layout is older than the classes).
    """

    __slots__ = ()

    # (key, property): a key computed from the fields; a key that is also a field replaces it.
    DERIVED: ClassVar[tuple[tuple[str, str], ...]] = ()
    # The keys in output order, when they are not the fields' order then the derived keys.
    KEYS: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data (dates as ISO text)."""
        assert dataclasses.is_dataclass(self)
        data = {f.name: to_data(getattr(self, f.name)) for f in dataclasses.fields(self)}
        for key, prop in self.DERIVED:
            data[key] = to_data(getattr(self, prop))
        return {key: data[key] for key in self.KEYS} if self.KEYS else data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild the record from ``to_dict`` output; derived keys are dropped."""
        record: Self = from_data(cls, data)
        return record


__all__ = ["Record", "data_fields", "doc", "from_data", "span_keys", "to_data", "transient"]
