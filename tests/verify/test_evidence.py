"""Evidence index (passages, offsets, incremental), check, the verdict rule, CLI and evaluation."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from claimscope.cli import app
from claimscope.consistency.bare import bare_statements
from claimscope.errors import InputError, StoreError
from claimscope.evaluation.verdict import (
    evaluate_verdict,
    half,
    read_labelled_claims,
    stance_training_claims,
    tune_rule,
)
from claimscope.verify.check import check
from claimscope.verify.evidence_index import (
    MANIFEST,
    VECTORS,
    EvidenceIndex,
    index_paths,
)
from claimscope.verify.passages import Windows, passage_spans
from claimscope.verify.textindex import TextIndex
from claimscope.verify.verdict import (
    CONFLICTING,
    NOT_ENOUGH,
    REFUTED,
    SUPPORTED,
    VerdictRule,
    Vote,
    confidence,
    decide,
)
from tests.conftest import SHARED
from tests.verify.evidence_fixtures import BORDER, FakeStance, write_claims, write_corpus

runner = CliRunner()
CLAIM = "Korvana sent 700 troops to the Ostmark border."


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An index of the fixture corpus, and the stats of building it."""
    base = tmp_path_factory.mktemp("evidence")
    corpus = write_corpus(base / "corpus")
    stats = index_paths([corpus], base / "index")
    return base / "index", corpus, stats


# -- passages -------------------------------------------------------------------------------


def test_passages_are_sentence_windows_without_furniture():
    spans = passage_spans(BORDER)
    texts = [BORDER[s:e] for s, e in spans]
    assert texts[0] == "Korvana sends troops to the Ostmark border"
    assert texts[1].startswith("The Korvana defence ministry") and texts[1].endswith("2024.")
    assert "Advertisement" not in " ".join(texts)
    one = passage_spans(BORDER, Windows(max_sentences=1))
    assert [BORDER[s:e] for s, e in one][1].endswith("Ostmark border.")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Word", "word.", "A", "long" * 30, " ", "\n", "\n\n", "Dr.", "?", "“x”"]),
        max_size=80,
    ),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=20, max_value=200),
)
def test_passage_offsets_hold_for_any_text(words, sentences, chars):
    text = " ".join(words)
    spans = passage_spans(text, Windows(max_sentences=sentences, max_chars=chars, min_chars=1))
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip()
        assert e - s <= chars or " " not in text[s:e]
        last = e


# -- the index ------------------------------------------------------------------------------


def test_index_offsets_are_the_spine(built):
    folder, _, stats = built
    assert (stats.read, stats.added, stats.skipped) == (4, 4, 0)
    with EvidenceIndex.open(folder) as index:
        n = 0
        for (doc_id,) in index.connection.execute("SELECT id FROM documents"):
            doc = index.document(doc_id)
            for pid, start, end in index.passages(doc_id):
                (indexed,) = index.connection.execute(
                    "SELECT p.text FROM passages p JOIN keys k ON k.id = p.rowid WHERE k.key = ?",
                    (str(pid),),
                ).fetchone()
                assert doc.text[start:end] == indexed
                n += 1
        assert n == index.manifest["passages"] == index.manifest["vectors"] > 0
        for p in index.search(CLAIM, 3):
            assert index.document(p.doc).text[p.start : p.end] == p.text


def test_index_lists_bad_inputs_and_goes_on(built):
    _, corpus, stats = built
    failed = {f.source: f.error for f in stats.failures}
    assert set(failed) == {
        str(corpus / "binary.txt"),
        str(corpus / "empty.txt"),
        f"{corpus / 'records.jsonl'}#2",
    }
    assert all(len(e.splitlines()) == 1 for e in failed.values())


def test_index_is_incremental_and_resumes_vectors(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    first = index_paths([corpus / "border.txt"], tmp_path / "ix")
    assert (first.added, first.passages) == (1, 3)
    again = index_paths([corpus], tmp_path / "ix")
    assert (again.added, again.skipped) == (3, 1)
    manifest = json.loads((tmp_path / "ix" / MANIFEST).read_text())
    assert manifest["documents"] == 4 and manifest["vectors"] == manifest["passages"]
    # A run that stopped before saving its vectors: the next run embeds what they lack.
    (tmp_path / "ix" / VECTORS).unlink()
    index_paths([corpus / "ferry.md"], tmp_path / "ix")
    manifest = json.loads((tmp_path / "ix" / MANIFEST).read_text())
    assert manifest["vectors"] == manifest["passages"]


def test_index_keeps_the_windows_it_was_cut_with(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    index_paths([corpus / "border.txt"], tmp_path / "ix", windows=Windows(max_sentences=1))
    index_paths([corpus / "harbour.txt"], tmp_path / "ix")  # no windows given: the index's
    with EvidenceIndex.open(tmp_path / "ix") as index:
        assert index.manifest["windows"]["max_sentences"] == 1
        n = index.count("evidence_passages")
    assert n == 9  # every heading and sentence alone (6 with the default windows)


def test_text_index_searches_among_given_keys():
    with TextIndex.open(":memory:") as index:
        index.add([("a", "harbour jobs"), ("b", "harbour jobs in Valmora"), ("c", "ferry")])
        assert [k for k, _ in index.search("Valmora harbour jobs", 5, only=["a", "c"])] == ["a"]
        assert index.search("harbour", 5, only=[]) == []


def test_index_without_vectors_searches_by_words(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    index_paths([corpus], tmp_path / "ix", vectors=False)
    assert not (tmp_path / "ix" / VECTORS).exists()
    with EvidenceIndex.open(tmp_path / "ix") as index:
        found = index.search("harbour jobs in Valmora", 2)
    assert "4,000 jobs" in found[0].text and found[0].cosine is None


def test_index_refuses_what_is_not_an_index(tmp_path):
    with pytest.raises(StoreError, match="no such evidence index"):
        EvidenceIndex.open(tmp_path / "missing")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not empty"):
        EvidenceIndex.create(tmp_path / "other")
    with pytest.raises(StoreError, match="no manifest"):
        EvidenceIndex.open(tmp_path / "other")


# -- check ----------------------------------------------------------------------------------


def test_check_finds_the_number_clash_without_a_stance_model(built):
    result = check(CLAIM, built[0], k=3, stance=False)
    assert result.stance_model is None and result.verdict == REFUTED
    clash = next(ev for ev in result.evidence if ev.disagreements)
    (d,) = clash.disagreements
    assert d.kind == "number" and d.explanation == "700 troops vs. 1,500 troops"
    assert CLAIM[d.claim_start : d.claim_end] == "700 troops"
    assert clash.passage.text[d.start - clash.passage.start : d.end - clash.passage.start] == (
        "1,500 troops"
    )
    assert all(ev.stance is None for ev in result.evidence)
    assert "700 troops vs. 1,500 troops" in result.reasons[0].text


def test_check_weighs_stances(built):
    folder = built[0]
    supported = check("Ferry fares to Santa Lucía doubled.", folder, scorer=FakeStance(["doubled"]))
    assert supported.verdict == SUPPORTED
    assert [ev.stance for ev in supported.evidence].count("supports") == 1
    assert supported.reasons[0].kind == "supports"
    both = check(
        "Ferry fares to Santa Lucía doubled.",
        folder,
        scorer=FakeStance(support=["doubled"], refute=["Ferry fares in"]),
    )
    assert both.verdict == CONFLICTING
    nothing = check("Ferry fares to Santa Lucía doubled.", folder, scorer=FakeStance())
    assert nothing.verdict == NOT_ENOUGH and nothing.confidence > 0.9
    data = json.loads(json.dumps(supported.to_dict()))
    assert {ev["probabilities"]["supports"] for ev in data["evidence"]} == {0.05, 0.9}


def test_check_rejects_an_empty_claim(built):
    with pytest.raises(InputError):
        check("   ", built[0], stance=False)


def test_bare_statements_use_document_offsets():
    text = "Officials said 1,500 troops left on June 30, 2024."
    (s,) = bare_statements(text, [(0, len(text))], doc="d", offset=100, entities=lambda p: [[]])
    assert s.start == 100
    (count,) = s.counts
    assert text[count.start - 100 : count.end - 100] == "1,500 troops"
    assert s.dates[0].first == "2024-06-30"


# -- the verdict rule -----------------------------------------------------------------------


def test_verdict_rule_sides_and_confidence():
    rule = VerdictRule(support=0.5, refute=0.5, rank_decay=0.25, clash_weight=1.0)
    assert decide([], rule).label == NOT_ENOUGH and decide([], rule).confidence == 1.0
    assert decide([Vote(1, supports=0.9)], rule).label == SUPPORTED
    assert decide([Vote(1, refutes=0.9)], rule).label == REFUTED
    assert decide([Vote(1, supports=0.9), Vote(2, refutes=0.9)], rule).label == CONFLICTING
    # A clash found by the rules counts toward refutes, by its weight.
    assert decide([Vote(1, clash=0.8)], rule).label == REFUTED
    no_clash = VerdictRule(support=0.5, refute=0.5, clash_weight=0.0)
    assert decide([Vote(1, clash=0.8)], no_clash).label == NOT_ENOUGH
    # ...and takes the passage's support away: a stance model misses a changed number.
    assert decide([Vote(1, supports=0.9, clash=0.9)], rule).label == REFUTED
    # Rank lowers a passage's weight; the strongest vote counts, weak ones do not add up.
    assert decide([Vote(5, supports=0.6)], VerdictRule(support=0.5, rank_decay=1.0)).label == (
        NOT_ENOUGH
    )
    assert decide([Vote(r, supports=0.4) for r in range(1, 6)], rule).label == NOT_ENOUGH
    s, r = 0.7, 0.2
    assert sum(confidence(v, s, r) for v in (SUPPORTED, REFUTED, CONFLICTING, NOT_ENOUGH)) == (
        pytest.approx(1.0)
    )


def test_tune_rule_finds_the_separating_thresholds():
    votes = [[Vote(1, supports=0.8)], [Vote(1, refutes=0.3)], [Vote(1, supports=0.1)]] * 5
    gold = [SUPPORTED, REFUTED, NOT_ENOUGH] * 5
    rule, score = tune_rule(votes, gold)
    assert score == pytest.approx(3 / 4)  # conflicting never occurs: its F1 is 0
    assert [decide(v, rule).label for v in votes] == gold


# -- evaluation -----------------------------------------------------------------------------


def test_eval_verdict_tunes_on_one_half_and_reports_the_other(tmp_path):
    data = write_claims(tmp_path / "cf.jsonl")
    report = evaluate_verdict(data, scorer=FakeStance(["indeed"], ["never"]))
    assert report["claims"] == 24 and len(report["failures"]) == 1
    halves = report["halves"]
    assert halves["tune"] + halves["report"] == 24 and min(halves.values()) > 0
    for p in report["predictions"]:
        assert p["half"] == half(p["claim_id"])
    assert report["report"]["tuned"]["accuracy"] == 1.0
    assert report["report"]["tuned"]["macro_f1"] == 1.0
    rules_only = evaluate_verdict(data, scorer=None)
    assert {p["predicted"] for p in rules_only["predictions"]} == {NOT_ENOUGH}


def test_claims_the_stance_model_trained_on_are_left_out():
    ids = [str(i) for i in range(100)]
    card = {"training": {"config": {"split_seed": 13, "test_fraction": 0.2, "dev_fraction": 0.1}}}
    seen = stance_training_claims(card, ids)
    assert len(seen) == 100 - 20 - 8
    assert stance_training_claims({}, ids) == set()
    training = pytest.importorskip("claimscope.training.stance")

    class Pair:
        def __init__(self, group):
            self.group = group

    test, dev = training.split_groups([Pair(i) for i in ids], 0.2, 0.1, 13)
    assert seen == set(ids) - test - dev


def test_read_labelled_claims_names_a_missing_file(tmp_path):
    with pytest.raises(InputError):
        read_labelled_claims(tmp_path / "none.jsonl")


@pytest.mark.shared
def test_climate_fever_reads_whole():
    path = SHARED / "data" / "verification" / "climate_fever" / "climate-fever-train.jsonl"
    if not path.exists():
        pytest.skip("Climate-FEVER is not here")
    claims, failures = read_labelled_claims(path)
    assert len(claims) == 1076 and not failures
    assert 400 < sum(half(c.id) == "report" for c in claims) < 676


# -- the commands ---------------------------------------------------------------------------


def test_cli_evidence_index_lists_failures_and_exits_2(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    out = _run("evidence", "index", corpus, "--index", tmp_path / "ix", "--no-vectors")
    assert out.exit_code == 2
    assert "4 indexed" in out.output and "3 input(s) failed" in out.output
    assert f"error: {corpus / 'binary.txt'}:" in out.output
    ok = _run("evidence", "index", corpus / "border.txt", "--index", tmp_path / "ix", "-q")
    assert ok.exit_code == 0


def test_cli_check_prints_json_and_the_rules_only_note(built, monkeypatch):
    import claimscope.models.stance as stance

    monkeypatch.setattr(stance, "installed", lambda model=stance.STANCE_MODEL: False)
    out = _run("check", CLAIM, "--index", built[0], "-k", "2", "--json")
    assert out.exit_code == 0, out.output
    assert "note: no stance model installed" in out.output
    body = json.loads(out.stdout[out.stdout.index("{") :])
    assert body["verdict"] == REFUTED and len(body["evidence"]) == 2
    table = _run("check", CLAIM, "--index", built[0])
    assert table.exit_code == 0 and "verdict: refuted" in table.output


def test_cli_check_exits_2_on_a_missing_index(tmp_path):
    out = _run("check", CLAIM, "--index", tmp_path / "nothing", "--no-stance")
    assert out.exit_code == 2
    assert "no such evidence index" in out.output


def test_cli_eval_verdict(tmp_path):
    data = write_claims(tmp_path / "cf.jsonl")
    out = _run(
        "eval",
        "verdict",
        "--data",
        data,
        "--no-stance",
        "--json",
        tmp_path / "r.json",
        "--predictions",
        tmp_path / "p.tsv",
    )
    assert out.exit_code == 0, out.output
    assert "report half" in out.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["stance_model"] is None and report["halves"]["report"] > 0
    assert len((tmp_path / "p.tsv").read_text().splitlines()) == 25
