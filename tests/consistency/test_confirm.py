"""The second opinion on the rules' findings (similarity, stance); rules alone without models."""

from __future__ import annotations

import logging

import numpy as np

from claimscope.consistency import DEFAULT_RULES, Context, Finding, Side
from claimscope.consistency import confirm as confirm_module
from claimscope.consistency.confirm import Confirmer, load_confirmer, swapped
from claimscope.consistency.negation import negation_findings
from claimscope.consistency.numbers import count_findings
from claimscope.settings import Settings
from tests.consistency.builders import stmt

ONE_DOC = Context(same_doc=True)


class FakeStance:
    """Refutes with the probability given for a (claim, passage) pair, 0.1 otherwise."""

    def __init__(self, refutes: dict[tuple[str, str], float]) -> None:
        self.refutes = refutes
        self.seen: list[tuple[str, str]] = []

    def probabilities(self, pairs):
        self.seen.extend(pairs)
        out = np.zeros((len(pairs), 3))
        for i, pair in enumerate(pairs):
            r = self.refutes.get(pair, 0.1)
            out[i] = (1 - r) / 2, r, (1 - r) / 2
        return out


class FakeMatch:
    """Unit vectors: texts in one group are the same claim (cosine 1), others orthogonal."""

    def __init__(self, groups: list[set[str]]) -> None:
        self.groups = groups
        self.dims: dict[str, int] = {}

    def embed(self, texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, t in enumerate(texts):
            g = next((n for n, group in enumerate(self.groups) if t in group), None)
            if g is None:
                g = self.dims.setdefault(t, len(self.groups) + len(self.dims))
            out[i, g] = 1.0
        return out


def _bridge():
    a = stmt(
        "The Brenton bridge will cost $12 million.",
        entities=["Brenton"],
        counts=[("$12 million", 12e6, "USD", "exact")],
    )
    b = stmt(
        "The Brenton bridge will cost $20 million.",
        sentence=2,
        entities=["Brenton"],
        counts=[("$20 million", 20e6, "USD", "exact")],
    )
    (finding,) = count_findings(a, b, ONE_DOC, DEFAULT_RULES)
    return a, b, finding, {(a.doc, a.sentence): a, (b.doc, b.sentence): b}


def test_confirm_a_number_is_read_in_one_sentence_with_the_other_value():
    a, b, finding, statements = _bridge()
    assert swapped(a, finding.a, b, finding.b) == "The Brenton bridge will cost $20 million."
    stance = FakeStance({("The Brenton bridge will cost $20 million.", a.text): 0.9})
    match = FakeMatch([{a.text, b.text}])
    gate = Confirmer(stance=stance, match=match)  # type: ignore[arg-type]
    assert gate.keep([finding], statements) == [finding]
    assert (b.text, b.text.replace("$20", "$12")) in stance.seen


def test_confirm_drops_what_the_stance_model_does_not_refute():
    _, _, finding, statements = _bridge()
    texts = {st.text for st in statements.values()}
    gate = Confirmer(stance=FakeStance({}), match=FakeMatch([texts]))  # type: ignore[arg-type]
    assert gate.keep([finding], statements) == []


def test_confirm_drops_sentences_that_make_different_claims_unless_one_cluster_holds_both():
    a, _, finding, statements = _bridge()
    stance = FakeStance({("The Brenton bridge will cost $20 million.", a.text): 0.9})
    gate = Confirmer(stance=stance, match=FakeMatch([]))  # type: ignore[arg-type]
    assert gate.keep([finding], statements) == []
    assert gate.keep([finding], statements, lambda x, y: True) == [finding]


def test_confirm_reads_a_negation_as_two_whole_sentences():
    a = stmt("Ostmark will build a naval base in Halvik.", entities=["Ostmark", "Halvik"])
    b = stmt(
        "Lena Varga said Ostmark will not build a naval base in Halvik.",
        sentence=1,
        entities=["Lena Varga", "Ostmark", "Halvik"],
    )
    (finding,) = negation_findings(a, b, ONE_DOC, DEFAULT_RULES)
    statements = {(a.doc, 0): a, (b.doc, 1): b}
    # No similarity needed: the stance model reads both sentences together.
    gate = Confirmer(stance=FakeStance({(b.text, a.text): 0.8}), match=FakeMatch([]))  # type: ignore[arg-type]
    assert gate.keep([finding], statements) == [finding]
    weak = Confirmer(stance=FakeStance({(b.text, a.text): 0.3}), match=FakeMatch([]))  # type: ignore[arg-type]
    assert weak.keep([finding], statements) == []


def test_confirm_without_models_keeps_the_rules_findings(monkeypatch, caplog):
    assert load_confirmer(Settings(profile="rules")) == Confirmer()
    monkeypatch.setattr(confirm_module, "stance_installed", lambda: False)
    monkeypatch.setattr(confirm_module, "match_installed", lambda: False)
    monkeypatch.setattr(confirm_module, "_warned", set())
    with caplog.at_level(logging.WARNING):
        gate = load_confirmer(Settings())
    assert gate.stance is None and gate.match is None
    assert "no stance model installed" in caplog.text
    finding = Finding("number", Side("d", 0, 0, 1), Side("d", 1, 0, 1), "1 vs. 2", 0.8)
    assert gate.keep([finding], {}) == [finding]
