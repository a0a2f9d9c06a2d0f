"""The gate math of ``reference.py``, fused into Numba loops.

Each kernel reads its inputs once and writes its outputs once, instead of
NumPy's one pass (and one temporary array) per elementwise operation. A
time step's whole gate math is one loop over the batch rows. Four rules
shape the code, each worth a measured factor:

- Sigmoid and tanh come from ``activations.py``: straight-line arithmetic
  that LLVM vectorizes, as fast as NumPy's SIMD ``np.tanh``. (Numba's own
  ``math.tanh`` calls libm once per element, ~60x slower.)
- Kernels that divide (both activations do) compile with
  ``error_model="numpy"``: Numba's default checks every divisor for zero,
  and the check alone keeps the loop scalar (5x).
- Constants take the arrays' dtype (``one = dtype(1)``): a float64 literal
  would promote float32 math to float64 and stop LLVM from vectorizing
  (5x slower in float32).
- Inner loops run over contiguous row slices, one per gate block, which
  LLVM vectorizes; no ``prange``, since at B x H of a few thousand elements
  starting threads costs more than the work.

The ``*_into`` kernels write into arrays they are given, some of them in
place, so that the compiled time loop (``loop.py``) can write each step
straight into its tape. The functions named as in the reference take the
same arguments and return the same results as the reference (see its
docstrings for the equations); they allocate the outputs and call the
kernels. The matrix products stay in BLAS, outside.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from kernels.backend import reference_while_stubbed
from kernels.caching import njit_cached
from kernels.recurrent import activations, reference
from kernels.recurrent.activations import sigmoid, tanh

# the kernels that activate: cached with activations.py in the key (see kernels/caching.py), and
# compiled with NumPy's error model (the activations divide: see the module docstring)
fused = njit_cached(activations, error_model="numpy")


# ---------------------------------------------------------------- Elman RNN
@fused
def rnn_forward_into(gx, gh, relu, h):
    """h = act(gx + gh), act = relu if ``relu`` else tanh. All [B, H]."""
    zero = gx.dtype.type(0)
    for b in range(gx.shape[0]):
        gxb, ghb, hb = gx[b], gh[b], h[b]
        if relu:
            for j in range(gx.shape[1]):
                hb[j] = max(gxb[j] + ghb[j], zero)
        else:
            for j in range(gx.shape[1]):
                hb[j] = tanh(gxb[j] + ghb[j])


def rnn_forward(gx, gh, nonlinearity: str = "tanh"):
    h = np.empty_like(gx)
    rnn_forward_into(gx, gh, nonlinearity == "relu", h)
    return h


@njit(cache=True)
def rnn_backward_into(dh, h, relu, d):
    """d = dh * act'(pre), act' from the output h. All [B, H]."""
    # HINT: the Numba copy of rnn_backward, written into d; optional: until it is written, your NumPy reference runs in its place
    # BEGIN SOLUTION 2.1
    one, zero = h.dtype.type(1), h.dtype.type(0)
    for b in range(dh.shape[0]):
        hb, dhb, db = h[b], dh[b], d[b]
        if relu:
            for j in range(dh.shape[1]):
                db[j] = dhb[j] if hb[j] > zero else zero
        else:
            for j in range(dh.shape[1]):
                db[j] = dhb[j] * (one - hb[j] * hb[j])
    # END SOLUTION


@reference_while_stubbed(reference.rnn_backward)
def rnn_backward(dh, h, nonlinearity: str = "tanh"):
    d = np.empty_like(dh)
    rnn_backward_into(dh, h, nonlinearity == "relu", d)
    return d


# ---------------------------------------------------------------- LSTM
@fused
def lstm_forward_into(a, gh, c_prev, c, tanh_c, h):
    """One LSTM step after the matrix products, into given arrays.

    ``a`` [B, 4H] holds the input projection gx on entry and the activated
    gates [i | f | g | o] on exit; c, tanh_c, h [B, H] are written.
    """
    B, H = c_prev.shape
    for b in range(B):
        ai, af, ag, ao = a[b, :H], a[b, H:2 * H], a[b, 2 * H:3 * H], a[b, 3 * H:]
        hi, hf, hg, ho = gh[b, :H], gh[b, H:2 * H], gh[b, 2 * H:3 * H], gh[b, 3 * H:]
        cpb, cb, tcb, hb = c_prev[b], c[b], tanh_c[b], h[b]
        for j in range(H):
            ai[j] = sigmoid(ai[j] + hi[j])
            af[j] = sigmoid(af[j] + hf[j])
            ag[j] = tanh(ag[j] + hg[j])
            ao[j] = sigmoid(ao[j] + ho[j])
        for j in range(H):  # (a loop of its own: LLVM would not vectorize one that writes five arrays)
            cb[j] = af[j] * cpb[j] + ai[j] * ag[j]  # f c_prev + i g
        for j in range(H):
            tcb[j] = tanh(cb[j])
            hb[j] = ao[j] * tcb[j]


def lstm_forward(gx, gh, c_prev):
    gates = gx.copy()
    c, tanh_c, h = (np.empty_like(c_prev) for _ in range(3))
    lstm_forward_into(gates, gh, c_prev, c, tanh_c, h)
    return h, c, gates, tanh_c


@njit(cache=True)
def lstm_backward_into(dh, dc, gates, c_prev, tanh_c, d_a):
    """Backward of one LSTM step into given arrays: d_a [B, 4H] is written,
    and ``dc`` [B, H] holds dL/dc_t on entry and dL/dc_{t-1} on exit."""
    # HINT: the Numba copy of lstm_backward, written into d_a, with dc_prev written over dc; optional: until it is written, your NumPy reference runs in its place
    # BEGIN SOLUTION 2.2
    B, H = c_prev.shape
    one = gates.dtype.type(1)
    for b in range(B):
        gi, gf, gg, go = gates[b, :H], gates[b, H:2 * H], gates[b, 2 * H:3 * H], gates[b, 3 * H:]
        da_i, da_f, da_g, da_o = d_a[b, :H], d_a[b, H:2 * H], d_a[b, 2 * H:3 * H], d_a[b, 3 * H:]
        dhb, dcb, tcb, cpb = dh[b], dc[b], tanh_c[b], c_prev[b]
        for j in range(H):
            i, f, g, o, tc = gi[j], gf[j], gg[j], go[j], tcb[j]
            dct = dcb[j] + dhb[j] * o * (one - tc * tc)  # total dL/dc_t
            da_i[j] = dct * g * i * (one - i)
            da_f[j] = dct * cpb[j] * f * (one - f)
            da_g[j] = dct * i * (one - g * g)
            da_o[j] = dhb[j] * tc * o * (one - o)
            dcb[j] = dct * f
    # END SOLUTION


@reference_while_stubbed(reference.lstm_backward)
def lstm_backward(dh, dc, gates, c_prev, tanh_c):
    d_a, dc_prev = np.empty_like(gates), dc.copy()
    lstm_backward_into(dh, dc_prev, gates, c_prev, tanh_c, d_a)
    return d_a, dc_prev


# ---------------------------------------------------------------- GRU
@fused
def gru_forward_into(a, gh, b_hh, h_prev, h_n, h):
    """One GRU step after the matrix products, into given arrays.

    ``a`` [B, 3H] holds the input projection gx on entry and [r | z | n]
    on exit; gh [B, 3H] is h_prev W_hh^T without its bias b_hh [3H]; h_n
    (the hidden projection of the n block, bias included) and h [B, H]
    are written.
    """
    B, H = h_prev.shape
    one = a.dtype.type(1)
    br, bz, bn = b_hh[:H], b_hh[H:2 * H], b_hh[2 * H:]
    for b in range(B):
        ar, az, an = a[b, :H], a[b, H:2 * H], a[b, 2 * H:]
        hr, hz, hn = gh[b, :H], gh[b, H:2 * H], gh[b, 2 * H:]
        hpb, hnb, hb = h_prev[b], h_n[b], h[b]
        for j in range(H):
            ar[j] = sigmoid(ar[j] + (hr[j] + br[j]))
            az[j] = sigmoid(az[j] + (hz[j] + bz[j]))
            hnb[j] = hn[j] + bn[j]
        for j in range(H):
            an[j] = tanh(an[j] + ar[j] * hnb[j])
            hb[j] = (one - az[j]) * an[j] + az[j] * hpb[j]


def gru_forward(gx, gh, h_prev):
    B, H = h_prev.shape
    cache = np.empty((B, 4 * H), dtype=gx.dtype)  # [r | z | n | h_n]
    cache[:, :3 * H] = gx
    h = np.empty_like(h_prev)
    gru_forward_into(cache[:, :3 * H], gh, np.zeros(3 * H, gx.dtype), h_prev, cache[:, 3 * H:], h)
    return h, cache


@njit(cache=True)
def gru_backward_into(dh, rzn, h_n, h_prev, d_gx, d_gh):
    """Backward of one GRU step into given arrays: d_gx and d_gh [B, 3H] are
    written, and ``dh`` [B, H] holds dL/dh_t on entry and on exit the part of
    dL/dh_{t-1} through z (the caller adds d_gh W_hh)."""
    # HINT: the Numba copy of gru_backward, written into d_gx and d_gh, with dh_prev written over dh; optional: until it is written, your NumPy reference runs in its place
    # BEGIN SOLUTION 2.3
    B, H = h_prev.shape
    one = dh.dtype.type(1)
    for b in range(B):
        cr, cz, cn, chn = rzn[b, :H], rzn[b, H:2 * H], rzn[b, 2 * H:], h_n[b]
        xr, xz, xn = d_gx[b, :H], d_gx[b, H:2 * H], d_gx[b, 2 * H:]
        hr, hz, hn = d_gh[b, :H], d_gh[b, H:2 * H], d_gh[b, 2 * H:]
        dhb, hpb = dh[b], h_prev[b]
        for j in range(H):
            r, z, n, d = cr[j], cz[j], cn[j], dhb[j]
            d_n = d * (one - z) * (one - n * n)
            d_r = d_n * chn[j] * r * (one - r)
            d_z = d * (hpb[j] - n) * z * (one - z)
            xr[j], xz[j], xn[j] = d_r, d_z, d_n
            hr[j], hz[j], hn[j] = d_r, d_z, d_n * r
            dhb[j] = d * z
    # END SOLUTION


@reference_while_stubbed(reference.gru_backward)
def gru_backward(dh, cache, h_prev):
    H = h_prev.shape[1]
    d_gx, d_gh = (np.empty((dh.shape[0], 3 * H), dtype=dh.dtype) for _ in range(2))
    dh_prev = dh.copy()
    gru_backward_into(dh_prev, cache[:, :3 * H], cache[:, 3 * H:], h_prev, d_gx, d_gh)
    return d_gx, d_gh, dh_prev
