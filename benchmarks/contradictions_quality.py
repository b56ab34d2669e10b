"""Contradiction precision and recall on labelled dev pairs, and what is flagged on PolNeAR dev.

Two sets of pairs, each read and labelled by hand (``holds``: is it a contradiction) with the
reason, in ``benchmarks/data/``:

- ``contradictions_polnear.jsonl``: candidate pairs the rules find among PolNeAR articles
  (2016 US election news; ../shared/data/attribution/polnear), given by article id and
  character offsets of both sides, never their text. The articles are ingested into a corpus
  store (``claimscope ingest``) and compared as ``claimscope contradictions`` compares them.
- ``contradictions_written.jsonl``: pairs of sentences written for this project (a number about
  different things, the same thing with different numbers...), each analyzed as a two-sentence
  document.

Every candidate the rules find (rules only, no model) gets the gate's two readings (same-claim
similarity, stance) and is kept or dropped as ``consistency.confirm.Confirmer.keep`` would, at
the thresholds of ``consistency.rules.Rules``. ``split`` says which pairs the thresholds were
tuned on (``tune``) and which were not (``held``). Candidates no label covers are listed as
``unlabelled``. Results go to ``benchmarks/results/contradictions_quality.json``.

    python benchmarks/contradictions_quality.py --work build/contradictions
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

import duckdb
from common import machine

from claimscope import Settings, analyze
from claimscope.consistency import DEFAULT_RULES, Finding, Side, find_in_document, statements_of
from claimscope.consistency.confirm import Confirmer, load_confirmer, refuted, similar_enough
from claimscope.consistency.rules import Rules
from claimscope.corpus.contradictions import _clusters, _load_statements, update_contradictions
from claimscope.store import Store

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "contradictions_quality.json"
POLNEAR_LABELS = HERE / "data" / "contradictions_polnear.jsonl"
WRITTEN = HERE / "data" / "contradictions_written.jsonl"
POLNEAR = Path(__file__).resolve().parents[2] / "shared" / "data" / "attribution" / "polnear"


def split_of(article: str) -> str:
    """A PolNeAR train pair is tuned on when its first article's id hashes even, held out
    otherwise (fixed before any threshold was chosen)."""
    return "tune" if zlib.crc32(article.encode()) % 2 == 0 else "held"


def write_records(split: str, articles: list[str], out: Path) -> None:
    """The PolNeAR articles as JSON lines for ``claimscope ingest`` (outlet and date from the
    file name, the article id as the url, to find it again)."""
    with out.open("w", encoding="utf-8") as f:
        for stem in articles:
            outlet, date, _ = stem.split("_", 2)
            text = (POLNEAR / split / "text" / f"{stem}.txt").read_text(encoding="utf-8")
            record = {"outlet": outlet, "published": date, "url": f"polnear:{split}/{stem}"}
            f.write(json.dumps(record | {"title": text.split("\n", 1)[0], "text": text}) + "\n")


def ingest(split: str, articles: list[str], work: Path) -> Path:
    """A corpus store of the articles (built once, kept in ``work``)."""
    db = work / f"polnear-{split}.duckdb"
    if not db.exists():
        records = work / f"polnear-{split}.jsonl"
        write_records(split, articles, records)
        subprocess.run(
            [sys.executable, "-m", "claimscope", "ingest", str(records), "--db", str(db), "-q"],
            check=True,
        )
    return db


def stored_articles(db: Path) -> int:
    """How many articles a store holds (a store built earlier may hold fewer than asked)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM documents").fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def store_candidates(db: Path, work: Path) -> list[dict[str, Any]]:
    """The rules' contradictions (within and across articles) of a store, recomputed on a copy,
    with the gate's readings of each."""
    copy = work / f"{db.stem}-rules.duckdb"
    shutil.copy(db, copy)
    con = duckdb.connect(str(copy))
    for table in ("contradictions", "contradiction_keys", "contradiction_checked"):
        con.execute(f"DELETE FROM {table}")
    # Every document's own contradictions recomputed too, as for a store of an older version.
    con.execute(
        "UPDATE documents SET pipeline = "
        "list_filter(pipeline, lambda x: x <> 'claimscope.contradictions.v1')"
    )
    con.close()
    store = Store.open(copy)
    update_contradictions(store, confirmer=Confirmer())
    con = store.connection
    rows = con.execute(
        """
        SELECT c.kind, c.explanation, c.scope, c.doc_a, c.sentence_a, c.a_start, c.a_end,
               da.url, c.doc_b, c.sentence_b, c.b_start, c.b_end, db.url
        FROM contradictions c JOIN documents da ON da.id = c.doc_a
        JOIN documents db ON db.id = c.doc_b
        """
    ).fetchall()
    findings = [
        Finding(kind, Side(da, sa, a0, a1), Side(db_, sb, b0, b1), why, 0.0)
        for kind, why, _, da, sa, a0, a1, _, db_, sb, b0, b1, _ in rows
    ]
    keys = sorted({(s.doc, s.sentence) for f in findings for s in (f.a, f.b)})
    statements = _load_statements(con, keys)
    clusters = _clusters(con, keys)
    readings = _readings(findings, statements)
    out = []
    for row, f, (sim, ref) in zip(rows, findings, readings, strict=True):
        kind, why, scope, *_ = row
        ca = clusters.get((f.a.doc, f.a.sentence), set())
        cb = clusters.get((f.b.doc, f.b.sentence), set())
        out.append(
            {
                "kind": kind,
                "scope": scope,
                "explanation": why,
                "a": [row[7].split("/", 1)[1], f.a.start, f.a.end],
                "b": [row[12].split("/", 1)[1], f.b.start, f.b.end],
                "similarity": sim,
                "refutes": ref,
                "same_cluster": bool(ca & cb),
                "texts": [
                    statements[(f.a.doc, f.a.sentence)].text,
                    statements[(f.b.doc, f.b.sentence)].text,
                ],
            }
        )
    store.close()
    return out


_MODELS: Confirmer | None = None


def _readings(findings: list[Finding], statements: Any) -> list[tuple[float, float]]:
    global _MODELS
    if _MODELS is None:
        _MODELS = load_confirmer(Settings())
    if not findings:
        return []
    sims = _MODELS.similarity(findings, statements)
    refs = _MODELS.refutes(findings, statements)
    return list(zip(sims, refs, strict=True))


def kept(c: dict[str, Any], rules: Rules = DEFAULT_RULES) -> bool:
    """What ``Confirmer.keep`` decides from the two readings."""
    doc_b = "a" if c.get("scope", "document") == "document" else "b"
    f = Finding(c["kind"], Side("a", 0, 0, 0), Side(doc_b, 1, 0, 0), "", 0.0)
    return similar_enough(rules, f, c["similarity"], c.get("same_cluster", False)) and refuted(
        rules, f, c["refutes"]
    )


def written_candidates() -> list[dict[str, Any]]:
    """Each written pair as a two-sentence document: the rules' findings between its two
    sentences, with their readings (a pair the rules miss is a candidate not found)."""
    out = []
    settings = Settings(profile="rules", anchor_date="2024-06-01")
    for line in WRITTEN.read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        analysis = analyze(f"{pair['a']}\n{pair['b']}\n", settings=settings)
        statements = statements_of(analysis)
        by_key = {(st.doc, st.sentence): st for st in statements}
        findings = [f for f in find_in_document(statements) if f.a.sentence != f.b.sentence]
        readings = _readings(findings, by_key)
        best = [
            {"kind": f.kind, "similarity": s, "refutes": r}
            for f, (s, r) in zip(findings, readings, strict=True)
        ]
        out.append(pair | {"found": best, "flagged": any(kept(c) for c in best)})
    return out


def score(pairs: list[tuple[bool, bool]]) -> dict[str, Any]:
    """Precision and recall of (flagged, holds) pairs."""
    tp = sum(f and h for f, h in pairs)
    flagged = sum(f for f, _ in pairs)
    holds = sum(h for _, h in pairs)
    return {
        "flagged": flagged,
        "flagged_and_hold": tp,
        "hold": holds,
        "precision": tp / flagged if flagged else None,
        "recall": tp / holds if holds else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("build/contradictions"))
    parser.add_argument("--train-articles", type=int, default=300)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    labels = [json.loads(x) for x in POLNEAR_LABELS.read_text(encoding="utf-8").splitlines()]
    by_pair = {(tuple(x["a"]), tuple(x["b"])): x for x in labels}
    train = sorted(p.stem for p in (POLNEAR / "train" / "text").glob("*.txt"))
    # A fixed random sample (seed 7) of the train articles, spread over outlets and dates.
    random.Random(7).shuffle(train)
    train = sorted(train[: args.train_articles])
    dev = sorted(p.stem for p in (POLNEAR / "dev" / "text").glob("*.txt"))
    report: dict[str, Any] = {
        "benchmark": "contradictions_quality",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    report["rules"] = {
        "min_similarity": DEFAULT_RULES.min_similarity,
        "min_corpus_similarity": DEFAULT_RULES.min_corpus_similarity,
        "min_refutes": DEFAULT_RULES.min_refutes,
        "min_value_refutes": DEFAULT_RULES.min_value_refutes,
        "min_date_refutes": DEFAULT_RULES.min_date_refutes,
    }
    train_labelled: list[dict[str, Any]] = []
    for name, articles in (("train", train), ("dev", dev)):
        db = ingest(name, articles, args.work)
        candidates = store_candidates(db, args.work)
        for c in candidates:
            label = by_pair.get((tuple(c["a"]), tuple(c["b"])))
            c["holds"] = None if label is None else label["holds"]
            c["split"] = split_of(c["a"][0]) if name == "train" else "dev"
            c["kept"] = kept(c)
        (args.work / f"candidates-{name}.json").write_text(json.dumps(candidates, indent=1))
        labelled = [c for c in candidates if c["holds"] is not None]
        # Labelled pairs the rules no longer propose are pairs not flagged (for recall).
        proposed = {(tuple(c["a"]), tuple(c["b"])) for c in candidates}
        labelled += [
            {
                "kept": False,
                "holds": x["holds"],
                "split": split_of(x["a"][0]) if name == "train" else "dev",
            }
            for key, x in by_pair.items()
            if x["split"] == name and key not in proposed
        ]
        if name == "train":
            train_labelled = labelled
        report[f"polnear_{name}"] = {
            "articles": stored_articles(db),
            "rule_candidates": len(candidates),
            "flagged": sum(c["kept"] for c in candidates),
            "unlabelled_flagged": sum(c["kept"] and c["holds"] is None for c in candidates),
            "labelled": len(labelled),
            "by_split": {
                s: score([(c["kept"], c["holds"]) for c in labelled if c["split"] == s])
                for s in sorted({c["split"] for c in labelled})
            },
            # Ids and offsets only: the explanations quote the articles, which stay out of git.
            "flagged_pairs": [
                {k: c[k] for k in ("kind", "scope", "a", "b", "holds", "similarity", "refutes")}
                for c in candidates
                if c["kept"]
            ],
        }
    written = written_candidates()
    (args.work / "candidates-written.json").write_text(json.dumps(written, indent=1))
    report["written"] = {
        s: score([(w["flagged"], w["holds"]) for w in written if w["split"] == s])
        for s in ("tune", "held")
    }
    report["written_misses"] = [w["id"] for w in written if w["flagged"] != w["holds"]]
    # Both sets together, by split: what the target (precision >= 0.8) is read on.
    report["combined"] = {
        s: score(
            [(c["kept"], c["holds"]) for c in train_labelled if c["split"] == s]
            + [(w["flagged"], w["holds"]) for w in written if w["split"] == s]
        )
        for s in ("tune", "held")
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "machine"}, indent=1)[:6000])


if __name__ == "__main__":
    main()
