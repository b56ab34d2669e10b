"""Listings of a corpus store as the workbench (``claimscope serve``) gives them: stored
documents and technique spans, pages of records, and the reply to an analysis.

The REST API answers with exactly these (``web/service.py`` builds them), so its /openapi.json
documents every response with the schemas generated from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from claimscope.model.corpus import CorpusContradiction, StoredClaim
from claimscope.model.document import Analysis
from claimscope.model.fields import Record, doc


@dataclass(slots=True)
class ServerHealth(Record):
    """The server is up, and which store it serves."""

    status: str = doc("`ok`.")
    version: str = doc("The claimscope version serving.")
    store: str = doc("The file name of the corpus store served.")


@dataclass(slots=True)
class AnalysisReply(Record):
    """An analysis made on request, and whether it was stored."""

    doc_id: str = doc("Id of the analyzed document (its content hash).")
    stored: bool = doc("Whether it was newly stored in the corpus (asked for, and not there).")
    analysis: Analysis = doc("The analysis (as `claimscope analyze --json` writes it).")


@dataclass(slots=True)
class DocumentSummary(Record):
    """A stored document in a list: its metadata, counts and the start of its text."""

    id: str = doc("Id of the document (content hash).")
    title: str | None = doc("Its title, when known.")
    outlet: str | None = doc("Its outlet, when known.")
    published: str | None = doc("Its publication date (ISO 8601), when known.")
    source: str = doc("Where it came from: a path or `path#record`.")
    url: str | None = doc("Its URL, when known.")
    claims: int = doc("Claims found in it.")
    techniques: int = doc("Persuasion-technique spans found in it.")
    excerpt: str = doc("The first 240 characters of its text.")


@dataclass(slots=True)
class StoredDocument(Record):
    """One stored document: its metadata, exact text and how many rows it has per table."""

    id: str = doc("Id of the document (content hash).")
    source: str = doc("Where it came from: a path or `path#record`.")
    url: str | None = doc("Its URL, when known.")
    title: str | None = doc("Its title, when known.")
    published: str | None = doc("Its publication date (ISO 8601), when known.")
    outlet: str | None = doc("Its outlet, when known.")
    lang: str | None = doc("Its language (ISO 639-1): declared, else detected.")
    text: str = doc("The exact text every stored offset indexes.")
    ingested_at: str = doc("When it was stored (UTC).")
    counts: dict[str, int] = doc("Rows per table: sentences, claims, techniques, mentions.")


@dataclass(slots=True)
class TechniqueSpan(Record):
    """A stored persuasion-technique span, with its document's title and outlet."""

    doc_id: str = doc("Id of the span's document.")
    id: int = doc("Id of the span in its document.")
    technique: str = doc("Technique key (see Technique).")
    name: str = doc("Display name of the technique.")
    text: str = doc("The span's text.")
    start: int = doc("Offset where the span starts in the document.")
    end: int = doc("Offset where the span ends in the document.")
    score: float = doc("The model's probability that the sentence uses the technique.")
    explanation: str = doc("One line on what the technique is.")
    title: str | None = doc("The document's title, when known.")
    outlet: str | None = doc("The document's outlet, when known.")


@dataclass(slots=True)
class TechniqueCount(Record):
    """How many stored spans use one technique."""

    technique: str = doc("Technique key.")
    name: str = doc("Display name of the technique.")
    count: int = doc("Spans stored.")


@dataclass(slots=True)
class DocumentPage(Record):
    """A page of stored documents, newest first."""

    items: list[DocumentSummary] = doc("The documents of the page.")
    total: int = doc("Documents matching, all pages together.")
    limit: int = doc("Most items per page.")
    offset: int = doc("Items skipped before this page.")


@dataclass(slots=True)
class ClaimPage(Record):
    """A page of stored claims, best scored first."""

    items: list[StoredClaim] = doc("The claims of the page.")
    total: int = doc("Claims matching, all pages together.")
    limit: int = doc("Most items per page.")
    offset: int = doc("Items skipped before this page.")


@dataclass(slots=True)
class TechniquePage(Record):
    """A page of stored technique spans, best scored first, and the count of each technique."""

    items: list[TechniqueSpan] = doc("The spans of the page.")
    total: int = doc("Spans matching, all pages together.")
    limit: int = doc("Most items per page.")
    offset: int = doc("Items skipped before this page.")
    counts: list[TechniqueCount] = doc("Spans per technique, in the whole store, most first.")


@dataclass(slots=True)
class ContradictionPage(Record):
    """A page of stored contradictions, best scored first."""

    items: list[CorpusContradiction] = doc("The contradictions of the page.")
    limit: int = doc("Most items per page.")
    offset: int = doc("Items skipped before this page.")
    more: bool = doc("Whether a next page has any.")


__all__ = [
    "AnalysisReply",
    "ClaimPage",
    "ContradictionPage",
    "DocumentPage",
    "DocumentSummary",
    "ServerHealth",
    "StoredDocument",
    "TechniqueCount",
    "TechniquePage",
    "TechniqueSpan",
]
