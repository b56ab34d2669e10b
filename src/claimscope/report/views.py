"""What both renderers show: claims in rank order, grouped entities, formatted numbers, excerpts.

The terminal and HTML reports present the same facts; deriving them here keeps the two in step.
Everything works from spans (``analysis.span_text``), never by searching the text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from claimscope.model import Analysis, Claim, DateRef, Document, Entity, Quantity, Sentence

SEGMENT_KINDS = ("paragraph", "heading", "quote", "post", "furniture")

QUALIFIER_SIGNS = {
    "exact": "",
    "approx": "~",
    "at_least": "≥",
    "at_most": "≤",
    "more_than": ">",
    "less_than": "<",
    "up_to": "≤",
    "estimated": "est. ",
}

_SPACE = re.compile(r"\s+")


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


def plural(n: int, word: str) -> str:
    """``1 post``, ``3 posts``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def excerpt(text: str, limit: int, focus: tuple[int, int] | None = None) -> str:
    """``text`` with whitespace collapsed, cut at word boundaries to about ``limit`` characters.

    ``focus`` (offsets into ``text``) is a part that must stay visible, e.g. the date a timeline
    row is about; the window is centred on it and ellipses mark what was cut.
    """
    fs, fe = (0, 0) if focus is None else (max(0, focus[0]), min(len(text), max(focus)))
    # Collapse the parts around the focus separately so the focus offsets stay meaningful.
    before = _SPACE.sub(" ", text[:fs]).lstrip()
    middle = _SPACE.sub(" ", text[fs:fe])
    after = _SPACE.sub(" ", text[fe:]).rstrip()
    flat = before + middle + after
    if len(flat) <= limit:
        return flat
    keep_lo, keep_hi = len(before), len(before) + len(middle)
    room = max(0, limit - len(middle))
    lo = max(0, keep_lo - room // 2) if focus is not None else 0
    hi = min(len(flat), lo + limit)
    lo = max(0, hi - limit)
    if lo > 0:
        # Start on a word: skip to just after the next space, but never past the focus.
        space = flat.find(" ", lo, min(keep_lo, lo + 20))
        lo = space + 1 if space != -1 else lo
    if hi < len(flat):
        space = flat.rfind(" ", max(keep_hi, hi - 20), hi)
        hi = space if space != -1 else hi
    body = flat[lo:hi].strip()
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(flat) else "")


def window(text: str, start: int, end: int, limit: int) -> tuple[str, str, str, bool, bool]:
    """``text`` cut to about ``limit`` characters around ``[start, end)``, at word boundaries:
    ``(before, part, after, cut before, cut after)``, whitespace collapsed, the part kept whole."""
    lo, hi = 0, len(text)
    if len(text) > limit:
        room = max(0, limit - (end - start)) // 2
        lo, hi = max(0, start - room), min(len(text), end + room)
        space = text.find(" ", lo, start) if lo else -1
        lo = space + 1 if space != -1 else lo
        space = text.rfind(" ", end, hi) if hi < len(text) else -1
        hi = space if space != -1 else hi

    def flat(piece: str) -> str:
        return _SPACE.sub(" ", piece)

    return (
        flat(text[lo:start]).lstrip(),
        flat(text[start:end]),
        flat(text[end:hi]).rstrip(),
        lo > 0,
        hi < len(text),
    )


def format_number(value: float) -> str:
    """``700``, ``1,500,000``, ``3.5``: no trailing ``.0``, thousands separated."""
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) >= 1000 else f"{value:.6g}"


def format_quantity(q: Quantity) -> str:
    """A quantity in normalized form: ``~700 troops``, ``≥12.5%``, ``1,500,000 USD``."""
    number = QUALIFIER_SIGNS.get(q.qualifier, "") + format_number(q.value)
    if not q.unit:
        return number
    return number + q.unit if q.unit == "%" else f"{number} {q.unit}"


def format_date(d: DateRef) -> str:
    """A date mention's ISO value, ``*`` marking a year taken from the anchor date."""
    return d.value + ("*" if d.anchored else "")


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

    def __post_init__(self) -> None:
        self.sentences = {s.id: s for s in self.analysis.sentences}
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
