"""PolNeAR articles read through the stages the attribution tagger stands on, cached.

The tagger's inputs are what the pipeline has when attribution runs: sentences, segments,
entities and the rules' attributions. Reading 924 articles through spaCy takes minutes on a
shared machine, so each split is read once and kept as JSON under the cache folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from claimscope.extract.attribution_eval import Article, analyze_articles, read_polnear
from claimscope.extract.attribution_features import Layout, layout_of
from claimscope.model import Analysis
from claimscope.settings import Settings

logger = logging.getLogger(__name__)

_VERSION = 1

Span = tuple[int, int]


@dataclass(slots=True)
class Prepared:
    """An article (text and gold attributions) with what the tagger reads (its layout)."""

    article: Article
    layout: Layout

    def gold(self, role: str) -> list[Span]:
        """Every gold span of ``role``, fragments apart."""
        return [f for g in self.article.attributions for frags in getattr(g, role) for f in frags]


def analyze(articles: list[Article], settings: Settings | None = None) -> list[Analysis]:
    """The articles through the stages up to attribution (rules only)."""
    out: list[Analysis] = []
    for batch in analyze_articles(articles, settings or Settings(attribution="rules")):
        out += batch
        logger.info("read %d/%d articles", len(out), len(articles))
    return out


def prepare_split(split: Path, cache: Path, *, limit: int | None = None) -> list[Prepared]:
    """The articles of a PolNeAR split folder, prepared; the layouts come from the cache
    (keyed by the folder and the articles' names and lengths) when it has them."""
    articles = read_polnear(split)
    digest = hashlib.sha1(
        "".join(f"{a.id}:{len(a.text)};" for a in articles).encode(), usedforsecurity=False
    ).hexdigest()[:12]
    path = cache / f"layouts_{split.name}_{digest}_v{_VERSION}.json"
    if path.is_file():
        layouts = [_layout(row) for row in json.loads(path.read_text(encoding="utf-8"))]
    else:
        layouts = [layout_of(a) for a in analyze(articles)]
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps([asdict(x) for x in layouts]), encoding="utf-8")
        tmp.replace(path)
    return [Prepared(a, x) for a, x in zip(articles, layouts, strict=True)][:limit]


def _layout(row: dict[str, Any]) -> Layout:
    return Layout(
        text=row["text"],
        sentences=[(s[0], s[1], s[2]) for s in row["sentences"]],
        entities=[(e[0], e[1], e[2]) for e in row["entities"]],
        rules=[(r[0], r[1], r[2], r[3], r[4], r[5]) for r in row["rules"]],
    )
