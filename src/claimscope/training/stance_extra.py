"""The extra stance training pairs of ``verification/nli_extra/``, each with the labels it allows.

Not every source means what NLI means, so a pair carries the set of labels that its gold label
allows and a weight for its source:

- SNLI dev+test and HealthVer are 3-way NLI-like: one label each.
- FEVER claim-evidence pairs (RTE cut, FEVER-Symmetric claims removed) hold only SUPPORTS and
  REFUTES claims (balanced, no NOT ENOUGH INFO), so ``not_entailment`` is refutes.
- COVID-Fact's refuted claims are counter-claims made by changing the supported one: refutes.
- GLUE RTE's ``not_entailment`` is contradiction or neutral: both allowed.
- FNC-1 judges a headline against a whole article: ``agree`` and ``disagree`` are supports and
  refutes; ``discuss`` (the article reports the claim without taking a side) allows supports or
  neutral, never refutes; ``unrelated`` is a topic mismatch, easy neutral, and is subsampled.
  The body is truncated to the model's window, so FNC-1 weighs less than the sentence-level sets.

The loss of a pair is ``-log`` of the probability its allowed labels get together.
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from claimscope.verify.stance_data import StancePair

EXTRA = "nli_extra"
# How much one pair of each source counts in the loss (SICK, SNLI, Climate-FEVER and HealthVer
# are the sentence-level 3-way sets: weight 1).
SOURCE_WEIGHTS = {
    "sick": 1.0,
    "climate-fever": 1.0,
    "snli": 1.0,
    "healthver": 1.0,
    "fever-rte": 1.0,
    "covidfact": 0.7,
    "glue-rte": 0.7,
    "fnc1": 0.4,
    "synthetic": 0.5,
}
# Per-source caps on the extra sets: a run must fit about an hour on one shared CPU thread.
# At about 10 pairs a second that is some 40,000 pairs.
CAPS = {
    "snli": 10000,
    "fever-rte": 8000,
    "fnc1": 2500,
    "healthver": 3000,
    "glue-rte": 1500,
    "covidfact": 2000,
}
# The share of synthetic groups kept (whole groups, so each claim keeps both of its labels).
SYNTHETIC_SHARE = 0.25
EXTRA_LICENSES = {
    "snli": "SNLI 1.0 dev + test (Bowman et al. 2015), via the e-SNLI repository: CC BY-SA 4.0",
    "fever-rte": "FEVER claim-evidence pairs (Thorne et al. 2018), the RTE cut of the COVID-Fact "
    "repository (dev, every FEVER-Symmetric claim removed): CC BY-SA 3.0 (Wikipedia-derived)",
    "fnc1": "FNC-1 competition test stances and bodies (Fake News Challenge 2017): no license "
    "stated; research use",
    "healthver": "HealthVer dev + test (Sarrouti et al. 2021): no license stated; research use",
    "covidfact": "COVID-Fact RTE train + dev cut (Saakyan et al. 2021): no license stated; "
    "research use",
    "glue-rte": "GLUE RTE train + dev + labelled test re-split (RTE1-3, 5): research use",
}
ALL = ("supports", "refutes", "neutral")


@dataclass(frozen=True, slots=True)
class MixPair:
    """A training pair, the labels its gold label allows, and its source."""

    pair: StancePair
    allowed: tuple[str, ...]
    source: str

    @property
    def weight(self) -> float:
        """The pair's weight in the loss (its source's)."""
        return SOURCE_WEIGHTS[self.source]


def hard(pairs: Iterable[StancePair], source: str) -> list[MixPair]:
    """Pairs with one gold label each."""
    return [MixPair(p, (p.label,), source) for p in pairs]


def _rows(path: Path, delimiter: str) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)  # FNC-1 bodies and RTE passages are long fields
    with path.open(encoding="utf-8", newline="") as handle:
        if delimiter == "\t":  # the TSVs quote nothing: a quote mark is text
            return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
        return list(csv.DictReader(handle))


def _pair(claim: str, passage: str, label: str, group: str) -> StancePair:
    return StancePair(claim.strip(), passage.strip(), label, group)


def snli(folder: Path) -> list[MixPair]:
    """SNLI dev and test: premise (s1) as the passage, hypothesis (s2) as the claim."""
    names = {"entailment": "supports", "contradiction": "refutes", "neutral": "neutral"}
    out = []
    for part in ("dev", "test"):
        lines = [
            (folder / f"{name}.{part}").read_text(encoding="utf-8").splitlines()
            for name in ("s1", "s2", "labels")
        ]
        for i, (premise, hypothesis, label) in enumerate(zip(*lines, strict=True)):
            if label.strip() in names and premise.strip() and hypothesis.strip():
                pair = _pair(hypothesis, premise, names[label.strip()], f"snli-{part}-{i}")
                out.append(MixPair(pair, (pair.label,), "snli"))
    return out


def fever_rte(path: Path) -> list[MixPair]:
    """FEVER claim-evidence pairs: entailment is supports, not_entailment refutes."""
    names = {"entailment": "supports", "not_entailment": "refutes"}
    return [
        MixPair(_pair(r["claim"], r["evidence"], names[r["label"]], r["claim"]), (), "fever-rte")
        for r in _rows(path, "\t")
        if r.get("label") in names and r.get("claim") and r.get("evidence")
    ]


def healthver(folder: Path) -> list[MixPair]:
    """HealthVer dev and test (Supports / Refutes / Neutral)."""
    names = {"Supports": "supports", "Refutes": "refutes", "Neutral": "neutral"}
    out = []
    for part in ("dev", "test"):
        for r in _rows(folder / f"healthver_{part}.csv", ","):
            if r.get("label") in names and r.get("claim") and r.get("evidence"):
                pair = _pair(r["claim"], r["evidence"], names[r["label"]], r["claim"])
                out.append(MixPair(pair, (), "healthver"))
    return out


def covidfact(folder: Path) -> list[MixPair]:
    """COVID-Fact's RTE cut (train + dev): sentence1 the evidence, Sentence2 the claim."""
    names = {"entailment": "supports", "not_entailment": "refutes"}
    out = []
    for part in ("train", "dev"):
        for r in _rows(folder / f"{part}.tsv", "\t"):
            # The train file names its label column "label", the dev file "entailment".
            label = r.get("label") or r.get("entailment")
            if label in names and r.get("sentence1") and r.get("Sentence2"):
                claim = r["Sentence2"]
                pair = _pair(claim, r["sentence1"], names[label], claim)
                out.append(MixPair(pair, (), "covidfact"))
    return out


def glue_rte(folder: Path) -> list[MixPair]:
    """GLUE RTE: entailment is supports; not_entailment allows refutes or neutral."""
    out = []
    for part in ("train", "dev", "test"):
        for r in _rows(folder / f"{part}.tsv", "\t"):
            label = r.get("label")
            if label in ("entailment", "not_entailment") and r.get("sentence1"):
                group = f"rte-{part}-{r.get('index', '')}"
                if label == "entailment":
                    pair = _pair(r["sentence2"], r["sentence1"], "supports", group)
                    out.append(MixPair(pair, ("supports",), "glue-rte"))
                else:
                    pair = _pair(r["sentence2"], r["sentence1"], "neutral", group)
                    out.append(MixPair(pair, ("refutes", "neutral"), "glue-rte"))
    return out


def fnc1(folder: Path, *, unrelated: int, discuss: int, seed: int) -> list[MixPair]:
    """FNC-1 headline-body pairs; ``unrelated`` and ``discuss`` pairs subsampled to at most
    those counts (seeded)."""
    bodies = {
        r["Body ID"]: r["articleBody"] for r in _rows(folder / "competition_test_bodies.csv", ",")
    }
    allowed = {
        "agree": ("supports", ("supports",)),
        "disagree": ("refutes", ("refutes",)),
        "discuss": ("neutral", ("supports", "neutral")),
        "unrelated": ("neutral", ("neutral",)),
    }
    by_stance: dict[str, list[MixPair]] = {k: [] for k in allowed}
    for r in _rows(folder / "competition_test_stances.csv", ","):
        stance, body = r.get("Stance", ""), bodies.get(r.get("Body ID", ""))
        if stance in allowed and body and r.get("Headline"):
            label, labels = allowed[stance]
            pair = _pair(r["Headline"], body, label, r["Headline"])
            by_stance[stance].append(MixPair(pair, labels, "fnc1"))
    rng = random.Random(seed)
    for stance, cap in (("unrelated", unrelated), ("discuss", discuss)):
        rng.shuffle(by_stance[stance])
        by_stance[stance] = by_stance[stance][:cap]
    return [p for pairs in by_stance.values() for p in pairs]


def _fill(pairs: list[MixPair]) -> list[MixPair]:
    """Single-label pairs built with ``allowed=()`` get their own label."""
    return [p if p.allowed else MixPair(p.pair, (p.pair.label,), p.source) for p in pairs]


def extra_pairs(folder: Path, *, caps: dict[str, int], seed: int) -> list[MixPair]:
    """Every extra source's pairs, each source shuffled and cut to ``caps`` (when given)."""
    sources = {
        "snli": snli(folder / "snli_dev_test"),
        "fever-rte": fever_rte(folder / "rte_fever" / "dev_minus_FeverSymmetric.tsv"),
        "healthver": healthver(folder / "healthver"),
        "covidfact": covidfact(folder / "covidfact"),
        "glue-rte": glue_rte(folder / "rte_glue"),
        "fnc1": fnc1(folder / "fnc1_competition_test", unrelated=2000, discuss=2000, seed=seed),
    }
    out: list[MixPair] = []
    for name, pairs in sources.items():
        random.Random(seed).shuffle(pairs)
        out += _fill(pairs[: caps.get(name, len(pairs))])
    return out
