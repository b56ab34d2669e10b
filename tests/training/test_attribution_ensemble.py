"""The attribution ensemble: two networks' probabilities averaged in one graph, read by the run
time as one network's logits; and the best epoch's weights kept as they were."""

import numpy as np
import pytest


@pytest.mark.train
def test_averaged_gives_the_mean_probabilities(tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    import onnxruntime as ort

    from claimscope.extract.attribution_tagger import softmax_roles
    from claimscope.training.attribution import TaggerConfig, TaggerNet
    from claimscope.training.attribution_ensemble import Averaged

    torch.manual_seed(0)
    nets = [TaggerNet(10, TaggerConfig(proj=8, hidden=4)).eval() for _ in range(2)]
    x = torch.randn(1, 7, 10)
    with torch.no_grad():
        want = np.mean([softmax_roles(n(x)[0].numpy()) for n in nets], axis=0)
        both = Averaged(nets).eval()
        got = softmax_roles(both(x)[0].numpy())
    assert np.allclose(got, want, atol=1e-6)
    path = tmp_path / "m.onnx"
    torch.onnx.export(both, (x,), str(path), input_names=["x"], output_names=["logits"],
                      dynamic_axes={"x": {1: "words"}}, opset_version=17, dynamo=False)  # fmt: skip
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    longer = np.random.default_rng(0).normal(size=(1, 12, 10)).astype(np.float32)
    (onnx_out,) = session.run(None, {"x": longer})
    with torch.no_grad():
        ref = np.mean([softmax_roles(n(torch.from_numpy(longer))[0].numpy()) for n in nets], 0)
    assert np.allclose(softmax_roles(onnx_out[0]), ref, atol=1e-5)


@pytest.mark.train
def test_best_epoch_weights_are_a_copy():
    torch = pytest.importorskip("torch")
    from claimscope.extract.attribution_features import Window
    from claimscope.training.attribution import Example, TaggerConfig, train_tagger

    rng = np.random.default_rng(0)
    data = [
        Example(0, Window([(i, i + 1) for i in range(6)], [0] * 6),
                rng.normal(size=(6, 5)).astype(np.float32), rng.integers(0, 3, size=(6, 3)))
        for _ in range(8)
    ]  # fmt: skip
    scores = iter([1.0, 0.0, 0.0])
    seen = {}

    def score(net):
        seen[len(seen)] = {k: v.clone() for k, v in net.state_dict().items()}
        return {"score": next(scores)}

    net, history = train_tagger(data, TaggerConfig(epochs=3, proj=4, hidden=3, batch=4), score)
    assert len(history) == 3
    # The first epoch scored best: its weights come back, not the last epoch's.
    for k, v in net.state_dict().items():
        assert torch.equal(v, seen[0][k])


@pytest.mark.train
def test_build_ensemble_from_two_runs(tmp_path):
    from .test_attribution_smoke import _polnear

    data = _polnear(tmp_path)
    from claimscope.extract.attribution_tagger import AttributionTagger
    from claimscope.training.attribution_ensemble import build_ensemble, train_member

    cache = tmp_path / "cache"
    for seed in (0, 1):
        train_member(data, cache, seed, 1, f"run-{seed}")
    card = build_ensemble(data, tmp_path / "out", cache, ["run-0", "run-1"])
    assert [m["run"] for m in card["members"]] == ["run-0", "run-1"]
    assert card["onnx_max_abs_diff"] < 1e-4
    floor = card["validation"]["floor"]
    chosen = card["validation"]["chosen"]
    assert chosen["content_linked"] >= floor["content_linked"] or card["decoding"]["outside"] == [
        0.5, 0.5, 0.6
    ]  # fmt: skip
    tagger = AttributionTagger(str(tmp_path / "out")).load()
    assert tagger.decoding_.min_score == card["decoding"]["min_score"]
