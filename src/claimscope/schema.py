"""JSON Schemas generated from the data model: an analysis's (with its Markdown reference), and
those of the records the corpus store, verification and the REST API answer with."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
from typing import Any

from claimscope.model import (
    SCHEMA_VERSION,
    Analysis,
    Document,
    PersuasionSummary,
    Record,
    TimelineEvent,
    data_fields,
    span_keys,
)

_SCALARS = {int: "integer", float: "number", str: "string", bool: "boolean"}


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if tp in _SCALARS:
        return {"type": _SCALARS[tp]}
    if tp is dt.date:
        return {"type": "string", "format": "date"}
    if tp is Any:
        return {}
    if origin is typing.Literal:
        return {"type": "string", "enum": list(typing.get_args(tp))}
    if origin in (types.UnionType, typing.Union):
        options = [_type_schema(a, defs) for a in typing.get_args(tp) if a is not type(None)]
        inner = options[0] if len(options) == 1 else {"anyOf": options}
        return {"anyOf": [inner, {"type": "null"}]}
    if origin is list:
        return {"type": "array", "items": _type_schema(typing.get_args(tp)[0], defs)}
    if origin is dict:
        return {
            "type": "object",
            "additionalProperties": _type_schema(typing.get_args(tp)[1], defs),
        }
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            defs[name] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _object_schema(cls: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if isinstance(cls, type) and issubclass(cls, Record):
        return _record_schema(cls, defs)
    hints = typing.get_type_hints(cls)
    props: dict[str, Any] = {}
    for f in data_fields(cls):
        prop = _type_schema(hints[f.name], defs)
        prop["description"] = f.metadata.get("doc", "")
        props[f.name] = prop
    if cls is not Document:
        for key, _, _ in span_keys(cls):
            props[key] = {
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "description": "The text the span covers (derived; dropped on reading).",
            }
    required = [f.name for f in data_fields(cls)]
    if cls is Analysis:
        props["timeline"] = {
            "type": "array",
            "items": _type_schema(TimelineEvent, defs),
            "description": "Dated events, ordered by date (derived from `dates`).",
        }
        props["persuasion"] = {
            **_type_schema(PersuasionSummary, defs),
            "description": "Technique counts and density (derived from `techniques`).",
        }
        required += ["timeline", "persuasion"]
    return _object(cls, props, required)


def _record_schema(cls: type[Record], defs: dict[str, Any]) -> dict[str, Any]:
    """A record's keys as ``Record.to_dict`` writes them: its fields, then the keys derived by
    properties (typed by their return annotation, described by their docstring)."""
    hints = typing.get_type_hints(cls)
    props: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        props[f.name] = {
            **_type_schema(hints[f.name], defs),
            "description": f.metadata.get("doc", ""),
        }
    for key, name in cls.DERIVED:
        getter = getattr(cls, name).fget
        doc = " ".join((getter.__doc__ or "").split())
        props[key] = {
            **_type_schema(typing.get_type_hints(getter)["return"], defs),
            "description": f"{doc} (derived; dropped on reading)",
        }
    if cls.KEYS:
        props = {key: props[key] for key in cls.KEYS}
    return _object(cls, props, list(props))


def _object(cls: Any, props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split()),
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }


def analysis_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``Analysis.to_dict()``."""
    defs: dict[str, Any] = {}
    root = _object_schema(Analysis, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"claimscope-analysis-{SCHEMA_VERSION}",
        "title": f"claimscope analysis, schema version {SCHEMA_VERSION}",
        **root,
        "$defs": defs,
    }


def record_schemas(*records: type, ref: str = "#/$defs/") -> dict[str, dict[str, Any]]:
    """The JSON Schemas of ``records`` (their ``to_dict()``) and of every object they hold, by
    class name; each refers to the others as ``{ref}<name>`` (``#/components/schemas/`` in an
    OpenAPI document)."""
    defs: dict[str, Any] = {}
    for cls in records:
        _type_schema(cls, defs)
    if ref == "#/$defs/":
        return defs
    text = json.dumps(defs).replace('"$ref": "#/$defs/', f'"$ref": "{ref}')
    schemas: dict[str, dict[str, Any]] = json.loads(text)
    return schemas


def schema_json() -> str:
    """The schema as the text of docs/schema/analysis.schema.json."""
    return json.dumps(analysis_schema(), indent=2, ensure_ascii=False) + "\n"


def schema_markdown() -> str:
    """A Markdown reference of every object and field (docs/schema.md)."""
    schema = analysis_schema()
    lines = [
        "# JSON output reference",
        "",
        "<!-- Generated by `claimscope schema --markdown`; do not edit by hand. -->",
        "",
        f"`claimscope analyze --json` writes one object per document, schema version "
        f"`{SCHEMA_VERSION}` (JSON Schema: [`schema/analysis.schema.json`]"
        "(schema/analysis.schema.json)). Offsets are character offsets (Python string indices, "
        "i.e. Unicode code points) into `document.text`, end exclusive: "
        "`document.text[start:end] == text` for every span. Keys are only ever added in a "
        "minor version, never renamed or retyped.",
        "",
    ]
    objects = [("Analysis", {k: v for k, v in schema.items() if k != "$defs"})]
    objects += sorted(schema["$defs"].items())
    lines += _object_tables(objects)
    lines += [
        "# Records of a corpus store and of verification",
        "",
        "What the corpus and verification commands (`claimscope claims`, `contradictions`, "
        "`coverage`, `timeline`, `match`, `check`) write with `--json`, inside their top-level "
        "objects, and what the workbench's REST API answers with (its `/openapi.json` holds "
        "these same schemas). These records are built from many "
        "documents, so each carries its own texts; where a record has offsets, its fields say "
        "what they index. A key marked *derived* is computed from the others and ignored on "
        "reading.",
        "",
    ]
    shown = {name for name, _ in objects}
    records = record_schemas(*_records())
    lines += _object_tables(sorted((n, o) for n, o in records.items() if n not in shown))
    return "\n".join(lines)


def _records() -> list[type]:
    """Every record the data model exports, in name order."""
    import claimscope.model as model

    found = (getattr(model, name) for name in model.__all__)
    return [c for c in found if isinstance(c, type) and issubclass(c, Record) and c is not Record]


def _object_tables(objects: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """A Markdown section per object: its description, then a table of its keys."""
    lines: list[str] = []
    for name, obj in objects:
        lines += [
            f"## {name}",
            "",
            obj["description"],
            "",
            "| key | type | meaning |",
            "|---|---|---|",
        ]
        for key, prop in obj["properties"].items():
            lines.append(f"| `{key}` | {_type_name(prop)} | {prop['description']} |")
        lines.append("")
    return lines


def _type_name(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in prop:
        return " or ".join(_type_name(p) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return f"list of {_type_name(prop['items'])}"
    if prop.get("type") == "object":
        return f"map to {_type_name(prop['additionalProperties'])}"
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if prop.get("format") == "date":
        return "date (ISO 8601 text)"
    return str(prop.get("type", "any"))


__all__ = ["analysis_schema", "record_schemas", "schema_json", "schema_markdown"]
