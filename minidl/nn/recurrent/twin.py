"""The autograd-composed twin of every recurrent cell and layer.

The same equations as the hand-written cells, written with Tensor ops only,
so autograd derives the backward. It is slow (dozens of graph nodes per
step) but independent of the hand-written BPTT, which makes it the second
check of that BPTT, and it is the clearest statement of what a cell
computes: compare it with ``steps.py`` and ``kernels/recurrent/reference.py``.
"""
from __future__ import annotations

import numpy as np

import minidl
from minidl.nn.recurrent.bptt import reverse_index
from minidl.nn.recurrent.inputs import initial_states
from minidl.nn.recurrent.weights import CellWeights, parameter_suffix
from minidl.tensor import as_tensor


def _linear(x, w, b):
    return x @ w.T if b is None else x @ w.T + b


def rnn_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity="tanh"):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    pre = _linear(x, w_ih, b_ih) + _linear(h, w_hh, b_hh)
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


def lstm_cell(x, state, w_ih, w_hh, b_ih=None, b_hh=None):
    """(h', c') with gates i, f, g, o (PyTorch's order)."""
    h, c = state
    a = _linear(x, w_ih, b_ih) + _linear(h, w_hh, b_hh)
    H = h.shape[-1]
    i, f = a[:, 0:H].sigmoid(), a[:, H:2 * H].sigmoid()
    g, o = a[:, 2 * H:3 * H].tanh(), a[:, 3 * H:4 * H].sigmoid()
    c_new = f * c + i * g
    return o * c_new.tanh(), c_new


def gru_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = (1 - z) n + z h with n = tanh(x_n + r (W_hn h + b_hn))."""
    gx, gh = _linear(x, w_ih, b_ih), _linear(h, w_hh, b_hh)
    H = h.shape[-1]
    r = (gx[:, 0:H] + gh[:, 0:H]).sigmoid()
    z = (gx[:, H:2 * H] + gh[:, H:2 * H]).sigmoid()
    n = (gx[:, 2 * H:3 * H] + r * gh[:, 2 * H:3 * H]).tanh()
    return (1 - z) * n + z * h


def _cell_step(step, x_t, state, weights):
    """One step of the cell ``step`` describes, composed from Tensor ops: the new state tuple."""
    if step.name == "LSTM":
        return lstm_cell(x_t, state, *weights)
    if step.name == "GRU":
        return (gru_cell(x_t, state[0], *weights),)
    return (rnn_cell(x_t, state[0], *weights, nonlinearity=step.nonlinearity),)


def layer_forward(layer, x, hx=None, *, lengths=None):
    """What ``layer(x, hx, lengths=lengths)`` computes, composed from Tensor ops.

    Uses ``layer``'s parameters (so gradients land in the same ``.grad``),
    honours ``bptt_truncate`` by detaching the state between chunks, and
    needs ``dropout == 0`` or eval mode. The layer is only read.

    Parameters
    ----------
    layer : RNN, LSTM or GRU
    x : Tensor [T, B, I] ([B, T, I] if batch_first)
    hx : as for ``layer``
    lengths : int array [B], optional

    Returns
    -------
    output : Tensor [T, B, D*H] ([B, T, D*H] if batch_first)
    final : Tensor [L*D, B, H], or the pair (h_n, c_n) for LSTM
    """
    if layer.dropout > 0 and layer.training:
        raise ValueError("the twin has no dropout: use dropout=0 or layer.eval()")
    x = as_tensor(x)
    if layer.batch_first:
        x = x.permute(1, 0, 2)  # [B, T, I] -> [T, B, I]
    T, B, _ = x.shape
    L, D, H = layer.num_layers, layer.num_directions, layer.hidden_size
    step, chunk = layer.step, layer.bptt_truncate
    lengths = np.full(B, T) if lengths is None else np.asarray(lengths)
    states0 = initial_states(hx, (L * D, B, H), n_states=step.n_states, like=x, owner="the twin of " + step.name,
                             names=("h_0", "c_0"))
    parameters = dict(layer.named_parameters())
    rev = reverse_index(lengths, T)  # per-sequence reversal [T, B]
    cols = np.arange(B)[None, :]
    inputs = x
    finals = [[None] * (L * D) for _ in range(step.n_states)]  # finals[state_index][layer * D + direction]
    for layer_index in range(L):
        outs = []
        for direction in range(D):
            weights = CellWeights.from_named(parameters, parameter_suffix(layer_index, direction))
            seq = inputs if direction == 0 else inputs[rev, cols]
            state = tuple(s[layer_index * D + direction] for s in states0)
            steps = []
            for t in range(T):
                if chunk and t > 0 and t % chunk == 0:
                    state = tuple(s.detach() for s in state)
                new = _cell_step(step, seq[t], state, weights)
                running = (t < lengths)[:, None]  # [B, 1]: still inside its sequence
                state = tuple(minidl.where(running, a, s) for a, s in zip(new, state))
                steps.append(minidl.where(running, new[0], 0.0))
            out = minidl.stack(steps, axis=0)  # [T, B, H]
            outs.append(out if direction == 0 else out[rev, cols])
            for state_index, s in enumerate(state):
                finals[state_index][layer_index * D + direction] = s
        inputs = outs[0] if D == 1 else minidl.concat(outs, axis=2)  # [T, B, D*H]
    if layer.batch_first:
        inputs = inputs.permute(1, 0, 2)  # [T, B, D*H] -> [B, T, D*H]
    stacked = [minidl.stack(f, axis=0) for f in finals]  # each [L*D, B, H]
    return inputs, (stacked[0] if step.n_states == 1 else tuple(stacked))


__all__ = ["gru_cell", "layer_forward", "lstm_cell", "rnn_cell"]
