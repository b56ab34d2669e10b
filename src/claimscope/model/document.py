"""The data model every stage shares: a Document owns the text, everything else is a span into it.

Each annotation stores character offsets ``(start, end)`` into ``Document.text`` (end exclusive),
never a copy of the text. Serialisation adds the covered text next to each span (``text`` for
``start``/``end``, ``<name>_text`` for ``<name>_start``/``<name>_end``) so that JSON readers need
not slice; ``from_dict`` drops those derived keys again.

Field descriptions live in each field's metadata (``fields.doc``): the JSON Schema
(``claimscope.schema``) and ``docs/schema.md`` are generated from them, so a field cannot go
undocumented.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from claimscope.model.fields import doc, from_data, to_data, transient

SCHEMA_VERSION = "1.3"

SegmentKind = Literal["paragraph", "heading", "quote", "post", "furniture"]
DateKind = Literal["date", "range"]
Granularity = Literal["day", "month", "year"]
Qualifier = Literal[
    "exact", "approx", "at_least", "at_most", "more_than", "less_than", "up_to", "estimated"
]
AttributionKind = Literal["according_to", "reporting_verb", "post"]
ContradictionKind = Literal["number", "date", "negation"]


def content_hash(text: str) -> str:
    """The document id: a stable hash of the exact text (ingestion is idempotent by it)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(slots=True)
class Document:
    """One input text, kept exactly: every offset in an Analysis points into ``text``."""

    text: str = doc("The exact text every offset refers to (after decoding and mojibake repair).")
    id: str = doc("Content hash of `text` (16 hex digits).", default="")
    source: str = doc("Where the text came from: a path, `<stdin>` or `<text>`.", default="<text>")
    url: str | None = doc("The article's URL, when known.", default=None)
    title: str | None = doc("The article's title, when known.", default=None)
    published: str | None = doc("Publication date (ISO 8601), when known.", default=None)
    outlet: str | None = doc("The publishing outlet or site, when known.", default=None)
    lang: str | None = doc("Language code (ISO 639-1), when known.", default=None)
    encoding: str | None = doc("The byte encoding detected when the input was bytes.", default=None)
    repairs: list[str] = doc(
        "Repairs applied before analysis (e.g. mojibake fixed); empty when the text is as read.",
        default_factory=list,
    )
    meta: dict[str, str] = doc(
        "Other metadata fields carried from the input.", default_factory=dict
    )

    def __post_init__(self) -> None:
        if not self.id:
            self.id = content_hash(self.text)


@dataclass(slots=True)
class Link:
    """A URL inside the text, including ones glued to the previous word by a scraper."""

    start: int = doc("Offset of the first character of the link.")
    end: int = doc("Offset after the last character of the link.")
    url: str = doc(
        "The link as a full URL (`pic.twitter.com/x` becomes `https://pic.twitter.com/x`)."
    )


@dataclass(slots=True)
class Post:
    """An embedded social-media post recovered from flattened text."""

    start: int = doc("Offset where the post (body and signature) starts.")
    end: int = doc("Offset where the post ends.")
    body_start: int = doc("Offset where the post's own text starts.")
    body_end: int = doc("Offset where the post's own text ends (before the signature).")
    author: str | None = doc("Display name of the author, when the post is signed.", default=None)
    handle: str | None = doc("Account handle with its `@`, when the post is signed.", default=None)
    handle_start: int | None = doc("Offset of the handle in the signature.", default=None)
    handle_end: int | None = doc("Offset after the handle in the signature.", default=None)
    date: str | None = doc("Date of the post (ISO 8601), when the post is signed.", default=None)
    platform: str = doc("Platform the post's form points to (e.g. `twitter`).", default="twitter")
    signature_start: int | None = doc("Offset of the signature line, when signed.", default=None)
    signature_end: int | None = doc("Offset after the signature line, when signed.", default=None)
    links: list[Link] = doc("Links inside the post body.", default_factory=list)


@dataclass(slots=True)
class Segment:
    """A block of the document: a paragraph, a heading, a block quotation or an embedded post."""

    id: int = doc("Index of the segment in document order.")
    kind: SegmentKind = doc(
        "`paragraph`, `heading`, `quote`, `post`, or `furniture` (page furniture a scraper left: "
        "`Advertisement`, `Read more: ...`; never a claim)."
    )
    start: int = doc("Offset where the segment starts.")
    end: int = doc("Offset where the segment ends.")
    post: Post | None = doc("The recovered post, when `kind` is `post`.", default=None)


@dataclass(slots=True)
class Sentence:
    """One sentence, with the features a checker looks at and the model scores."""

    id: int = doc("Index of the sentence in document order.")
    segment: int = doc("Id of the segment holding the sentence.")
    start: int = doc("Offset where the sentence starts.")
    end: int = doc("Offset where the sentence ends.")
    features: dict[str, bool] = doc(
        "Claim features: has_quantity, has_date, has_entity, attributed, is_question, "
        "is_from_post, hedged, first_person, exclamation.",
        default_factory=dict,
    )
    speaker: str | None = doc(
        "Who says the sentence: an attributed source (the name a pronoun stands for, when "
        "resolved), or the author of the post it is in.",
        default=None,
    )
    attribution: int | None = doc("Id of the attribution naming the speaker.", default=None)
    scores: dict[str, float] = doc(
        "Scores in [0, 1] keyed by name: `checkworthiness` and `subjectivity` (probabilities "
        "from the claim model), `claim` (the score claims are ranked by).",
        default_factory=dict,
    )
    labels: dict[str, str] = doc(
        "Labels from the scores, keyed by name: `subjectivity` is `SUBJ` or `OBJ`.",
        default_factory=dict,
    )


@dataclass(slots=True)
class Entity:
    """A named entity: a person, organisation, place, group, law or event."""

    id: int = doc("Index of the entity mention.")
    sentence: int = doc("Id of the sentence holding the mention.")
    start: int = doc("Offset where the mention starts.")
    end: int = doc("Offset where the mention ends.")
    label: str = doc("PERSON, ORG, GPE, LOC, NORP, LAW, EVENT, FAC, PRODUCT, WORK_OF_ART, HANDLE.")
    norm: str = doc("Normalized name: leading article and possessive removed.")


@dataclass(slots=True)
class Quantity:
    """A number with what it counts: ``approximately 700 troops`` is 700, troops, approx."""

    id: int = doc("Index of the quantity mention.")
    sentence: int = doc("Id of the sentence holding the mention.")
    start: int = doc("Offset where the mention starts (qualifier included).")
    end: int = doc("Offset where the mention ends (unit included).")
    value: float = doc("The numeric value (`four` is 4, `1.5 million` is 1500000).")
    unit: str | None = doc(
        "What is counted or measured, lower-cased (`troops`, `votes for`, `%`, `USD`).",
        default=None,
    )
    qualifier: Qualifier = doc(
        "exact, approx, at_least, at_most, more_than, less_than, up_to or estimated.",
        default="exact",
    )
    noun: str | None = doc(
        "The counted phrase as written, modifiers included (`mobilised soldiers`).", default=None
    )


@dataclass(slots=True)
class DateRef:
    """A date, month, year or range, normalized to ISO dates (an interval for each)."""

    id: int = doc("Index of the date mention.")
    sentence: int = doc("Id of the sentence holding the mention.")
    start: int = doc("Offset where the expression starts.")
    end: int = doc("Offset where the expression ends.")
    kind: DateKind = doc("`date` for one date, month or year; `range` for a period.")
    start_date: str = doc("First day covered (ISO 8601).")
    end_date: str = doc("Last day covered (ISO 8601).")
    granularity: Granularity = doc("Precision of the expression: day, month or year.")
    value: str = doc("ISO 8601 value: `2023-05-18`, `2022-12`, `1992`, or `start/end` for a range.")
    anchored: bool = doc(
        "True when part of the date (usually the year) was taken from the anchor date.",
        default=False,
    )


@dataclass(slots=True)
class Attribution:
    """Who says a sentence: speaker, cue and content spans (``According to La Lupa, ...``)."""

    id: int = doc("Index of the attribution.")
    sentence: int = doc("Id of the attributed sentence.")
    kind: AttributionKind = doc("according_to, reporting_verb or post.")
    speaker: str = doc(
        "Who speaks, readably: the name of a named source (`La Lupa` for `the news outlet La "
        "Lupa`, `Jane Doe` for `Jane Doe, the chair of ...`), else the source phrase as written "
        "(`officials in Lima`, `the Peruvian defence ministry`), a pronoun (`he`), or a post's "
        "handle (`@BenjaminNorton`)."
    )
    speaker_start: int = doc(
        "Offset where the source span starts (the whole noun phrase, appositive included)."
    )
    speaker_end: int = doc("Offset where the source span ends.")
    cue_start: int | None = doc(
        "Offset where the cue (`according to`, `reported`) starts.", default=None
    )
    cue_end: int | None = doc("Offset where the cue ends.", default=None)
    content_start: int | None = doc("Offset where the attributed content starts.", default=None)
    content_end: int | None = doc("Offset where the attributed content ends.", default=None)
    resolved: str | None = doc(
        "For a pronoun source, the name it stands for: the nearest earlier named source (a "
        "person for `he`/`she`, an organisation for `it`/`they`/`we`), or the name a `who` "
        "follows (`Jane Doe, who said`). None when unresolved or not a pronoun.",
        default=None,
    )


@dataclass(slots=True)
class Quote:
    """An inline quotation between quotation marks."""

    id: int = doc("Index of the quotation.")
    sentence: int = doc("Id of the sentence where the quotation starts.")
    start: int = doc("Offset of the opening quotation mark.")
    end: int = doc("Offset after the closing quotation mark.")


@dataclass(slots=True)
class FactCheckMatch:
    """A stored fact-check that a claim may repeat: what was checked, the rating, the link."""

    factcheck: str = doc("Id of the fact-check in the store.")
    claim: str = doc("The checked claim, as the fact-checker worded it.")
    probability: float = doc("Probability that the claim repeats the checked one (calibrated).")
    rating: str | None = doc("The publisher's rating.", default=None)
    verdict: str | None = doc("The rating on claimscope's scale.", default=None)
    publisher: str | None = doc("Who checked it.", default=None)
    reviewed: str | None = doc("When it was checked (ISO 8601).", default=None)
    url: str | None = doc("The fact-check article.", default=None)


@dataclass(slots=True)
class Claim:
    """A sentence that states something checkable, joined to its speaker and mentions."""

    id: int = doc("Index of the claim.")
    sentence: int = doc("Id of the claim's sentence.")
    start: int = doc("Offset where the claim's sentence starts.")
    end: int = doc("Offset where the claim's sentence ends.")
    score: float = doc("Check-worthiness score in [0, 1]: higher is more worth checking.")
    rank: int = doc("1 for the most check-worthy claim of the document.")
    speaker: str | None = doc("Who makes the claim, when attributed.", default=None)
    entities: list[int] = doc("Ids of the entity mentions in the claim.", default_factory=list)
    quantities: list[int] = doc("Ids of the quantity mentions in the claim.", default_factory=list)
    dates: list[int] = doc("Ids of the date mentions in the claim.", default_factory=list)
    reasons: list[str] = doc(
        "Why it ranks where it does: the features that scored.", default_factory=list
    )
    matches: list[FactCheckMatch] = doc(
        "Fact-checks this claim may repeat, best first (with `factchecks` set).",
        default_factory=list,
    )


@dataclass(slots=True)
class Technique:
    """A persuasion technique used in a span of one sentence (loaded language, doubt...)."""

    id: int = doc("Index of the technique span.")
    sentence: int = doc("Id of the sentence holding the span.")
    start: int = doc("Offset where the span starts.")
    end: int = doc("Offset where the span ends.")
    technique: str = doc(
        "Technique key: loaded_language, name_calling, repetition, doubt, exaggeration, fear, "
        "flag_waving, causal_oversimplification, appeal_to_authority, slogans, whataboutism, "
        "black_and_white, thought_terminating_cliche, bandwagon."
    )
    name: str = doc("Display name of the technique.")
    score: float = doc("The model's probability that the sentence uses the technique.")
    explanation: str = doc("One line on what the technique is.")
    precise: bool = doc(
        "Whether the span meets its technique's precision-first rule (the model card's: right "
        "at least half the time on held-out articles), as every span shown by default is; "
        'false only with `techniques_shown = "all"`, for spans found by the sensitive rule '
        "alone.",
        default=True,
    )


@dataclass(slots=True)
class Contradiction:
    """Two sentences of the document that cannot both be true: both spans, and why."""

    id: int = doc("Index of the contradiction.")
    kind: ContradictionKind = doc(
        "`number` (two counts of one thing that disagree, or a count against a statement that "
        "the number is unknown), `date` (one period given different ends) or `negation` (one "
        "sentence asserts what the other denies)."
    )
    sentence_a: int = doc("Id of the sentence holding the first side.")
    a_start: int = doc("Offset where the first side's conflicting part starts.")
    a_end: int = doc("Offset where the first side's conflicting part ends.")
    sentence_b: int = doc("Id of the sentence holding the second side.")
    b_start: int = doc("Offset where the second side's conflicting part starts.")
    b_end: int = doc("Offset where the second side's conflicting part ends.")
    explanation: str = doc(
        "One line on what disagrees: `700 American troops vs. an undisclosed number of US "
        "soldiers`."
    )
    score: float = doc("Confidence in [0, 1] that the two sides contradict each other.")


@dataclass(slots=True)
class PersuasionSummary:
    """How much a document argues: technique counts and density (derived, for reports)."""

    words: int = doc("Words in the document.")
    spans: int = doc("Technique spans found.")
    density: float = doc("Technique spans per 1,000 words.")
    counts: dict[str, int] = doc("Spans per technique key, most frequent first.")
    sentences: int = doc("Sentences with at least one technique.")
    top_sentences: list[int] = doc(
        "Ids of the sentences with the most distinct techniques (at most 5), most first."
    )


@dataclass(slots=True)
class TimelineEvent:
    """A dated event: a date mention and the sentence that dates it (derived, for reports)."""

    date: int = doc("Id of the date mention.")
    sentence: int = doc("Id of the sentence.")
    start_date: str = doc("First day of the event's date (ISO 8601).")
    value: str = doc("The date's ISO value.")
    speaker: str | None = doc("Who states it, when attributed.", default=None)


@dataclass(slots=True)
class FactCheck:
    """A claim someone has already fact-checked: the claim, the rating, who checked it, where."""

    id: str = doc("Stable id: the record's own id, or a hash of its URL and claim.")
    claim: str = doc("The claim as the fact-checker worded it (ClaimReview `claimReviewed`).")
    rating: str | None = doc("The publisher's own rating, e.g. `Pants on Fire`.", default=None)
    verdict: str | None = doc(
        "The rating on claimscope's scale: false, mostly-false, misleading, mixed, mostly-true, "
        "true, or unproven, satire, outdated.",
        default=None,
    )
    url: str | None = doc("The fact-check article.", default=None)
    publisher: str | None = doc("Who checked it (ClaimReview `author`).", default=None)
    reviewed: str | None = doc("When it was checked (ISO 8601).", default=None)
    claimant: str | None = doc("Who made the claim (`itemReviewed.author`).", default=None)
    claim_date: str | None = doc("When the claim was made (ISO 8601).", default=None)
    title: str | None = doc("The fact-check's headline.", default=None)
    lang: str | None = doc("Language of the claim (`inLanguage`).", default=None)
    source: str = doc("Where it was imported from: `path#record`.", default="")


@dataclass(slots=True)
class Failure:
    """An input that could not be analyzed, and why (one line)."""

    source: str = doc("The input that failed: a path, `path#record`, `<stdin>` or `<text>`.")
    error: str = doc("The one-line reason.")
    kind: str = doc("The error class, e.g. `InputError`.", default="InputError")


@dataclass(slots=True)
class Analysis:
    """Everything claimscope found in one document; all spans index ``document.text``."""

    document: Document = doc("The document, with its exact text and metadata.")
    segments: list[Segment] = doc(
        "Paragraphs, headings, quotations and posts.", default_factory=list
    )
    sentences: list[Sentence] = doc("Every sentence, in order.", default_factory=list)
    entities: list[Entity] = doc("Named-entity mentions.", default_factory=list)
    quantities: list[Quantity] = doc("Quantity mentions.", default_factory=list)
    dates: list[DateRef] = doc("Date and range mentions.", default_factory=list)
    attributions: list[Attribution] = doc("Who says what.", default_factory=list)
    quotes: list[Quote] = doc("Inline quotations.", default_factory=list)
    claims: list[Claim] = doc("Check-worthy sentences, best first.", default_factory=list)
    techniques: list[Technique] = doc(
        "Persuasion technique spans, in document order (empty when the model has none).",
        default_factory=list,
    )
    contradictions: list[Contradiction] = doc(
        "Contradictions between sentences of the document (numbers, dates, negation), in "
        "document order.",
        default_factory=list,
    )
    anchor_date: str | None = doc(
        "The date that year-less dates were resolved against (ISO 8601).", default=None
    )
    anchor_source: str | None = doc(
        "Where the anchor came from: `published`, `settings` or `latest date in text`.",
        default=None,
    )
    ranking: str = doc("How claims were ranked (method and version).", default="")
    language: str | None = doc(
        "The language the analysis took the text to be in (ISO 639-1): the one its source "
        "declared, else the one its text reads as.",
        default=None,
    )
    pipeline: list[str] = doc(
        "Ids of the stages that produced this analysis.", default_factory=list
    )
    skipped: list[str] = doc(
        "Ids of the stages left out because they read English only and the text is in another "
        "language (see `language`).",
        default_factory=list,
    )
    schema_version: str = doc("Version of this JSON layout.", default=SCHEMA_VERSION)
    # Not data: what the scores stage leaves the attribution stage (see ``transient``).
    token_states: dict[int, Any] = transient(
        "The claim encoder's token offsets and states of each sentence (by id), for the "
        "attribution tagger."
    )

    # -- views -------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        """The document text (every offset indexes it)."""
        return self.document.text

    def span_text(self, start: int, end: int) -> str:
        """The text covered by ``(start, end)``."""
        return self.document.text[start:end]

    @property
    def posts(self) -> list[Post]:
        """The embedded posts, in document order."""
        return [s.post for s in self.segments if s.post is not None]

    def timeline(self) -> list[TimelineEvent]:
        """Dated events: each date mention with its sentence, ordered by date."""
        events = [
            TimelineEvent(
                date=d.id,
                sentence=d.sentence,
                start_date=d.start_date,
                value=d.value,
                speaker=self.sentences[d.sentence].speaker,
            )
            for d in self.dates
        ]
        return sorted(events, key=lambda e: (e.start_date, e.sentence))

    def persuasion(self) -> PersuasionSummary:
        """Technique counts, density per 1,000 words and the sentences that use the most."""
        words = len(self.document.text.split())
        counts: dict[str, int] = {}
        per_sentence: dict[int, set[str]] = {}
        for t in self.techniques:
            counts[t.technique] = counts.get(t.technique, 0) + 1
            per_sentence.setdefault(t.sentence, set()).add(t.technique)
        top = sorted(per_sentence, key=lambda s: (-len(per_sentence[s]), s))[:5]
        return PersuasionSummary(
            words=words,
            spans=len(self.techniques),
            density=round(1000 * len(self.techniques) / words, 2) if words else 0.0,
            counts=dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
            sentences=len(per_sentence),
            top_sentences=top,
        )

    # -- serialisation -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The analysis as JSON-ready data, with the covered text next to every span."""
        data = to_data(self, self.document.text)
        data["timeline"] = [to_data(e, self.document.text) for e in self.timeline()]
        data["persuasion"] = to_data(self.persuasion(), self.document.text)
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """The analysis as JSON (see docs/schema.md)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        """Rebuild an analysis from ``to_dict`` output; derived keys are dropped."""
        return from_data(cls, data)

    @classmethod
    def from_json(cls, text: str) -> Analysis:
        """Rebuild an analysis from ``to_json`` output."""
        return cls.from_dict(json.loads(text))

    def _repr_html_(self) -> str | None:
        # None (no renderer installed) lets a notebook show the plain repr instead.
        return _html_renderer(self) if _html_renderer is not None else None


# The notebook renderer lives in the report package, above the data model: the package root
# hands it down (``set_html_renderer``), loading the report only when an analysis is first shown.
_html_renderer: Callable[[Analysis], str] | None = None


def set_html_renderer(render: Callable[[Analysis], str]) -> None:
    """Install the function that draws an analysis as an HTML fragment in a notebook."""
    global _html_renderer
    _html_renderer = render


__all__ = [
    "SCHEMA_VERSION",
    "Analysis",
    "Attribution",
    "AttributionKind",
    "Claim",
    "Contradiction",
    "ContradictionKind",
    "DateKind",
    "DateRef",
    "Document",
    "Entity",
    "FactCheck",
    "FactCheckMatch",
    "Failure",
    "Granularity",
    "Link",
    "PersuasionSummary",
    "Post",
    "Qualifier",
    "Quantity",
    "Quote",
    "Segment",
    "SegmentKind",
    "Sentence",
    "Technique",
    "TimelineEvent",
    "content_hash",
    "set_html_renderer",
]
