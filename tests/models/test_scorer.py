import subprocess
import sys

import numpy as np
import pytest

from claimscope.errors import SettingsError
from claimscope.models.folder import ModelFolder
from claimscope.models.scorer import ClaimScorer, load_scorer

SENTENCES = [
    "Unemployment fell to 3.9 percent in March, the lowest level in a decade.",
    "I love sunny mornings.",
    "The city council approved a budget of $12 million for new buses on Tuesday.",
    "What a disgraceful, cowardly decision by these so-called leaders!",
]


def test_scorer_returns_probabilities_in_input_order():
    scorer = load_scorer("claims-minilm")
    scores = scorer.score(SENTENCES)
    assert set(scores) == {"checkworthiness", "subjectivity", "techniques"}
    assert scores["techniques"].shape == (4, 15)
    for values in scores.values():
        assert values.shape[0] == 4 and np.all((values >= 0) & (values <= 1))
    # The rant is the one that uses a technique.
    assert int(np.argmax(scores["techniques"][:, 0])) == 3
    alone = scorer.score(SENTENCES[2:3])
    # int8 dynamic quantization scales activations per batch: tiny batch-dependent drift.
    assert alone["checkworthiness"][0] == pytest.approx(scores["checkworthiness"][2], abs=5e-3)


def test_scorer_handles_empty_batch():
    assert load_scorer("claims-minilm").score([])["checkworthiness"].shape == (0,)


def test_model_folder_card_has_thresholds_and_licenses():
    folder = ModelFolder.open("claims-minilm")
    assert 0 < folder.threshold("checkworthiness") < 1
    assert 0 < folder.threshold("subjectivity") < 1
    assert "data_licenses" in folder.card


def test_model_folder_missing_is_settings_error(tmp_path):
    with pytest.raises(SettingsError):
        ClaimScorer(str(tmp_path / "nope")).load()


def test_pipeline_runs_with_torch_hidden():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import claimscope\n"
        "a = claimscope.analyze('The council spent 4 million dollars on May 2, 2024.')\n"
        "assert 'checkworthiness' in a.sentences[0].scores\n"
        "assert 'torch' not in {m.split('.')[0] for m in sys.modules if sys.modules[m]}\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_token_states_come_with_their_offsets_from_the_same_pass():
    from claimscope.models.scorer import TOKEN_STATES, load_scorer

    scorer = load_scorer("claims-minilm")
    texts = ["The minister said the plan would cut costs.", "Short one."]
    plain, _ = scorer.score_with_tokens(texts, tokens=False, techniques=False)
    scores, tokens, states = scorer.score_with_states(
        texts, tokens=False, techniques=False, states=True
    )
    assert scorer.has_states_ and TOKEN_STATES == "token_states"
    assert tokens is None and states is not None and len(states) == 2
    for text, (offsets, values) in zip(texts, states, strict=True):
        assert values.dtype == np.float16 and values.shape == (len(offsets), 256)
        assert offsets[1:-1, 1].max() == len(text)  # specials first and last
    # Asking for the states leaves the scores as they were.
    for task in ("checkworthiness", "subjectivity"):
        assert np.allclose(plain[task], scores[task], atol=1e-6)
