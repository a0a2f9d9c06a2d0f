"""The time loop of one recurrent layer in one direction, and its BPTT.

The autograd node (``node.py``) calls these once per layer and direction,
with arrays only: the input sequence, the initial state, the cell's
weights by name (``CellWeights``) and the rows still running at each step.

Forward runs ``step.forward`` for t = 0 .. T-1 and keeps what backward
needs: each step's cache and the state that entered it. Backward runs
t = T-1 .. 0, carrying d_state — the gradient of the loss with respect to
the state leaving step t — backwards:

    d_state  +=  dL/dout_t                 (the output at t is h_t)
    d_gx_t, d_gh_t, d_state  =  step.backward(d_state, cache_t)

The weight gradients are sums over time, so they are computed after the
loop in one matrix product each (``weights.projection_gradients``):

    dW_ih = sum_t d_gx_t^T x_t          dW_hh = sum_t d_gh_t^T h_{t-1}

Variable lengths: the batch is sorted by length, longest first, so at step
t the sequences still running are rows 0 .. n_t - 1. Only those rows step;
the others keep their state (so h_n is each sequence's last valid state)
and output zeros. In backward the finished rows' d_state passes through
unchanged, which is exactly the derivative of "state unchanged".

Truncated BPTT with ``truncate = chunk``: the state entering each chunk of
``chunk`` steps is treated as a constant, so d_state is zeroed when it would
cross from step t to t-1 with t a multiple of ``chunk``.
"""
from __future__ import annotations

import numpy as np

from kernels import array_module
from minidl.nn.recurrent.weights import CellWeights, input_projection, projection_gradients


def run_forward(step, kernel, x, state0, weights: CellWeights, active):
    """Forward over time, keeping the tape for backward.

    Parameters
    ----------
    step : Step
        RNNStep, LSTMStep or GRUStep.
    kernel : module
        The gate kernels for these arrays (``kernels.recurrent.for_arrays``).
    x : array [T, B, I]
    state0 : tuple of arrays [B, H]
        The initial state: (h_0,) or (h_0, c_0).
    weights : CellWeights of arrays
        weight_ih [G*H, I], weight_hh [G*H, H], bias_ih and bias_hh [G*H] or None.
    active : int array [T]
        Rows still running at each step (the batch is sorted by length).

    Returns
    -------
    out : array [T, B, H]
        h_t of every step; zero past a sequence's end.
    final_state : tuple of arrays [B, H]
        Each sequence's last valid state.
    tape : (x, h_prev_all [T, B, H], caches)
        What ``run_backward`` needs: the input, the h entering each step, the steps' caches.
    """
    T, B, _ = x.shape
    H = weights.weight_hh.shape[1]
    xp = array_module(x)
    # the input projection of every time step in one product: [T*B, I] @ [I, G*H]
    gx, gh_bias = input_projection(step, x.reshape(T * B, -1), weights)
    gx = gx.reshape(T, B, -1)  # [T*B, G*H] -> [T, B, G*H]
    w_hh_t = xp.ascontiguousarray(weights.weight_hh.T)  # a contiguous copy: BLAS is ~25% faster on it
    out = xp.zeros((T, B, H), dtype=x.dtype)
    h_prev_all = xp.empty((T, B, H), dtype=x.dtype)  # the h that entered each step
    caches = []
    state = tuple(state0)
    for t in range(T):
        n = int(active[t])
        h_prev_all[t] = state[0]
        new, cache = step.forward(kernel, gx[t, :n], tuple(s[:n] for s in state), w_hh_t, gh_bias)
        if n == B:
            state = new
        else:  # finished rows keep their state
            state = tuple(xp.concatenate([a, s[n:]]) for a, s in zip(new, state))
        out[t, :n] = new[0]
        caches.append(cache)
    return out, state, (x, h_prev_all, caches)


def run_backward(step, kernel, d_out, d_state_final, weights: CellWeights, active, tape, *, truncate: int = 0,
                 record_norms: bool = False, need_dx: bool = True):
    """BPTT over time: the gradients of everything ``run_forward`` was given.

    Parameters
    ----------
    step, kernel, weights, active
        As given to ``run_forward``.
    d_out : array [T, B, H]
        dL/d(out): the gradient of the loss with respect to the outputs.
    d_state_final : tuple of arrays [B, H]
        dL/d(final state).
    tape : from ``run_forward``
    truncate : int
        0 for full BPTT, else the chunk length of truncated BPTT.
    record_norms : bool
        Also return ||dL/dh_t|| (over the whole batch) for each t.
    need_dx : bool
        False when nobody needs dL/dx (the input of the bottom layer is
        data): dx is then None and its matrix product is skipped.

    Returns
    -------
    dx : array [T, B, I] or None
    d_state0 : tuple of arrays [B, H]
        dL/d(initial state).
    d_weights : CellWeights of arrays
        The gradient of each weight (None for a missing bias).
    norms : array [T] or None
        ||dL/dh_t|| when ``record_norms``, else None.
    """
    x, h_prev_all, caches = tape
    T, B, _ = x.shape
    w_hh = weights.weight_hh
    xp = array_module(x)
    # rows of finished sequences stay zero; with no such rows nothing needs zeroing
    alloc = xp.empty if int(min(active)) == B else xp.zeros
    d_gx_all = alloc((T, B, weights.weight_ih.shape[0]), dtype=x.dtype)
    d_gh_all = None  # allocated on first use: for RNN and LSTM d_gh is d_gx itself
    norms = np.zeros(T) if record_norms else None
    # HINT: walk t = T-1 .. 0 carrying d_state as the module docstring describes; store each step's d_gx and d_gh (rows :n), then let projection_gradients form dx and the weight gradients
    # BEGIN SOLUTION 2.4
    d_state = [d.copy() for d in d_state_final]
    for t in reversed(range(T)):
        n = int(active[t])
        d_state[0][:n] += d_out[t, :n]  # dL/dh_t: from the output at t and from step t+1
        if record_norms:
            norms[t] = float(xp.sqrt((d_state[0] * d_state[0]).sum()))
        d_gx, d_gh, d_state_prev = step.backward(kernel, tuple(d[:n] for d in d_state), caches[t], w_hh)
        d_gx_all[t, :n] = d_gx
        if d_gh is not d_gx:
            if d_gh_all is None:
                d_gh_all = alloc((T, B, w_hh.shape[0]), dtype=x.dtype)
            d_gh_all[t, :n] = d_gh
        for carried, from_step in zip(d_state, d_state_prev):
            carried[:n] = from_step  # finished rows (n:) carry theirs through unchanged
        if truncate and t % truncate == 0 and t > 0:
            for carried in d_state:  # the state entering this chunk was detached
                carried[...] = 0
    flat_gx = d_gx_all.reshape(T * B, -1)  # [T, B, G*H] -> [T*B, G*H]
    flat_gh = flat_gx if d_gh_all is None else d_gh_all.reshape(T * B, -1)
    flat_dx, d_weights = projection_gradients(flat_gx, flat_gh, x.reshape(T * B, -1), h_prev_all.reshape(T * B, -1),
                                              weights, need_dx=need_dx)
    dx = None if flat_dx is None else flat_dx.reshape(x.shape)  # [T*B, I] -> [T, B, I]
    return dx, tuple(d_state), d_weights, norms
    # END SOLUTION


def active_counts(lengths, T: int) -> np.ndarray:
    """Rows still running at each step, for lengths sorted longest first. [T]"""
    return (np.asarray(lengths)[None, :] > np.arange(T)[:, None]).sum(axis=1)


def reverse_index(lengths, T: int) -> np.ndarray:
    """[T, B] time index: t -> len_b - 1 - t inside each sequence, t past its end.

    ``seq[reverse_index, arange(B)]`` reverses each sequence within its own
    length (the backward direction of packed sequences). The map is its own
    inverse, so it also undoes itself.
    """
    t = np.arange(T)[:, None]
    lengths = np.asarray(lengths)[None, :]
    return np.where(t < lengths, lengths - 1 - t, t)
