"""Evaluation of the attribution rules on PolNeAR: source, cue and content spans.

PolNeAR (Newell, Margolin and Ruths, LREC 2018) annotates news articles in brat standoff: a
split folder holds ``text/NAME.txt`` and ``attributions/NAME_<annotator>.ann``. Each attribution
(an ``E`` line) ties a Source, a Cue and one or more Content spans (``T`` lines, character
offsets into the text, discontinuous spans written ``START END;START END``). An article that
several annotators marked has several ``.ann`` files; the first by name is read, so the choice
is the same on every run. ``Attribution-no-source`` attributions have a cue and content but no
source; ``Discuss`` and ``Discard`` spans are not attributions and are skipped.

The measures, each as precision, recall and F1 of one span role (source, cue, content):

- **exact**: a predicted span equals a gold span of the same role, each trimmed of whitespace
  and punctuation at its edges (a discontinuous gold span needs the same fragments);
- **overlap**: a predicted span shares a character with a gold span of the same role
  (precision counts predicted spans that overlap some gold span, recall gold spans that some
  predicted span overlaps);

and **content linked**: the share of gold attributions with a source for which some predicted
attribution's content overlaps the gold content and its source overlaps the gold source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimscope.errors import InputError
from claimscope.model import Analysis, Attribution, Document
from claimscope.registry import Stage
from claimscope.settings import Settings
from claimscope.spans import trim

ROLES = ("source", "cue", "content")
# The stages that attribution needs, in order (nothing after it changes attributions).
STAGES = (
    "claimscope.structure.v1",
    "claimscope.anchor.v1",
    "claimscope.entities.v1",
    "claimscope.attribution.v1",
)
# As the pipeline runs them: the scores stage first gives the tagger the claim encoder's token
# states (``claimscope eval attribution`` builds these; the stage lives above extract/).
WITH_SCORES = (*STAGES[:-1], "claimscope.scores.v1", STAGES[-1])
_CHUNK = 32
_EDGE = " \t\r\n\u00a0.,;:!?\"'“”‘’«»—–-()[]"
_T_LINE = re.compile(r"^(T\d+)\t(\S+) ([\d ;]+)\t")

Fragments = tuple[tuple[int, int], ...]


@dataclass(slots=True)
class GoldAttribution:
    """One annotated attribution: its spans by role (no source for ``Attribution-no-source``)."""

    source: list[Fragments] = field(default_factory=list)
    cue: list[Fragments] = field(default_factory=list)
    content: list[Fragments] = field(default_factory=list)


@dataclass(slots=True)
class Article:
    """A PolNeAR article: its text, the annotation file read and the attributions in it."""

    id: str
    text: str
    annotation: str
    attributions: list[GoldAttribution] = field(default_factory=list)


def read_polnear(path: str | Path) -> list[Article]:
    """The articles of a PolNeAR split folder (``text/`` and ``attributions/``), by name."""
    root = Path(path)
    texts, anns = root / "text", root / "attributions"
    if not texts.is_dir() or not anns.is_dir():
        raise InputError("not a PolNeAR split: needs text/ and attributions/", source=str(root))
    by_article: dict[str, list[Path]] = {}
    for ann in sorted(anns.glob("*.ann")):
        by_article.setdefault(_article_of(ann.stem), []).append(ann)
    articles = []
    for txt in sorted(texts.glob("*.txt")):
        files = by_article.get(txt.stem)
        if not files:
            continue
        with txt.open(encoding="utf-8", newline="") as f:  # offsets count "\r" too
            text = f.read()
        ann = files[0]
        articles.append(
            Article(id=txt.stem, text=text, annotation=ann.name, attributions=_read_ann(ann, text))
        )
    if not articles:
        raise InputError("no article has both text/NAME.txt and an .ann file", source=str(root))
    return articles


def _article_of(stem: str) -> str:
    """``NAME_<annotator>`` -> ``NAME`` (a 4-hex-digit annotator code; else the stem itself)."""
    head, _, code = stem.rpartition("_")
    return head if head and re.fullmatch(r"[0-9a-f]{4}", code) else stem


def _read_ann(path: Path, text: str) -> list[GoldAttribution]:
    spans: dict[str, Fragments] = {}
    events: list[list[tuple[str, str]]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        # A span's text may hold line breaks: the lines after the first are not records.
        if m := _T_LINE.match(line):
            try:
                frags = tuple(
                    (int(a), int(b)) for a, b in (piece.split() for piece in m.group(3).split(";"))
                )
            except ValueError:
                raise InputError(f"{path.name}:{number}: bad offsets {m.group(3)!r}") from None
            if any(not 0 <= s <= e <= len(text) for s, e in frags):
                raise InputError(f"{path.name}:{number}: span outside the article text")
            spans[m.group(1)] = frags
        elif re.match(r"E\d+\t", line):
            _, _, event = line.partition("\t")
            events.append(
                [(role, ref) for role, _, ref in (a.partition(":") for a in event.split())]
            )
    out = []
    for args in events:
        trigger = args[0][0] if args else ""
        if not trigger.startswith("Attribution"):
            continue
        gold = GoldAttribution()
        for role, ref in args[1:]:
            key = role.rstrip("0123456789").lower()
            if key in ROLES and ref in spans:
                getattr(gold, key).append(spans[ref])
        out.append(gold)
    return out


def predict_attributions(
    articles: Sequence[Article],
    *,
    settings: Settings | None = None,
    stages: Sequence[Stage] | None = None,
) -> list[list[Attribution]]:
    """claimscope's attributions of each article (the stages up to attribution)."""
    batches = analyze_articles(articles, settings or Settings(), stages)
    return [a.attributions for batch in batches for a in batch]


def analyze_articles(
    articles: Sequence[Article], settings: Settings, stages: Sequence[Stage] | None = None
) -> Iterator[list[Analysis]]:
    """The articles through ``stages`` (default: ``STAGES``), a chunk at a time."""
    if stages is None:
        # Importing the stage modules registers them (extract/ may import text/, not the
        # pipeline).
        import claimscope.extract.stages
        import claimscope.text.stage  # noqa: F401
        from claimscope.registry import STAGES as REGISTERED

        stages = [REGISTERED[name] for name in STAGES]
    names = [s.name for s in stages]
    for i in range(0, len(articles), _CHUNK):
        batch = [
            Analysis(document=Document(text=a.text, source=a.id), pipeline=list(names))
            for a in articles[i : i + _CHUNK]
        ]
        for stage in stages:
            stage(batch, settings)
        for a in batch:
            a.token_states.clear()
        yield batch


def _span(start: int | None, end: int | None) -> tuple[int, int] | None:
    return (start, end) if start is not None and end is not None else None


def attribution_spans(att: Attribution) -> dict[str, tuple[int, int] | None]:
    """An attribution as source, cue and content spans (None where it has none)."""
    return {
        "source": (att.speaker_start, att.speaker_end),
        "cue": _span(att.cue_start, att.cue_end),
        "content": _span(att.content_start, att.content_end),
    }


def _fragments(spans: Iterable[dict[str, tuple[int, int] | None]], role: str) -> list[Fragments]:
    return [(span,) for s in spans if (span := s[role]) is not None]


def _key(text: str, frags: Fragments) -> Fragments:
    return tuple(t for t in (trim(text, s, e, _EDGE) for s, e in frags) if t[1] > t[0])


def _overlaps(a: Fragments, b: Fragments) -> bool:
    return any(max(s1, s2) < min(e1, e2) for s1, e1 in a for s2, e2 in b)


def span_counts(text: str, gold: Iterable[Fragments], pred: Iterable[Fragments]) -> dict[str, int]:
    """Counts behind exact and overlap precision and recall for one role of one article."""
    g = {k for k in (_key(text, f) for f in gold) if k}
    p = {k for k in (_key(text, f) for f in pred) if k}
    return {
        "gold": len(g),
        "predicted": len(p),
        "exact": len(g & p),
        "overlap_predicted": sum(1 for x in p if any(_overlaps(x, y) for y in g)),
        "overlap_gold": sum(1 for y in g if any(_overlaps(x, y) for x in p)),
    }


def prf(tp_p: int, n_p: int, tp_g: int, n_g: int) -> dict[str, float]:
    """Precision (``tp_p`` of ``n_p`` predicted), recall (``tp_g`` of ``n_g`` gold) and F1."""
    precision = tp_p / n_p if n_p else 0.0
    recall = tp_g / n_g if n_g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def linked_count(gold: Sequence[GoldAttribution], pred: Sequence[Attribution]) -> tuple[int, int]:
    """Gold attributions with a source whose content a predicted attribution links to a source
    overlapping the gold one; and how many gold attributions have a source."""
    pairs = [
        ((source,), (content,))
        for s in (attribution_spans(p) for p in pred)
        if (source := s["source"]) is not None and (content := s["content"]) is not None
    ]
    with_source = [g for g in gold if g.source and g.content]
    linked = 0
    for g in with_source:
        g_source = tuple(x for f in g.source for x in f)
        g_content = tuple(x for f in g.content for x in f)
        if any(_overlaps(ps, g_source) and _overlaps(pc, g_content) for ps, pc in pairs):
            linked += 1
    return linked, len(with_source)


def measure(
    articles: Sequence[Article], predicted: Sequence[Sequence[Attribution]]
) -> dict[str, Any]:
    """The report for ``predicted`` attributions against the articles' gold ones."""
    totals = {role: dict.fromkeys(("gold", "predicted", "exact", "op", "og"), 0) for role in ROLES}
    linked = with_source = 0
    for article, preds in zip(articles, predicted, strict=True):
        spans = [attribution_spans(p) for p in preds]
        for role in ROLES:
            gold = [f for g in article.attributions for f in getattr(g, role)]
            c = span_counts(article.text, gold, _fragments(spans, role))
            t = totals[role]
            t["gold"] += c["gold"]
            t["predicted"] += c["predicted"]
            t["exact"] += c["exact"]
            t["op"] += c["overlap_predicted"]
            t["og"] += c["overlap_gold"]
        n_linked, n_source = linked_count(article.attributions, preds)
        linked += n_linked
        with_source += n_source
    report: dict[str, Any] = {
        "articles": len(articles),
        "gold_attributions": sum(len(a.attributions) for a in articles),
        "predicted_attributions": sum(len(p) for p in predicted),
    }
    for role, t in totals.items():
        report[role] = {
            "gold": t["gold"],
            "predicted": t["predicted"],
            "exact": prf(t["exact"], t["predicted"], t["exact"], t["gold"]),
            "overlap": prf(t["op"], t["predicted"], t["og"], t["gold"]),
        }
    report["content_linked"] = {
        "linked": linked,
        "gold_with_source": with_source,
        "share": linked / with_source if with_source else 0.0,
    }
    return report


def evaluate_attribution(
    data: str | Path,
    *,
    settings: Settings | None = None,
    stages: Sequence[Stage] | None = None,
) -> dict[str, Any]:
    """Read a PolNeAR split, find its attributions as ``settings.attribution`` says (the
    tagger merged with the rules, or the rules alone) through ``stages`` (default
    ``STAGES``) and measure them."""
    settings = settings or Settings()
    articles = read_polnear(data)
    predicted = predict_attributions(articles, settings=settings, stages=stages)
    report = {"data": str(data), "method": settings.attribution, **measure(articles, predicted)}
    report["predictions"] = [
        _prediction(article, p)
        for article, preds in zip(articles, predicted, strict=True)
        for p in preds
    ]
    return report


def _prediction(article: Article, att: Attribution) -> dict[str, Any]:
    row: dict[str, Any] = {"article": article.id, "kind": att.kind, "speaker": att.speaker}
    resolved = getattr(att, "resolved", None)
    if resolved:
        row["resolved"] = resolved
    for role, span in attribution_spans(att).items():
        row[role] = list(span) if span else None
        row[f"{role}_text"] = article.text[span[0] : span[1]] if span else None
    return row


def write_predictions(report: dict[str, Any], path: str | Path) -> None:
    """The predicted attributions, one JSON line each (article, spans and their text)."""
    with Path(path).open("w", encoding="utf-8") as out:
        for row in report["predictions"]:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
