"""The structure stage: segments, sentences and inline quotations for each document."""

from __future__ import annotations

from claimscope.errors import InputError
from claimscope.model import Analysis, Quote, Sentence
from claimscope.registry import register
from claimscope.settings import Settings
from claimscope.spans import SpanIndex
from claimscope.text.language import detect_language
from claimscope.text.quotes import find_quotes
from claimscope.text.segments import segment_text
from claimscope.text.sentences import split_sentences


def structure(analysis: Analysis, settings: Settings) -> None:
    """Fill segments, sentences and quotes of one analysis."""
    text = analysis.text
    analysis.segments = segment_text(text, post_max_chars=settings.post_max_chars)
    sentences: list[Sentence] = []
    for seg in analysis.segments:
        start, end = (seg.post.body_start, seg.post.body_end) if seg.post else (seg.start, seg.end)
        for s, e in split_sentences(text, start, end):
            sentences.append(Sentence(id=len(sentences), segment=seg.id, start=s, end=e))
    if len(sentences) > settings.max_sentences:
        # Refused before any model reads it: one line, and a batch goes on without it.
        raise InputError(
            f"{len(sentences):,} sentences, over the limit of {settings.max_sentences:,} "
            "(max_sentences); split the document"
        )
    analysis.sentences = sentences
    index = SpanIndex([(s.start, s.end) for s in sentences])
    quotes: list[Quote] = []
    for seg in analysis.segments:
        for s, e in find_quotes(text, seg.start, seg.end):
            sent = index.locate(s, e, "expand")
            if sent is not None:
                quotes.append(Quote(id=len(quotes), sentence=sent, start=s, end=e))
    analysis.quotes = quotes


@register(
    "claimscope.structure.v1",
    requires=("document",),
    assigns=("segments", "sentences", "quotes"),
)
def structure_stage(batch: list[Analysis], settings: Settings) -> None:
    """Paragraphs, headings, block quotes and embedded posts; sentences; inline quotations."""
    for analysis in batch:
        structure(analysis, settings)


@register("claimscope.language.v1", requires=("document",), assigns=("language",))
def language_stage(batch: list[Analysis], settings: Settings) -> None:
    """The document's language: the one its source declares, else the one its text reads as."""
    for analysis in batch:
        analysis.language = analysis.document.lang or detect_language(analysis.text)
