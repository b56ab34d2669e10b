"""Distillation: the unlabelled pool, the teacher's cached pool scores, and a student that
learns what the teacher says about texts that have no gold label."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from claimscope.models.batches import read_tokenizer  # noqa: E402
from claimscope.training import distil  # noqa: E402
from claimscope.training.claims import TrainConfig, train  # noqa: E402
from claimscope.training.claims_model import predict  # noqa: E402
from tests.training.tiny_models import tiny_encoder  # noqa: E402

pytestmark = pytest.mark.train


def write_sources(root: Path) -> Path:
    """One small file per pool source, laid out as ../shared/data."""
    text = root / "attribution" / "polnear" / "train" / "text"
    text.mkdir(parents=True)
    (text / "a.txt").write_text(
        "Harbour council meets\n\nThe council approved the ferry budget on Monday. "
        '"It is a fair plan," the mayor said. Ok.\n'
        "Critics in the port district said the fares would rise again next year.\n",
        "utf-8",
    )
    liar = root / "verification" / "liar"
    liar.mkdir(parents=True)
    (liar / "train.tsv").write_text(
        "1.json\tfalse\tSays the harbour tax doubled in two years.\ttaxes\n"
        "2.json\ttrue\tThe ferry carried a million passengers in 2019.\ttransport\n",
        "utf-8",
    )
    cw = root / "checkworthiness"
    cw.mkdir(parents=True)
    (cw / "ct20_task1_tweets_training_v2.tsv").write_text(
        "topic_id\ttweet_url\ttweet_id\ttweet_text\tclaim\tcheck_worthiness\n"
        "1\tu\t9\tThe ferry fares rise by ten percent from May https://t.co/x\t1\t1\n",
        "utf-8",
    )
    fever = root / "verification" / "climate_fever"
    fever.mkdir(parents=True)
    record = {"evidences": [{"evidence": "Sea levels near the harbour rose three centimetres."}]}
    (fever / "climate-fever-train.jsonl").write_text(json.dumps(record) + "\n", "utf-8")
    return root


def test_pool_reads_every_source_splits_sentences_and_excludes(tmp_path):
    data = write_sources(tmp_path)
    excluded = "Says the harbour tax doubled in two years."
    pool, counts = distil.unlabelled_pool(data, exclude=[excluded])
    assert counts == {"polnear": 3, "liar": 1, "tweets": 1, "climate_fever": 1}
    assert "The council approved the ferry budget on Monday." in pool
    assert '"It is a fair plan," the mayor said.' in pool
    assert "Harbour council meets" not in pool and "Ok." not in pool  # too short
    assert excluded not in pool
    assert "The ferry fares rise by ten percent from May" in pool  # the link is cut
    assert len(pool) == len(set(pool))
    # Seeded, and a source gives at most its share.
    again, _ = distil.unlabelled_pool(data, exclude=[excluded])
    assert again == pool
    fewer, counts = distil.unlabelled_pool(data, shares={"polnear": 1})
    assert counts["polnear"] == 1 and len(fewer) == 1


def tiny_bert(folder: Path, texts: list[str]) -> Path:
    """A random 1-layer BERT with a word-level tokenizer over ``texts``' words."""
    return tiny_encoder(folder, texts, "bert", layers=1)


def _tsv(path: Path, header: str, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text(header + "\n" + "\n".join("\t".join(r) for r in rows) + "\n", "utf-8")
    return path


def test_student_learns_the_teachers_scores_of_unlabelled_texts(tmp_path):
    # Gold labels say nothing about subjectivity of "zebra" sentences; only the teacher does,
    # and only on pool texts. The student must carry it over to new zebra sentences.
    cw_rows = [(str(i), f"The port moved {i} tons of cargo.", "Yes") for i in range(8)]
    cw_rows += [(f"c{i}", f"Thank you friend number {i}.", "No") for i in range(8)]
    subj_rows = [(f"s{i}", f"The bridge is {i} metres long.", "OBJ") for i in range(6)]
    subj_rows += [(f"t{i}", f"What a lovely idea {i}!", "SUBJ") for i in range(6)]
    pool = [f"zebra {i} zebra" for i in range(32)] + [f"truck {i} truck" for i in range(32)]
    unseen = ["zebra 99 zebra", "truck 99 truck"]
    base = tiny_bert(
        tmp_path / "base", [r[1] for r in cw_rows + subj_rows] + pool + unseen + ["metres"]
    )
    cw = _tsv(tmp_path / "cw.tsv", "Sentence_id\tText\tclass_label", cw_rows)
    subj = _tsv(tmp_path / "subj.tsv", "sentence_id\tsentence\tlabel", subj_rows)
    soft = {}
    for text in pool:
        logits = np.zeros(len(distil.TARGETS), dtype=np.float32)
        logits[1] = 6.0 if "zebra" in text else -6.0  # subjectivity
        soft[text] = logits

    def run(weight: float) -> list[float]:
        out = tmp_path / f"w{weight}"
        train(
            checkworthiness=[cw],
            subjectivity_train=subj,
            subjectivity_dev=subj,
            base=base,
            out=out,
            config=TrainConfig(
                epochs=6,
                batch_size=8,
                max_len=16,
                lr=3e-3,
                subj_oversample=1,
                distil_weight=weight,
                warmup=0.0,
            ),
            soft=soft,
            pool=pool,
        )
        summary = json.loads((out / "training.json").read_text())
        assert summary["data"]["sizes"]["unlabelled_pool"] == len(pool)
        from claimscope.training.claims_model import ClaimModel

        model = ClaimModel(str(base))
        model.load_state_dict(torch.load(out / "model.pt"))
        return predict(model, read_tokenizer(base, 16), unseen, "subjectivity")

    zebra, truck = run(1.0)
    assert zebra - truck > 0.2
    zebra0, truck0 = run(0.0)  # without the soft loss the pool teaches nothing
    assert (zebra - truck) - (zebra0 - truck0) > 0.2


def test_static_head_learns_soft_labels():
    # Gold rows vary only along x0; the teacher's soft labels say that x1 matters too.
    from claimscope.training.static import StaticConfig, _fit_head

    rng = np.random.default_rng(0)
    gold_x = np.column_stack([rng.normal(size=200), np.zeros(200)])
    gold_y = [int(v > 0) for v in gold_x[:, 0]]
    soft_x = np.column_stack([np.zeros(400), rng.normal(size=400)])
    soft_p = 1.0 / (1.0 + np.exp(-4.0 * soft_x[:, 1]))
    config = StaticConfig(c_grid=(1.0,), class_weights=(None,))
    val = (gold_x[:50], gold_y[:50])
    plain = _fit_head((gold_x, gold_y), val, "f1", config)
    taught = _fit_head((gold_x, gold_y), val, "f1", config, soft=(soft_x, soft_p))
    assert abs(plain["w"][1]) < 0.1
    assert taught["w"][1] > 1.0
