"""The gate math of ``reference.py``, fused into one Numba loop per step.

Each kernel reads its inputs once and writes its outputs once, instead of
NumPy's one pass (and one temporary array) per elementwise operation. The
loops are plain (no ``prange``): at B x H of a few thousand elements the
cost of starting threads would exceed the work. The matrix products stay in
BLAS, outside.

Same names, arguments and results as the reference; see its docstrings for
the equations.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@njit(cache=True)
def _rnn_tanh_forward(gx, gh):
    h = np.empty_like(gx)
    for b in range(gx.shape[0]):
        for j in range(gx.shape[1]):
            h[b, j] = math.tanh(gx[b, j] + gh[b, j])
    return h


@njit(cache=True)
def _rnn_relu_forward(gx, gh):
    h = np.empty_like(gx)
    for b in range(gx.shape[0]):
        for j in range(gx.shape[1]):
            h[b, j] = max(gx[b, j] + gh[b, j], 0.0)
    return h


@njit(cache=True)
def _rnn_tanh_backward(dh, h):
    d = np.empty_like(dh)
    for b in range(dh.shape[0]):
        for j in range(dh.shape[1]):
            d[b, j] = dh[b, j] * (1.0 - h[b, j] * h[b, j])
    return d


@njit(cache=True)
def _rnn_relu_backward(dh, h):
    d = np.empty_like(dh)
    for b in range(dh.shape[0]):
        for j in range(dh.shape[1]):
            d[b, j] = dh[b, j] if h[b, j] > 0 else 0.0
    return d


def rnn_forward(gx, gh, nonlinearity: str = "tanh"):
    return _rnn_tanh_forward(gx, gh) if nonlinearity == "tanh" else _rnn_relu_forward(gx, gh)


def rnn_backward(dh, h, nonlinearity: str = "tanh"):
    return _rnn_tanh_backward(dh, h) if nonlinearity == "tanh" else _rnn_relu_backward(dh, h)


@njit(cache=True)
def lstm_forward(gx, gh, c_prev):
    B, H = c_prev.shape
    h = np.empty_like(c_prev)
    c = np.empty_like(c_prev)
    tanh_c = np.empty_like(c_prev)
    gates = np.empty_like(gx)
    for b in range(B):
        for j in range(H):
            i = _sigmoid(gx[b, j] + gh[b, j])
            f = _sigmoid(gx[b, H + j] + gh[b, H + j])
            g = math.tanh(gx[b, 2 * H + j] + gh[b, 2 * H + j])
            o = _sigmoid(gx[b, 3 * H + j] + gh[b, 3 * H + j])
            cell = f * c_prev[b, j] + i * g
            tc = math.tanh(cell)
            gates[b, j], gates[b, H + j], gates[b, 2 * H + j], gates[b, 3 * H + j] = i, f, g, o
            c[b, j] = cell
            tanh_c[b, j] = tc
            h[b, j] = o * tc
    return h, c, gates, tanh_c


@njit(cache=True)
def lstm_backward(dh, dc, gates, c_prev, tanh_c):
    B, H = c_prev.shape
    d_a = np.empty_like(gates)
    dc_prev = np.empty_like(c_prev)
    for b in range(B):
        for j in range(H):
            i, f = gates[b, j], gates[b, H + j]
            g, o = gates[b, 2 * H + j], gates[b, 3 * H + j]
            tc = tanh_c[b, j]
            dct = dc[b, j] + dh[b, j] * o * (1.0 - tc * tc)
            d_a[b, j] = dct * g * i * (1.0 - i)
            d_a[b, H + j] = dct * c_prev[b, j] * f * (1.0 - f)
            d_a[b, 2 * H + j] = dct * i * (1.0 - g * g)
            d_a[b, 3 * H + j] = dh[b, j] * tc * o * (1.0 - o)
            dc_prev[b, j] = dct * f
    return d_a, dc_prev


@njit(cache=True)
def gru_forward(gx, gh, h_prev):
    B, H = h_prev.shape
    h = np.empty_like(h_prev)
    cache = np.empty((B, 4 * H), dtype=h_prev.dtype)
    for b in range(B):
        for j in range(H):
            r = _sigmoid(gx[b, j] + gh[b, j])
            z = _sigmoid(gx[b, H + j] + gh[b, H + j])
            h_n = gh[b, 2 * H + j]
            n = math.tanh(gx[b, 2 * H + j] + r * h_n)
            h[b, j] = (1.0 - z) * n + z * h_prev[b, j]
            cache[b, j], cache[b, H + j], cache[b, 2 * H + j], cache[b, 3 * H + j] = r, z, n, h_n
    return h, cache


@njit(cache=True)
def gru_backward(dh, cache, h_prev):
    B, H = h_prev.shape
    d_gx = np.empty((B, 3 * H), dtype=dh.dtype)
    d_gh = np.empty((B, 3 * H), dtype=dh.dtype)
    dh_prev = np.empty_like(dh)
    for b in range(B):
        for j in range(H):
            r, z = cache[b, j], cache[b, H + j]
            n, h_n = cache[b, 2 * H + j], cache[b, 3 * H + j]
            d = dh[b, j]
            d_n = d * (1.0 - z) * (1.0 - n * n)
            d_r = d_n * h_n * r * (1.0 - r)
            d_z = d * (h_prev[b, j] - n) * z * (1.0 - z)
            d_gx[b, j], d_gx[b, H + j], d_gx[b, 2 * H + j] = d_r, d_z, d_n
            d_gh[b, j], d_gh[b, H + j], d_gh[b, 2 * H + j] = d_r, d_z, d_n * r
            dh_prev[b, j] = d * z
    return d_gx, d_gh, dh_prev
