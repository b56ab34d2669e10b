"""The spans the HTML report marks in an article's text, and how each is marked.

Each mention an analysis found (claims, speakers, quotes, entities, numbers, dates,
contradictions, links, techniques) becomes an ``Annotation``: its offsets, CSS classes, tooltip
and data attributes. ``render_spans`` (``report/html.py``) turns them into nested ``<span>``s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimscope.formatting import format_quantity
from claimscope.model import Analysis
from claimscope.report.views import Lookup, group_entities, score_of

HEAT_LEVELS = 5
# What may not stand in a CSS class name or an element id.
CLASS_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True, slots=True)
class Annotation:
    """A span to mark in the text: ``[start, end)`` in document offsets, rendered as a ``<span>``.

    ``layer`` decides nesting when two spans start and end together (lower is outside);
    ``anchor`` becomes the ``id`` of the first piece only, when the span has to be split.
    """

    start: int
    end: int
    classes: str
    tooltip: str | None = None
    anchor: str | None = None
    data: tuple[tuple[str, str], ...] = ()
    layer: int = 0


def css_token(value: str) -> str:
    """``value`` made safe as (part of) a CSS class name."""
    return CLASS_UNSAFE.sub("_", value)[:40] or "_"


def heat(score: float) -> int:
    """The colour level (0 to HEAT_LEVELS - 1) for a score in [0, 1]."""
    return min(HEAT_LEVELS - 1, int(score * HEAT_LEVELS))


def cx_anchor(key: str, contradiction_id: int, side: str) -> str:
    """The id of one side of a contradiction in the document ``key``."""
    return f"cx-{key}-{contradiction_id}-{side}"


def annotate(analysis: Analysis, key: str, lookup: Lookup) -> list[Annotation]:
    """Every span to mark in the document ``key``, in the order the report has always listed
    them (the order breaks ties between spans of one layer)."""
    return [
        *_sentences(analysis, key, lookup),
        *_speakers(analysis),
        *_mentions(analysis),
        *_contradictions(analysis, key),
        *(
            Annotation(link.start, link.end, "lnk", link.url, layer=4)
            for post in analysis.posts
            for link in post.links
        ),
        *(
            Annotation(
                t.start,
                t.end,
                f"tq tq-{css_token(t.technique)}",
                f"{t.name} · {t.score:.2f}\n{t.explanation}",
                data=(("tq", t.technique),),
                layer=2,
            )
            for t in analysis.techniques
        ),
    ]


def _sentences(analysis: Analysis, key: str, lookup: Lookup) -> list[Annotation]:
    """Each sentence, a claim's in its heat colour, with its scores as the tooltip."""
    anns: list[Annotation] = []
    claims = {c.sentence: c for c in analysis.claims}
    for s in analysis.sentences:
        classes, lines = "s", []
        claim = claims.get(s.id)
        if claim is not None:
            score = score_of(claim)
            classes = f"s claim heat-{heat(score)}"
            lines = [f"Claim #{claim.rank} · score {score:.2f}"]
            speaker = lookup.speaker(claim)
            if speaker:
                pronoun = lookup.speaker_pronoun(claim)
                lines.append(
                    f"speaker: {pronoun} → {speaker}" if pronoun else f"speaker: {speaker}"
                )
            if claim.reasons:
                lines.append("reasons: " + ", ".join(claim.reasons))
        if "checkworthiness" in s.scores and claim is None:
            lines.append(f"check-worthiness {s.scores['checkworthiness']:.2f}")
        subjectivity = s.labels.get("subjectivity")
        if subjectivity is not None:
            lines.append(f"subjectivity: {subjectivity} ({s.scores.get('subjectivity', 0):.2f})")
            if subjectivity == "SUBJ":
                classes += " subj"
        tooltip = "\n".join(lines) or None
        anns.append(Annotation(s.start, s.end, classes, tooltip, anchor=f"s-{key}-{s.id}"))
    return anns


def _speakers(analysis: Analysis) -> list[Annotation]:
    """Who is said to speak, the cue that says so, and the quotations."""
    anns: list[Annotation] = []
    for a in analysis.attributions:
        kind = a.kind.replace("_", " ")
        # A pronoun source shows the name it stands for ("he → Jane Doe").
        who = f"{a.speaker} → {a.resolved}" if a.resolved else a.speaker
        anns.append(
            Annotation(a.speaker_start, a.speaker_end, "spk", f"speaker: {who} ({kind})", layer=1)
        )
        if a.cue_start is not None and a.cue_end is not None:
            anns.append(Annotation(a.cue_start, a.cue_end, "cue", "attribution cue", layer=1))
    anns += [Annotation(q.start, q.end, "q", "quotation", layer=2) for q in analysis.quotes]
    return anns


def _mentions(analysis: Analysis) -> list[Annotation]:
    """Entities (each tied to the group of its mentions), numbers and dates."""
    anns: list[Annotation] = []
    group_of: dict[int, tuple[str, int]] = {}
    for i, group in enumerate(group_entities(analysis.entities)):
        for entity_id in group.ids:
            group_of[entity_id] = (f"e{i}", group.count)
    for e in analysis.entities:
        gkey, count = group_of.get(e.id, ("", 1))
        mentions = "1 mention" if count == 1 else f"{count} mentions"
        anns.append(
            Annotation(
                e.start,
                e.end,
                f"ent ent-{css_token(e.label)}",
                f"{e.label} · {e.norm} · {mentions}",
                data=(("ent", gkey),),
                layer=3,
            )
        )
    for qty in analysis.quantities:
        qualifier = qty.qualifier.replace("_", " ")
        anns.append(
            Annotation(qty.start, qty.end, "qty", f"{format_quantity(qty)} ({qualifier})", layer=3)
        )
    for d in analysis.dates:
        tip = f"{d.value} ({d.kind}, {d.granularity})"
        if d.anchored:
            tip += "\nyear taken from the anchor date"
        anns.append(Annotation(d.start, d.end, "date", tip, layer=3))
    return anns


def _contradictions(analysis: Analysis, key: str) -> list[Annotation]:
    """Both sides of each contradiction, each pointing at the other (``data-cx-other``)."""
    anns = []
    for c in analysis.contradictions:
        tip = (
            f"Contradiction ({c.kind}, score {c.score:.2f}): {c.explanation}\nclick: the other side"
        )
        for side, other, start, end in (
            ("a", "b", c.a_start, c.a_end),
            ("b", "a", c.b_start, c.b_end),
        ):
            anns.append(
                Annotation(
                    start,
                    end,
                    f"cx cx-{css_token(c.kind)}",
                    tip,
                    anchor=cx_anchor(key, c.id, side),
                    data=(("cx-other", cx_anchor(key, c.id, other)),),
                    layer=2,
                )
            )
    return anns
