"""Spectral kernels in Numba: the same functions and results as ``reference.py``.

Where the speed comes from:

- ``windowed_rfft`` / ``windowed_power`` fuse framing, windowing, the real
  FFT and |X|^p into one pass per frame, with frames in parallel: no frame
  matrix and no complex spectrogram is ever written for a power spectrogram.
- ``mel_apply`` uses that each mel triangle covers only a few FFT bins: it
  visits, for each band, only the bins where its weight is non-zero (about
  2 * n_freq multiply-adds per frame instead of n_mels * n_freq).
- ``power_to_db`` and ``delta`` are single passes over memory.

The DCT is a small matrix product and stays in BLAS (``dct_matrix`` is the
reference's).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from kernels.fft import cpu as fft_cpu
from kernels.spectral import reference
from kernels.spectral.reference import dct_matrix, frame_count  # noqa: F401  (same on every backend)


@njit(cache=True, parallel=True)
def _windowed_rfft(y, window, hop, n_frames, twiddles, chirp, b_hat, twiddles_m, bluestein, unpack):
    rows = y.shape[0]
    n_fft = window.shape[0]
    out = np.empty((rows, n_frames, n_fft // 2 + 1), dtype=unpack.dtype)
    for job in prange(rows * n_frames):
        r, t = job // n_frames, job % n_frames
        frame = y[r, t * hop:t * hop + n_fft] * window
        fft_cpu.rfft_row(frame, out[r, t], twiddles, chirp, b_hat, twiddles_m, bluestein, unpack)
    return out


@njit(cache=True, parallel=True)
def _windowed_power(y, window, hop, n_frames, power, twiddles, chirp, b_hat, twiddles_m, bluestein, unpack):
    rows = y.shape[0]
    n_fft = window.shape[0]
    n_freq = n_fft // 2 + 1
    out = np.empty((rows, n_frames, n_freq), dtype=y.dtype)
    for job in prange(rows * n_frames):
        r, t = job // n_frames, job % n_frames
        frame = y[r, t * hop:t * hop + n_fft] * window
        X = np.empty(n_freq, dtype=unpack.dtype)
        fft_cpu.rfft_row(frame, X, twiddles, chirp, b_hat, twiddles_m, bluestein, unpack)
        o = out[r, t]
        for k in range(n_freq):
            energy = X[k].real * X[k].real + X[k].imag * X[k].imag
            if power == 2.0:
                o[k] = energy
            elif power == 1.0:
                o[k] = np.sqrt(energy)
            else:
                o[k] = energy ** (power / 2.0)
    return out


def windowed_rfft(y, window, hop: int):
    """See ``reference.windowed_rfft``. y [rows, n], window [n_fft] -> complex [rows, n_frames, n_fft//2+1]"""
    n_fft = window.shape[0]
    n_frames = frame_count(y.shape[-1], n_fft, hop)
    if n_fft % 2 or y.shape[0] == 0 or n_frames == 0:  # odd lengths: frame in NumPy, transform compiled
        return fft_cpu.rfft(reference.frames(y, n_fft, hop) * window)
    plan = fft_cpu.rfft_plan(n_fft, np.complex64 if y.dtype == np.float32 else np.complex128)
    return _windowed_rfft(np.ascontiguousarray(y), window.astype(y.dtype), hop, n_frames, *plan)


def windowed_power(y, window, hop: int, power: float):
    """See ``reference.windowed_power``. -> real [rows, n_frames, n_fft//2+1]"""
    n_fft = window.shape[0]
    n_frames = frame_count(y.shape[-1], n_fft, hop)
    if n_fft % 2 or y.shape[0] == 0 or n_frames == 0:
        return np.abs(windowed_rfft(y, window, hop)) ** power
    plan = fft_cpu.rfft_plan(n_fft, np.complex64 if y.dtype == np.float32 else np.complex128)
    return _windowed_power(np.ascontiguousarray(y), window.astype(y.dtype), hop, n_frames,
                           float(power), *plan)


@njit(cache=True, parallel=True)
def _mel_apply(S, weights, first, last):
    rows, n_frames, _ = S.shape
    n_mels = weights.shape[0]
    out = np.zeros((rows, n_frames, n_mels), dtype=S.dtype)
    for job in prange(rows * n_frames):
        r, t = job // n_frames, job % n_frames
        s = S[r, t]
        for m in range(n_mels):
            acc = S.dtype.type(0.0)
            for k in range(first[m], last[m]):
                acc += s[k] * weights[m, k]
            out[r, t, m] = acc
    return out


def mel_apply(S, weights):
    """See ``reference.mel_apply``; visits only each band's non-zero bins. -> [rows, n_frames, n_mels]"""
    nonzero = weights != 0
    first = np.where(nonzero.any(axis=1), nonzero.argmax(axis=1), 0).astype(np.int64)
    last = np.where(nonzero.any(axis=1), weights.shape[1] - nonzero[:, ::-1].argmax(axis=1), 0).astype(np.int64)
    return _mel_apply(np.ascontiguousarray(S), np.ascontiguousarray(weights, dtype=S.dtype), first, last)


@njit(cache=True, parallel=True)
def _log_floor(flat, out, amin, offset):
    for i in prange(flat.shape[0]):
        out[i] = 10.0 * np.log10(max(amin, flat[i])) - offset


@njit(cache=True)
def _clip_below(out, floor):
    for i in range(out.shape[0]):
        if out[i] < floor:
            out[i] = floor


def power_to_db(S, ref_value: float, amin: float, top_db):
    """See ``reference.power_to_db``. Any shape."""
    flat = np.ascontiguousarray(S).reshape(-1)  # [size]
    out = np.empty_like(flat)
    if flat.size == 0:
        return out.reshape(S.shape)
    offset = 10.0 * np.log10(max(amin, ref_value))
    _log_floor(flat, out, flat.dtype.type(amin), flat.dtype.type(offset))
    if top_db is not None:
        _clip_below(out, out.max() - out.dtype.type(top_db))
    return out.reshape(S.shape)


@njit(cache=True, parallel=True)
def _delta(data, h, edge_start, edge_end):
    rows, n = data.shape
    width = h.shape[0]
    half = width // 2
    out = np.empty_like(data)
    for r in prange(rows):
        x = data[r]
        for i in range(half, n - half):
            acc = data.dtype.type(0.0)
            for j in range(width):
                acc += h[j] * x[i - half + j]
            out[r, i] = acc
        for i in range(half):
            a = data.dtype.type(0.0)
            b = data.dtype.type(0.0)
            for j in range(width):
                a += edge_start[i, j] * x[j]
                b += edge_end[i, j] * x[n - width + j]
            out[r, i] = a
            out[r, n - half + i] = b
    return out


def delta(data, width: int, order: int):
    """See ``reference.delta``. data [rows, n] -> [rows, n], n >= width."""
    h, edge_start, edge_end = reference.savgol_weights(width, order)
    dtype = data.dtype
    return _delta(np.ascontiguousarray(data), h.astype(dtype), edge_start.astype(dtype), edge_end.astype(dtype))


@njit(cache=True, parallel=True)
def _overlap_add(frames_, hop, out):
    rows, n_frames, n_fft = frames_.shape
    for r in prange(rows):
        for t in range(n_frames):
            for j in range(n_fft):
                out[r, t * hop + j] += frames_[r, t, j]


def overlap_add(frames_, hop: int):
    """See ``reference.overlap_add``. [rows, n_frames, n_fft] -> [rows, n_fft + hop*(n_frames-1)]"""
    rows, n_frames, n_fft = frames_.shape
    out = np.zeros((rows, n_fft + hop * (n_frames - 1)), dtype=frames_.dtype)
    _overlap_add(np.ascontiguousarray(frames_), hop, out)
    return out


@njit(cache=True, parallel=True)
def _first_order_recursion(x, coef, zi, out):
    for r in prange(x.shape[0]):
        carried = zi[r]
        for n in range(x.shape[1]):
            out[r, n] = x[r, n] + carried
            carried = coef * out[r, n]


def first_order_recursion(x, coef: float, zi):
    """See ``reference.first_order_recursion``. x [rows, n], zi [rows] -> [rows, n]"""
    out = np.empty_like(x)
    _first_order_recursion(np.ascontiguousarray(x), x.dtype.type(coef),
                           np.ascontiguousarray(zi, dtype=x.dtype).reshape(-1), out)
    return out
