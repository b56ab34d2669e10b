"""The teacher on a tiny random MPNet: the cached lower layers, training, resume, scores."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


from claimscope.models.batches import read_tokenizer  # noqa: E402
from claimscope.training.encoding import token_batch  # noqa: E402
from claimscope.training.teacher import (  # noqa: E402
    TeacherConfig,
    TeacherModel,
    load_teacher,
    read_teacher_data,
    teacher_scores,
    train_teacher,
)
from claimscope.training.teacher_base import teacher_base  # noqa: E402
from tests.persuasion.ptc_fixture import ARTICLES, write_ptc  # noqa: E402
from tests.training.test_teacher_base import split_zip  # noqa: E402
from tests.training.tiny_models import tiny_encoder  # noqa: E402

pytestmark = pytest.mark.train

CHECKABLE = ["Unemployment fell to {n} percent last year.", "Crime rose by {n} percent."]
CHATTER = ["Thank you all for coming tonight, number {n}.", "I think we can do better, {n}."]
SUBJECTIVE = ["What a shameful, ridiculous plan number {n}!", "This is the best idea ever, {n}."]
OBJECTIVE = ["The report was published on page {n}.", "The bridge is {n} metres long."]


def _tsv(path: Path, header: str, rows: list[tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "\n".join("\t".join(r) for r in rows) + "\n", "utf-8")


def write_data(root: Path) -> Path:
    """A data folder laid out as ../shared/data, with the files the teacher reads."""
    cw = [
        (str(i), t.format(n=i), "Yes" if t in CHECKABLE else "No")
        for i in range(10)
        for t in CHECKABLE + CHATTER
    ]
    subj = [
        (f"s{i}", t.format(n=i), "SUBJ" if t in SUBJECTIVE else "OBJ")
        for i in range(8)
        for t in SUBJECTIVE + OBJECTIVE
    ]
    header_cw, header_subj = "Sentence_id\tText\tclass_label", "sentence_id\tsentence\tlabel"
    _tsv(root / "checkworthiness" / "ct24_english_train.tsv", header_cw, cw)
    _tsv(root / "checkworthiness" / "ct24_english_dev.tsv", header_cw, cw[:12])
    for name in ("ct25_train_en.tsv", "ct25_dev_en.tsv", "ct25_dev_test_en.tsv"):
        _tsv(root / "subjectivity" / name, header_subj, subj)
    write_ptc(root / "persuasion" / "ptc", copies=10)
    return root


def tiny_mpnet(folder: Path, texts: list[str]) -> Path:
    """A random 2-layer MPNet saved as a sentence-transformers folder is."""
    return tiny_encoder(folder, texts, "mpnet", layers=2)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("teacher")
    data_dir = write_data(root / "data")
    texts = [line.split("\t")[1] for line in _lines(data_dir)]
    texts += [s for lines in ARTICLES.values() for s, _ in lines]
    model = tiny_mpnet(root / "model", texts)
    # The base goes through the loader, as the real one does: a zip cut in five parts.
    (root / "parts").mkdir()
    parts = split_zip(model, root / "parts")
    sha = hashlib.sha256((model / "model.safetensors").read_bytes()).hexdigest()
    base = teacher_base(root / "cache" / "teacher", parts=parts, sha256=sha)
    return data_dir, base


def _lines(data_dir: Path) -> list[str]:
    out = []
    for path in sorted(data_dir.rglob("*.tsv")):
        out += path.read_text("utf-8").splitlines()[1:]
    return out


CONFIG = dict(epochs=2, batch_size=8, max_len=32, frozen_layers=1, shard_size=50, lr=1e-3)


def test_teacher_model_lower_then_upper_is_the_encoder(setup):
    _, base = setup
    model = TeacherModel.from_base(base, frozen_layers=1).eval()
    tok = read_tokenizer(base, 32)
    ids, mask = token_batch(tok, ["Crime rose by 5 percent.", "Thank you."])
    with torch.no_grad():
        ref = model.encoder(input_ids=ids.masked_fill(mask == 0, 1), attention_mask=mask)
        states = model._run(model.lower(ids, mask), mask, model.encoder.encoder.layer[1:])
    diff = (ref.last_hidden_state - states).abs() * mask[..., None]
    assert float(diff.max()) < 1e-5
    assert all(not p.requires_grad for p in model.encoder.embeddings.parameters())
    assert all(p.requires_grad for p in model.encoder.encoder.layer[1].parameters())


def test_train_teacher_caches_checkpoints_and_resumes(setup, tmp_path, caplog):
    data_dir, base = setup
    caplog.set_level(logging.INFO, logger="claimscope.training.teacher")
    config = TeacherConfig(**CONFIG, checkpoint_minutes=0)
    data = read_teacher_data(data_dir, config)
    assert data.cw_report and data.subj_report and data.ptc_dev and data.ptc_val

    # Uninterrupted run.
    whole = train_teacher(
        base=base, data=data, out=tmp_path / "whole", cache_dir=tmp_path / "a", config=config
    )
    assert whole is not None
    # Interrupted after 3 steps, then run again: resumes from the checkpoint and its cache.
    stopped = train_teacher(
        base=base,
        data=data,
        out=tmp_path / "resumed",
        cache_dir=tmp_path / "b",
        config=config,
        max_steps=3,
    )
    assert stopped is None
    (checkpoint,) = (tmp_path / "b" / "teacher-work").glob("*/checkpoint.pt")
    saved = torch.load(checkpoint, weights_only=False)
    assert (saved["state"]["epoch"], saved["state"]["step"]) == (1, 3)
    shards = sorted((tmp_path / "b" / "teacher-cache").glob("*/lengths-*.npy"))
    assert len(shards) > 1
    stamps = [p.stat().st_mtime_ns for p in shards]
    caplog.clear()
    resumed = train_teacher(
        base=base, data=data, out=tmp_path / "resumed", cache_dir=tmp_path / "b", config=config
    )
    assert resumed is not None
    assert "resumed from" in caplog.text and "epoch 1, step 3/" in caplog.text
    assert f"all {len(shards)} shards" in caplog.text
    assert [p.stat().st_mtime_ns for p in shards] == stamps  # the cache was not recomputed

    # The interrupted run ends exactly where the uninterrupted one did.
    a = torch.load(tmp_path / "whole" / "model.pt")
    b = torch.load(tmp_path / "resumed" / "model.pt")
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    for got, want in zip(resumed["history"], whole["history"], strict=True):
        assert {**got, "seconds": 0} == {**want, "seconds": 0}

    card = json.loads((tmp_path / "whole" / "teacher.json").read_text())
    assert [h["epoch"] for h in card["history"]] == [1, 2]
    assert {"checkworthiness", "subjectivity", "persuasion"} <= set(card["selected_validation"])
    held = card["held_out"]
    assert {"checkworthiness", "subjectivity", "persuasion_dev_sentences"} == set(held)
    assert 0.0 <= held["checkworthiness"]["f1"] <= 1.0
    assert held["checkworthiness"]["file"] == "ct24_english_dev.tsv"

    logits = np.load(tmp_path / "whole" / "train_logits.npz")
    assert logits["techniques"].shape == (len(logits["texts"]), 15)
    # Scores from the saved teacher agree with the logits computed from the cache.
    texts = [str(t) for t in logits["texts"][:20]]
    scores = teacher_scores(texts, tmp_path / "whole", logits=True)
    np.testing.assert_allclose(scores["checkworthiness"], logits["checkworthiness"][:20], atol=1e-3)
    np.testing.assert_allclose(scores["techniques"], logits["techniques"][:20], atol=1e-3)


def test_teacher_scores_shapes_and_tokens(setup, tmp_path):
    data_dir, base = setup
    config = TeacherConfig(**{**CONFIG, "epochs": 1})
    data = read_teacher_data(data_dir, config)
    train_teacher(base=base, data=data, out=tmp_path / "t", cache_dir=tmp_path, config=config)
    teacher = load_teacher(tmp_path / "t")
    texts = ["Crime rose by 7 percent.", "What a shameful plan!", "Thank you."]
    scores = teacher_scores(texts, teacher, tokens=True)
    assert scores["checkworthiness"].shape == (3,) and scores["subjectivity"].shape == (3,)
    assert scores["techniques"].shape == (3, 15)
    assert ((scores["techniques"] >= 0) & (scores["techniques"] <= 1)).all()
    for text, per_token, offsets in zip(
        texts, scores["technique_tokens"], scores["offsets"], strict=True
    ):
        assert per_token.shape == (len(offsets), 14)
        assert text[offsets[1][0] : offsets[1][1]].lower() == text.split()[0].lower()
    # Input order does not depend on how texts are batched.
    again = teacher_scores(texts[::-1], teacher)
    np.testing.assert_allclose(again["subjectivity"][::-1], scores["subjectivity"], atol=1e-5)
