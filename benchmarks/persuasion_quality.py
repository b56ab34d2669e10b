"""Persuasion techniques as a checker meets them: precision on PTC, density on ordinary news.

Measures the shipped model with its card's decoding, at the default (``techniques_shown =
"precise"``) and with every span (``"all"``):

- PTC, the card's dev articles (never used to choose anything) and its validation articles
  (which chose the precise rules): sentence F1 (any technique), micro-F1 over techniques, span
  precision/recall/F1 (partial overlap) overall and per technique shown, spans per 1,000 words;
- spans per 1,000 words on news, through the whole analysis (``analyze_many``, as a user runs
  it): PolNeAR dev (84 US articles, 2016), the mainstream outlets (nyt, wash-post, usa-today,
  politico) apart from the others, and the PTC dev articles read the same way.

    python benchmarks/persuasion_quality.py --data-dir ../shared/data
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

from claimscope import Document, Settings, analyze_many
from claimscope.evaluation.persuasion import measure, score_articles
from claimscope.evaluation.ptc import read_ptc
from claimscope.ingest import read_path
from claimscope.models.scorer import scorer_for
from claimscope.persuasion.decode import Decoding

RESULTS = Path(__file__).resolve().parent / "results" / "persuasion_quality.json"
MAINSTREAM = ("nyt", "wash-post", "usa-today", "politico")


def ptc_figures(ptc: Path) -> dict[str, Any]:
    """Both settings on the card's validation and dev articles (one encoder pass each)."""
    scorer = scorer_for(Settings())
    assert scorer is not None
    card = scorer.folder_.card
    decoding = Decoding.from_card(card)
    articles = read_ptc(ptc)
    out: dict[str, Any] = {}
    for name in ("dev", "validation"):
        keep = set(card["techniques"]["split"][name])
        chosen = [a for a in articles if a.id in keep]
        scored = score_articles(scorer, chosen)
        for shown in ("precise", "all"):
            report = measure(scorer, chosen, decoding, shown=shown, scored=scored)  # type: ignore[arg-type]
            out.setdefault(shown, {})[name] = {
                "articles": report["articles"],
                "sentences": report["sentences"],
                "words": report["words"],
                "shown": report["shown"],
                "binary": _round(report["binary"]),
                "micro": _round(report["micro"]),
                "spans": _round(report["spans"]),
                "spans_unlabelled": _round(report["spans_unlabelled"]),
                "spans_per_technique": {
                    k: _round(v)
                    for k, v in report["spans_per_technique"].items()
                    if v["predicted"] or (k in report["shown"] and shown == "precise")
                },
                "predicted_spans": report["predicted_spans"],
                "density": report["density"],
            }
    return out


def _round(row: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}


def density(documents: list[tuple[str, Document]]) -> dict[str, Any]:
    """Spans per 1,000 words over the documents, by group, at both settings (one analysis with
    every span; the default's are those marked precise)."""
    started = time.perf_counter()
    batch = analyze_many([d for _, d in documents], settings=Settings(techniques_shown="all"))
    seconds = time.perf_counter() - started
    assert not batch.failures, batch.failures
    groups: dict[str, dict[str, Any]] = {}
    for (group, _), analysis in zip(documents, batch.analyses, strict=True):
        row = groups.setdefault(group, {"articles": 0, "words": 0, "precise": 0, "all": 0})
        row["articles"] += 1
        row["words"] += analysis.persuasion().words
        row["all"] += len(analysis.techniques)
        row["precise"] += sum(t.precise for t in analysis.techniques)
        counts = row.setdefault("precise_counts", {})
        for t in analysis.techniques:
            if t.precise:
                counts[t.technique] = counts.get(t.technique, 0) + 1
    for row in groups.values():
        for shown in ("precise", "all"):
            row[f"density_{shown}"] = round(1000 * row[shown] / row["words"], 2)
    return {"groups": groups, "seconds": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    ptc = args.data_dir / "persuasion" / "ptc"
    polnear = args.data_dir / "attribution" / "polnear" / "dev" / "text"
    scorer = scorer_for(Settings())
    assert scorer is not None
    card = scorer.folder_.card
    news: list[tuple[str, Document]] = []
    for file in sorted(polnear.glob("*.txt")):
        outlet = file.name.split("_", 1)[0]
        (doc,) = read_path(file)
        assert isinstance(doc, Document)
        news.append(
            ("polnear_dev_mainstream" if outlet in MAINSTREAM else "polnear_dev_other", doc)
        )
    dev_ids = set(card["techniques"]["split"]["dev"])
    ptc_docs = [
        ("ptc_dev", Document(text=a.text, source=f"article{a.id}.txt"))
        for a in read_ptc(ptc)
        if a.id in dev_ids
    ]
    densities = density(news + ptc_docs)
    groups = densities["groups"]
    mainstream, ptc_dev = groups["polnear_dev_mainstream"], groups["ptc_dev"]
    result = {
        "benchmark": "persuasion_quality",
        "command": "python benchmarks/persuasion_quality.py --data-dir ../shared/data",
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "model": f"{card['name']} v{card['version']}",
        "precise_rules": card["techniques"]["precise"]["rules"],
        "hidden": card["techniques"]["precise"]["hidden"],
        "ptc": ptc_figures(ptc),
        "density_per_1000_words": densities,
        "news_targets": {
            "polnear_dev_mainstream_precise": mainstream["density_precise"],
            "ptc_dev_precise": ptc_dev["density_precise"],
            "at_most_10": mainstream["density_precise"] <= 10,
            "at_most_half_of_ptc_dev": mainstream["density_precise"]
            <= ptc_dev["density_precise"] / 2,
        },
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("news_targets", "precise_rules")}, indent=2))
    for shown in ("precise", "all"):
        dev = result["ptc"][shown]["dev"]
        print(
            f"{shown}: PTC dev binary F1 {dev['binary']['f1']:.3f}, micro-F1 "
            f"{dev['micro']['f1']:.3f}, span P/R/F1 {dev['spans']['precision']:.3f}/"
            f"{dev['spans']['recall']:.3f}/{dev['spans']['f1']:.3f}; per 1,000 words: "
            + ", ".join(f"{g} {row[f'density_{shown}']}" for g, row in groups.items())
        )


if __name__ == "__main__":
    main()
