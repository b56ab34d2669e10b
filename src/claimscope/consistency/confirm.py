"""The second opinion on what the contradiction rules find: same-claim similarity and stance.

The rules pair numbers, dates and negations that share a unit, a name or a verb; on real news
most such pairs are about different things (two sums of one deal, the women who accused one
man and those who accused another). A finding is kept only when, besides the rules' own checks
of subject and unit:

- for a number or a date, both sentences make **the same claim**: they are in one claim
  cluster, or the claim-matching model (``match-minilm``, a bi-encoder trained to find a claim
  said again) gives them a cosine of at least ``Rules.min_similarity`` within a document and
  ``Rules.min_corpus_similarity`` across documents (a negation's two whole
  sentences are read together by the stance model, which is that check already);
- the **stance model** (``stance-minilm``) reads a contradiction: for a negation, one sentence
  refutes the other (``Rules.min_refutes``, either way round); for a number or a date, a
  sentence refutes itself given the other side's value (``700 troops`` against the same
  sentence saying ``1,000 troops``; ``Rules.min_value_refutes``, ``Rules.min_date_refutes``
  for a date). The model is blind to most numeric differences between two whole sentences, so
  it is asked about the values in one sentence's own words; whether both sentences are about
  one thing is the rules' and the similarity's to say, not the model's.

The models only see the few findings the rules keep. Without them (the ``rules`` profile, or a
model folder missing) the gate says so once in the log and keeps what the rules found.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from claimscope.consistency.findings import Finding, Side
from claimscope.consistency.rules import DEFAULT_RULES, Rules
from claimscope.consistency.statements import Statement
from claimscope.models.reranker import MATCH_MODEL, EmbeddingScorer, load_pair_scorer
from claimscope.models.reranker import installed as match_installed
from claimscope.models.stance import STANCE_LABELS, StanceScorer, load_stance_scorer
from claimscope.models.stance import installed as stance_installed
from claimscope.settings import Settings

log = logging.getLogger(__name__)

StatementKey = tuple[str, int]
# Whether two sides' sentences are in one claim cluster (the corpus store knows; None: unknown).
SameCluster = Callable[[Side, Side], bool]
_REFUTES = STANCE_LABELS.index("refutes")


def swapped(st: Statement, side: Side, other: Statement, other_side: Side) -> str:
    """``st``'s sentence with its side of the clash replaced by the other side's words."""
    return (
        st.text[: side.start - st.start]
        + other.part(other_side.start, other_side.end)
        + (st.text[side.end - st.start :])
    )


def similar_enough(rules: Rules, f: Finding, similarity: float, same_cluster: bool) -> bool:
    """The same-claim check: a negation passes (the stance model reads its whole sentences);
    a number or a date needs one cluster or the least cosine for its scope."""
    if f.kind == "negation" or same_cluster:
        return True
    least = rules.min_similarity if f.a.doc == f.b.doc else rules.min_corpus_similarity
    return similarity >= least


def refuted(rules: Rules, f: Finding, refutes: float) -> bool:
    """The stance check: the least probability of "refutes" for the finding's kind."""
    least = {"negation": rules.min_refutes, "date": rules.min_date_refutes}
    return refutes >= least.get(f.kind, rules.min_value_refutes)


@dataclass(slots=True)
class Confirmer:
    """Keeps the findings that the models confirm; either model may be missing (None)."""

    stance: StanceScorer | None = None
    match: EmbeddingScorer | None = None
    rules: Rules = DEFAULT_RULES

    def stance_pairs(
        self, f: Finding, statements: Mapping[StatementKey, Statement]
    ) -> list[tuple[str, str]]:
        """The ``(claim, passage)`` pairs the stance model reads for one finding."""
        a = statements[(f.a.doc, f.a.sentence)]
        b = statements[(f.b.doc, f.b.sentence)]
        if f.kind == "negation":
            return [(a.text, b.text), (b.text, a.text)]
        a_says_b = swapped(a, f.a, b, f.b)
        b_says_a = swapped(b, f.b, a, f.a)
        return [(a_says_b, a.text), (a.text, a_says_b), (b_says_a, b.text), (b.text, b_says_a)]

    def refutes(
        self, findings: Sequence[Finding], statements: Mapping[StatementKey, Statement]
    ) -> list[float]:
        """The stance model's probability of a contradiction for each finding (the highest of
        its pairs), all findings in one batch."""
        assert self.stance is not None
        stance = self.stance
        pairs = [self.stance_pairs(f, statements) for f in findings]
        flat = [p for ps in pairs for p in ps]
        # One pair per run: the int8 model quantizes its activations per batch, so a pair's
        # probabilities would shift (by up to 0.1) with the pairs batched beside it.
        probs = np.array([stance.probabilities([p])[0, _REFUTES] for p in flat])
        out, at = [], 0
        for ps in pairs:
            out.append(float(probs[at : at + len(ps)].max()))
            at += len(ps)
        return out

    def similarity(
        self, findings: Sequence[Finding], statements: Mapping[StatementKey, Statement]
    ) -> list[float]:
        """Cosine of the two sentences of each finding, by the claim-matching model."""
        assert self.match is not None
        texts = {
            key: statements[key].text
            for f in findings
            for key in ((f.a.doc, f.a.sentence), (f.b.doc, f.b.sentence))
        }
        keys = list(texts)
        match = self.match
        # One text per run, for the same reason as the stance pairs (the vectors are cached).
        vectors = np.stack([match.embed([texts[k]])[0] for k in keys]) if keys else np.zeros((0, 1))
        row = {k: i for i, k in enumerate(keys)}
        return [
            float(vectors[row[(f.a.doc, f.a.sentence)]] @ vectors[row[(f.b.doc, f.b.sentence)]])
            for f in findings
        ]

    def keep(
        self,
        findings: Sequence[Finding],
        statements: Mapping[StatementKey, Statement],
        same_cluster: SameCluster | None = None,
    ) -> list[Finding]:
        """The findings both models agree with, in their order."""
        kept = list(findings)
        if self.match is not None and kept:
            sims = self.similarity(kept, statements)
            kept = [
                f
                for f, s in zip(kept, sims, strict=True)
                if similar_enough(
                    self.rules,
                    f,
                    s,
                    same_cluster is not None and same_cluster(f.a, f.b),
                )
            ]
        if self.stance is not None and kept:
            probs = self.refutes(kept, statements)
            kept = [f for f, p in zip(kept, probs, strict=True) if refuted(self.rules, f, p)]
        return kept


_warned: set[str] = set()


def _missing(model: str) -> None:
    if model not in _warned:
        _warned.add(model)
        log.warning(
            "no %s model installed: contradictions are the rules' findings alone "
            "(docs/contradictions.md)",
            model,
        )


def load_confirmer(settings: Settings | None = None, rules: Rules = DEFAULT_RULES) -> Confirmer:
    """The gate the settings ask for: no model under the ``rules`` profile; otherwise the
    shipped stance and claim-matching models, each loaded once per process when installed."""
    settings = settings or Settings()
    if settings.profile == "rules":
        return Confirmer(rules=rules)
    stance = None
    if stance_installed():
        stance = load_stance_scorer(threads=settings.threads)
    else:
        _missing("stance")
    match = None
    if match_installed():
        scorer = load_pair_scorer(MATCH_MODEL, settings.threads)
        match = scorer if isinstance(scorer, EmbeddingScorer) else None
    if match is None:
        _missing("claim-matching (bi-encoder)")
    return Confirmer(stance=stance, match=match, rules=rules)
