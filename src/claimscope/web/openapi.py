"""The REST API's responses in /openapi.json: the data model's own schemas, not FastAPI's.

A route answers with a record of the data model (``claimscope.model``) turned into plain data by
its ``to_dict``, the way the CLI's ``--json`` does, and FastAPI serialises that plain data as it
always has (so the bytes stay the same). ``returns`` names the record on the route, and
``install`` puts the record's schema in place of the generic object FastAPI infers from the
route's ``dict`` annotation, with the schemas generated from the records
(``claimscope.schema.record_schemas``) among the document's components.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from claimscope.schema import record_schemas

COMPONENTS = "#/components/schemas/"
# The operation's key naming its record; ``install`` replaces it by the response's schema.
_MARK = "x-claimscope-record"
# Every record a route answers with (``returns`` adds them): their schemas, and the schemas of
# what they hold, become the document's components.
_RECORDS: dict[str, type] = {}


def returns(record: type, *, many: bool = False, status: int = 200) -> dict[str, Any]:
    """A route's keyword arguments saying it answers with ``record`` (a list of them, with
    ``many``), described by the record's schema."""
    _RECORDS[record.__name__] = record
    mark = {"record": record.__name__, "many": many, "status": str(status)}
    return {"openapi_extra": {_MARK: mark}}


def install(app: FastAPI) -> None:
    """Make ``app``'s /openapi.json describe each reply by its record's schema."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for operations in document.get("paths", {}).values():
                for operation in operations.values():
                    if _MARK in operation:
                        _describe(operation, operation.pop(_MARK))
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in record_schemas(*_RECORDS.values(), ref=COMPONENTS).items():
                schemas.setdefault(name, schema)  # FastAPI's request models keep their own
            app.openapi_schema = document
        return app.openapi_schema

    # Replacing the method is FastAPI's documented way to extend the document.
    app.openapi = openapi  # type: ignore[method-assign]


def _describe(operation: dict[str, Any], mark: dict[str, Any]) -> None:
    """Set the operation's reply schema to the record's (a list of them, when ``many``)."""
    record = _RECORDS[mark["record"]]
    schema: dict[str, Any] = {"$ref": COMPONENTS + record.__name__}
    if mark["many"]:
        schema = {"type": "array", "items": schema}
    summary = " ".join((record.__doc__ or "").strip().split("\n\n")[0].split())
    operation.setdefault("responses", {})[mark["status"]] = {
        "description": summary,
        "content": {"application/json": {"schema": schema}},
    }


__all__ = ["COMPONENTS", "install", "returns"]
