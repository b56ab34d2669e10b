"""The error tree: every error a user can cause is a ClaimscopeError with a one-line message."""

from __future__ import annotations


class ClaimscopeError(Exception):
    """Base of every error a user can cause; the CLI prints its message and exits 2."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message


class InputError(ClaimscopeError):
    """The input cannot be read as a document: missing, empty, binary, undecodable, too large."""


class EmptyDocumentError(InputError):
    """The input decodes, but holds no text to analyze (an empty file, HTML with no article)."""


class RecordError(InputError):
    """A JSON, JSONL or CSV record lacks a field it needs, or a field has the wrong type."""


class SettingsError(ClaimscopeError):
    """A setting has an invalid value, or a settings file cannot be read."""


class PipelineError(ClaimscopeError):
    """The pipeline is assembled wrongly: a stage needs what no earlier stage assigns."""


class StoreError(ClaimscopeError):
    """The corpus store cannot be opened, queried or written (missing, locked, bad SQL)."""


class QueryError(ClaimscopeError):
    """A corpus search query or filter is empty or malformed (an unclosed quote, a lone OR)."""
