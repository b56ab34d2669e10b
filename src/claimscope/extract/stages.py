"""The extraction stages: anchor date, entities, dates, quantities and attributions."""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt

from claimscope.extract.attribution import (
    Found,
    SentenceCache,
    find_attributions,
    found_from_spans,
)
from claimscope.extract.attribution_decode import Tagged, merge
from claimscope.extract.attribution_features import Layout, RuleSpans
from claimscope.extract.attribution_tagger import AttributionTagger, shared_tagger
from claimscope.extract.dates import find_dates, infer_anchor
from claimscope.extract.entities import find_entities, normalize_name
from claimscope.extract.quantities import find_quantities
from claimscope.model import Analysis, Attribution, Entity
from claimscope.registry import register
from claimscope.settings import Settings
from claimscope.spans import SpanIndex, SpanSet
from claimscope.text.links import find_handles, find_links


@register("claimscope.anchor.v1", requires=("segments",), assigns=("anchor_date",))
def anchor_stage(batch: list[Analysis], settings: Settings) -> None:
    """The date that year-less dates resolve against: settings, published, posts, then text."""
    for a in batch:
        anchor, source = None, None
        if settings.anchor_date:
            anchor, source = settings.anchor_date, "settings"
        elif a.document.published:
            anchor, source = a.document.published[:10], "published"
        else:
            post_dates = [p.date for p in a.posts if p.date]
            if post_dates:
                anchor, source = max(post_dates), "latest post date"
            else:
                inferred = infer_anchor([a.text])
                if inferred:
                    anchor, source = inferred.isoformat(), "latest date in text"
        a.anchor_date, a.anchor_source = anchor, source


def _without_links(text: str) -> str:
    """The text with every link blanked out, same length: offsets stay valid.

    Scrapers glue links to the word before ("since 2021https://t.co/x"); the date and number
    rules must see the word end there.
    """
    chars = list(text)
    for link in find_links(text):
        chars[link.start : link.end] = " " * (link.end - link.start)
    return "".join(chars)


def _anchor(a: Analysis) -> dt.date | None:
    try:
        return dt.date.fromisoformat(a.anchor_date) if a.anchor_date else None
    except ValueError:
        return None


# The longest text spaCy reads at once. A longer segment (a paragraph of many sentences, a
# scraped line with no breaks) goes in runs of whole sentences: spaCy's memory grows with the
# length of one text, and it refuses texts over a million characters.
MAX_PIECE_CHARS = 5000


def _pieces(a: Analysis, starts: list[int], start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` as runs of whole sentences of at most ``MAX_PIECE_CHARS`` (a sentence
    is itself bounded, see text/sentences.py); the whole span when it is short enough."""
    if end - start <= MAX_PIECE_CHARS:
        return [(start, end)] if end > start else []
    runs: list[tuple[int, int]] = []
    run_start = run_end = start
    for i in range(bisect.bisect_left(starts, start), len(starts)):
        sent = a.sentences[i]
        if sent.start >= end:
            break
        if sent.end - run_start > MAX_PIECE_CHARS and run_end > run_start:
            runs.append((run_start, run_end))
            run_start = sent.start
        run_end = min(sent.end, end)
    if run_end > run_start:
        runs.append((run_start, run_end))
    return runs


@register("claimscope.entities.v1", requires=("sentences",), assigns=("entities",))
def entities_stage(batch: list[Analysis], settings: Settings) -> None:
    """Named entities (spaCy NER on each segment, laws by rule) and @handles."""
    pieces, owners = [], []
    for a in batch:
        starts = [sent.start for sent in a.sentences]
        for seg in a.segments:
            s, e = (seg.post.body_start, seg.post.body_end) if seg.post else (seg.start, seg.end)
            for piece in _pieces(a, starts, s, e):
                pieces.append((a.text, *piece))
                owners.append(a)
    found = find_entities(pieces, model=settings.spacy_model, batch_size=settings.batch_size)
    per_doc: dict[int, list[tuple[int, int, str]]] = {}
    for a, ents in zip(owners, found, strict=True):
        per_doc.setdefault(id(a), []).extend(ents)
    for a in batch:
        index = SpanIndex([(s.start, s.end) for s in a.sentences])
        links = SpanSet([(link.start, link.end) for link in find_links(a.text)])
        spans = [
            (s, e, label) for s, e, label in per_doc.get(id(a), []) if not links.overlaps(s, e)
        ]
        for sent in a.sentences:
            spans += [(s, e, "HANDLE") for s, e in find_handles(a.text, sent.start, sent.end)]
        entities = []
        for s, e, label in sorted(spans):
            sid = index.locate(s, e, "strict")
            if sid is None:
                continue
            norm = a.text[s:e] if label == "HANDLE" else normalize_name(a.text[s:e])
            if norm:
                entities.append(Entity(id=0, sentence=sid, start=s, end=e, label=label, norm=norm))
        for i, ent in enumerate(entities):
            ent.id = i
        a.entities = entities


@register("claimscope.dates.v1", requires=("sentences", "anchor_date"), assigns=("dates",))
def dates_stage(batch: list[Analysis], settings: Settings) -> None:
    """Dates and ranges, normalized to ISO and resolved against the anchor date."""
    for a in batch:
        anchor = _anchor(a)
        text = _without_links(a.text)
        dates = []
        for sent in a.sentences:
            dates += find_dates(
                text[sent.start : sent.end], anchor=anchor, offset=sent.start, sentence=sent.id
            )
        for i, d in enumerate(dates):
            d.id = i
        a.dates = dates


@register(
    "claimscope.quantities.v1",
    requires=("sentences", "dates", "entities"),
    assigns=("quantities",),
)
def quantities_stage(batch: list[Analysis], settings: Settings) -> None:
    """Quantities with value, unit and qualifier (dates, links, handles and laws excluded)."""
    for a in batch:
        excluded = [(d.start, d.end) for d in a.dates]
        excluded += [(link.start, link.end) for link in find_links(a.text)]
        excluded += [(e.start, e.end) for e in a.entities if e.label in ("HANDLE", "LAW")]
        exclude = SpanSet(excluded)
        text = _without_links(a.text)
        quantities = []
        for sent in a.sentences:
            quantities += find_quantities(
                text[sent.start : sent.end],
                offset=sent.start,
                sentence=sent.id,
                exclude=exclude.overlapping(sent.start, sent.end),
            )
        for i, q in enumerate(quantities):
            q.id = i
        a.quantities = quantities


@register(
    "claimscope.attribution.v1",
    requires=("sentences", "entities"),
    assigns=("attributions", "speakers"),
)
def attribution_stage(batch: list[Analysis], settings: Settings) -> None:
    """Who says what: the post's author, or sources found by the rules and the learned tagger
    (merged as the tagger's card says), pronouns resolved."""
    tagger = shared_tagger(threads=settings.threads) if settings.attribution == "model" else None
    entities, found, caches = [], [], []
    for a in batch:
        by_sentence: dict[int, list[tuple[int, int, str]]] = {}
        for ent in a.entities:
            by_sentence.setdefault(ent.sentence, []).append((ent.start, ent.end, ent.label))
        entities.append(by_sentence)
        cache: SentenceCache = {}
        caches.append(cache)
        found.append(
            {
                sent.id: find_attributions(
                    a.text, sent.start, sent.end, by_sentence.get(sent.id, []), cache
                )
                for sent in a.sentences
                if a.segments[sent.segment].post is None
            }
        )
    if tagger is not None:
        # One run of the tagger over the batch's documents: its context graph batches windows.
        todo = [i for i, f in enumerate(found) if f]
        layouts = [_layout(batch[i], found[i], tagger) for i in todo]
        for i, tagged in zip(todo, tagger.tag_many(layouts), strict=True):
            how = tagger.decoding_.merge
            found[i] = _with_tagger(batch[i], found[i], tagged, how, caches[i])
    for a, f, by_sentence in zip(batch, found, entities, strict=True):
        _assign(a, f, by_sentence)


def _rules_of(found: dict[int, list[Found]]) -> list[Found]:
    return [f for sid in sorted(found) for f in found[sid]]


def _layout(a: Analysis, found: dict[int, list[Found]], tagger: AttributionTagger) -> Layout:
    """What the tagger reads of a document: its sentences outside posts, entities, the rules'
    attributions, and the claim encoder's token states when the tagger reads them."""
    sentences = [(s.start, s.end, s.segment) for s in a.sentences if s.id in found]
    entities = [(e.start, e.end, e.label) for e in a.entities]
    layout = Layout(a.text, sentences, entities, [_rule_spans(f) for f in _rules_of(found)])
    if tagger.reads_states() and a.token_states:
        layout.states = [a.token_states.get(sid) for sid in sorted(found)]
    return layout


def _with_tagger(
    a: Analysis,
    found: dict[int, list[Found]],
    tagged: list[Tagged],
    how: str,
    cache: SentenceCache,
) -> dict[int, list[Found]]:
    """The rules' attributions merged with the tagger's (as ``how`` says), each in the
    sentence of its cue (``cache``: the sentences the rules read)."""
    rules = _rules_of(found)
    entities = [(e.start, e.end, e.label) for e in a.entities]
    spans = [((f.speaker_start, f.speaker_end), (f.cue_start, f.cue_end)) for f in rules]
    keep_rules, keep_tagged = merge(spans, tagged, how)
    kept = {id(rules[i]) for i in keep_rules}
    out = {sid: [f for f in fs if id(f) in kept] for sid, fs in found.items()}
    index = SpanIndex([(s.start, s.end) for s in a.sentences])
    for t in (tagged[i] for i in keep_tagged):
        sid = index.locate(t.cue[0], t.cue[1], "expand")
        if sid is None or sid not in out:
            continue
        sent = a.sentences[sid]
        span = (sent.start, sent.end)
        f = found_from_spans(a.text, span, entities, t.source, t.cue, t.content, cache)
        if f is not None:
            out[sid].append(f)
    for fs in out.values():
        fs.sort(key=lambda f: f.cue_start)
    return out


def _rule_spans(f: Found) -> RuleSpans:
    content = (-1, -1) if f.content_start is None or f.content_end is None else (
        f.content_start, f.content_end)  # fmt: skip
    return (f.speaker_start, f.speaker_end, f.cue_start, f.cue_end, *content)


def _assign(
    a: Analysis, found: dict[int, list[Found]], by_sentence: dict[int, list[tuple[int, int, str]]]
) -> None:
    """The attributions in sentence order (a post's sentences to its author), pronouns
    resolved against the named speakers before them; each sentence's main speaker."""
    attributions: list[Attribution] = []
    # The named people and organisations that spoke so far, for "he said", "it said".
    named = _Speakers()
    for sent in a.sentences:
        first = len(attributions)
        post = a.segments[sent.segment].post
        if post is not None:
            if post.handle and post.handle_start is not None and post.handle_end is not None:
                attributions.append(
                    Attribution(
                        id=len(attributions),
                        sentence=sent.id,
                        kind="post",
                        speaker=post.handle,
                        speaker_start=post.handle_start,
                        speaker_end=post.handle_end,
                        content_start=sent.start,
                        content_end=sent.end,
                    )
                )
        else:
            ents = by_sentence.get(sent.id, [])
            for f in found.get(sent.id, []):
                attributions.append(
                    _attribution(a.text, f, sent.id, len(attributions), ents, named)
                )
        own = attributions[first:]
        if own:
            # The sentence's speaker says most of it.
            main = max(own, key=lambda x: (x.content_end or 0) - (x.content_start or 0))
            sent.attribution = main.id
            sent.speaker = main.resolved or main.speaker
    a.attributions = attributions


def _attribution(
    text: str,
    found: Found,
    sentence: int,
    number: int,
    ents: list[tuple[int, int, str]],
    named: _Speakers,
) -> Attribution:
    resolved = found.resolved
    if resolved is None and found.speaker in PRONOUN_LABELS:
        resolved = named.resolve(found.speaker)
    label = _named_label(text, found.speaker, found, ents)
    if label:
        title = text[found.speaker_start : found.speaker_end].split()[0]
        named.add(found.speaker, label, _TITLES.get(title.lower()))
    # Every field of a Found (a flat record of scalars: no deep copy needed, which
    # dataclasses.asdict would make) is one of Attribution's, which adds its id and sentence.
    fields = {name: getattr(found, name) for name in _FOUND_FIELDS}
    return Attribution(id=number, sentence=sentence, **(fields | {"resolved": resolved}))


_FOUND_FIELDS = tuple(f.name for f in dataclasses.fields(Found))


# Which named speaker a pronoun source stands for.
PRONOUN_LABELS = {"he": "PERSON", "she": "PERSON", "it": "ORG", "they": "ORG", "we": "ORG"}
_TITLES = {"mr.": "he", "mrs.": "she", "ms.": "she", "miss": "she"}


class _Speakers:
    """The named sources of a document so far, latest last, each with the pronoun learned for
    it (a title, or an earlier "he"/"she" that resolved to it), so that "she" skips a man."""

    def __init__(self) -> None:
        self.names: list[tuple[str, str]] = []
        self.pronoun: dict[str, str] = {}

    def add(self, name: str, label: str, pronoun: str | None) -> None:
        self.names.append((name, label))
        if pronoun:
            self.pronoun.setdefault(name, pronoun)

    def resolve(self, pronoun: str) -> str | None:
        """The nearest earlier named source that ``pronoun`` can stand for."""
        label = PRONOUN_LABELS[pronoun]
        for name, named_label in reversed(self.names):
            if named_label != label:
                continue
            if label == "PERSON" and self.pronoun.get(name, pronoun) != pronoun:
                continue
            if label == "PERSON":
                self.pronoun.setdefault(name, pronoun)
            return name
        return None


def _named_label(
    text: str, speaker: str, found: Found, ents: list[tuple[int, int, str]]
) -> str | None:
    """PERSON or ORG when the speaker is the name of an entity inside its source span."""
    for s, e, label in ents:
        if (
            label in ("PERSON", "ORG")
            and found.speaker_start <= s
            and e <= found.speaker_end
            and normalize_name(text[s:e]) == speaker
        ):
            return label
    return None
