"""Symmetric synthetic stance pairs: one fact changed, every claim with both labels."""

import re
from collections import Counter, defaultdict

import pytest

from claimscope.training.stance_synth import KINDS, describe, synthesize, synthetic_pairs
from tests.conftest import SHARED

# Made-up factual sentences; each kind of edit has at least one sentence it applies to.
SENTENCES = [
    (
        "bridge",
        "The harbour bridge at Lindmouth opened to traffic in 1987 after nine years of work.",
    ),
    (
        "bridge",
        "The bridge carries about 42,000 vehicles a day across the estuary to the old town.",
    ),
    ("bridge", "Its main span is 1.5 kilometres long, which made it a record for a decade."),
    ("ice", "The survey team reached Greenland in July and measured the thickness of the ice."),
    ("ice", "Glaciers on the island retreated faster than those in Norway during the same years."),
    (
        "ice",
        "The melting season in the Arctic has become longer since the first satellite records.",
    ),
    ("rain", "Average rainfall in the valley increased sharply over the last decade of records."),
    ("rain", "The farmers were warned that the northern fields would flood during heavy storms."),
    (
        "rain",
        "Most of the water is stored in a reservoir (built in 1962) above the village of Tarn.",
    ),
    ("tram", "The new tram line was built to connect the two halves of the town across the river."),
    ("tram", "Passengers cannot buy tickets on board, but they can pay at every stop with a card."),
    ("tram", "The depot employs 310 drivers and mechanics, while the council pays for the tracks."),
    ("port", "Ships from Canada unloaded grain at the eastern quay in the spring of 2004."),
    ("port", "The port authority reported a larger profit than in any year before the strike."),
    # Unusable: too short, and too long.
    ("short", "The tram is red."),
    ("long", " ".join(["The long sentence keeps going on and on"] * 8) + "."),
]


def _synthesis(per_sentence=1, seed=0):
    return synthesize(SENTENCES, seed=seed, per_sentence=per_sentence)


def test_synthetic_pairs_are_deterministic_for_a_seed():
    assert synthetic_pairs(SENTENCES, seed=3) == synthetic_pairs(SENTENCES, seed=3)
    assert synthetic_pairs(SENTENCES, seed=3) != synthetic_pairs(SENTENCES, seed=4)


def test_synthetic_pairs_every_claim_has_both_labels():
    pairs = synthetic_pairs(SENTENCES, seed=0, per_sentence=2)
    labels = defaultdict(set)
    for pair in pairs:
        labels[pair.claim].add(pair.label)
    assert pairs and all({"supports", "refutes"} <= found for found in labels.values())
    assert all(p.group.startswith("synth:") for p in pairs)


def test_synthetic_pairs_quadruple_is_complete_and_edit_is_one_span():
    synthesis = _synthesis(per_sentence=2)
    pairs = {(p.claim, p.passage, p.label) for p in synthesis.pairs}
    for edit in synthesis.perturbations:
        c, s, c2, s2 = edit.claim, edit.passage, edit.claim_edit, edit.passage_edit
        assert edit.claim[edit.start : edit.end] != edit.replacement
        assert c2 == c[: edit.start] + edit.replacement + c[edit.end :]
        # The passage changes by the same replacement, over the same text, at one place.
        old, width = c[edit.start : edit.end], edit.end - edit.start
        places = [
            i
            for i in range(len(s) - width + 1)
            if s[i : i + width] == old and s2 == s[:i] + edit.replacement + s[i + width :]
        ]
        assert places, (edit.kind, old, edit.replacement)
        expected = {
            (c, s, "supports"),
            (c2, s, "refutes"),
            (c2, s2, "supports"),
            (c, s2, "refutes"),
        }
        assert expected <= pairs


def test_synthetic_pairs_supported_claim_is_cut_at_a_clause_and_drops_parentheticals():
    claims = {p.passage: p.claim for p in _synthesis().perturbations}
    span = SENTENCES[2][1]
    assert claims[span] == "Its main span is 1.5 kilometres long."
    reservoir = SENTENCES[8][1]
    assert (
        claims[reservoir] == "Most of the water is stored in a reservoir above the village of Tarn."
    )


def test_synthetic_pairs_all_kinds_occur():
    kinds = Counter(e.kind for seed in range(5) for e in _synthesis(2, seed).perturbations)
    assert set(kinds) == set(KINDS)
    edits = {
        (e.kind, e.claim[e.start : e.end], e.replacement)
        for seed in range(5)
        for e in _synthesis(2, seed).perturbations
    }
    assert ("entity", "Greenland", "Norway") in edits or ("entity", "Greenland", "Canada") in edits
    assert ("negation", "cannot", "can") in edits
    assert any(
        k == "number" and old == "1.5" and re.fullmatch(r"\d\.\d", new) for k, old, new in edits
    )
    assert any(
        k == "antonym" and old == "increased" and new == "decreased" for k, old, new in edits
    )


def test_synthetic_pairs_years_shift_and_keep_their_format():
    years = [
        (int(e.claim[e.start : e.end]), e.replacement)
        for seed in range(10)
        for e in _synthesis(3, seed).perturbations
        if e.kind == "number" and re.fullmatch(r"(19|20)\d\d", e.claim[e.start : e.end])
    ]
    assert years
    for old, new in years:
        assert re.fullmatch(r"\d{4}", new) and 1 <= abs(int(new) - old) <= 30
    thousands = [
        e.replacement
        for seed in range(10)
        for e in _synthesis(3, seed).perturbations
        if e.claim[e.start : e.end] == "42,000"
    ]
    assert thousands and all(re.fullmatch(r"\d{1,3}(,\d{3})+", t) for t in thousands)


def test_synthetic_pairs_skip_unusable_sentences():
    synthesis = _synthesis()
    passages = {p.passage for p in synthesis.pairs if p.label != "neutral"}
    assert SENTENCES[-1][1] not in passages and SENTENCES[-2][1] not in passages
    assert synthesis.skipped == 2
    assert describe(synthesis)["sentences_skipped"] == 2


def test_synthetic_pairs_have_no_duplicates():
    for per_sentence in (1, 3):
        pairs = synthetic_pairs(SENTENCES, seed=1, per_sentence=per_sentence)
        triples = [(p.claim, p.passage, p.label) for p in pairs]
        assert len(triples) == len(set(triples))
    single = synthetic_pairs(SENTENCES, seed=1)
    claim_labels = [(p.claim, p.label) for p in single]
    assert len(claim_labels) == len(set(claim_labels))


def test_synthetic_pairs_neutral_passages_do_not_restate_the_claim():
    synthesis = _synthesis(per_sentence=1, seed=2)
    neutral = [p for p in synthesis.pairs if p.label == "neutral"]
    assert neutral
    for pair in neutral:
        assert pair.claim.rstrip(".") not in pair.passage
    counts = describe(synthesis)["labels"]
    assert counts["supports"] == counts["refutes"] > counts["neutral"] > 0


def test_synthetic_pairs_empty_and_duplicate_input():
    assert synthetic_pairs([]) == []
    twice = synthesize([SENTENCES[0], ("other", SENTENCES[0][1])], seed=0)
    assert len({e.passage for e in twice.perturbations}) == 1


@pytest.mark.shared
def test_synthetic_pairs_on_climate_fever_are_symmetric():
    path = SHARED / "data" / "verification" / "climate_fever" / "climate-fever-train.jsonl"
    if not path.exists():
        pytest.skip("Climate-FEVER is not here")
    from claimscope.verify.stance_data import read_stance_data

    passages = {p.passage: p.group for p in read_stance_data(path).pairs}
    synthesis = synthesize([(g, s) for s, g in passages.items()], seed=0)
    counts = describe(synthesis)
    print(counts)
    assert counts["pairs"] > 10_000 and all(counts["kinds"][k] > 100 for k in KINDS)
    labels = defaultdict(set)
    for pair in synthesis.pairs:
        labels[pair.claim].add(pair.label)
    assert all({"supports", "refutes"} <= found for found in labels.values())
