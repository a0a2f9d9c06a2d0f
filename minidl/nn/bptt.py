"""The time loop of one recurrent layer in one direction, and its BPTT.

Forward runs ``step.forward`` for t = 0 .. T-1 and keeps what backward
needs: each step's cache and the state that entered it. Backward runs
t = T-1 .. 0, carrying d_state — the gradient of the loss with respect to
the state leaving step t — backwards:

    d_state  +=  dL/dout_t                 (the output at t is h_t)
    d_gx_t, d_gh_t, d_state  =  step.backward(d_state, cache_t)

The weight gradients are sums over time, so they are computed after the
loop in one matrix product each:

    dW_ih = sum_t d_gx_t^T x_t          dW_hh = sum_t d_gh_t^T h_{t-1}

Variable lengths: the batch is sorted by length, longest first, so at step
t the sequences still running are rows 0 .. n_t - 1. Only those rows step;
the others keep their state (so h_n is each sequence's last valid state)
and output zeros. In backward the finished rows' d_state passes through
unchanged, which is exactly the derivative of "state unchanged".

Truncated BPTT with ``truncate = k``: the state entering each chunk of k
steps is treated as a constant, so d_state is zeroed when it would cross
from step t to t-1 with t a multiple of k.
"""
from __future__ import annotations

import numpy as np

from kernels import array_module


def run_forward(step, k, x, state0, weights, active):
    """Forward over time. Returns (out [T, B, H], final state, tape for backward).

    Parameters
    ----------
    step : RNNStep / LSTMStep / GRUStep
    k : kernel module (``kernels.recurrent.for_arrays``)
    x : [T, B, I]
    state0 : tuple of [B, H]
    weights : (w_ih [G*H, I], w_hh [G*H, H], b_ih [G*H] or None, b_hh [G*H] or None)
    active : int array [T], rows still running at each step (batch sorted by length)
    """
    w_ih, w_hh, b_ih, b_hh = weights
    T, B, _ = x.shape
    H = w_hh.shape[1]
    xp = array_module(x)
    # the input projection of every time step in one product: [T*B, I] @ [I, G*H]
    gx = (x.reshape(T * B, -1) @ w_ih.T).reshape(T, B, -1)  # [T, B, G*H]
    gx_bias, gh_bias = step.split_biases(b_ih, b_hh)
    if gx_bias is not None:
        gx += gx_bias
    w_hh_t = xp.ascontiguousarray(w_hh.T)  # a contiguous copy: BLAS is ~25% faster on it
    out = xp.zeros((T, B, H), dtype=x.dtype)
    h_prev_all = xp.empty((T, B, H), dtype=x.dtype)  # the h that entered each step
    caches = []
    state = tuple(state0)
    for t in range(T):
        n = int(active[t])
        h_prev_all[t] = state[0]
        new, cache = step.forward(k, gx[t, :n], tuple(s[:n] for s in state), w_hh_t, gh_bias)
        if n == B:
            state = new
        else:  # finished rows keep their state
            state = tuple(xp.concatenate([a, s[n:]]) for a, s in zip(new, state))
        out[t, :n] = new[0]
        caches.append(cache)
    return out, state, (x, h_prev_all, caches)


def run_backward(step, k, d_out, d_state_final, weights, active, tape, *, truncate=0, norms=None, need_dx=True):
    """BPTT over time. Returns (dx [T, B, I], d_state0, (dW_ih, dW_hh, db_ih, db_hh)).

    Parameters
    ----------
    d_out : [T, B, H]  gradient of the loss w.r.t. the outputs
    d_state_final : tuple of [B, H]  gradient w.r.t. the final state(s)
    truncate : int
        0 for full BPTT, else the chunk length k of truncated BPTT.
    norms : array [T] or None
        If given, filled with ||dL/dh_t|| (over the whole batch) for each t.
    need_dx : bool
        False when nobody needs dL/dx (the input of the bottom layer is
        data): dx is then None and its matrix product is skipped.
    """
    w_ih, w_hh, b_ih, _ = weights
    x, h_prev_all, caches = tape
    T, B, _ = x.shape
    xp = array_module(x)
    # rows of finished sequences stay zero; with no such rows nothing needs zeroing
    alloc = xp.empty if int(min(active)) == B else xp.zeros
    d_gx_all = alloc((T, B, w_ih.shape[0]), dtype=x.dtype)
    d_gh_all = None  # allocated on first use: for RNN and LSTM d_gh is d_gx itself
    # HINT: walk t = T-1 .. 0 carrying d_state as the module docstring describes; store each step's d_gx and d_gh (rows :n), then form dx and the weight gradients
    # BEGIN SOLUTION 2.4
    d_state = [d.copy() for d in d_state_final]
    for t in reversed(range(T)):
        n = int(active[t])
        d_state[0][:n] += d_out[t, :n]  # dL/dh_t: from the output at t and from step t+1
        if norms is not None:
            norms[t] = float(xp.sqrt((d_state[0] * d_state[0]).sum()))
        d_gx, d_gh, d_prev = step.backward(k, tuple(d[:n] for d in d_state), caches[t], w_hh)
        d_gx_all[t, :n] = d_gx
        if d_gh is not d_gx:
            if d_gh_all is None:
                d_gh_all = alloc((T, B, w_hh.shape[0]), dtype=x.dtype)
            d_gh_all[t, :n] = d_gh
        for d, dp in zip(d_state, d_prev):
            d[:n] = dp
        if truncate and t % truncate == 0 and t > 0:
            for d in d_state:  # the state entering this chunk was detached
                d[...] = 0
    flat_gx = d_gx_all.reshape(T * B, -1)  # [T*B, G*H]
    flat_gh = flat_gx if d_gh_all is None else d_gh_all.reshape(T * B, -1)
    dx = (flat_gx @ w_ih).reshape(x.shape) if need_dx else None
    d_w_ih = flat_gx.T @ x.reshape(T * B, -1)
    d_w_hh = flat_gh.T @ h_prev_all.reshape(T * B, -1)
    if b_ih is None:
        d_b_ih = d_b_hh = None
    else:
        ones = xp.ones(T * B, dtype=x.dtype)  # column sums as BLAS products: 2x NumPy's axis-0 sum
        d_b_ih = ones @ flat_gx
        d_b_hh = d_b_ih.copy() if flat_gh is flat_gx else ones @ flat_gh
    return dx, tuple(d_state), (d_w_ih, d_w_hh, d_b_ih, d_b_hh)
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
