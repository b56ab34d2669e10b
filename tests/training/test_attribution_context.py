"""The contextual-states probe: a graph tensor added as an output (the graph's own outputs the
same), each word's first subword found, the states aligned with the tagger's windows."""

import numpy as np
import pytest

from claimscope.extract.attribution_features import Layout, windows
from claimscope.training.attribution_context import (
    article_words,
    first_subwords,
    fit_pca,
    project,
    window_slices,
)


def _tiny_graph(path):
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "tokens", 4])
    nodes = [
        helper.make_node("Relu", ["x"], ["hidden"]),
        helper.make_node("Sigmoid", ["hidden"], ["y"]),
    ]
    model = helper.make_model(
        helper.make_graph(nodes, "tiny", [x], [y]),
        opset_imports=[helper.make_opsetid("", 17)],
        ir_version=9,
    )
    import onnx

    onnx.save(model, str(path))


@pytest.mark.train
def test_context_graph_adds_the_states_and_keeps_the_outputs(tmp_path):
    pytest.importorskip("onnx")
    import onnxruntime as ort

    from claimscope.training.attribution_context import context_graph

    src, dst = tmp_path / "tiny.onnx", tmp_path / "out" / "states.onnx"
    _tiny_graph(src)
    context_graph(src, dst, {"states": "hidden"})
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype(np.float32)
    (want,) = ort.InferenceSession(str(src), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    got, states = ort.InferenceSession(str(dst), providers=["CPUExecutionProvider"]).run(
        ["y", "states"], {"x": x}
    )
    assert np.array_equal(got, want)
    assert np.array_equal(states, np.maximum(x, 0))
    with pytest.raises(SystemExit, match="no tensor"):
        context_graph(src, tmp_path / "other.onnx", {"states": "not_there"})


def test_first_subwords_skip_special_tokens_and_truncated_words():
    # [CLS] "Wal" "##ter" "said" [SEP]; the fourth word was cut off by the truncation.
    offsets = np.array([[-1, -1], [0, 3], [3, 6], [7, 11], [-1, -1]])
    got = first_subwords(offsets, [(0, 6), (7, 11), (12, 14)])
    assert got.tolist() == [1, 3, -1]


def test_states_rows_follow_the_windows():
    text = "Ann said it rained. " * 60 + "Bob denied it."
    sentences = []
    at = 0
    while at < len(text):
        end = text.find(".", at) + 1
        sentences.append((at, end, 0))
        at = end + 1
    layout = Layout(text, sentences, [], [])
    words = article_words(layout)
    slices = list(window_slices(layout))
    assert len(windows(layout)) == len(slices) > 1
    for window, part in zip(windows(layout), slices, strict=True):
        assert [(s, e) for _, s, e in words[part]] == window.words


def test_pca_keeps_missing_words_at_zero():
    rng = np.random.default_rng(0)
    states = [rng.normal(size=(50, 8)).astype(np.float16), np.zeros((3, 8), dtype=np.float16)]
    pca = fit_pca(states, 4)
    out = project(states[1], pca)
    assert out.shape == (3, 4) and not out.any()
    assert abs(float(project(states[0], pca).std()) - 1.0) < 0.1


@pytest.mark.train
def test_the_claim_graph_gives_the_states_on_the_probes_axes(tmp_path):
    pytest.importorskip("onnx")
    import onnxruntime as ort
    from onnx import TensorProto, helper

    from claimscope.training.attribution_context_build import STATES, add_token_states

    # A made-up graph with the two tensors the tagger reads, from one input.
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", 384])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "tokens", 384])
    enc, tech = STATES.values()
    nodes = [helper.make_node("Relu", ["x"], [enc]), helper.make_node("Neg", [enc], [tech]),
             helper.make_node("Sigmoid", [tech], ["y"])]  # fmt: skip
    import onnx

    opsets = [helper.make_opsetid("", 17)]
    model = helper.make_model(helper.make_graph(nodes, "tiny", [x], [y]), opset_imports=opsets)
    model.ir_version = 9

    path = tmp_path / "claims.onnx"
    onnx.save(model, str(path))
    rng = np.random.default_rng(0)
    pcas = [fit_pca([rng.normal(size=(300, 384)).astype(np.float16)], 128) for _ in range(2)]
    add_token_states(path, pcas)
    add_token_states(path, pcas)  # a second build replaces the first
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["y", "token_states"]
    xs = rng.normal(size=(2, 5, 384)).astype(np.float32)
    got = session.run(["token_states"], {"x": xs})[0]
    assert got.dtype == np.float16 and got.shape == (2, 5, 256)
    relu = np.maximum(xs, 0)
    want = np.concatenate([project(relu[0], pcas[0]), project(-relu[0], pcas[1])], axis=1)
    assert np.allclose(got[0].astype(np.float32), want, atol=0.02)


@pytest.mark.train
@pytest.mark.parametrize("reads", [[0, 1, 0], [None], [None, 1]], ids=["layers", "both", "mixed"])
def test_the_shipped_graph_averages_its_networks(tmp_path, reads):
    # Each network reads one layer's columns of the states, or every column (None).
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    from claimscope.training.attribution import TaggerConfig, TaggerNet
    from claimscope.training.attribution_context_build import (
        PCA_DIMS,
        ContextEnsemble,
        export_context,
    )

    rng = np.random.default_rng(1)
    torch.manual_seed(0)
    dim = 10
    width = {None: 2 * PCA_DIMS, 0: PCA_DIMS, 1: PCA_DIMS}
    config = TaggerConfig(proj=8, hidden=4)
    nets = [TaggerNet(dim + width[i], config).eval() for i in reads]
    net = ContextEnsemble(nets, reads).eval()
    x = rng.normal(size=(5, dim)).astype(np.float32)
    states = rng.normal(size=(5, 2 * PCA_DIMS)).astype(np.float32)
    with torch.no_grad():
        got = net(torch.from_numpy(x)[None], torch.from_numpy(states)[None])[0].numpy()
        probs = []
        for n, i in zip(nets, reads, strict=True):
            cols = states if i is None else states[:, i * PCA_DIMS : (i + 1) * PCA_DIMS]
            logits = n(torch.from_numpy(np.concatenate([x, cols], axis=1))[None])[0]
            probs.append(torch.softmax(logits.reshape(5, 3, 3), dim=-1).numpy())
    want = np.log(np.mean(probs, axis=0)).reshape(5, 9)
    assert np.allclose(got, want, atol=1e-4)
    assert export_context(net, tmp_path / "context.onnx", dim) < 0.05


@pytest.mark.train
def test_distilling_learns_the_teachers_probabilities():
    torch = pytest.importorskip("torch")
    from claimscope.extract.attribution_features import Window
    from claimscope.training.attribution import Example, _soft_loss

    window = Window([(0, 1)] * 3, [0] * 3)
    soft = np.full((3, 3, 3), 1 / 3, dtype=np.float32)
    soft[0, :, :] = [1.0, 0.0, 0.0]  # a sure word
    short = Example(0, Window([(0, 1)] * 2, [0] * 2), np.zeros((2, 4)), np.zeros((2, 3)), soft[:2])
    batch = [Example(0, window, np.zeros((3, 4)), np.zeros((3, 3)), soft), short]
    logits = torch.zeros((2 * 3, 3, 3))  # every word uniform; the short window's last is padding
    # Uniform logits cost log 3 per role wherever the target is a distribution.
    assert float(_soft_loss(batch, logits)) == pytest.approx(3 * np.log(3))
    sure = logits.clone()
    sure[[0, 3]] = torch.tensor([20.0, 0.0, 0.0])
    assert float(_soft_loss(batch, sure)) < float(_soft_loss(batch, logits))
    with pytest.raises(ValueError, match="teacher"):
        _soft_loss([Example(0, window, np.zeros((3, 4)), np.zeros((3, 3)))], logits[:3])


@pytest.mark.train
def test_cached_states_belong_to_the_claim_weights_not_to_added_outputs(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    from claimscope.training.attribution_context import graph_key, states_cache

    def graph(path, bias, extra=False):
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])
        weights = [numpy_helper.from_array(np.full(2, bias, dtype=np.float32), "b")]
        if extra:  # what a build adds for the token_states output
            weights.append(numpy_helper.from_array(np.ones(2, np.float32), "attribution_states_w0"))
        nodes = [helper.make_node("Add", ["x", "b"], ["y"])]
        model = helper.make_model(
            helper.make_graph(nodes, "g", [x], [y], initializer=weights),
            opset_imports=[helper.make_opsetid("", 17)],
            ir_version=9,
        )
        onnx.save(model, str(path))
        return path

    one = graph(tmp_path / "one.onnx", 1.0)
    assert graph_key(one) == graph_key(graph(tmp_path / "edited.onnx", 1.0, extra=True))
    assert graph_key(one) != graph_key(graph(tmp_path / "other.onnx", 2.0))
    assert states_cache(tmp_path, one).parent == tmp_path
