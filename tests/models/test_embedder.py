"""The sentence embedder (embed-static) at run time: shape, norms, determinism, no torch."""

import json
import subprocess
import sys

import numpy as np
import pytest

from claimscope.errors import SettingsError
from claimscope.models.embedder import EMBEDDER, Embedder, load_embedder
from claimscope.models.folder import ModelFolder

TEXTS = [
    "The ferry carried 1,240 passengers on its first crossing.",
    "On its first crossing the ferry transported 1,240 passengers.",
    "The singer cancelled her world tour because of illness.",
    "Short.",
]


@pytest.fixture(scope="module")
def embedder():
    return load_embedder()


def test_embedder_shape_dtype_and_unit_norms(embedder):
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), embedder.dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert embedder.embed([]).shape == (0, embedder.dim)


def test_embedder_gives_zero_vectors_to_texts_without_tokens(embedder):
    vectors = embedder.embed(["", "   ", "☃☃☃"])
    assert not vectors.any()


def test_embedder_is_deterministic_and_batch_independent(embedder):
    batch = embedder.embed(TEXTS * 3)
    alone = np.vstack([embedder.embed([t]) for t in TEXTS])
    np.testing.assert_allclose(batch[: len(TEXTS)], alone, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(batch[: len(TEXTS)], batch[len(TEXTS) : 2 * len(TEXTS)])
    np.testing.assert_array_equal(Embedder().load().embed(TEXTS), embedder.embed(TEXTS))


def test_embedder_leaves_out_links_and_handles(embedder):
    plain, noisy = embedder.embed(
        [
            "Officials said 700 troops will arrive in Lima",
            "Officials said 700 troops will arrive in #Lima https://t.co/Qp4XbW8s2L @newsdesk",
        ]
    )
    np.testing.assert_allclose(plain, noisy, rtol=1e-6, atol=1e-7)


def test_embedder_ranks_a_paraphrase_above_an_unrelated_sentence(embedder):
    a, paraphrase, unrelated, _ = embedder.embed(TEXTS)
    assert a @ paraphrase > 0.8 > 0.4 > a @ unrelated


def test_embedder_card_records_source_license_thresholds_and_size():
    folder = ModelFolder.open(EMBEDDER)
    card = folder.card
    assert card["kind"] == "static"
    assert "all-MiniLM-L6-v2" in card["base_model"] and "Apache-2.0" in card["license"]
    assert card["distillation"]["dim"] <= 256 and card["distillation"]["stored_as"] == "int8"
    assert sum((folder.path / f).stat().st_size for f in card["files"]) <= 8_000_000
    for name in ("near_duplicate", "semantic", "semantic_quantity"):
        assert 0 < folder.threshold(name) < 1
    assert folder.threshold("semantic_quantity") <= folder.threshold("semantic")
    assert card["distillation"]["check_vs_model2vec_encode"]["min_cosine"] > 0.99


def test_embedder_refuses_a_folder_that_is_not_static(tmp_path):
    with pytest.raises(SettingsError, match="not a static embedding model"):
        Embedder("claims-minilm").load()
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "card.json").write_text(json.dumps({"name": "x", "version": "0", "kind": "static"}))
    with pytest.raises(SettingsError, match="lacks"):
        Embedder(str(folder)).load()
    with pytest.raises(SettingsError, match="no 'missing' threshold"):
        load_embedder().threshold("missing")


def test_embedder_runs_without_torch():
    code = (
        "import sys; from claimscope.models.embedder import load_embedder; "
        "v = load_embedder().embed(['Prices rose 4% in May.']); "
        "assert v.shape[0] == 1; "
        "assert 'torch' not in sys.modules and 'model2vec' not in sys.modules, 'imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
