"""PyTorch-true dtype handling: Tensor.astype is a differentiable cast; Module.double/.float/.to(dtype)."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl import nn, optim
from minidl.errors import DTypeMismatchError

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

TOL = 1e-12


def test_astype_passes_the_gradient_back_in_the_original_dtype_as_torch_to():
    rng = np.random.default_rng(0)
    x_np, w_np = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)).astype(np.float32)
    x = minidl.tensor(x_np, dtype=np.float64, requires_grad=True)
    y = x.astype(np.float32)
    assert y.dtype == np.float32 and not y.is_leaf
    (y * y * minidl.tensor(w_np)).sum().backward()
    xt = torch.tensor(x_np, requires_grad=True)
    (xt.to(torch.float32) ** 2 * torch.tensor(w_np)).sum().backward()
    assert x.grad.dtype == np.float64 == xt.grad.numpy().dtype
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-6)


def test_astype_to_an_integer_dtype_is_cut_from_the_graph_as_in_torch():
    x = minidl.tensor([1.5, 2.5], requires_grad=True)
    assert not x.astype(np.int64).requires_grad
    assert not torch.tensor([1.5, 2.5], requires_grad=True).to(torch.int64).requires_grad


class Mixed(nn.Module):
    """Linear plus every recurrent layer: all their parameters must convert."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(3, 4, num_layers=2, bidirectional=True)
        self.lstm = nn.LSTM(8, 4)
        self.gru = nn.GRU(4, 4)
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        out, _ = self.rnn(x)
        out, _ = self.lstm(out)
        out, _ = self.gru(out)
        return self.head(out)


@pytest.mark.parametrize(("convert", "dtype"), [
    (lambda m: m.double(), np.float64),
    (lambda m: m.to(np.float64), np.float64),
    (lambda m: m.to(dtype=np.float64), np.float64),
    (lambda m: m.double().float(), np.float32),
])
def test_conversion_changes_every_parameter_in_place_and_returns_the_module(convert, dtype):
    model = Mixed()
    before = {name: (p, p.data.copy()) for name, p in model.named_parameters()}
    assert convert(model) is model
    for name, p in model.named_parameters():
        param, values = before[name]
        assert p is param, name  # same Parameter object: optimizers keep working
        assert p.dtype == dtype, name
        np.testing.assert_array_equal(p.data, values.astype(dtype))
    assert len(before) == 4 * 2 * 2 + 4 + 4 + 2  # rnn: 2 layers x 2 directions x 4 arrays


def test_an_optimizer_made_before_double_steps_like_torch():
    rng = np.random.default_rng(1)
    ours = Mixed()
    theirs = {name: torch.tensor(p.data.astype(np.float64), requires_grad=True)
              for name, p in ours.named_parameters()}
    t_modules = torch.nn.ModuleDict({
        "rnn": torch.nn.RNN(3, 4, num_layers=2, bidirectional=True), "lstm": torch.nn.LSTM(8, 4),
        "gru": torch.nn.GRU(4, 4), "head": torch.nn.Linear(4, 2)})
    t_modules.load_state_dict({k: v.detach().float() for k, v in theirs.items()})
    opt = optim.Adam(ours.parameters(), lr=1e-2)
    t_opt = torch.optim.Adam(t_modules.parameters(), lr=1e-2)
    ours.double()
    t_modules.double()
    x = rng.standard_normal((5, 2, 3))
    for _ in range(3):
        opt.zero_grad()
        (ours(minidl.tensor(x, dtype=np.float64)) ** 2).mean().backward()
        opt.step()
        t_opt.zero_grad()
        out, _ = t_modules["rnn"](torch.tensor(x))
        out, _ = t_modules["lstm"](out)
        out, _ = t_modules["gru"](out)
        (t_modules["head"](out) ** 2).mean().backward()
        t_opt.step()
    reference = dict(t_modules.named_parameters())
    for name, p in ours.named_parameters():
        assert p.dtype == np.float64
        np.testing.assert_allclose(p.data, reference[name].detach().numpy(), atol=1e-9, err_msg=name)


def test_optimizer_state_follows_a_conversion_made_between_steps():
    layer = nn.Linear(3, 1)
    opt = optim.Adam(layer.parameters(), lr=0.1)
    x = minidl.tensor(np.ones((2, 3), dtype=np.float32))
    layer(x).sum().backward()
    opt.step()
    layer.double()
    layer(x.astype(np.float64)).sum().backward()
    opt.step()
    assert all(a.dtype == np.float64 for state in opt.state for a in state.values() if hasattr(a, "dtype"))
    assert layer.weight.dtype == np.float64


def test_float64_weights_into_a_float32_layer_then_float64_input():
    rng = np.random.default_rng(2)
    state = {"weight": rng.standard_normal((2, 3)), "bias": rng.standard_normal(2)}
    layer = nn.Linear(3, 2)
    layer.load_state_dict(state)
    x = rng.standard_normal((4, 3))
    with pytest.raises(DTypeMismatchError, match=r"model\.double\(\)"):
        layer(minidl.tensor(x, dtype=np.float64))
    out = layer.double()(minidl.tensor(x, dtype=np.float64))
    # the float32 round trip of load_state_dict is what PyTorch does too
    t_layer = torch.nn.Linear(3, 2)
    t_layer.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    np.testing.assert_allclose(out.numpy(), t_layer.double()(torch.tensor(x)).detach().numpy(), atol=TOL)


def test_a_non_floating_dtype_is_refused_with_its_name():
    with pytest.raises(ValueError, match="int64"):
        nn.Linear(2, 2).to(np.int64)
    with pytest.raises(ValueError, match="floating dtype, got 'nonsense'"):
        nn.Linear(2, 2).to(dtype="nonsense")
