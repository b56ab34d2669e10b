"""Reader for Propaganda Techniques Corpus (PTC) data: articles and their technique spans.

The PTC layout (SemEval-2020 task 11): ``article<ID>.txt`` holds a title, a blank line, then one
sentence a line; ``*.labels`` files in the task2-TC format hold ``article_id, technique, start,
end`` (character offsets into the article, end exclusive), one article per file or many in one.
Used by ``claimscope eval persuasion`` and by training; never at analysis time.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from claimscope.errors import InputError
from claimscope.persuasion.techniques import BY_PTC

_ARTICLE = re.compile(r"article(\d+)\.txt$")


@dataclass(slots=True, frozen=True)
class GoldSpan:
    """One labelled span: a technique key and its character offsets in the article."""

    technique: str
    start: int
    end: int


@dataclass(slots=True)
class Article:
    """An article's text, its gold spans, and its sentences (the non-blank lines)."""

    id: str
    text: str
    spans: list[GoldSpan] = field(default_factory=list)

    def sentences(self) -> list[tuple[int, int]]:
        """``(start, end)`` of every non-blank line: PTC puts one sentence on a line."""
        out, offset = [], 0
        for line in self.text.split("\n"):
            if line.strip():
                out.append((offset, offset + len(line)))
            offset += len(line) + 1
        return out

    def sentence_labels(self) -> list[set[str]]:
        """The techniques of each sentence: those of the spans that overlap it."""
        return [
            {g.technique for g in self.spans if g.start < end and g.end > start}
            for start, end in self.sentences()
        ]


def read_ptc(path: str | Path) -> list[Article]:
    """Every ``article<ID>.txt`` under ``path`` with the task2-TC spans found beside it.

    Articles with no label line have no spans (a negative article). A label line that is not
    four tab-separated fields, names an unknown technique, or falls outside its article is an
    InputError naming the file and line.
    """
    root = Path(path)
    if not root.is_dir():
        raise InputError("not a directory of PTC articles", source=str(root))
    articles: dict[str, Article] = {}
    for file in sorted(root.rglob("article*.txt")):
        match = _ARTICLE.search(file.name)
        if match:
            articles[match.group(1)] = Article(match.group(1), file.read_text(encoding="utf-8"))
    if not articles:
        raise InputError("no article<ID>.txt files found", source=str(root))
    label_files = [f for f in sorted(root.rglob("*.labels")) if "task1" not in f.name.lower()]
    if not label_files:
        raise InputError("no task2-TC .labels files found", source=str(root))
    for file in label_files:
        for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                _add_label(articles, line, f"{file}:{n}")
    return [articles[k] for k in sorted(articles)]


def _add_label(articles: dict[str, Article], line: str, where: str) -> None:
    fields = line.rstrip("\n").split("\t")
    if len(fields) != 4:
        raise InputError(f"{where}: expected 4 tab-separated fields (id, technique, start, end)")
    article_id, technique, start, end = fields
    if article_id not in articles:
        return  # labels for articles that are not in this directory
    if technique not in BY_PTC:
        raise InputError(f"{where}: unknown technique {technique!r}")
    try:
        begin, stop = int(start), int(end)
    except ValueError:
        raise InputError(f"{where}: offsets must be integers") from None
    article = articles[article_id]
    if not 0 <= begin < stop <= len(article.text):
        raise InputError(f"{where}: span {begin}-{stop} outside article {article_id}")
    article.spans.append(GoldSpan(BY_PTC[technique].key, begin, stop))


def split_articles(
    ids: Iterable[str], *, seed: int = 0, validation: float = 0.1, dev: float = 0.13
) -> dict[str, list[str]]:
    """A seeded split by article: ``train``, ``validation`` (model selection) and ``dev``
    (reported only). Sentences of one article never fall on two sides."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    n_dev, n_val = round(len(order) * dev), round(len(order) * validation)
    return {
        "dev": sorted(order[:n_dev]),
        "validation": sorted(order[n_dev : n_dev + n_val]),
        "train": sorted(order[n_dev + n_val :]),
    }
