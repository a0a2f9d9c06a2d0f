"""The time loop on the compiled backend: ``bptt.run_forward`` and ``run_backward``, compiled.

Read ``bptt.py`` first: it is the loop, and the reference this one is
tested against. Here the same two functions, with the same arguments and
the same results, hand the whole loop over time to one compiled function
(``kernels.recurrent.loop``) instead of calling a step at a time. What
stays in Python is what surrounds the loop in ``bptt.py`` too: the input
projection of every step before it, and the weight gradients after it.

The node (``node.py``) runs this module where :func:`usable` says so: the
``numba`` backend, an RNN, LSTM or GRU step, and a compiled loop that is
not a student's stub. Elsewhere (the ``numpy`` backend, CuPy arrays,
a step of one's own) it runs ``bptt.py``.

Only the tape differs from ``bptt.py``'s (see ``kernels/recurrent/loop.py``
for its layout): its arrays keep each value once, and the input
projection buffer becomes the gate activations.
"""
from __future__ import annotations

import numpy as np

import kernels
from minidl.nn.recurrent.steps import GRUStep, LSTMStep, RNNStep
from minidl.nn.recurrent.weights import CellWeights, input_projection, projection_gradients

CELLS = {RNNStep: "rnn", LSTMStep: "lstm", GRUStep: "gru"}


def _loop():
    """``kernels.recurrent.loop``, imported on first use: it imports Numba, which ``import minidl`` must not."""
    from kernels.recurrent import loop

    return loop


def usable(step, x) -> bool:
    """Whether the compiled loop runs this step on the array x [T, B, I] under the current backend."""
    return (type(step) in CELLS and x.dtype in (np.float32, np.float64) and min(x.shape[:2]) > 0
            and kernels.backend_for(x) == "numba" and _loop().stub(CELLS[type(step)], x.dtype) is None)


def run_forward(step, kernel, x, state0, weights: CellWeights, active):
    """``bptt.run_forward``, compiled: (out [T, B, H], final_state, tape). ``kernel`` is not used."""
    T, B, _ = x.shape
    gx, gh_bias = input_projection(step, x.reshape(T * B, -1), weights)
    gx = gx.reshape(T, B, -1)  # a fresh array: the loop writes the gate activations over it
    w_hh_t = np.ascontiguousarray(weights.weight_hh.T)
    active = np.asarray(active, dtype=np.int64)
    state0 = tuple(np.ascontiguousarray(s) for s in state0)
    cell = CELLS[type(step)]
    with _loop().one_blas_thread():
        if cell == "lstm":
            h_all, c_all, h_n, c_n = _loop().lstm_forward(gx, w_hh_t, *state0, active)
            final, tape = (h_n, c_n), (x, h_all, gx, c_all)
        elif cell == "gru":
            b_hh = gh_bias if gh_bias is not None else np.zeros(gx.shape[2], dtype=gx.dtype)
            h_all, h_n_all, h_n = _loop().gru_forward(gx, w_hh_t, b_hh, *state0, active)
            final, tape = (h_n,), (x, h_all, gx, h_n_all)
        else:
            h_all, h_n = _loop().rnn_forward(gx, w_hh_t, *state0, active, step.nonlinearity == "relu")
            final, tape = (h_n,), (x, h_all)
    return h_all[1:], final, tape  # h_all[1:]: the output, a view


def run_backward(step, kernel, d_out, d_state_final, weights: CellWeights, active, tape, *, truncate: int = 0,
                 record_norms: bool = False, need_dx: bool = True):
    """``bptt.run_backward``, compiled: (dx or None, d_state0, d_weights, norms or None)."""
    x, h_all = tape[:2]
    T, B, _ = x.shape
    w_hh = np.ascontiguousarray(weights.weight_hh)
    active = np.asarray(active, dtype=np.int64)
    d_out = np.ascontiguousarray(d_out)  # a strided slice of a bidirectional layer's gradient
    d_final = tuple(np.ascontiguousarray(d) for d in d_state_final)
    norms = np.zeros(T if record_norms else 0)
    cell = CELLS[type(step)]
    with _loop().one_blas_thread():
        if cell == "lstm":
            gates, c_all = tape[2:]
            d_gx, *d_state0 = _loop().lstm_backward(d_out, *d_final, w_hh, gates, h_all, c_all, active, truncate, norms)
            d_gh = d_gx
        elif cell == "gru":
            rzn, h_n_all = tape[2:]
            d_gx, d_gh, *d_state0 = _loop().gru_backward(d_out, *d_final, w_hh, rzn, h_n_all, h_all, active, truncate,
                                                      norms)
        else:
            d_gx, *d_state0 = _loop().rnn_backward(d_out, *d_final, w_hh, h_all, active, step.nonlinearity == "relu",
                                                truncate, norms)
            d_gh = d_gx
    flat_gx = d_gx.reshape(T * B, -1)  # [T, B, G*H] -> [T*B, G*H]
    flat_gh = flat_gx if d_gh is d_gx else d_gh.reshape(T * B, -1)
    h_prev = h_all[:-1].reshape(T * B, -1)  # the state that entered each step: a view
    flat_dx, d_weights = projection_gradients(flat_gx, flat_gh, x.reshape(T * B, -1), h_prev, weights,
                                              need_dx=need_dx)
    dx = None if flat_dx is None else flat_dx.reshape(x.shape)
    return dx, tuple(d_state0), d_weights, norms if record_norms else None
