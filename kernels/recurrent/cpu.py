"""The gate math of ``reference.py``, fused into Numba loops.

Each loop reads its inputs once and writes its outputs once, instead of
NumPy's one pass (and one temporary array) per elementwise operation.
Three rules shape the code, each worth a measured factor:

- Transcendentals go through NumPy. Numba calls libm's scalar tanh/exp
  once per element, ~30x slower than NumPy's SIMD loops, so the kernels
  use sigma(a) = 1/2 + tanh(a/2)/2 and hand every tanh to ``np.tanh`` over
  a whole block; the algebra around it is fused here.
- Constants take the arrays' dtype (``one = dtype(1)``): a float64 literal
  would promote float32 math to float64 and stop LLVM from vectorizing
  (5x slower in float32).
- Inner loops run over contiguous row slices, one per gate block, which
  LLVM vectorizes; no ``prange``, since at B x H of a few thousand elements
  starting threads costs more than the work.

Same names, arguments and results as the reference; see its docstrings for
the equations. The matrix products stay in BLAS, outside.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from kernels.backend import reference_while_stubbed
from kernels.recurrent import reference


# ---------------------------------------------------------------- Elman RNN
def rnn_forward(gx, gh, nonlinearity: str = "tanh"):
    # one elementwise op after a sum: NumPy's SIMD loops are already the best here
    pre = gx + gh
    return np.tanh(pre, out=pre) if nonlinearity == "tanh" else np.maximum(pre, 0, out=pre)


@njit(cache=True)
def _rnn_tanh_backward(dh, h):
    # HINT: the Numba copy of rnn_backward (tanh); optional: until it is written, your NumPy reference runs in its place
    # BEGIN SOLUTION 2.1
    one = h.dtype.type(1)
    d = np.empty_like(dh)
    for b in range(dh.shape[0]):
        hb, dhb, db = h[b], dh[b], d[b]
        for j in range(dh.shape[1]):
            db[j] = dhb[j] * (one - hb[j] * hb[j])
    return d
    # END SOLUTION


@njit(cache=True)
def _rnn_relu_backward(dh, h):
    # HINT: the Numba copy of rnn_backward (relu); optional: until it is written, your NumPy reference runs in its place
    # BEGIN SOLUTION 2.1
    zero = h.dtype.type(0)
    d = np.empty_like(dh)
    for b in range(dh.shape[0]):
        hb, dhb, db = h[b], dh[b], d[b]
        for j in range(dh.shape[1]):
            db[j] = dhb[j] if hb[j] > zero else zero
    return d
    # END SOLUTION


@reference_while_stubbed(reference.rnn_backward)
def rnn_backward(dh, h, nonlinearity: str = "tanh"):
    return _rnn_tanh_backward(dh, h) if nonlinearity == "tanh" else _rnn_relu_backward(dh, h)


# ---------------------------------------------------------------- LSTM
@njit(cache=True)
def _lstm_half_preactivations(gx, gh):
    """a = gx + gh, halved on the sigmoid blocks i, f, o (tanh(a/2) gives the sigmoids)."""
    B, G = gx.shape
    H = G // 4
    half = gx.dtype.type(0.5)
    a = np.empty_like(gx)
    for b in range(B):
        gxb, ghb, ab = gx[b], gh[b], a[b]
        for j in range(2 * H):  # i, f
            ab[j] = half * (gxb[j] + ghb[j])
        for j in range(2 * H, 3 * H):  # g: a real tanh
            ab[j] = gxb[j] + ghb[j]
        for j in range(3 * H, 4 * H):  # o
            ab[j] = half * (gxb[j] + ghb[j])
    return a


@njit(cache=True)
def _lstm_cell(t, c_prev):
    """From t = tanh(halved pre-activations): the activated gates and c = f c_prev + i g."""
    B, H = c_prev.shape
    half = t.dtype.type(0.5)
    gates = np.empty_like(t)
    c = np.empty_like(c_prev)
    for b in range(B):
        tb, gb, cb, cpb = t[b], gates[b], c[b], c_prev[b]
        for j in range(H):
            i = half + half * tb[j]
            f = half + half * tb[H + j]
            g = tb[2 * H + j]
            gb[j], gb[H + j], gb[2 * H + j] = i, f, g
            gb[3 * H + j] = half + half * tb[3 * H + j]
            cb[j] = f * cpb[j] + i * g
    return gates, c


def lstm_forward(gx, gh, c_prev):
    t = np.tanh(_lstm_half_preactivations(gx, gh))
    gates, c = _lstm_cell(t, c_prev)
    tanh_c = np.tanh(c)
    H = c_prev.shape[1]
    return gates[:, 3 * H:] * tanh_c, c, gates, tanh_c


@reference_while_stubbed(reference.lstm_backward)
@njit(cache=True)
def lstm_backward(dh, dc, gates, c_prev, tanh_c):
    # HINT: the Numba copy of lstm_backward; optional: until it is written, your NumPy reference runs in its place
    # BEGIN SOLUTION 2.2
    B, H = c_prev.shape
    one = gates.dtype.type(1)
    d_a = np.empty_like(gates)
    dc_prev = np.empty_like(c_prev)
    for b in range(B):
        gi, gf, gg, go = gates[b, :H], gates[b, H:2 * H], gates[b, 2 * H:3 * H], gates[b, 3 * H:]
        da_i, da_f, da_g, da_o = d_a[b, :H], d_a[b, H:2 * H], d_a[b, 2 * H:3 * H], d_a[b, 3 * H:]
        dhb, dcb, tcb, cpb, dcpb = dh[b], dc[b], tanh_c[b], c_prev[b], dc_prev[b]
        for j in range(H):
            i, f, g, o, tc = gi[j], gf[j], gg[j], go[j], tcb[j]
            dct = dcb[j] + dhb[j] * o * (one - tc * tc)  # total dL/dc_t
            da_i[j] = dct * g * i * (one - i)
            da_f[j] = dct * cpb[j] * f * (one - f)
            da_g[j] = dct * i * (one - g * g)
            da_o[j] = dhb[j] * tc * o * (one - o)
            dcpb[j] = dct * f
    return d_a, dc_prev
    # END SOLUTION


# ---------------------------------------------------------------- GRU
@njit(cache=True)
def _gru_half_preactivations(gx, gh):
    """(x_r + h_r) / 2 and (x_z + h_z) / 2: tanh of these gives the sigmoids."""
    B = gx.shape[0]
    H = gx.shape[1] // 3
    half = gx.dtype.type(0.5)
    a = np.empty((B, 2 * H), dtype=gx.dtype)
    for b in range(B):
        gxb, ghb, ab = gx[b], gh[b], a[b]
        for j in range(2 * H):
            ab[j] = half * (gxb[j] + ghb[j])
    return a


@njit(cache=True)
def _gru_candidate_preactivation(t_rz, gx, gh):
    """r from tanh, and the candidate's pre-activation x_n + r * h_n."""
    B, H2 = t_rz.shape
    H = H2 // 2
    half = gx.dtype.type(0.5)
    r = np.empty((B, H), dtype=gx.dtype)
    pre_n = np.empty((B, H), dtype=gx.dtype)
    for b in range(B):
        tb, rb, pb = t_rz[b], r[b], pre_n[b]
        gxn, ghn = gx[b, 2 * H:], gh[b, 2 * H:]
        for j in range(H):
            rj = half + half * tb[j]
            rb[j] = rj
            pb[j] = gxn[j] + rj * ghn[j]
    return r, pre_n


@njit(cache=True)
def _gru_update(t_rz, r, n, gh, h_prev):
    B, H = h_prev.shape
    half, one = h_prev.dtype.type(0.5), h_prev.dtype.type(1)
    h = np.empty_like(h_prev)
    cache = np.empty((B, 4 * H), dtype=h_prev.dtype)
    for b in range(B):
        tz, rb, nb, ghn, hpb, hb = t_rz[b, H:], r[b], n[b], gh[b, 2 * H:], h_prev[b], h[b]
        cr, cz, cn, chn = cache[b, :H], cache[b, H:2 * H], cache[b, 2 * H:3 * H], cache[b, 3 * H:]
        for j in range(H):
            z = half + half * tz[j]
            hb[j] = (one - z) * nb[j] + z * hpb[j]
            cr[j], cz[j], cn[j], chn[j] = rb[j], z, nb[j], ghn[j]
    return h, cache


def gru_forward(gx, gh, h_prev):
    t_rz = np.tanh(_gru_half_preactivations(gx, gh))
    r, pre_n = _gru_candidate_preactivation(t_rz, gx, gh)
    return _gru_update(t_rz, r, np.tanh(pre_n), gh, h_prev)


@reference_while_stubbed(reference.gru_backward)
@njit(cache=True)
def gru_backward(dh, cache, h_prev):
    # HINT: the Numba copy of gru_backward; optional: until it is written, your NumPy reference runs in its place
    # BEGIN SOLUTION 2.3
    B, H = h_prev.shape
    one = dh.dtype.type(1)
    d_gx = np.empty((B, 3 * H), dtype=dh.dtype)
    d_gh = np.empty((B, 3 * H), dtype=dh.dtype)
    dh_prev = np.empty_like(dh)
    for b in range(B):
        cr, cz, cn, chn = cache[b, :H], cache[b, H:2 * H], cache[b, 2 * H:3 * H], cache[b, 3 * H:]
        xr, xz, xn = d_gx[b, :H], d_gx[b, H:2 * H], d_gx[b, 2 * H:]
        hr, hz, hn = d_gh[b, :H], d_gh[b, H:2 * H], d_gh[b, 2 * H:]
        dhb, hpb, dpb = dh[b], h_prev[b], dh_prev[b]
        for j in range(H):
            r, z, n, h_n, d = cr[j], cz[j], cn[j], chn[j], dhb[j]
            d_n = d * (one - z) * (one - n * n)
            d_r = d_n * h_n * r * (one - r)
            d_z = d * (hpb[j] - n) * z * (one - z)
            xr[j], xz[j], xn[j] = d_r, d_z, d_n
            hr[j], hz[j], hn[j] = d_r, d_z, d_n * r
            dpb[j] = d * z
    return d_gx, d_gh, dh_prev
    # END SOLUTION
