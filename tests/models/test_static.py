"""The static (``--profile fast``) claim model at run time: folders built by hand, no torch."""

import json
import shutil

import numpy as np
import pytest
from tokenizers import Tokenizer

from claimscope.errors import SettingsError
from claimscope.models import embedder as embedder_module
from claimscope.models.folder import SHIPPED, ModelFolder, model_path
from claimscope.models.scorer import TASKS, ClaimScorer

DIM = 8
SENTENCES = [
    "Unemployment fell to 3.9 percent in March, the lowest level in a decade.",
    "I love sunny mornings.",
    "The city council approved a budget of $12 million for new buses on Tuesday.",
    "What a disgraceful, cowardly decision by these so-called leaders!",
]


def _vocab_size():
    return Tokenizer.from_file(str(model_path("claims-minilm") / "tokenizer.json")).get_vocab_size()


def _write_folder(path, *, vectors=None, max_tokens=128, scales=None, seed=0):
    """A static model folder: the shipped MiniLM tokenizer, random vectors and heads, a card."""
    path.mkdir()
    shutil.copy(model_path("claims-minilm") / "tokenizer.json", path / "tokenizer.json")
    rng = np.random.default_rng(seed)
    vocab = _vocab_size()
    if vectors is None:
        vectors = rng.normal(size=(vocab, DIM)).astype(np.float32)
    arrays = {"vectors": vectors}
    if scales is not None:
        arrays["scales"] = scales
    for task in TASKS:
        arrays[f"{task}_w"] = rng.normal(size=DIM).astype(np.float32)
        arrays[f"{task}_b"] = np.float32(rng.normal())
    np.savez(path / "static.npz", **arrays)
    card = {
        "name": "test.claims-static",
        "version": "0",
        "kind": "static",
        "files": ["static.npz", "tokenizer.json"],
        "max_tokens": max_tokens,
        "thresholds": {"checkworthiness": 0.4, "subjectivity": 0.6},
    }
    (path / "card.json").write_text(json.dumps(card), encoding="utf-8")
    return path


def _reference(folder, texts):
    """The static scores computed the slow, obvious way: one text at a time."""
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(card["max_tokens"])
    data = np.load(folder / "static.npz")
    vectors = data["vectors"].astype(np.float64)
    if "scales" in data:
        vectors *= data["scales"][:, None]
    unk = tok.token_to_id("[UNK]")
    out = {t: [] for t in TASKS}
    for text in texts:
        ids = [i for i in tok.encode(text, add_special_tokens=False).ids if i != unk]
        x = vectors[ids].mean(axis=0) if ids else np.zeros(vectors.shape[1])
        x /= max(np.linalg.norm(x), 1e-9)
        for t in TASKS:
            out[t].append(1 / (1 + np.exp(-(x @ data[f"{t}_w"] + data[f"{t}_b"]))))
    return {t: np.array(v) for t, v in out.items()}


@pytest.fixture
def static_folder(tmp_path):
    return _write_folder(tmp_path / "static")


def test_static_scorer_loads_folder(static_folder):
    scorer = ClaimScorer(str(static_folder)).load()
    assert scorer.kind_ == "static"
    assert scorer.name == "test.claims-static v0"
    assert scorer.threshold("subjectivity") == pytest.approx(0.6)


def test_static_scores_are_probabilities_in_input_order(static_folder):
    scorer = ClaimScorer(str(static_folder)).load()
    scores = scorer.score(SENTENCES)
    assert set(scores) == set(TASKS)
    for values in scores.values():
        assert values.shape == (4,) and np.all((values >= 0) & (values <= 1))
    reverse = scorer.score(SENTENCES[::-1])
    alone = scorer.score(SENTENCES[2:3])
    for task in TASKS:
        np.testing.assert_allclose(reverse[task][::-1], scores[task], rtol=1e-6)
        assert alone[task][0] == pytest.approx(scores[task][2], rel=1e-6)


def test_static_scores_match_one_text_at_a_time(static_folder):
    texts = [*SENTENCES, "", "☃ snowman ☃", "Short.", "x" * 50]
    got = ClaimScorer(str(static_folder)).load().score(texts)
    want = _reference(static_folder, texts)
    for task in TASKS:
        np.testing.assert_allclose(got[task], want[task], rtol=1e-5, atol=1e-6)


def test_static_scorer_handles_empty_batch(static_folder):
    scorer = ClaimScorer(str(static_folder)).load()
    scores = scorer.score([])
    assert {t: v.shape for t, v in scores.items()} == {t: (0,) for t in TASKS}
    assert scorer.embed([]).shape == (0, DIM)


def test_static_empty_and_unknown_texts_score_as_the_bias(static_folder):
    scorer = ClaimScorer(str(static_folder)).load()
    texts = ["", "   ", "\n\t", "☃☃☃", "The budget rose."]
    scores = scorer.score(texts)
    data = np.load(static_folder / "static.npz")
    for task in TASKS:
        bias = 1 / (1 + np.exp(-float(data[f"{task}_b"])))
        np.testing.assert_allclose(scores[task][:4], bias, rtol=1e-6)
        assert scores[task][4] != pytest.approx(bias)
    embeddings = scorer.embed(texts)
    assert not embeddings[:4].any()
    assert np.linalg.norm(embeddings[4]) == pytest.approx(1.0, rel=1e-5)


def test_static_embeddings_do_not_depend_on_chunking(static_folder, monkeypatch):
    texts = [f"{s} Item {i}." for i, s in enumerate(SENTENCES * 5)] + [""] * 3
    whole = ClaimScorer(str(static_folder)).load().embed(texts)
    monkeypatch.setattr(embedder_module, "_CHUNK", 3)
    chunked = ClaimScorer(str(static_folder)).load().embed(texts)
    np.testing.assert_allclose(chunked, whole, rtol=1e-6, atol=1e-7)


def test_static_scorer_truncates_at_max_tokens(tmp_path):
    folder = _write_folder(tmp_path / "short", max_tokens=4)
    scorer = ClaimScorer(str(folder)).load()
    scores = scorer.score(["alpha beta gamma delta", "alpha beta gamma delta epsilon zeta eta"])
    for task in TASKS:
        assert scores[task][0] == pytest.approx(scores[task][1], rel=1e-6)


def test_static_int8_vectors_are_scaled_per_row(tmp_path):
    rng = np.random.default_rng(1)
    vocab = Tokenizer.from_file(
        str(model_path("claims-minilm") / "tokenizer.json")
    ).get_vocab_size()
    q = rng.integers(-127, 128, size=(vocab, DIM), dtype=np.int8)
    scales = rng.uniform(0.001, 0.1, size=vocab).astype(np.float32)
    int8 = _write_folder(tmp_path / "int8", vectors=q, scales=scales)
    plain = _write_folder(tmp_path / "plain", vectors=q.astype(np.float32) * scales[:, None])
    got = ClaimScorer(str(int8)).load().score(SENTENCES)
    want = ClaimScorer(str(plain)).load().score(SENTENCES)
    for task in TASKS:
        np.testing.assert_allclose(got[task], want[task], rtol=1e-6)


def test_static_folder_without_vectors_is_settings_error(static_folder):
    (static_folder / "static.npz").unlink()
    with pytest.raises(SettingsError, match=r"lacks static\.npz"):
        ClaimScorer(str(static_folder)).load()


def test_static_embed_needs_a_static_model():
    with pytest.raises(SettingsError, match="not a static model"):
        ClaimScorer("claims-minilm").load().embed(SENTENCES)


def test_shipped_fast_model_is_small_and_scores():
    try:
        folder = ModelFolder.open(SHIPPED["fast"])
    except SettingsError:
        pytest.skip("the fast model folder is not built")
    card = folder.card
    assert card["kind"] == "static"
    assert sum((folder.path / f).stat().st_size for f in card["files"]) < 12_000_000
    assert set(TASKS) <= set(card["data_licenses"])
    for task in TASKS:
        assert 0 < folder.threshold(task) < 1
    scores = ClaimScorer(SHIPPED["fast"]).load().score(SENTENCES)
    for values in scores.values():
        assert values.shape == (4,) and np.all((values >= 0) & (values <= 1))
