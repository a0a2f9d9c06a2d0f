"""Recurrent layers checked without PyTorch: the autograd twin, finite
differences, a planted error, truncated BPTT, instrumentation, bad input."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl import nn
from minidl.nn.recurrent import twin
from minidl.nn.recurrent.cells import CellFunction
from minidl.nn.recurrent.checks import check_bptt
from minidl.nn.recurrent.node import RecurrentFunction

LAYERS = {
    "rnn_tanh": lambda **kw: nn.RNN(nonlinearity="tanh", **kw),
    "rnn_relu": lambda **kw: nn.RNN(nonlinearity="relu", **kw),
    "lstm": lambda **kw: nn.LSTM(**kw),
    "gru": lambda **kw: nn.GRU(**kw),
}


def layer64(name, input_size=3, hidden_size=4, **kw):
    minidl.manual_seed(0)
    return LAYERS[name](input_size=input_size, hidden_size=hidden_size, dtype=np.float64, **kw)


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_bptt_equals_autograd_twin(name, bidirectional):
    rng = np.random.default_rng(1)
    for num_layers, lengths, batch_first in [(1, None, False), (2, np.array([6, 1, 4]), False), (3, np.array([2, 6, 5]), True)]:
        layer = layer64(name, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first)
        x = rng.standard_normal((3, 6, 3) if batch_first else (6, 3, 3))
        report = check_bptt(layer, x, lengths=lengths)
        assert report, f"{name} L={num_layers} lengths={lengths}: {report}"


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_twin_forward_equals_layer_forward(name):
    layer = layer64(name, num_layers=2, bidirectional=True)
    x = np.random.default_rng(2).standard_normal((5, 2, 3))
    lengths = np.array([3, 5])
    out, final = layer(minidl.tensor(x), lengths=lengths)
    tout, tfinal = twin.layer_forward(layer, minidl.tensor(x), lengths=lengths)
    np.testing.assert_allclose(out.numpy(), tout.numpy(), rtol=0, atol=1e-14)
    finals = final if isinstance(final, tuple) else (final,)
    tfinals = tfinal if isinstance(tfinal, tuple) else (tfinal,)
    for a, b in zip(finals, tfinals):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=0, atol=1e-14)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_passes_gradcheck(name):
    """The layer's autograd node, with input, states and every weight perturbed."""
    layer = layer64(name, input_size=2, hidden_size=2, num_layers=2, bidirectional=True)
    rng = np.random.default_rng(3)
    n_states = 2 if name == "lstm" else 1
    x = rng.standard_normal((3, 2, 2))
    states = [rng.standard_normal((4, 2, 2)) for _ in range(n_states)]
    weight_names = tuple(name for name, _ in layer.named_parameters())
    weights = [p.data.copy() for p in layer.parameters()]

    def run(x_, *rest):
        outs = RecurrentFunction.apply(x_, *rest, settings=layer.settings(), weight_names=weight_names,
                                       lengths=np.array([3, 1]), training=False)
        return minidl.concat([o.reshape(-1) for o in outs])  # output and final states together

    report = minidl.gradcheck(run, x, *states, *weights)
    assert report, str(report)


@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell"])
def test_step_backward_passes_gradcheck(cell):
    """step_forward/step_backward as an autograd node, every input perturbed."""
    minidl.manual_seed(4)
    m = getattr(nn, cell)(3, 2, dtype=np.float64)
    rng = np.random.default_rng(4)
    n_states = 2 if cell == "LSTMCell" else 1
    x = rng.standard_normal((2, 3))
    states = [rng.standard_normal((2, 2)) for _ in range(n_states)]
    weight_names = tuple(name for name, _ in m.named_parameters())

    def run(*inputs):
        outs = CellFunction.apply(*inputs, step=m.step, weight_names=weight_names)
        return minidl.concat(list(outs), axis=1)

    report = minidl.gradcheck(run, x, *states, *[p.data.copy() for p in m.parameters()])
    assert report, str(report)


def test_step_forward_and_backward_on_arrays():
    """The array-level API a student calls by hand, against the twin cell."""
    m = nn.LSTMCell(3, 4, dtype=np.float64)
    rng = np.random.default_rng(5)
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    (h1, c1), cache = m.step_forward(x, (h, c))
    dh, dc = rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    dx, (dh0, dc0), grads = m.step_backward((dh, dc), cache)
    xt, ht, ct = (minidl.tensor(a, requires_grad=True) for a in (x, h, c))
    th, tc = twin.lstm_cell(xt, (ht, ct), m.weight_ih, m.weight_hh, m.bias_ih, m.bias_hh)
    np.testing.assert_allclose(h1, th.numpy(), atol=1e-14, rtol=0)
    np.testing.assert_allclose(c1, tc.numpy(), atol=1e-14, rtol=0)
    ((th * dh).sum() + (tc * dc).sum()).backward()
    for ours, ref in [(dx, xt.grad), (dh0, ht.grad), (dc0, ct.grad), (grads["weight_hh"], m.weight_hh.grad),
                      (grads["bias_ih"], m.bias_ih.grad)]:
        np.testing.assert_allclose(ours, ref, atol=1e-13, rtol=0)


class PlantedBug:
    """Wraps a step; its backward is wrong at exactly one time step."""

    def __init__(self, step, wrong_t, T):
        self.step, self.wrong_call, self.calls = step, T - 1 - wrong_t, 0  # backward runs t = T-1 .. 0

    def __getattr__(self, name):
        return getattr(self.step, name)

    def backward(self, kernel, d_state, cache, w_hh):
        d_gx, d_gh, d_prev = self.step.backward(kernel, d_state, cache, w_hh)
        wrong = self.calls == self.wrong_call
        self.calls += 1
        if wrong:  # e.g. a sign error in the forget gate's gradient, here at one step
            d_gx = d_gx.copy()
            H = d_gx.shape[1] // self.step.n_gates
            d_gx[:, H:2 * H] *= -1
        return d_gx, d_gh, d_prev


def test_planted_error_at_one_step_is_caught_and_named():
    layer = layer64("lstm")
    x = np.random.default_rng(6).standard_normal((8, 2, 3))
    assert check_bptt(layer, x)
    layer.step = PlantedBug(layer.step, wrong_t=5, T=8)
    report = check_bptt(layer, x)
    assert not report
    assert report.first_wrong_step == 5, str(report)
    assert report.step_errors[6:].max() <= 1e-9, "steps after the bug must still be right"
    assert "weight_ih_l0" in report.wrong_params
    assert "first wrong time step 5" in str(report)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_truncated_bptt_equals_chunk_and_detach(name):
    T, k = 10, 3
    layer = layer64(name, num_layers=2, bptt_truncate=k)
    full = layer64(name, num_layers=2)  # the same weights (same seed), full BPTT, run chunk by chunk
    rng = np.random.default_rng(7)
    x = rng.standard_normal((T, 2, 3))
    g = rng.standard_normal((T, 2, 4))
    xt = minidl.tensor(x, requires_grad=True)
    out, _ = layer(xt)
    (out * g).sum().backward()
    # the reference: consecutive chunks of k steps, state carried forward but detached
    xr = minidl.tensor(x, requires_grad=True)
    state, pieces = None, []
    for start in range(0, T, k):
        piece, state = full(xr[start:start + k], state)
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        pieces.append(piece)
    ref_out = minidl.concat(pieces, axis=0)
    (ref_out * g).sum().backward()
    np.testing.assert_allclose(out.numpy(), ref_out.numpy(), atol=1e-14, rtol=0)
    np.testing.assert_allclose(xt.grad, xr.grad, atol=1e-12, rtol=0)
    for (n, p), q in zip(layer.named_parameters(), full.parameters()):
        np.testing.assert_allclose(p.grad, q.grad, atol=1e-12, rtol=0, err_msg=n)
    # and truncation really changes something compared with full BPTT
    full.zero_grad()
    xf = minidl.tensor(x, requires_grad=True)
    (full(xf)[0] * g).sum().backward()
    assert np.abs(xf.grad - xt.grad).max() > 1e-6


def test_gradient_norms_are_recorded_per_step_and_layer():
    layer = layer64("rnn_tanh", num_layers=2, bidirectional=True, record_grad_norms=True)
    x = minidl.tensor(np.random.default_rng(8).standard_normal((7, 2, 3)))
    out, _ = layer(x)
    out[-1].sum().backward()  # loss on the last step only: norms must decay going back
    norms = layer.grad_norms
    assert norms.shape == (2, 2, 7)
    forward_top = norms[1, 0]
    assert forward_top[-1] == pytest.approx(np.sqrt(2 * 4))  # dL/dh_T = ones of [B=2, H=4]
    assert forward_top[0] < forward_top[-1]
    assert nn.RNN(3, 4).grad_norms is None


def test_bad_input_is_named():
    lstm = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(ValueError, match="input has 5 features, expected input_size=3"):
        lstm(minidl.zeros(6, 2, 5))
    with pytest.raises(ValueError, match="expects input of 3 axes"):
        lstm(minidl.zeros(6, 3))
    with pytest.raises(ValueError, match=r"h_0 has shape \(1, 2, 4\), expected \(2, 2, 4\)"):
        lstm(minidl.zeros(6, 2, 3), (minidl.zeros(1, 2, 4), minidl.zeros(2, 2, 4)))
    with pytest.raises(ValueError, match=r"initial state as \(h_0, c_0\)"):
        lstm(minidl.zeros(6, 2, 3), minidl.zeros(2, 2, 4))
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, 6\].*got 7"):
        lstm(minidl.zeros(6, 2, 3), lengths=[7, 2])
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, 6\].*got 0"):
        lstm(minidl.zeros(6, 2, 3), lengths=[0, 2])
    with pytest.raises(ValueError, match="lengths must be 2 integers"):
        lstm(minidl.zeros(6, 2, 3), lengths=[3, 2, 1])
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        nn.GRU(3, 0)
    with pytest.raises(ValueError, match="bptt_truncate needs bidirectional=False"):
        nn.GRU(3, 4, bidirectional=True, bptt_truncate=5)
    with pytest.raises(ValueError, match=r"expects input \[batch, 3\]"):
        nn.GRUCell(3, 4)(minidl.zeros(2, 5))


def test_parameter_names_and_shapes_follow_pytorch():
    gru = nn.GRU(3, 4, num_layers=2, bidirectional=True)
    shapes = {n: p.shape for n, p in gru.named_parameters()}
    assert list(shapes)[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse"]
    assert shapes["weight_ih_l1"] == (12, 8) and shapes["weight_hh_l1_reverse"] == (12, 4)
    assert len(shapes) == 16


def test_dropout_between_layers_only_in_training():
    minidl.manual_seed(9)
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = minidl.randn(5, 2, 3)
    lstm.eval()
    a, b = lstm(x)[0].numpy(), lstm(x)[0].numpy()
    np.testing.assert_array_equal(a, b)
    lstm.train()
    assert np.abs(lstm(x)[0].numpy() - a).max() > 1e-4


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_input_that_needs_no_gradient_gets_none_and_weights_are_unchanged(name):
    """With data as input, BPTT skips dL/dx; every weight gradient must equal the run that computes it."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 3, 3))
    lengths = np.array([5, 2, 4])
    grads = {}
    for wants_dx in (True, False):
        layer = layer64(name, num_layers=2, bidirectional=True)
        xt = minidl.tensor(x, requires_grad=wants_dx)
        out, _ = layer(xt, lengths=lengths)
        (out * out).sum().backward()
        assert (xt.grad is not None) == wants_dx
        grads[wants_dx] = {k: p.grad for k, p in layer.named_parameters()}
    for key, g in grads[True].items():
        np.testing.assert_array_equal(grads[False][key], g, err_msg=key)
