"""Train the attribution tagger on a tiny made-up PolNeAR split; load it with the run time."""

import json

import numpy as np
import pytest

from claimscope.extract.attribution_features import Layout

PEOPLE = ["The harbour master", "A spokesperson for the port", "Mayor Lena Ortiz", "Officials"]
CLAIMS = ["the cranes will arrive in May", "the dock is safe", "fees rise next year"]


def _article(i: int) -> tuple[str, list[str]]:
    """A made-up article and its brat lines: one attribution per paragraph."""
    text, lines, t = "", [], 0
    for k in range(3):
        source, claim = PEOPLE[(i + k) % len(PEOPLE)], CLAIMS[(i + k) % len(CLAIMS)]
        start = len(text)
        text += f"{source} said that {claim}. Traffic was light on the {k + 1}st day.\n\n"
        cue = start + len(source) + 1
        spans = [("Source", start, start + len(source)), ("Cue", cue, cue + 4),
                 ("Content", cue + 5, cue + 10 + len(claim))]  # fmt: skip
        for role, s, e in spans:
            t += 1
            lines.append(f"T{t}\t{role} {s} {e}\t{text[s:e]}")
        t += 1
        lines.append(f"T{t}\tAttribution {cue} {cue + 4}\tsaid")
        lines.append(f"E{t}\tAttribution:T{t} Source:T{t - 3} Cue:T{t - 2} Content:T{t - 1}")
    return text, lines


def _split(root, names):
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    for i in names:
        text, lines = _article(i)
        (root / "text" / f"a{i}.txt").write_text(text, encoding="utf-8")
        (root / "attributions" / f"a{i}_ab12.ann").write_text("\n".join(lines) + "\n")


def _polnear(tmp_path):
    """A tiny PolNeAR-shaped data folder (10 train articles, 2 dev) under ``tmp_path``; the
    data folder, once torch and onnx are known to be installed."""
    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    data = tmp_path / "data" / "attribution" / "polnear"
    _split(data / "train", range(10))
    _split(data / "dev", range(10, 12))
    return tmp_path / "data"


@pytest.mark.train
def test_train_attribution_end_to_end(tmp_path):
    data = _polnear(tmp_path)
    from claimscope.extract.attribution_tagger import AttributionTagger
    from claimscope.training.attribution import TaggerConfig
    from claimscope.training.attribution_build import build_attribution_model

    out = tmp_path / "tagger"
    config = TaggerConfig(epochs=2, checkpoints=str(tmp_path / "ckpt"))
    card = build_attribution_model(data, out, tmp_path / "cache", config)
    assert set(card["dev"]) >= {"rules", "tagger"}
    assert card["onnx_max_abs_diff"] < 1e-4
    assert json.loads((out / "card.json").read_text())["decoding"] == card["decoding"]
    assert (tmp_path / "ckpt" / "checkpoint.pt").is_file()
    # A second run resumes from the checkpoint (every epoch done): same history.
    again = build_attribution_model(data, out, tmp_path / "cache", config)
    assert again["history"] == card["history"]
    tagger = AttributionTagger(str(out)).load()
    text, _ = _article(3)
    end = text.index(".") + 1
    layout = Layout(text, [(0, end, 0)], [], [])
    ((window, probs),) = tagger.probabilities(layout)
    assert probs.shape == (len(window.words), 3, 3)
    assert np.allclose(probs.sum(axis=2), 1.0, atol=1e-5)
    assert isinstance(tagger.tag(layout), list)
