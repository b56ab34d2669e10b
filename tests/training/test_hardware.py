"""Training runs where torch finds a GPU and always saves CPU weights."""

import pytest

torch = pytest.importorskip("torch")

from claimscope.training.hardware import cpu_state, device, load_state, model_device  # noqa: E402


def test_device_follows_the_override(monkeypatch):
    monkeypatch.setenv("CLAIMSCOPE_DEVICE", "cpu")
    assert device() == torch.device("cpu")
    monkeypatch.delenv("CLAIMSCOPE_DEVICE")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert device().type == expected


def test_saved_state_is_a_cpu_copy(tmp_path):
    model = torch.nn.Linear(3, 2)
    state = cpu_state(model)
    assert all(t.device.type == "cpu" for t in state.values())
    with torch.no_grad():
        model.weight.add_(1.0)  # a copy: the model moving on leaves it alone
    assert not torch.equal(state["weight"], model.weight)
    torch.save(state, tmp_path / "model.pt")
    loaded = load_state(tmp_path / "model.pt")
    assert torch.equal(loaded["bias"], state["bias"])
    assert model_device(model).type == "cpu"
