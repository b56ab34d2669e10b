"""What both renderers show: claims in rank order, grouped entities, segment counts.

The terminal and HTML reports present the same facts; deriving them here keeps the two in step.
Everything works from spans (``analysis.span_text``), never by searching the text.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from claimscope.formatting import excerpt, format_date, format_quantity
from claimscope.model import (
    Analysis,
    Attribution,
    Claim,
    DateRef,
    Document,
    Entity,
    Quantity,
    Sentence,
    TimelineEvent,
)

SEGMENT_KINDS = ("paragraph", "heading", "quote", "post", "furniture")


def display_title(document: Document) -> str:
    """The document's title, or where it came from when it has none."""
    title = (document.title or "").strip()
    return title or document.source


def word_count(text: str) -> int:
    """Whitespace-separated words in ``text``."""
    return len(text.split())


def has_technique_model(analysis: Analysis) -> bool:
    """Whether the analysis came from a model with technique heads (it may have found none)."""
    return bool(analysis.techniques) or any("persuasion" in s.scores for s in analysis.sentences)


def segment_counts(analysis: Analysis) -> dict[str, int]:
    """How many segments of each kind, plus sentences and claims."""
    counts: Counter[str] = Counter(s.kind for s in analysis.segments)
    out = {kind: counts[kind] for kind in SEGMENT_KINDS}
    out["sentences"] = len(analysis.sentences)
    out["claims"] = len(analysis.claims)
    return out


def anchor_note(analysis: Analysis) -> str | None:
    """The date that anchors relative dates, with where it came from (None without one)."""
    if not analysis.anchor_date:
        return None
    if analysis.anchor_source:
        return f"{analysis.anchor_date} ({analysis.anchor_source})"
    return analysis.anchor_date


def score_of(claim: Claim) -> float:
    """The claim's score clamped to [0, 1] (NaN counts as 0)."""
    s = claim.score
    return 0.0 if not math.isfinite(s) else min(1.0, max(0.0, s))


def claims_by_rank(analysis: Analysis) -> list[Claim]:
    """Claims, most check-worthy first."""
    return sorted(analysis.claims, key=lambda c: (c.rank, -score_of(c), c.start))


@dataclass(slots=True)
class Lookup:
    """Mentions of one analysis by id (ids that point nowhere are simply absent)."""

    analysis: Analysis
    sentences: dict[int, Sentence] = field(init=False)
    entities: dict[int, Entity] = field(init=False)
    quantities: dict[int, Quantity] = field(init=False)
    dates: dict[int, DateRef] = field(init=False)
    attributions: dict[int, Attribution] = field(init=False)

    def __post_init__(self) -> None:
        self.sentences = {s.id: s for s in self.analysis.sentences}
        self.attributions = {a.id: a for a in self.analysis.attributions}
        self.entities = {e.id: e for e in self.analysis.entities}
        self.quantities = {q.id: q for q in self.analysis.quantities}
        self.dates = {d.id: d for d in self.analysis.dates}

    def claim_values(self, claim: Claim) -> list[str]:
        """The claim's numbers then dates, normalized."""
        values = [
            format_quantity(self.quantities[i]) for i in claim.quantities if i in self.quantities
        ]
        values += [format_date(self.dates[i]) for i in claim.dates if i in self.dates]
        return values

    def speaker(self, claim: Claim) -> str | None:
        """Who makes the claim: its own speaker, else its sentence's."""
        if claim.speaker:
            return claim.speaker
        sentence = self.sentences.get(claim.sentence)
        return sentence.speaker if sentence else None

    def speaker_pronoun(self, claim: Claim) -> str | None:
        """The pronoun the text names the claim's speaker by ("he"), when the speaker is the
        name it was resolved to."""
        return self.pronoun_of(claim.sentence, self.speaker(claim))

    def pronoun_of(self, sentence_id: int, speaker: str | None) -> str | None:
        """The pronoun a sentence names ``speaker`` by, when its main attribution is a pronoun
        resolved to that name."""
        sentence = self.sentences.get(sentence_id)
        if speaker is None or sentence is None or sentence.attribution is None:
            return None
        main = self.attributions.get(sentence.attribution)
        if main is None or main.resolved != speaker or main.speaker == speaker:
            return None
        return main.speaker

    def event_sentence(self, event: TimelineEvent, chars: int) -> str:
        """The sentence of a dated event, cut to about ``chars`` around its date."""
        sentence = self.sentences.get(event.sentence)
        if sentence is None:
            return ""
        date = self.dates.get(event.date)
        focus = None
        if date is not None:
            focus = (date.start - sentence.start, date.end - sentence.start)
        return excerpt(self.analysis.span_text(sentence.start, sentence.end), chars, focus)

    def sentence_text(self, sentence_id: int) -> str:
        s = self.sentences.get(sentence_id)
        return self.analysis.span_text(s.start, s.end) if s else ""


@dataclass(slots=True)
class EntityGroup:
    """Mentions sharing one normalized name."""

    norm: str
    labels: list[str]
    count: int
    ids: list[int]
    first: int

    @property
    def label(self) -> str:
        """The labels given to the name, most frequent first (``PERSON/ORG``)."""
        return "/".join(self.labels)


def group_entities(entities: list[Entity]) -> list[EntityGroup]:
    """Entity mentions grouped by ``norm``, most mentioned first, then by first appearance."""
    groups: dict[str, list[Entity]] = {}
    for e in sorted(entities, key=lambda e: (e.start, e.id)):
        groups.setdefault(e.norm, []).append(e)
    out = []
    for norm, members in groups.items():
        labels = [label for label, _ in Counter(m.label for m in members).most_common()]
        out.append(
            EntityGroup(
                norm=norm,
                labels=labels,
                count=len(members),
                ids=[m.id for m in members],
                first=members[0].start,
            )
        )
    return sorted(out, key=lambda g: (-g.count, g.first))
