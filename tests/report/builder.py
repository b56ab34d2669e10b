"""Hand-built analyses for the report tests: a small writer that records every span it writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from claimscope.model import (
    Analysis,
    Attribution,
    Claim,
    DateRef,
    Document,
    Entity,
    Link,
    Post,
    Quantity,
    Quote,
    Segment,
    Sentence,
    Technique,
)
from tests.spans_check import assert_offsets_exact


@dataclass
class Ent:
    text: str
    label: str
    norm: str | None = None


@dataclass
class Qty:
    text: str
    value: float
    unit: str | None = None
    qualifier: str = "exact"


@dataclass
class Day:
    text: str
    value: str
    granularity: str = "day"
    anchored: bool = False


@dataclass
class Who:
    """The speaker span of an attribution, with its cue written after it (or before it).

    ``label`` also records an entity on exactly the speaker's span.
    """

    text: str
    name: str | None = None
    cue: str = ""
    cue_first: bool = False
    label: str | None = None
    resolved: str | None = None  # the name a pronoun source stands for


@dataclass
class Said:
    """An inline quotation (marks included in ``text``)."""

    text: str


@dataclass
class Url:
    text: str
    url: str | None = None


Piece = str | Ent | Qty | Day | Who | Said | Url


class Writer:
    """Writes a document piece by piece; each mark's offsets are known as it is written."""

    def __init__(self, **document: Any) -> None:
        self.document = document
        self.parts: list[str] = []
        self.pos = 0
        self.segments: list[Segment] = []
        self.sentences: list[Sentence] = []
        self.entities: list[Entity] = []
        self.quantities: list[Quantity] = []
        self.dates: list[DateRef] = []
        self.attributions: list[Attribution] = []
        self.quotes: list[Quote] = []
        self.scored: list[tuple[float, int, list[str]]] = []
        self._post: Post | None = None
        self.analysis_fields: dict[str, Any] = {}

    def write(self, text: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        return start, self.pos

    @contextmanager
    def segment(self, kind: str) -> Iterator[None]:
        start = self.pos
        yield
        self.segments.append(Segment(len(self.segments), kind, start, self.pos))
        self.write("\n\n")

    @contextmanager
    def post(self, author: str | None, handle: str | None, date: str | None) -> Iterator[Post]:
        start = self.pos
        post = Post(start=start, end=start, body_start=start, body_end=start)
        post.author, post.handle, post.date = author, handle, date
        self._post = post
        yield post
        post.end = self.pos
        if post.signature_start is None:
            post.body_end = self.pos
        self._post = None
        self.segments.append(Segment(len(self.segments), "post", start, self.pos, post=post))
        self.write("\n\n")

    def signature(self, text: str) -> None:
        assert self._post is not None
        self._post.body_end = self.pos
        self.write("\n")
        self._post.signature_start, self._post.signature_end = self.write(text)

    def sentence(
        self,
        *pieces: Piece,
        score: float | None = None,
        reasons: tuple[str, ...] = (),
        speaker: str | None = None,
    ) -> int:
        sid = len(self.sentences)
        start = self.pos
        attribution = None
        for piece in pieces:
            if isinstance(piece, str):
                self.write(piece)
                continue
            cue: tuple[int | None, int | None] = (None, None)
            if isinstance(piece, Who) and piece.cue_first:
                cue = self.write(piece.cue)
            s, e = self.write(piece.text)
            if isinstance(piece, Ent):
                self.entities.append(
                    Entity(len(self.entities), sid, s, e, piece.label, piece.norm or piece.text)
                )
            elif isinstance(piece, Qty):
                self.quantities.append(
                    Quantity(
                        len(self.quantities), sid, s, e, piece.value, piece.unit, piece.qualifier
                    )
                )
            elif isinstance(piece, Day):
                first, last = _interval(piece.value)
                kind = "range" if "/" in piece.value else "date"
                self.dates.append(
                    DateRef(
                        len(self.dates),
                        sid,
                        s,
                        e,
                        kind,
                        first,
                        last,
                        piece.granularity,
                        piece.value,
                        piece.anchored,
                    )
                )
            elif isinstance(piece, Who):
                name = piece.name or piece.text
                if piece.cue and not piece.cue_first:
                    cue = self.write(piece.cue)
                if piece.label:
                    self.entities.append(Entity(len(self.entities), sid, s, e, piece.label, name))
                attribution = len(self.attributions)
                self.attributions.append(
                    Attribution(
                        attribution,
                        sid,
                        "reporting_verb",
                        name,
                        s,
                        e,
                        cue[0],
                        cue[1],
                        resolved=piece.resolved,
                    )
                )
                speaker = speaker or piece.resolved or name
            elif isinstance(piece, Said):
                self.quotes.append(Quote(len(self.quotes), sid, s, e))
            elif isinstance(piece, Url):
                assert self._post is not None, "links are recorded inside posts"
                self._post.links.append(Link(s, e, piece.url or piece.text))
        if self._post is not None and speaker is None:
            speaker = self._post.handle
        self.sentences.append(
            Sentence(
                sid, len(self.segments), start, self.pos, speaker=speaker, attribution=attribution
            )
        )
        if score is not None:
            self.scored.append((score, sid, list(reasons)))
        return sid

    def build(self, **fields: Any) -> Analysis:
        text = "".join(self.parts).rstrip("\n")
        claims = []
        for rank, (score, sid, reasons) in enumerate(sorted(self.scored, key=lambda x: -x[0]), 1):
            s = self.sentences[sid]
            s.scores["claim"] = score
            claims.append(
                Claim(
                    id=rank - 1,
                    sentence=sid,
                    start=s.start,
                    end=s.end,
                    score=score,
                    rank=rank,
                    speaker=s.speaker,
                    entities=[e.id for e in self.entities if e.sentence == sid],
                    quantities=[q.id for q in self.quantities if q.sentence == sid],
                    dates=[d.id for d in self.dates if d.sentence == sid],
                    reasons=reasons,
                )
            )
        analysis = Analysis(
            document=Document(text=text, **self.document),
            segments=self.segments,
            sentences=self.sentences,
            entities=self.entities,
            quantities=self.quantities,
            dates=self.dates,
            attributions=self.attributions,
            quotes=self.quotes,
            claims=claims,
            **fields,
        )
        assert_offsets_exact(analysis)
        return analysis


def _interval(value: str) -> tuple[str, str]:
    first, _, last = value.partition("/")
    last = last or first
    pad = {4: ("-01-01", "-12-31"), 7: ("-01", "-28")}
    return first + pad.get(len(first), ("", ""))[0], last + pad.get(len(last), ("", ""))[1]


def newsroom_analysis() -> Analysis:
    """A realistic article about a (made-up) harbour dredging dispute, with two embedded posts."""
    w = Writer(
        title="Harbour authority says dredging budget tripled, council disputes figures",
        source="fixtures/harbour.txt",
        url="https://example.org/news/harbour-dredging",
        outlet="The Coastal Ledger",
        published="2024-04-12",
        lang="en",
    )
    with w.segment("heading"):
        w.sentence("Dredging costs under scrutiny")
    with w.segment("paragraph"):
        w.sentence(
            "The ",
            Ent("Port of Kellby", "ORG"),
            "'s harbour director, ",
            Who("Mara Osei", cue=", said on "),
            Day("Tuesday", "2024-04-09", anchored=True),
            " that dredging the outer channel will cost ",
            Qty("more than €40 million", 40_000_000, "EUR", "more_than"),
            ", ",
            Qty("three times", 3, "times"),
            " the estimate published in ",
            Day("March 2021", "2021-03", "month"),
            ".",
            score=0.91,
            reasons=("has_quantity", "has_date", "attributed"),
        )
        w.write(" ")
        w.sentence(
            "She added that ",
            Qty("about 1,200", 1200, "jobs", "approx"),
            " jobs depend on ships that need a deeper berth.",
            score=0.74,
            reasons=("has_quantity",),
            speaker="Mara Osei",
        )
    with w.segment("paragraph"):
        w.sentence(
            Who(
                "the Kellby Town Council",
                "Kellby Town Council",
                cue="According to ",
                cue_first=True,
                label="ORG",
            ),
            ", the ",
            Day("2021", "2021", "year"),
            " estimate already included contingency of ",
            Qty("15%", 15, "%"),
            ".",
            score=0.62,
            reasons=("has_quantity", "has_date", "attributed"),
            speaker="Kellby Town Council",
        )
        w.write(" ")
        w.sentence(
            "Councillor ",
            Ent("Ivo Brandt", "PERSON"),
            " called the new figure ",
            Said("“a number pulled from thin air”"),
            ".",
            speaker="Ivo Brandt",
        )
    with w.segment("quote"):
        w.sentence(
            "We were never shown the survey behind it, and we asked ",
            Qty("four", 4, "times"),
            ".",
            score=0.35,
            reasons=("first_person",),
            speaker="Ivo Brandt",
        )
    with w.post("Kellby Harbour Watch", "@KellbyWatch", "2024-04-10"):
        w.sentence(
            "Dredger spotted in the outer channel this morning, ",
            Day("two weeks", "2024-03-27/2024-04-10"),
            " before any contract was signed. ",
            Url("pic.twitter.com/Ab12Cd", "https://pic.twitter.com/Ab12Cd"),
            score=0.55,
            reasons=("is_from_post", "has_date"),
        )
        w.signature("— Kellby Harbour Watch (@KellbyWatch) April 10, 2024")
    with w.post("Mara Osei", "@MaraOseiPort", "2024-04-11"):
        w.sentence(
            "Our channel survey is public: ",
            Url("https://example.org/survey.pdf"),
            " Happy to walk anyone through it.",
        )
        w.signature("— Mara Osei (@MaraOseiPort) April 11, 2024")
    with w.segment("paragraph"):
        w.sentence(
            "The ",
            Ent("European Investment Bank", "ORG"),
            " has not said whether its ",
            Qty("€25 million", 25_000_000, "EUR"),
            " loan to the ",
            Ent("Port of Kellby", "ORG", "Port of Kellby"),
            " covers the overrun.",
            score=0.48,
            reasons=("has_quantity", "has_entity"),
        )
    return w.build(
        anchor_date="2024-04-12",
        anchor_source="published",
        ranking="Ranked by claim score (claimscope.checkworthy.v1 heuristic); ties by position.",
    )


def add_technique(analysis: Analysis, phrase: str, key: str, score: float = 0.8) -> Technique:
    """Mark the first occurrence of ``phrase`` as a use of technique ``key``."""
    from claimscope.persuasion.techniques import BY_KEY

    start = analysis.text.index(phrase)
    end = start + len(phrase)
    sentence = next(s for s in analysis.sentences if s.start <= start and end <= s.end)
    sentence.scores["persuasion"] = score
    info = BY_KEY[key]
    technique = Technique(
        len(analysis.techniques), sentence.id, start, end, key, info.name, score, info.explanation
    )
    analysis.techniques.append(technique)
    return technique
