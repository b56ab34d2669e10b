"""The HTML report: one self-contained file (inline CSS and JS, nothing fetched) for analyses.

The article is rebuilt from offsets: each segment's text is cut at every annotation boundary by
``render_spans`` and each piece is escaped, so document text can never become markup. Everything
else (titles, authors, URLs, entity names) goes through Jinja2 with autoescaping on.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from claimscope.formatting import excerpt, format_date, format_number, format_quantity
from claimscope.model import Analysis, Claim, Post, Segment, content_hash
from claimscope.persuasion.techniques import BY_KEY
from claimscope.report.annotations import (
    CLASS_UNSAFE,
    HEAT_LEVELS,
    Annotation,
    annotate,
    css_token,
    cx_anchor,
    heat,
)
from claimscope.report.views import (
    Lookup,
    anchor_note,
    claims_by_rank,
    display_title,
    group_entities,
    has_technique_model,
    score_of,
    segment_counts,
    word_count,
)
from claimscope.text.language import skipped_note

TEMPLATES = Path(__file__).parent / "templates"
CLAIM_CHARS = 180
EXCERPT_CHARS = 120

_ATTR_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


# -- spans ---------------------------------------------------------------------------------------


def render_spans(
    text: str,
    annotations: Iterable[Annotation],
    *,
    offset: int = 0,
    placed: set[str] | None = None,
) -> Markup:
    """``text`` (which starts at document offset ``offset``) escaped, with annotations as spans.

    A boundary sweep: the text is cut at every annotation start and end, each piece is escaped,
    and around each piece the open spans are kept properly nested. Spans that overlap without
    nesting are closed and reopened, so the output is always well formed; an outer span (earlier
    start, then later end, then lower layer) always encloses an inner one.

    ``placed`` holds the anchors already written (it is updated): pass one set for all the blocks
    of a document so a span cut across blocks keeps its ``id`` once.
    """
    placed = set() if placed is None else placed
    n = len(text)
    items: list[tuple[int, int, int, Annotation]] = []
    for i, ann in enumerate(annotations):
        s, e = max(0, ann.start - offset), min(n, ann.end - offset)
        if s < e:
            items.append((s, e, i, ann))
    if not items:
        return escape(text)

    def order(item: tuple[int, int, int, Annotation]) -> tuple[int, int, int, int]:
        s, e, i, ann = item
        return (s, -e, ann.layer, i)

    items.sort(key=order)
    bounds = sorted({0, n, *(s for s, _, _, _ in items), *(e for _, e, _, _ in items)})
    out: list[str] = []
    stack: list[tuple[int, int, int, Annotation]] = []
    active: list[tuple[int, int, int, Annotation]] = []
    pending = iter(items)
    upcoming = next(pending, None)
    for lo, hi in itertools.pairwise(bounds):
        active = [it for it in active if it[1] > lo]
        while upcoming is not None and upcoming[0] <= lo:
            active.append(upcoming)
            upcoming = next(pending, None)
        wanted = sorted(active, key=order)
        keep = 0
        while keep < len(stack) and keep < len(wanted) and stack[keep] is wanted[keep]:
            keep += 1
        out.extend("</span>" for _ in stack[keep:])
        for item in wanted[keep:]:
            ann = item[3]
            out.append(_open_tag(ann, anchor=ann.anchor not in placed))
            if ann.anchor:
                placed.add(ann.anchor)
        stack = wanted
        out.append(str(escape(text[lo:hi])))
    out.extend("</span>" for _ in stack)
    return Markup("".join(out))


def _open_tag(ann: Annotation, *, anchor: bool) -> str:
    attrs = [f'class="{escape(ann.classes)}"']
    if ann.anchor and anchor:
        attrs.append(f'id="{escape(ann.anchor)}"')
    if ann.tooltip:
        attrs.append(f'title="{escape(ann.tooltip)}"')
    for name, value in ann.data:
        if _ATTR_NAME.match(name):
            attrs.append(f'data-{name}="{escape(value)}"')
    return "<span " + " ".join(attrs) + ">"


def safe_href(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None (it is then shown as text only)."""
    if not url:
        return None
    candidate = url.strip()
    if any(ord(c) < 0x21 or c in "\\\x7f" for c in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return candidate


# -- the view of one analysis ------------------------------------------------------------------


@dataclass(slots=True)
class _Block:
    kind: str
    html: Markup
    anchor: str
    post: dict[str, Any] | None = None


@dataclass(slots=True)
class _DocView:
    key: str
    title: str
    meta: list[tuple[str, str]]
    url: str | None
    url_href: str | None
    counts: dict[str, int]
    blocks: list[_Block] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    contradictions: list[dict[str, Any]] | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    numbers: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    persuasion: dict[str, Any] | None = None
    ranking: str = ""
    anchored_dates: bool = False


def _doc_key(analysis: Analysis, seen: set[str]) -> str:
    raw = analysis.document.id or content_hash(analysis.text)
    key = CLASS_UNSAFE.sub("", raw)[:32] or content_hash(analysis.text)
    base, n = key, 2
    while key in seen:
        key, n = f"{base}-{n}", n + 1
    seen.add(key)
    return key


def _contradictions_view(analysis: Analysis, key: str) -> list[dict[str, Any]] | None:
    """The contradictions panel: explanation, kind, score, and a link to each side."""
    if not analysis.contradictions and "claimscope.contradictions.v1" not in analysis.pipeline:
        return None
    return [
        {
            "kind": c.kind,
            "css": css_token(c.kind),
            "score": f"{c.score:.2f}",
            "explanation": c.explanation,
            "a": excerpt(analysis.span_text(c.a_start, c.a_end), EXCERPT_CHARS),
            "b": excerpt(analysis.span_text(c.b_start, c.b_end), EXCERPT_CHARS),
            "href_a": f"#{cx_anchor(key, c.id, 'a')}",
            "href_b": f"#{cx_anchor(key, c.id, 'b')}",
        }
        for c in sorted(analysis.contradictions, key=lambda c: (-c.score, c.a_start))
    ]


class _SpanIndex:
    """Annotations bucketed by position, so each block is handed only those that touch it."""

    BUCKET = 512

    def __init__(self, annotations: list[Annotation], length: int) -> None:
        self.annotations = annotations
        self.buckets: dict[int, list[int]] = {}
        for i, ann in enumerate(annotations):
            start, end = max(0, ann.start), min(length, ann.end)
            for b in range(start // self.BUCKET, (end - 1) // self.BUCKET + 1):
                self.buckets.setdefault(b, []).append(i)

    def touching(self, start: int, end: int) -> list[Annotation]:
        """The annotations overlapping ``[start, end)``, in their original order."""
        if end <= start:
            return []
        found: set[int] = set()
        for b in range(start // self.BUCKET, (end - 1) // self.BUCKET + 1):
            found.update(self.buckets.get(b, ()))
        anns = (self.annotations[i] for i in sorted(found))
        return [a for a in anns if a.start < end and a.end > start]


def _blocks(analysis: Analysis, key: str, anns: list[Annotation]) -> list[_Block]:
    text = analysis.text
    blocks: list[_Block] = []
    index = _SpanIndex(anns, len(text))
    placed: set[str] = set()

    def spans(start: int, end: int) -> Markup:
        return render_spans(
            text[start:end], index.touching(start, end), offset=start, placed=placed
        )

    def gap(start: int, end: int) -> None:
        # Text no segment covers is still shown: nothing of the document silently disappears.
        if text[start:end].strip():
            blocks.append(_Block("gap", spans(start, end), f"g-{key}-{start}"))

    cursor = 0
    for seg in sorted(analysis.segments, key=lambda s: (s.start, s.id)):
        if seg.start > cursor:
            gap(cursor, seg.start)
        anchor = f"seg-{key}-{seg.id}"
        if seg.kind == "post" and seg.post is not None:
            blocks.append(_post_block(seg, seg.post, anchor, spans))
        else:
            blocks.append(_Block(seg.kind, spans(seg.start, seg.end), anchor))
        cursor = max(cursor, seg.end)
    gap(cursor, len(text))
    return blocks


def _post_block(seg: Segment, post: Post, anchor: str, spans: Any) -> _Block:
    signature = None
    if post.signature_start is not None and post.signature_end is not None:
        signature = spans(post.signature_start, post.signature_end)
    links = [
        {"url": link.url, "href": safe_href(link.url), "label": _link_label(link.url)}
        for link in post.links
    ]
    name = (post.author or "").strip() or (post.handle or "").lstrip("@")
    meta = {
        "initial": name[:1].upper() or "?",
        "author": post.author,
        "handle": post.handle,
        "date": post.date,
        "platform": post.platform,
        "links": links,
        "signature": signature,
    }
    return _Block("post", spans(post.body_start, post.body_end), anchor, meta)


def _link_label(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return excerpt(url, 48)
    if parts.netloc:
        label = parts.netloc + parts.path
        return label if len(label) <= 48 else label[:47] + "…"
    return url if len(url) <= 48 else url[:47] + "…"


def _doc_view(analysis: Analysis, key: str) -> _DocView:
    doc = analysis.document
    lookup = Lookup(analysis)
    view = _DocView(
        key=key,
        title=display_title(doc),
        meta=_meta(analysis),
        url=doc.url,
        url_href=safe_href(doc.url),
        counts=segment_counts(analysis),
        ranking=analysis.ranking,
        anchored_dates=any(d.anchored for d in analysis.dates),
    )
    view.blocks = _blocks(analysis, key, annotate(analysis, key, lookup))
    view.claims = [_claim_view(analysis, key, lookup, claim) for claim in claims_by_rank(analysis)]
    view.entities = [
        {"key": f"e{i}", "norm": group.norm, "label": group.label, "count": group.count}
        for i, group in enumerate(group_entities(analysis.entities))
    ]
    view.numbers = [
        {
            "normalized": format_quantity(q),
            "value": format_number(q.value),
            "unit": q.unit or "",
            "qualifier": q.qualifier.replace("_", " "),
            "text": excerpt(analysis.span_text(q.start, q.end), EXCERPT_CHARS),
            "href": f"#s-{key}-{q.sentence}",
        }
        for q in sorted(analysis.quantities, key=lambda q: (q.start, q.id))
    ]
    view.persuasion = _persuasion_view(analysis, key)
    view.contradictions = _contradictions_view(analysis, key)
    view.timeline = _timeline_view(analysis, key, lookup)
    return view


def _meta(analysis: Analysis) -> list[tuple[str, str]]:
    """The document's details under its title: (label, value) pairs of what is known."""
    doc = analysis.document
    meta: list[tuple[str, str]] = []
    if doc.title:
        meta.append(("source", doc.source))
    for label, value in (("outlet", doc.outlet), ("published", doc.published), ("lang", doc.lang)):
        if value:
            meta.append((label, value))
    meta.append(("words", f"{word_count(analysis.text):,}"))
    anchor = anchor_note(analysis)
    if anchor:
        meta.append(("anchor date", anchor))
    if doc.repairs:
        meta.append(("repairs", ", ".join(doc.repairs)))
    note = skipped_note(analysis.language, analysis.skipped)
    if note:
        meta.append(("language", note))
    return meta


def _claim_view(analysis: Analysis, key: str, lookup: Lookup, claim: Claim) -> dict[str, Any]:
    """A claim of the claims panel, with the fact-checks it matched."""
    score = score_of(claim)
    return {
        "rank": claim.rank,
        "score": f"{score:.2f}",
        "pct": round(score * 100),
        "heat": heat(score),
        "speaker": lookup.speaker(claim),
        "speaker_pronoun": lookup.speaker_pronoun(claim),
        "text": excerpt(analysis.span_text(claim.start, claim.end), CLAIM_CHARS),
        "normalized": lookup.claim_values(claim),
        "reasons": ", ".join(claim.reasons),
        "href": f"#s-{key}-{claim.sentence}",
        "matches": [
            {
                "claim": excerpt(m.claim, CLAIM_CHARS),
                "rating": m.rating or m.verdict or "unrated",
                "verdict": m.verdict or "none",
                "by": ", ".join(x for x in (m.publisher, m.reviewed) if x),
                "href": safe_href(m.url),
                "probability": f"{m.probability:.2f}",
            }
            for m in claim.matches
        ],
    }


def _timeline_view(analysis: Analysis, key: str, lookup: Lookup) -> list[dict[str, Any]]:
    """The dated events, each with its sentence cut around the date."""
    events = []
    for event in analysis.timeline():
        date = lookup.dates.get(event.date)
        events.append(
            {
                "value": format_date(date) if date else event.value,
                "speaker": event.speaker,
                "speaker_pronoun": lookup.pronoun_of(event.sentence, event.speaker),
                "text": lookup.event_sentence(event, EXCERPT_CHARS),
                "href": f"#s-{key}-{event.sentence}",
            }
        )
    return events


def _persuasion_view(analysis: Analysis, key: str) -> dict[str, Any] | None:
    """The techniques panel: summary, one filter per technique found, the top sentences."""
    if not has_technique_model(analysis):
        return None
    summary = analysis.persuasion()
    names: dict[int, dict[str, str]] = {}
    for t in analysis.techniques:
        names.setdefault(t.sentence, {})[t.technique] = t.name
    return {
        "spans": summary.spans,
        "sentences": summary.sentences,
        "density": f"{summary.density:g}",
        "techniques": [
            {
                "key": k,
                "css": css_token(k),
                "name": BY_KEY[k].name,
                "explanation": BY_KEY[k].explanation,
                "count": n,
            }
            for k, n in summary.counts.items()
        ],
        "top": [
            {
                "text": excerpt(analysis.span_text(s.start, s.end), EXCERPT_CHARS),
                "names": ", ".join(names[s.id].values()),
                "href": f"#s-{key}-{s.id}",
            }
            for s in (analysis.sentences[i] for i in summary.top_sentences)
        ],
    }


# -- rendering -----------------------------------------------------------------------------------


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja environment of the report templates (autoescaping on), built once."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@functools.cache
def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def render_html(
    analyses: Sequence[Analysis], *, title: str | None = None, fragment: bool = False
) -> str:
    """A self-contained HTML report of ``analyses``: article, claims, entities, numbers, timeline.

    ``fragment=True`` returns a single ``<div class="claimscope">`` (scoped CSS, no ``<html>``)
    for embedding, e.g. in a notebook.
    """
    seen: set[str] = set()
    docs = [_doc_view(a, _doc_key(a, seen)) for a in analyses]
    if title is None:
        title = docs[0].title if len(docs) == 1 else "claimscope report"
    script = _asset("report.js")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            title=title,
            docs=docs,
            fragment=fragment,
            css=Markup(_asset("report.css")),
            script=Markup(script),
            script_hash=script_hash,
            heat_levels=HEAT_LEVELS,
        )
    )
