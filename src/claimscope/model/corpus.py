"""The records a corpus store answers with: claim clusters, coverage, timelines, contradictions
across documents, stored claims and their reviews.

Each is made from many documents, so it carries its texts itself instead of pointing into one
document: offsets are documented where they appear (most index the document a record names by
``doc_id``). They serialise through ``Record`` (``model/fields.py``) as an analysis does, and
their JSON Schemas (``claimscope.schema.record_schemas``) document the CLI's ``--json`` output
and the REST API's responses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from claimscope.model.document import DateRef
from claimscope.model.fields import Record, doc

# -- claim clusters ----------------------------------------------------------------------------


@dataclass(slots=True)
class Cluster(Record):
    """A claim cluster (the same claim across documents): its representative claim and a
    summary of its members."""

    # The JSON layout names the representative's text right after the id.
    KEYS: ClassVar[tuple[str, ...]] = (
        "id",
        "text",
        "doc_id",
        "claim",
        "score",
        "size",
        "documents",
        "outlets",
        "first_seen",
        "last_seen",
    )

    id: int = doc("Id of the cluster in the store.")
    doc_id: str = doc("Document of the representative claim (the best scored, then earliest).")
    claim: int = doc("Id of the representative claim in its document.")
    text: str = doc("The representative claim's sentence.")
    score: float = doc("The representative claim's check-worthiness score in [0, 1].")
    size: int = doc("Claims in the cluster (those the filters keep).")
    documents: int = doc("Distinct documents the claims come from.")
    outlets: list[str] = doc("Outlets that made the claim, in alphabetical order.")
    first_seen: dt.date | None = doc(
        "The earliest day a member was published (else stored), ISO 8601."
    )
    last_seen: dt.date | None = doc("The latest such day, ISO 8601.")


@dataclass(slots=True)
class ClusterMember(Record):
    """A claim of a cluster, with its document's outlet, day and title, and how it joined."""

    doc_id: str = doc("Id of the claim's document.")
    claim: int = doc("Id of the claim in its document.")
    text: str = doc("The claim's sentence.")
    outlet: str | None = doc("The document's outlet, when known.")
    day: dt.date | None = doc("The day the document was published (else stored), ISO 8601.")
    title: str | None = doc("The document's title, when known.")
    how: str = doc(
        "How the claim joined: `new` (it started the cluster), `exact` (same text once "
        "normalised) or the kind of similarity that matched it."
    )
    similarity: float = doc("Similarity to the claim it matched, in [0, 1] (1 for new, exact).")
    speaker: str | None = doc(
        "Who makes the claim, when attributed (for a pronoun, the name it stands for).",
        default=None,
    )


@dataclass(slots=True)
class ClusterDetail(Cluster):
    """A claim cluster and every member claim, by day."""

    KEYS: ClassVar[tuple[str, ...]] = (*Cluster.KEYS, "members")

    members: list[ClusterMember] = doc("The member claims, by day.", default_factory=list)


# -- coverage ----------------------------------------------------------------------------------


@dataclass(slots=True)
class CoverageRow(Record):
    """The counts of one outlet in one period (``period`` None: undated documents)."""

    outlet: str | None = doc("The outlet (None when not grouped by outlet, or unknown).")
    period: dt.date | None = doc("First day of the period (None: undated, or not grouped).")
    documents: int = doc("Documents whose title or text match the query.")
    sentences: int = doc("Sentences of those documents that match the query themselves.")
    claims: int = doc("Claims of those documents that match the query themselves.")


@dataclass(slots=True)
class QueryFilters(Record):
    """Which documents a corpus query looked at."""

    since: str | None = doc("Published on this day or later (ISO 8601), when set.", default=None)
    until: str | None = doc("Published on this day or earlier (ISO 8601), when set.", default=None)
    outlets: list[str] = doc("Only these outlets (any case); empty for all.", default_factory=list)


@dataclass(slots=True)
class CoverageTotals(Record):
    """Coverage counts, all rows together."""

    documents: int = doc("Matching documents.")
    sentences: int = doc("Matching sentences.")
    claims: int = doc("Matching claims.")
    undated: int = doc("Matching documents without a published date (when grouped by period).")


@dataclass(slots=True)
class CoverageReport(Record):
    """How many documents, sentences and claims match a query, per outlet and/or period."""

    query: str = doc("The query, as given.")
    filters: QueryFilters = doc("The filters applied.")
    by: list[str] = doc("The groupings, in column order: `outlet`, then `day`/`week`/`month`.")
    rows: list[dict[str, Any]] = doc(
        "One record per group: the grouping columns (the period as shown: `2023-05-29`, "
        "`2023-05`, `undated`), then `documents`, `sentences` and `claims`."
    )
    totals: CoverageTotals = doc("The counts, all rows together.")


# -- timeline ----------------------------------------------------------------------------------


@dataclass(slots=True)
class EventDate(Record):
    """A date mention as a timeline shows it: its span in the document, as written, and value."""

    id: int = doc("Id of the date mention in its document.")
    start: int = doc("Offset where the date starts in the document.")
    end: int = doc("Offset where the date ends in the document.")
    text: str = doc("The date as written.")
    value: str = doc("The date's ISO value (`2023-05-18`, `2022-12`, `1992`, `start/end`).")
    anchored: bool = doc("True when its year was taken from the document's anchor date.")


@dataclass(slots=True)
class EventSource(Record):
    """One claim that dates a timeline event: its document and the date mention in it."""

    # Only the mention's span, text and value are given: the interval is the event's.
    DERIVED: ClassVar[tuple[tuple[str, str], ...]] = (("date", "date_mention"),)

    doc_id: str = doc("Id of the claim's document.")
    outlet: str | None = doc("The document's outlet, when known.")
    published: str | None = doc("The document's publication date (ISO 8601), when known.")
    title: str | None = doc("The document's title, when known.")
    url: str | None = doc("The document's URL, when known.")
    claim: int = doc("Id of the claim in its document.")
    sentence: int = doc("Id of the claim's sentence.")
    start: int = doc("Offset where the claim's sentence starts in the document.")
    end: int = doc("Offset where the claim's sentence ends in the document.")
    text: str = doc("The claim's sentence.")
    score: float = doc("The claim's check-worthiness score in [0, 1].")
    speaker: str | None = doc("Who makes the claim, when attributed.")
    date: DateRef = doc("The date mention that dates the event.")
    speaker_pronoun: str | None = doc(
        "The pronoun the text names the speaker by (`he`), when ``speaker`` is the name it was "
        "resolved to; None otherwise.",
        default=None,
    )

    @property
    def date_span(self) -> tuple[int, int]:
        """The date's span within ``text`` (clamped to it)."""
        size = len(self.text)
        lo = min(max(self.date.start - self.start, 0), size)
        return lo, min(max(self.date.end - self.start, lo), size)

    @property
    def date_text(self) -> str:
        """The date as written (its span, cut from the sentence)."""
        lo, hi = self.date_span
        return self.text[lo:hi]

    @property
    def date_mention(self) -> EventDate:
        """The date mention that dates the event: its span in the document, text and value."""
        d = self.date
        return EventDate(d.id, d.start, d.end, self.date_text, d.value, d.anchored)


@dataclass(slots=True)
class CorpusEvent(Record):
    """A dated event: an interval, and every claim (across documents) that dates it."""

    DERIVED: ClassVar[tuple[tuple[str, str], ...]] = (
        ("value", "lead_value"),
        ("anchored", "anchored"),
        ("text", "text"),
    )
    KEYS: ClassVar[tuple[str, ...]] = (
        "start_date",
        "end_date",
        "kind",
        "granularity",
        "value",
        "anchored",
        "text",
        "sources",
    )

    start_date: str = doc("First day of the interval (ISO 8601).")
    end_date: str = doc("Last day of the interval (ISO 8601).")
    kind: str = doc("`date` for one date, month or year; `range` for a period.")
    granularity: str = doc("Precision of the dates: day, month or year.")
    sources: list[EventSource] = doc(
        "The claims that date the event, the lead one first as stored.", default_factory=list
    )

    @property
    def lead(self) -> EventSource:
        """The source shown for the event: a date written with its year first, then the
        earliest published, then the most check-worthy."""
        return min(
            self.sources,
            key=lambda s: (s.date.anchored, s.published is None, s.published or "", -s.score),
        )

    @property
    def anchored(self) -> bool:
        """Whether every source's date had its year taken from the anchor date."""
        return all(s.date.anchored for s in self.sources)

    @property
    def lead_value(self) -> str:
        """The lead source's date as an ISO value."""
        return self.lead.date.value

    @property
    def value(self) -> str:
        """The event's date as shown: the lead's ISO value, ``*`` when anchored."""
        return self.lead_value + ("*" if self.anchored else "")

    @property
    def text(self) -> str:
        """The representative claim: the lead source's sentence."""
        return self.lead.text


# -- contradictions across documents -----------------------------------------------------------


@dataclass(slots=True)
class ContradictionSide(Record):
    """One side of a stored contradiction: its document, the sentence, the conflicting part."""

    DERIVED: ClassVar[tuple[tuple[str, str], ...]] = (("text", "text"),)

    doc_id: str = doc("Id of the side's document.")
    outlet: str | None = doc("The document's outlet, when known.")
    published: str | None = doc("The document's publication date (ISO 8601), when known.")
    title: str | None = doc("The document's title, when known.")
    source: str = doc("Where the document came from: a path or `path#record`.")
    sentence: int = doc("Id of the sentence holding the side.")
    sentence_text: str = doc("The sentence.")
    start: int = doc("Offset where the conflicting part starts, in `sentence_text`.")
    end: int = doc("Offset where the conflicting part ends, in `sentence_text`.")

    @property
    def text(self) -> str:
        """The conflicting part (``sentence_text[start:end]``)."""
        return self.sentence_text[self.start : self.end]


@dataclass(slots=True)
class CorpusContradiction(Record):
    """A stored contradiction (within one document or across two) with both sides resolved."""

    scope: str = doc("`document` (both sides in one document) or `corpus` (in two).")
    kind: str = doc("`number`, `date` or `negation` (see Contradiction).")
    score: float = doc("Confidence in [0, 1] that the two sides contradict each other.")
    explanation: str = doc("One line on what disagrees.")
    a: ContradictionSide = doc("The first side.")
    b: ContradictionSide = doc("The second side.")


# -- stored claims and their reviews -----------------------------------------------------------


@dataclass(slots=True)
class Review(Record):
    """One reviewer's decision about one stored claim (reviews are appended, never edited)."""

    id: int = doc("Id of the review (later reviews have larger ids).")
    doc_id: str = doc("Id of the claim's document.")
    claim: int = doc("Id of the claim in its document.")
    start: int = doc("Offset where the claim's sentence starts in the document.")
    end: int = doc("Offset where the claim's sentence ends in the document.")
    claim_text: str = doc("The claim's sentence when it was reviewed.")
    checkworthy: bool | None = doc("Whether the claim is worth checking, when decided.")
    verdict: str | None = doc("The verdict on claimscope's scale, when decided.")
    note: str | None = doc("The reviewer's note.")
    assignee: str | None = doc("Who the claim is assigned to.")
    reviewer: str = doc("Who made the decision.")
    created_at: str = doc("When (ISO 8601, UTC, to the second, with `Z`).")


@dataclass(slots=True)
class ReviewSummary(Record):
    """A claim's latest review, in short."""

    checkworthy: bool | None = doc("Whether the claim is worth checking, when decided.")
    verdict: str | None = doc("The verdict on claimscope's scale, when decided.")
    assignee: str | None = doc("Who the claim is assigned to.")
    reviewer: str = doc("Who made the decision.")
    created_at: str | None = doc("When (ISO 8601).")


@dataclass(slots=True)
class _ClaimFields(Record):
    """The fields a stored claim and its detail share, in their order (a claim's cluster, its
    size and its review follow them in each)."""

    doc_id: str = doc("Id of the claim's document.")
    claim: int = doc("Id of the claim in its document.")
    sentence: int = doc("Id of the claim's sentence.")
    text: str = doc("The claim's sentence.")
    score: float = doc("Check-worthiness score in [0, 1].")
    speaker: str | None = doc("Who makes the claim, when attributed.")
    speaker_pronoun: str | None = doc(
        "The pronoun the text names the speaker by (`he`), when ``speaker`` is the name it was "
        "resolved to; None otherwise."
    )
    start: int = doc("Offset where the claim's sentence starts in the document.")
    end: int = doc("Offset where the claim's sentence ends in the document.")
    title: str | None = doc("The document's title, when known.")
    outlet: str | None = doc("The document's outlet, when known.")
    published: str | None = doc("The document's publication date (ISO 8601), when known.")


@dataclass(slots=True)
class StoredClaim(_ClaimFields):
    """A stored claim with its document, its cluster and its latest review."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "doc_id",
        "claim",
        "text",
        "score",
        "speaker",
        "speaker_pronoun",
        "start",
        "end",
        "title",
        "outlet",
        "published",
        "cluster",
        "cluster_size",
        "review",
        "sentence",
    )

    cluster: int | None = doc("Id of the claim's cluster, once clustered.")
    cluster_size: int | None = doc("Claims in that cluster.")
    review: ReviewSummary | None = doc("The latest review, when reviewed.", default=None)


@dataclass(slots=True)
class ClaimDetail(_ClaimFields):
    """A stored claim with its whole cluster, the contradictions it is part of and its reviews."""

    KEYS: ClassVar[tuple[str, ...]] = (*StoredClaim.KEYS, "contradictions", "reviews")

    cluster: ClusterDetail | None = doc("The claim's cluster and its members, once clustered.")
    cluster_size: int | None = doc("Claims in that cluster.")
    review: ReviewSummary | None = doc("The latest review, when reviewed.")
    contradictions: list[CorpusContradiction] = doc(
        "Stored contradictions one side of which is the claim's sentence.", default_factory=list
    )
    reviews: list[Review] = doc("Every review of the claim, newest first.", default_factory=list)


__all__ = [
    "ClaimDetail",
    "Cluster",
    "ClusterDetail",
    "ClusterMember",
    "ContradictionSide",
    "CorpusContradiction",
    "CorpusEvent",
    "CoverageReport",
    "CoverageRow",
    "CoverageTotals",
    "EventDate",
    "EventSource",
    "QueryFilters",
    "Review",
    "ReviewSummary",
    "StoredClaim",
]
