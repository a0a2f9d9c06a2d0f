"""Spectral kernels in Numba: the same functions and results as ``reference.py``.

Where the speed comes from:

- ``windowed_rfft`` fuses framing, windowing and the real
  FFT into one pass per frame, with frames in parallel: no frame
  matrix is ever written.
- ``windowed_mel`` (power-of-two n_fft) transforms 128 frames at once with
  the FFT's SIMD block kernel, so the butterflies run across frames, and
  mel-filters each block's |X|^p while it is still in cache.
- ``mel_apply`` uses that each mel triangle covers only a few FFT bins: band
  m visits only the bins under it (about 2 * n_freq multiply-adds per frame
  in all, instead of n_mels * n_freq), each a unit-stride row of S.
- ``power_to_db`` and ``delta`` are single passes over memory.

The DCT is a small matrix product (``matrix_apply``, with the reference's
``dct_matrix``), done in Numba so no second thread pool competes.
"""
from __future__ import annotations

import functools

import numpy as np
from numba import njit, prange

from kernels.dtypes import complex_dtype
from kernels.fft import cpu as fft_cpu
from kernels.spectral import reference
from kernels.fft.reference import is_power_of_two as reference_is_power_of_two
from kernels.spectral.reference import dct_matrix, frame_count  # noqa: F401  (dct_matrix: re-exported, same on every backend)
from kernels.threads import serial_when_small


BLOCK = 128  # frames transformed together by stockham_block: wide for SIMD, small for the cache


@serial_when_small()
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


@njit(cache=True, fastmath=True)
def _energy_block(signal, window, hop, t0, nb, tw_re, tw_im, un_re, un_im, spec):
    """|X|^2 of frames t0 .. t0+nb-1 of one signal into spec [n_fft/2 + 1, BLOCK], for power-of-two n_fft.

    Frame k is packed (z_i = w_2i y_2i + i w_2i+1 y_2i+1) into column k of a
    [n_fft/2, BLOCK] pair of arrays, all columns are transformed together by
    ``stockham_block``, and each bin is unpacked straight into |X|^2.
    """
    N = window.shape[0] // 2
    re, im, re2, im2 = fft_cpu.block_buffers(N, BLOCK, nb, signal)
    for i in range(N):
        w_even, w_odd = window[2 * i], window[2 * i + 1]
        for k in range(nb):
            start = (t0 + k) * hop + 2 * i
            re[i, k] = signal[start] * w_even
            im[i, k] = signal[start + 1] * w_odd
    if fft_cpu.stockham_block(re, im, re2, im2, tw_re, tw_im):
        Zr, Zi = re2, im2
    else:
        Zr, Zi = re, im
    xr, xi = np.empty(BLOCK, dtype=signal.dtype), np.empty(BLOCK, dtype=signal.dtype)
    for kk in range(N + 1):
        fft_cpu.unpack_bin(Zr, Zi, kk, nb, un_re[kk], un_im[kk], xr, xi)
        o = spec[kk]
        for k in range(nb):
            o[k] = xr[k] * xr[k] + xi[k] * xi[k]


@serial_when_small()
@njit(cache=True, parallel=True, fastmath=True)
def _windowed_mel_blocks(y, window, hop, n_frames, power, weights, first, last,
                         tw_re, tw_im, un_re, un_im, out):
    """Mel spectrogram [rows, n_mels, n_frames]: each block's |X|^power is filtered while still in cache."""
    rows, n_mels = y.shape[0], weights.shape[0]
    n_freq = weights.shape[1]
    blocks = (n_frames + BLOCK - 1) // BLOCK
    for job in prange(rows * blocks):
        r, t0 = job // blocks, (job % blocks) * BLOCK
        nb = min(BLOCK, n_frames - t0)
        spec = np.empty((n_freq, BLOCK), dtype=y.dtype)
        _energy_block(y[r], window, hop, t0, nb, tw_re, tw_im, un_re, un_im, spec)
        if power != 2.0:
            spec[:, :nb] = spec[:, :nb] ** (power / 2.0)  # |X|^p = (|X|^2)^(p/2)
        for m in range(n_mels):
            acc = np.zeros(BLOCK, dtype=y.dtype)
            for k in range(first[m], last[m]):  # only the bins under triangle m
                w = weights[m, k]
                for t in range(nb):
                    acc[t] += w * spec[k, t]
            out[r, m, t0:t0 + nb] = acc[:nb]


def _rfft_plan(n_fft: int, y):
    return fft_cpu.rfft_plan(n_fft, complex_dtype(y))


def windowed_rfft(y, window, hop: int):
    """See ``reference.windowed_rfft``. y [rows, n], window [n_fft] -> complex [rows, n_fft//2+1, n_frames]"""
    n_fft = window.shape[0]
    n_frames = frame_count(y.shape[-1], n_fft, hop)
    if n_fft % 2 or y.shape[0] == 0 or n_frames == 0:  # odd lengths: frame in NumPy, transform compiled
        return fft_cpu.rfft(reference.frames(y, n_fft, hop) * window).swapaxes(-1, -2)
    X = _windowed_rfft(np.ascontiguousarray(y), window.astype(y.dtype), hop, n_frames, *_rfft_plan(n_fft, y))
    return X.swapaxes(-1, -2)  # [rows, n_freq, n_frames]


def windowed_power(y, window, hop: int, power: float):
    """See ``reference.windowed_power``. -> real [rows, n_fft//2+1, n_frames]"""
    return np.abs(windowed_rfft(y, window, hop)) ** power


@serial_when_small()
@njit(cache=True, parallel=True, fastmath=True)
def _mel_apply(S, weights, first, last, out):
    rows, n_mels, n_frames = out.shape
    for job in prange(rows * n_mels):
        r, m = job // n_mels, job % n_mels
        o = out[r, m]
        o[:] = 0
        for k in range(first[m], last[m]):  # only the bins under triangle m
            w = weights[m, k]
            s = S[r, k]
            for t in range(n_frames):  # unit stride along time: SIMD
                o[t] += w * s[t]


def windowed_mel(y, window, hop: int, power: float, weights):
    """See ``reference.windowed_mel``: the power spectrogram is never stored. -> [rows, n_mels, n_frames]"""
    n_fft = window.shape[0]
    n_frames = frame_count(y.shape[-1], n_fft, hop)
    if n_fft < 8 or not reference_is_power_of_two(n_fft) or y.shape[0] == 0 or n_frames == 0:
        return mel_apply(windowed_power(y, window, hop, power), weights)
    out = np.empty((y.shape[0], weights.shape[0], n_frames), dtype=y.dtype)
    split = fft_cpu.split_plan(n_fft, np.dtype(complex_dtype(y)).name)
    weights = np.ascontiguousarray(weights, dtype=y.dtype)
    _windowed_mel_blocks(np.ascontiguousarray(y), window.astype(y.dtype), hop, n_frames, float(power), weights,
                         *reference.band_ranges(weights), *split, out)
    return out


def mel_apply(S, weights):
    """See ``reference.mel_apply``; visits only the bins under each band. S [rows, n_freq, n_frames] -> [rows, n_mels, n_frames]"""
    first, last = reference.band_ranges(weights)
    out = np.empty((S.shape[0], weights.shape[0], S.shape[-1]), dtype=S.dtype)
    _mel_apply(np.ascontiguousarray(S), np.ascontiguousarray(weights, dtype=S.dtype), first, last, out)
    return out


@serial_when_small(1)
@njit(cache=True, parallel=True, fastmath=True)
def _matrix_apply(D, S, out):
    rows, m, n_frames = out.shape
    for job in prange(rows * m):
        r, c = job // m, job % m
        o = out[r, c]
        o[:] = 0
        for j in range(D.shape[1]):
            d = D[c, j]
            s = S[r, j]
            for t in range(n_frames):  # unit stride along time: SIMD
                o[t] += d * s[t]


def matrix_apply(D, S):
    """See ``reference.matrix_apply``. D [m, n], S [rows, n, n_frames] -> [rows, m, n_frames]

    A Numba loop rather than BLAS: these products are small, and a second
    thread pool (OpenBLAS) spinning beside Numba's slows both down.
    """
    out = np.empty((S.shape[0], D.shape[0], S.shape[-1]), dtype=S.dtype)
    _matrix_apply(np.ascontiguousarray(D, dtype=S.dtype), np.ascontiguousarray(S), out)
    return out


def power_to_db(S, ref_value: float, amin: float, top_db):
    """See ``reference.power_to_db``. Any shape.

    NumPy's own ufuncs, in place, rather than a Numba loop: Numba calls
    libm's log10 once per value (about 4 ns each), while NumPy's log10 runs
    in SIMD lanes (0.5 ns: 57 against 417 us for a 40 x 2584 mel
    spectrogram, one thread), and in place no pass makes a new array.
    """
    out = np.empty_like(S)  # an array even for 0-d S (np.maximum would return a scalar there)
    np.maximum(S, S.dtype.type(amin), out=out)
    np.log10(out, out=out)
    out *= out.dtype.type(10.0)
    out -= out.dtype.type(10.0 * np.log10(max(amin, ref_value)))
    if top_db is not None and out.size:
        np.maximum(out, out.max() - out.dtype.type(top_db), out=out)
    return out


@serial_when_small()
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


@functools.lru_cache(maxsize=16)
def _savgol(width: int, order: int, dtype_name: str):
    """``reference.savgol_weights`` in one dtype, cached (read-only): features call delta clip after clip."""
    weights = tuple(np.ascontiguousarray(w, dtype=dtype_name) for w in reference.savgol_weights(width, order))
    for w in weights:
        w.setflags(write=False)
    return weights


def delta(data, width: int, order: int):
    """See ``reference.delta``. data [rows, n] -> [rows, n], n >= width."""
    reference.check_delta(data.shape[-1], width, order)
    h, edge_start, edge_end = _savgol(width, order, data.dtype.name)
    return _delta(np.ascontiguousarray(data), h, edge_start, edge_end)


@serial_when_small()
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


@serial_when_small()
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


@serial_when_small()
@njit(cache=True, parallel=True)
def _resonator(x, a1, a2, out):
    for r in prange(x.shape[0]):
        previous = x.dtype.type(0)
        before = x.dtype.type(0)
        for n in range(x.shape[1]):
            value = x[r, n] - a1[r, n] * previous - a2[r, n] * before
            out[r, n] = value
            before = previous
            previous = value


def resonator(x, a1, a2):
    """See ``reference.resonator``. x, a1, a2 [rows, n] -> [rows, n]"""
    out = np.empty_like(x)
    _resonator(np.ascontiguousarray(x), np.ascontiguousarray(a1, dtype=x.dtype),
               np.ascontiguousarray(a2, dtype=x.dtype), out)
    return out
