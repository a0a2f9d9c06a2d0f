"""RNN/LSTM/GRU layers against PyTorch, float64, max abs error <= 1e-9.

The grid: cell (RNN tanh, RNN relu, LSTM, GRU) x 1-3 layers x one or two
directions, and inside each case every combination of bias, batch_first,
lengths (with a length-1 sequence; PyTorch's packed sequences are the
reference) and a given or default initial state. Compared: the output, the
final state(s), and the gradients of the input, the initial state(s) and
every parameter.

Every test runs on each CPU backend: ``numpy`` (the readable loop over
steps, the NumPy reference kernels) and ``numba`` (the compiled time loop,
``kernels/recurrent/loop.py``, and the Numba kernels).
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import kernels
import minidl
from minidl import nn

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

TOL = 1e-9
T, B, I, H = 5, 3, 3, 4
LENGTHS = np.array([5, 1, 3])  # unsorted, with a length-1 sequence

CPU_BACKENDS = [name for name in ("numpy", "numba") if name in kernels.available()]

CELLS = {
    "rnn_tanh": (nn.RNN, torch.nn.RNN, {"nonlinearity": "tanh"}),
    "rnn_relu": (nn.RNN, torch.nn.RNN, {"nonlinearity": "relu"}),
    "lstm": (nn.LSTM, torch.nn.LSTM, {}),
    "gru": (nn.GRU, torch.nn.GRU, {}),
}


def make_pair(cell, num_layers, bidirectional, bias, batch_first):
    ours_cls, torch_cls, extra = CELLS[cell]
    kw = dict(num_layers=num_layers, bidirectional=bidirectional, bias=bias, batch_first=batch_first, **extra)
    theirs = torch_cls(I, H, **kw).double()
    ours = ours_cls(I, H, dtype=np.float64, **kw)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def run_ours(layer, x, states, lengths, grads):
    xt = minidl.tensor(x, requires_grad=True)
    st = [minidl.tensor(s, requires_grad=True) for s in states] if states else None
    hx = None if st is None else (st[0] if len(st) == 1 else tuple(st))
    out, final = layer(xt, hx, lengths=lengths)
    finals = final if isinstance(final, tuple) else (final,)
    loss = (out * grads[0]).sum()
    for f, g in zip(finals, grads[1:]):
        loss = loss + (f * g).sum()
    layer.zero_grad()
    loss.backward()
    return (out.numpy(), [f.numpy() for f in finals], xt.grad,
            [s.grad for s in st] if st else [], {n: p.grad for n, p in layer.named_parameters()})


def run_torch(layer, x, states, lengths, grads, batch_first):
    xt = torch.tensor(x, requires_grad=True)
    st = [torch.tensor(s, requires_grad=True) for s in states] if states else None
    hx = None if st is None else (st[0] if len(st) == 1 else tuple(st))
    inp = xt
    if lengths is not None:
        inp = torch.nn.utils.rnn.pack_padded_sequence(xt, torch.tensor(lengths), batch_first=batch_first,
                                                      enforce_sorted=False)
    out, final = layer(inp, hx)
    if lengths is not None:
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=batch_first, total_length=T)
    finals = final if isinstance(final, tuple) else (final,)
    loss = (out * torch.tensor(grads[0])).sum()
    for f, g in zip(finals, grads[1:]):
        loss = loss + (f * torch.tensor(g)).sum()
    loss.backward()
    return (out.detach().numpy(), [f.detach().numpy() for f in finals], xt.grad.numpy(),
            [s.grad.numpy() for s in st] if st else [], {n: p.grad.numpy() for n, p in layer.named_parameters()})


def compare(cell, num_layers, bidirectional, bias, batch_first, use_lengths, give_state, seed=0):
    rng = np.random.default_rng(seed)
    ours, theirs = make_pair(cell, num_layers, bidirectional, bias, batch_first)
    D = 2 if bidirectional else 1
    x = rng.standard_normal((B, T, I) if batch_first else (T, B, I))
    n_states = 2 if cell == "lstm" else 1
    states = [rng.standard_normal((num_layers * D, B, H)) for _ in range(n_states)] if give_state else []
    lengths = LENGTHS if use_lengths else None
    out_shape = (B, T, D * H) if batch_first else (T, B, D * H)
    grads = [rng.standard_normal(out_shape)] + [rng.standard_normal((num_layers * D, B, H)) for _ in range(n_states)]
    a = run_ours(ours, x, states, lengths, grads)
    b = run_torch(theirs, x, states, lengths, grads, batch_first)
    case = f"{cell} L={num_layers} bi={bidirectional} bias={bias} bf={batch_first} len={use_lengths} h0={give_state}"
    problems = []
    names = ["output", "final states", "input grad", "initial state grads"]
    for name, ours_v, torch_v in zip(names, a[:4], b[:4]):
        for o, t in zip(ours_v if isinstance(ours_v, list) else [ours_v], torch_v if isinstance(torch_v, list) else [torch_v]):
            err = np.max(np.abs(o - t), initial=0.0)
            if not err <= TOL:
                problems.append(f"{case}: {name} differs by {err:.2e}")
    if set(a[4]) != set(b[4]):
        problems.append(f"{case}: parameter names {sorted(a[4])} != torch's {sorted(b[4])}")
    for pname in set(a[4]) & set(b[4]):
        err = np.max(np.abs(a[4][pname] - b[4][pname]))
        if not err <= TOL:
            problems.append(f"{case}: grad of {pname} differs by {err:.2e}")
    return problems


@pytest.fixture(params=CPU_BACKENDS)
def backend(request):
    """Run the test on each CPU backend."""
    with kernels.use(request.param):
        yield request.param


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("cell", sorted(CELLS))
def test_layer_matches_torch(cell, num_layers, bidirectional, backend):
    problems = []
    for bias, batch_first, use_lengths, give_state in itertools.product([True, False], repeat=4):
        problems += compare(cell, num_layers, bidirectional, bias, batch_first, use_lengths, give_state)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_numpy_reference_backend_matches_torch(cell):
    problems = []
    with kernels.use("numpy"):
        for bidirectional, use_lengths in itertools.product([False, True], repeat=2):
            problems += compare(cell, 2, bidirectional, True, False, use_lengths, True, seed=1)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("cell_name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch(cell_name, backend):
    rng = np.random.default_rng(2)
    theirs = getattr(torch.nn, cell_name)(I, H).double()
    ours = getattr(nn, cell_name)(I, H, dtype=np.float64)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x, h = rng.standard_normal((B, I)), rng.standard_normal((B, H))
    lstm = cell_name == "LSTMCell"
    c = rng.standard_normal((B, H))
    xm, hm, cm = (minidl.tensor(a, requires_grad=True) for a in (x, h, c))
    xt, ht, ct = (torch.tensor(a, requires_grad=True) for a in (x, h, c))
    out = ours(xm, (hm, cm) if lstm else hm)
    tout = theirs(xt, (ht, ct) if lstm else ht)
    outs = out if lstm else (out,)
    touts = tout if lstm else (tout,)
    g = [rng.standard_normal((B, H)) for _ in outs]
    sum(((o * gi).sum() for o, gi in zip(outs, g)), minidl.tensor(0.0, dtype=np.float64)).backward()
    sum((o * torch.tensor(gi)).sum() for o, gi in zip(touts, g)).backward()
    for o, t in zip(outs, touts):
        assert np.abs(o.numpy() - t.detach().numpy()).max() <= TOL
    pairs = [(xm.grad, xt.grad), (hm.grad, ht.grad)] + ([(cm.grad, ct.grad)] if lstm else [])
    pairs += [(p.grad, tp.grad) for p, tp in zip(ours.parameters(), theirs.parameters())]
    for a, b in pairs:
        assert np.abs(a - b.numpy()).max() <= TOL
