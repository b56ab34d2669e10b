"""Measuring the tagger on PolNeAR and choosing how to decode it and merge it with the rules.

The measures are those of ``claimscope eval attribution`` (extract/attribution_eval.py) over
attributions built from the rules' spans (kept in each article's layout) and the tagger's.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from claimscope.extract.attribution_decode import MERGES, Decoding, Tagged, link, merge
from claimscope.extract.attribution_eval import measure
from claimscope.extract.attribution_features import Span, Window
from claimscope.extract.attribution_tagger import softmax_roles
from claimscope.model import Attribution
from claimscope.training.attribution_data import Prepared

# The probability-of-outside cut-offs tried for source and cue (together) and for content.
OUTSIDE_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)

Probs = list[list[tuple[Window, np.ndarray]]]


def probabilities(
    n_articles: int, windows: Sequence[tuple[int, Window]], logits: Sequence[np.ndarray]
) -> Probs:
    """Per article, its windows with their ``(words, 3, 3)`` probabilities."""
    out: Probs = [[] for _ in range(n_articles)]
    for (article, window), z in zip(windows, logits, strict=True):
        out[article].append((window, softmax_roles(z)))
    return out


def _attribution(i: int, kind: str, source: Span, cue: Span | None, content: Span | None) -> Any:
    return Attribution(
        id=i,
        sentence=0,
        kind=kind,  # type: ignore[arg-type]
        speaker="",
        speaker_start=source[0],
        speaker_end=source[1],
        cue_start=cue[0] if cue else None,
        cue_end=cue[1] if cue else None,
        content_start=content[0] if content else None,
        content_end=content[1] if content else None,
    )


def attributions(art: Prepared, tagged: Sequence[Tagged], how: str) -> list[Any]:
    """The article's attributions: the rules' and the tagger's, merged ``how``."""

    def span(a: int, b: int) -> Span | None:
        return (a, b) if a >= 0 else None

    rules = [((r[0], r[1]), span(r[2], r[3]), span(r[4], r[5])) for r in art.layout.rules]
    keep_rules, keep_tagged = merge([(s, c) for s, c, _ in rules], tagged, how)
    out = [_attribution(0, "reporting_verb", *rules[i]) for i in keep_rules]
    out += [
        _attribution(0, "reporting_verb", t.source, t.cue, t.content)
        for t in (tagged[i] for i in keep_tagged)
    ]
    return out


def report(articles: Sequence[Prepared], probs: Probs, decoding: Decoding) -> dict[str, Any]:
    """``claimscope eval attribution``'s measures of the merged attributions."""
    predicted = []
    for art, windows in zip(articles, probs, strict=True):
        tagged = [t for window, p in windows for t in link(window, p, decoding, art.layout.text)]
        predicted.append(attributions(art, tagged, decoding.merge))
    return measure([a.article for a in articles], predicted)


def summary(rep: dict[str, Any]) -> dict[str, float]:
    """The three target measures and their mean (the score that chooses)."""
    out = {
        "source_exact_f1": rep["source"]["exact"]["f1"],
        "source_overlap_f1": rep["source"]["overlap"]["f1"],
        "content_linked": rep["content_linked"]["share"],
    }
    out["score"] = sum(out.values()) / 3
    return {k: round(v, 4) for k, v in out.items()}


def default_grid() -> list[Decoding]:
    """Source and cue cut-offs together, the content's, and every merge."""
    return [
        Decoding(outside=(sc, sc, content), merge=how)
        for sc, content, how in itertools.product(OUTSIDE_GRID, OUTSIDE_GRID, MERGES)
        # the rules alone do not depend on the cut-offs
        if how != "rules" or (sc, content) == (0.5, 0.5)
    ]


def fine_grid() -> list[Decoding]:
    """Around the cut-offs earlier taggers chose: source and cue apart (a stricter cue drops
    pieces of sentences that report nothing), the least score, the tagger alone or first."""
    sources, cues, contents = (0.4, 0.5, 0.6), (0.3, 0.4, 0.5, 0.6), (0.5, 0.6, 0.7)
    merges, least = ("tagger", "tagger_then_rules"), (0.0, 0.55, 0.6)
    return [
        Decoding(outside=(source, cue, content), merge=how, min_score=m)
        for source, cue, content, how, m in itertools.product(
            sources, cues, contents, merges, least
        )
    ]


def choose(
    articles: Sequence[Prepared],
    probs: Probs,
    grid: Sequence[Decoding] | None = None,
    floor: dict[str, float] | None = None,
) -> tuple[Decoding, list[dict[str, Any]]]:
    """The decoding of ``grid`` (default: ``default_grid()``) that does best on ``articles``,
    and every decoding tried with its summary. Best is the highest score; with a ``floor``
    (a summary), the highest source overlap F1 among the decodings whose exact F1 and content
    linked are no lower than the floor's (the one measure to raise, the others kept), the
    first of the grid when none is."""
    tried: list[dict[str, Any]] = []
    for decoding in default_grid() if grid is None else grid:
        s = summary(report(articles, probs, decoding))
        tried.append(
            {"outside": list(decoding.outside), "merge": decoding.merge,
             "min_score": decoding.min_score, **s}
        )  # fmt: skip
    decodings = list(default_grid() if grid is None else grid)

    def rank(k: int) -> tuple[bool, float]:
        t = tried[k]
        if floor is None:
            return True, t["score"]
        kept = all(t[m] >= floor[m] for m in ("source_exact_f1", "content_linked"))
        return kept, t["source_overlap_f1"]

    best = max(range(len(tried)), key=rank)
    if floor is not None and not rank(best)[0]:
        best = 0
    return decodings[best], tried
