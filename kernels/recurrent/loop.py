"""The compiled time loop of one recurrent layer in one direction: forward, and BPTT.

``minidl/nn/recurrent/bptt.py`` is the readable loop: Python walks the
time steps and calls ``step.forward`` / ``step.backward``, each of which
calls BLAS once and a gate kernel once or more. This module compiles the
whole loop instead, one Numba function per cell and direction of time,
so nothing returns to Python between steps. The same work happens in the
same order:

- the matrix product of each step, ``h_{t-1} W_hh^T`` forward and
  ``d_a W_hh`` backward, is ``np.dot``, which Numba hands to BLAS;
- the gate math is the fused kernels of ``cpu.py``, called on the rows
  still running (rows 0 .. n_t - 1: the batch is sorted by length).

What the loops take and return are arrays only; the input projection of
all steps before the loop and the weight gradients after it are the
caller's (``minidl/nn/recurrent/compiled.py``), as in the readable loop.

The tape: what backward needs, each value stored once.

``h_all`` [T+1, B, H]
    h_all[0] = h_0 and h_all[t+1] = h_t, zero past a sequence's end. The
    layer's output is the view h_all[1:], and h_all[:-1] is the state that
    entered each step: one array is both (the readable loop keeps the h
    entering each step as a second copy).
LSTM: the gates, written over the input projection [T, B, 4H] (forward
    activates it in place), and ``c_all`` [T+1, B, H] like h_all. tanh(c_t)
    is recomputed in backward rather than stored.
GRU: [r | z | n], written over the input projection [T, B, 3H], and
    ``h_n`` [T, B, H], the hidden projection of the n block.
RNN: nothing else: h_t is its own derivative's input.

Backward mirrors ``bptt.run_backward``, carrying d_state = dL/d(state
leaving step t) from t = T-1 down to 0; it returns the gradients of the
projections (for the weight gradients) and of the initial state.
``truncate`` > 0 zeroes d_state when it would cross into step t - 1 with
t a multiple of ``truncate``; ``norms`` of length T receives ||dL/dh_t||
(of length 0, nothing is recorded).

The loops are cached on disk like the kernels, with ``cpu.py`` and
``activations.py`` in the cache key (``kernels/caching.py``): the kernels
are compiled into the loops, and an edit there must compile them anew.
"""
from __future__ import annotations

import contextlib
import functools
import sys

import numpy as np
from numba import njit

from kernels.caching import njit_cached
from kernels.recurrent import activations, cpu
from kernels.recurrent.activations import tanh

compiled = njit_cached(cpu, activations)  # njit(cache=True), recompiled when a kernel it calls changes


@njit
def _states(h0, T, ragged):
    """[T+1, B, H] for a state over time, row 0 = h0; zeros when rows end early (their outputs are zero)."""
    B, H = h0.shape
    out = np.zeros((T + 1, B, H), h0.dtype) if ragged else np.empty((T + 1, B, H), h0.dtype)
    out[0] = h0
    return out


@njit
def _ending(active, t):
    """Rows that run step t but not step t + 1: their state is final after step t."""
    return active[t + 1] if t + 1 < active.shape[0] else 0


@njit
def _add_output_gradient(d_h, d_out_t, norms, t):
    """d_h[:n] += dL/dout_t (n = rows of d_out_t), and ||d_h|| over the batch into norms[t] if recording."""
    for b in range(d_out_t.shape[0]):
        d_h[b] += d_out_t[b]
    if norms.shape[0]:
        norms[t] = np.sqrt(np.sum(d_h.astype(np.float64) ** 2))


@njit
def _truncate(t, truncate, d_h, d_c):
    """Zero the carried gradient at the start of a chunk of truncated BPTT."""
    if truncate and t % truncate == 0 and t > 0:
        d_h[:] = 0
        d_c[:] = 0


# ---------------------------------------------------------------- Elman RNN
@compiled
def rnn_forward(gx, w_hh_t, h0, active, relu):
    """gx [T, B, H] input projection, w_hh_t [H, H]. Returns h_all [T+1, B, H] and h_n [B, H]."""
    T, B, H = gx.shape
    h_all = _states(h0, T, active[T - 1] < B)
    h_n = h0.copy()
    gh = np.empty((B, H), gx.dtype)
    for t in range(T):
        n = active[t]
        np.dot(h_all[t, :n], w_hh_t, gh[:n])
        cpu.rnn_forward_into(gx[t, :n], gh[:n], relu, h_all[t + 1, :n])
        done = _ending(active, t)
        h_n[done:n] = h_all[t + 1, done:n]
    return h_all, h_n


@compiled
def rnn_backward(d_out, dh_n, w_hh, h_all, active, relu, truncate, norms):
    """Returns d_pre [T, B, H] (the gradient of both projections; zero rows past an end) and dh_0 [B, H]."""
    # HINT: the compiled copy of your run_backward for the RNN; optional: until it is written, the readable loop runs in its place
    # BEGIN SOLUTION 2.4
    T, B, H = d_out.shape
    d_pre = np.zeros((T, B, H), d_out.dtype) if active[T - 1] < B else np.empty((T, B, H), d_out.dtype)
    d_h = dh_n.copy()
    for t in range(T - 1, -1, -1):
        n = active[t]
        _add_output_gradient(d_h, d_out[t, :n], norms, t)
        cpu.rnn_backward_into(d_h[:n], h_all[t + 1, :n], relu, d_pre[t, :n])
        np.dot(d_pre[t, :n], w_hh, d_h[:n])
        _truncate(t, truncate, d_h, d_h)
    return d_pre, d_h
    # END SOLUTION


# ---------------------------------------------------------------- LSTM
@compiled
def lstm_forward(gx, w_hh_t, h0, c0, active):
    """gx [T, B, 4H] input projection, activated in place into the gates; w_hh_t [H, 4H].

    Returns h_all, c_all [T+1, B, H] and h_n, c_n [B, H].
    """
    T, B, G = gx.shape
    H = G // 4
    ragged = active[T - 1] < B
    h_all, c_all = _states(h0, T, ragged), _states(c0, T, ragged)
    h_n, c_n = h0.copy(), c0.copy()
    gh = np.empty((B, G), gx.dtype)
    tanh_c = np.empty((B, H), gx.dtype)  # kept only for the step
    for t in range(T):
        n = active[t]
        np.dot(h_all[t, :n], w_hh_t, gh[:n])
        cpu.lstm_forward_into(gx[t, :n], gh[:n], c_all[t, :n], c_all[t + 1, :n], tanh_c[:n], h_all[t + 1, :n])
        done = _ending(active, t)
        h_n[done:n] = h_all[t + 1, done:n]
        c_n[done:n] = c_all[t + 1, done:n]
    return h_all, c_all, h_n, c_n


@njit(error_model="numpy")  # compiled into lstm_backward
def _tanh_rows(c, out):
    for b in range(c.shape[0]):
        cb, ob = c[b], out[b]
        for j in range(c.shape[1]):
            ob[j] = tanh(cb[j])


@compiled
def lstm_backward(d_out, dh_n, dc_n, w_hh, gates, h_all, c_all, active, truncate, norms):
    """Returns d_a [T, B, 4H] (the gradient of both projections; zero rows past an end), dh_0 and dc_0 [B, H]."""
    # HINT: the compiled copy of your run_backward for the LSTM; optional: until it is written, the readable loop runs in its place
    # BEGIN SOLUTION 2.4
    T, B, G = gates.shape
    H = dh_n.shape[1]
    d_a = np.zeros((T, B, G), d_out.dtype) if active[T - 1] < B else np.empty((T, B, G), d_out.dtype)
    d_h, d_c = dh_n.copy(), dc_n.copy()
    tanh_c = np.empty((B, H), d_out.dtype)
    for t in range(T - 1, -1, -1):
        n = active[t]
        _add_output_gradient(d_h, d_out[t, :n], norms, t)
        _tanh_rows(c_all[t + 1, :n], tanh_c[:n])
        cpu.lstm_backward_into(d_h[:n], d_c[:n], gates[t, :n], c_all[t, :n], tanh_c[:n], d_a[t, :n])
        np.dot(d_a[t, :n], w_hh, d_h[:n])
        _truncate(t, truncate, d_h, d_c)
    return d_a, d_h, d_c
    # END SOLUTION


# ---------------------------------------------------------------- GRU
@compiled
def gru_forward(gx, w_hh_t, b_hh, h0, active):
    """gx [T, B, 3H] input projection, activated in place into [r | z | n]; w_hh_t [H, 3H]; b_hh [3H].

    Returns h_all [T+1, B, H], h_n_all [T, B, H] (the n block of each
    step's hidden projection) and the final h [B, H].
    """
    T, B, G = gx.shape
    H = G // 3
    h_all = _states(h0, T, active[T - 1] < B)
    h_n_all = np.empty((T, B, H), gx.dtype)
    h_final = h0.copy()
    gh = np.empty((B, G), gx.dtype)
    for t in range(T):
        n = active[t]
        np.dot(h_all[t, :n], w_hh_t, gh[:n])
        cpu.gru_forward_into(gx[t, :n], gh[:n], b_hh, h_all[t, :n], h_n_all[t, :n], h_all[t + 1, :n])
        done = _ending(active, t)
        h_final[done:n] = h_all[t + 1, done:n]
    return h_all, h_n_all, h_final


@compiled
def gru_backward(d_out, dh_n, w_hh, rzn, h_n_all, h_all, active, truncate, norms):
    """Returns d_gx and d_gh [T, B, 3H] (zero rows past an end) and dh_0 [B, H]."""
    # HINT: the compiled copy of your run_backward for the GRU; optional: until it is written, the readable loop runs in its place
    # BEGIN SOLUTION 2.4
    T, B, G = rzn.shape
    H = dh_n.shape[1]
    ragged = active[T - 1] < B
    d_gx = np.zeros((T, B, G), d_out.dtype) if ragged else np.empty((T, B, G), d_out.dtype)
    d_gh = np.zeros((T, B, G), d_out.dtype) if ragged else np.empty((T, B, G), d_out.dtype)
    d_h = dh_n.copy()
    through_gh = np.empty((B, H), d_out.dtype)
    for t in range(T - 1, -1, -1):
        n = active[t]
        _add_output_gradient(d_h, d_out[t, :n], norms, t)
        cpu.gru_backward_into(d_h[:n], rzn[t, :n], h_n_all[t, :n], h_all[t, :n], d_gx[t, :n], d_gh[t, :n])
        np.dot(d_gh[t, :n], w_hh, through_gh[:n])
        d_h[:n] += through_gh[:n]  # dL/dh_{t-1}: through z (the kernel's) and through gh
        _truncate(t, truncate, d_h, d_h)
    return d_gx, d_gh, d_h
    # END SOLUTION


# ---------------------------------------------------------------- BLAS threads
@functools.lru_cache(maxsize=None)
def _blas_pools():
    """threadpoolctl's handle on the loaded BLAS libraries, or None without threadpoolctl."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # optional (scikit-learn's helper, installed by librosa)
        return None
    import scipy.linalg  # noqa: F401  (loads the BLAS that np.dot calls in Numba, so that it is seen)
    return ThreadpoolController().select(user_api="blas")


def one_blas_thread():
    """A context in which BLAS runs each product on the calling thread alone: run the loops inside it.

    A step's product ([B, H] by [H, G*H]) is too small to share between
    threads: with two BLAS threads every step of the loop makes them meet,
    and on a busy machine one waits for the other's time slice at each of
    those meetings (measured, 2 threads, load ~3.5: an LSTM training step
    took 107 ms instead of 51 ms with one BLAS thread in the loop).
    """
    pools = _blas_pools()
    return contextlib.nullcontext() if pools is None else pools.limit(limits=1)


# ---------------------------------------------------------------- written yet?
@functools.lru_cache(maxsize=None)
def stub(cell: str, dtype) -> str | None:
    """None when the compiled loop of ``cell`` ("rnn", "lstm", "gru") runs; else the stub it stops at.

    In a student copy (``minidl assignment make recurrent``) the backward
    loops above and the ``cpu.py`` kernels they call are stubs that raise
    NotImplementedError. The first call for each cell and dtype runs the
    loop once on a one-step, one-row problem (which also compiles it) and
    says, on stderr and once, that the readable loop runs in its place.
    """
    dtype = np.dtype(dtype)
    active, norms = np.ones(1, np.int64), np.zeros(0)
    one, G = np.zeros((1, 1), dtype), {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    gx, w_hh_t, w_hh = np.zeros((1, 1, G), dtype), np.zeros((1, G), dtype), np.zeros((G, 1), dtype)
    d_out = np.zeros((1, 1, 1), dtype)
    try:
        if cell == "rnn":
            h_all, _ = rnn_forward(gx, w_hh_t, one, active, False)
            rnn_backward(d_out, one, w_hh, h_all, active, False, 0, norms)
        elif cell == "lstm":
            h_all, c_all, _, _ = lstm_forward(gx, w_hh_t, one, one, active)
            lstm_backward(d_out, one, one, w_hh, gx, h_all, c_all, active, 0, norms)
        else:
            h_all, h_n_all, _ = gru_forward(gx, w_hh_t, np.zeros(G, dtype), one, active)
            gru_backward(d_out, one, w_hh, gx, h_n_all, h_all, active, 0, norms)
    except NotImplementedError as exc:
        task = str(exc).split(":")[0]  # "Task 2.4"
        print(f"kernels: the compiled {cell.upper()} time loop is not written yet ({task}); "
              "running the readable loop (minidl.nn.recurrent.bptt) instead", file=sys.stderr)
        return str(exc)
    return None
