"""Spectral kernels, written to be read: the steps from samples to MFCC, and
the time-domain recursions that make and shape the signals they analyse.

Signals come as rows ``[rows, n]`` (a batch of already padded signals);
spectrograms go out in librosa's frequency-major layout,
``[rows, n_freq, n_frames]``. Precision is kept: float32 in, float32 out.

1. Framing and windowing. Frame t holds samples ``t*hop ... t*hop + n_fft - 1``
   of the (already padded) signal, multiplied by the window w:
       frames[t, j] = y[t*hop + j] * w[j]
2. Short-time spectrum: the real FFT of each windowed frame,
       X[t, k] = sum_j frames[t, j] e^{-2 pi i j k / n_fft},  k = 0 .. n_fft//2.
   A power spectrogram is |X|^p (p = 2 for power, 1 for magnitude).
3. Mel: each mel band m is a triangle of weights over FFT bins,
       M[t, m] = sum_k S[t, k] W[m, k].
4. Decibels: 10 log10(max(amin, S)) - 10 log10(max(amin, ref)), then floored
   at (max - top_db).
5. The DCT of each log-mel frame gives cepstral coefficients (a matrix product
   with ``dct_matrix``, by ``matrix_apply``).
6. Deltas: a local polynomial fit (Savitzky-Golay) differentiated at each frame.
7. Overlap-add: the inverse of framing, for the inverse STFT.

Not steps toward MFCC, but sample-by-sample loops that need compiling for the
same reason and so live here too (time-domain recursions, ``[rows, n]`` in
and out):

8. ``first_order_recursion``: the one-pole filter y[n] = x[n] + c y[n-1]
   (de-emphasis, the inverse of pre-emphasis; the glottal source of the
   synthetic vowels).
9. ``resonator``: the two-pole filter y[n] = x[n] - a1[n] y[n-1] - a2[n] y[n-2]
   with moving poles (the formants of the synthetic vowels).
"""
from __future__ import annotations

import math

import numpy as np

from kernels.fft import reference as fft_reference


def frame_count(n_samples: int, n_fft: int, hop: int) -> int:
    """How many whole frames of n_fft samples, hop apart, fit in n_samples."""
    return 0 if n_samples < n_fft else 1 + (n_samples - n_fft) // hop


def frames(y, n_fft: int, hop: int):
    """Frames of a batch of signals, as a strided view. y [rows, n] -> [rows, n_frames, n_fft]"""
    n_frames = frame_count(y.shape[-1], n_fft, hop)
    starts = hop * np.arange(n_frames)[:, None] + np.arange(n_fft)[None, :]  # [n_frames, n_fft]
    return y[..., starts]


def windowed_rfft(y, window, hop: int):
    """Short-time Fourier transform of padded signals. y [rows, n], window [n_fft] -> [rows, n_fft//2+1, n_frames]"""
    spectra = fft_reference.rfft(frames(y, window.shape[0], hop) * window)  # [rows, n_frames, n_freq]
    return spectra.swapaxes(-1, -2)


def windowed_power(y, window, hop: int, power: float):
    """|STFT|**power, the (power or magnitude) spectrogram. -> real [rows, n_fft//2+1, n_frames]"""
    return np.abs(windowed_rfft(y, window, hop)) ** power


def mel_apply(S, weights):
    """Mel (or any) filterbank applied to every frame. S [rows, n_freq, n_frames], weights [n_mels, n_freq] -> [rows, n_mels, n_frames]"""
    return weights @ S


def band_ranges(weights):
    """For each band, the first and one-past-last bin with a non-zero weight (0, 0 when none).

    A mel triangle covers only a few bins; the compiled ``mel_apply`` kernels
    visit just these. weights [n_mels, n_freq] -> (first, last), int64 [n_mels] each.
    """
    nonzero = np.asarray(weights) != 0
    has_any = nonzero.any(axis=1)
    first = np.where(has_any, nonzero.argmax(axis=1), 0).astype(np.int64)
    last = np.where(has_any, nonzero.shape[1] - nonzero[:, ::-1].argmax(axis=1), 0).astype(np.int64)
    return first, last


def windowed_mel(y, window, hop: int, power: float, weights):
    """Mel spectrogram of padded signals: the filterbank applied to |STFT|**power. -> [rows, n_mels, n_frames]"""
    return mel_apply(windowed_power(y, window, hop, power), weights)


def power_to_db(S, ref_value: float, amin: float, top_db):
    """10 log10(S / ref), with S floored at amin and the result at max - top_db. Any shape."""
    log_spec = 10.0 * np.log10(np.maximum(amin, S))
    log_spec = log_spec - 10.0 * np.log10(max(amin, ref_value))
    if top_db is not None and log_spec.size:
        log_spec = np.maximum(log_spec, log_spec.max() - top_db)
    return log_spec.astype(S.dtype, copy=False)


def dct_matrix(n: int, *, dct_type: int, norm, dtype=np.float64):
    """The DCT as a matrix D [n, n], so that the transform of x [n] is D @ x.

    Type 2 (scipy.fftpack's unnormalized convention):
        X[k] = 2 sum_j x[j] cos(pi k (2j + 1) / (2n))
    with norm="ortho" row 0 scaled by sqrt(1/(4n)) and the rest by sqrt(1/(2n)),
    which makes D orthogonal. Type 3 is the inverse of type 2 (its transpose
    when orthonormal; unnormalized it is n * D2^{-1} * 2):
        X[k] = x[0] + 2 sum_{j>=1} x[j] cos(pi j (2k + 1) / (2n))
    """
    # HINT: build D[k, j] from the formulas in this docstring for both types, scale for norm='ortho', and return it in dtype
    # BEGIN SOLUTION 3.3
    k = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    if dct_type == 2:
        D = 2.0 * np.cos(np.pi * k * (2 * j + 1) / (2 * n))
        if norm == "ortho":
            D[0] *= math.sqrt(1.0 / (4 * n))
            D[1:] *= math.sqrt(1.0 / (2 * n))
    else:  # type 3: rows are output samples k, columns input coefficients j
        D = 2.0 * np.cos(np.pi * j * (2 * k + 1) / (2 * n))
        D[:, 0] = 1.0
        if norm == "ortho":
            D[:, 0] *= math.sqrt(1.0 / n)
            D[:, 1:] *= math.sqrt(1.0 / (2 * n))
    return D.astype(dtype)
    # END SOLUTION


def matrix_apply(D, S):
    """A small matrix applied to every frame (the DCT of each log-mel frame). D [m, n], S [rows, n, n_frames] -> [rows, m, n_frames]"""
    return D @ S


def savgol_weights(width: int, order: int):
    """Savitzky-Golay weights for the order-th derivative, polynomial degree = order.

    Fit p(t) = sum_i c_i t^i (degree ``order``) by least squares to the
    ``width`` samples at t = -half .. half around a frame; the derivative
    p^(order)(0) = order! c_order is a fixed linear combination of the
    samples. Returns (h [width], edge_start [half, width], edge_end [half, width]):

    - interior frame i: d[i] = sum_j h[j] x[i - half + j]
    - the first ``half`` frames, fitted on x[0:width] with t = 0..width-1 and
      the derivative taken at t = 0..half-1 (scipy's ``mode="interp"``); the
      last ``half`` frames likewise on x[-width:] at t = width-half..width-1.
    """
    half = width // 2
    powers = np.arange(order + 1)

    def derivative_rows(t):  # d^order/dt^order of t^i, for each i: [len(t), order+1]
        falling = np.array([math.perm(i, order) for i in powers], dtype=np.float64)
        exponent = np.maximum(powers - order, 0)
        return falling * np.asarray(t, dtype=np.float64)[:, None] ** exponent

    centered = np.arange(-half, half + 1, dtype=np.float64)
    h = derivative_rows([0.0]) @ np.linalg.pinv(centered[:, None] ** powers)  # [1, width]
    positions = np.arange(width, dtype=np.float64)
    fit = np.linalg.pinv(positions[:, None] ** powers)  # [order+1, width]
    edge_start = derivative_rows(positions[:half]) @ fit
    edge_end = derivative_rows(positions[width - half:]) @ fit
    return h[0], edge_start, edge_end


def check_delta(n: int, width: int, order: int) -> None:
    """The delta kernels' contract on every backend (``audio.delta`` checks it for users first):
    an odd width >= 3, order >= 1, and at least ``width`` frames. A compiled kernel
    handed anything else would read outside the row or be silently wrong."""
    if width < 3 or width % 2 == 0:
        raise ValueError(f"delta: width must be an odd integer >= 3, got {width}")
    if order < 1:
        raise ValueError(f"delta: order must be >= 1, got {order}")
    if n < width:
        raise ValueError(f"delta: {n} frames are fewer than width={width}")


def delta(data, width: int, order: int):
    """Savitzky-Golay derivative along the last axis. data [rows, n] -> [rows, n], n >= width."""
    check_delta(data.shape[-1], width, order)
    h, edge_start, edge_end = savgol_weights(width, order)
    half = width // 2
    n = data.shape[-1]
    out = np.empty_like(data)
    windows = frames(data, width, 1)  # [rows, n - 2*half, width]
    out[..., half:n - half] = windows @ h.astype(data.dtype)
    out[..., :half] = data[..., :width] @ edge_start.T.astype(data.dtype)
    out[..., n - half:] = data[..., n - width:] @ edge_end.T.astype(data.dtype)
    return out



def resonator(x, a1, a2):
    """y[n] = x[n] - a1[n] * y[n-1] - a2[n] * y[n-2]: a two-pole filter whose poles may move.

    One formant of a vocal tract is such a resonance: poles at r·e^{±iθ} give
    a1 = -2 r cos θ, a2 = r². Coefficients are given per sample, so a formant
    can glide from one vowel to the next. Starts at rest (y[-1] = y[-2] = 0).
    x, a1, a2 [rows, n] -> [rows, n]. Sequential in time, so a plain loop.
    """
    out = np.empty_like(x)
    previous = np.zeros(x.shape[0], dtype=x.dtype)  # y[n-1]
    before = np.zeros(x.shape[0], dtype=x.dtype)  # y[n-2]
    for n in range(x.shape[-1]):
        out[:, n] = x[:, n] - a1[:, n] * previous - a2[:, n] * before
        before, previous = previous, out[:, n]
    return out

def overlap_add(frames_, hop: int):
    """Sum frames placed hop apart: the inverse of framing. [rows, n_frames, n_fft] -> [rows, n_fft + hop*(n_frames-1)]"""
    rows, n_frames, n_fft = frames_.shape
    out = np.zeros((rows, n_fft + hop * (n_frames - 1)), dtype=frames_.dtype)
    for t in range(n_frames):
        out[:, t * hop:t * hop + n_fft] += frames_[:, t]
    return out


def first_order_recursion(x, coef: float, zi):
    """y[n] = x[n] + coef * y[n-1], started with y[0] = x[0] + zi: a one-pole filter (de-emphasis).

    zi plays the part of coef * y[-1] (scipy.signal.lfilter's state).
    x [rows, n], zi [rows] -> [rows, n]. Sequential in time, so a plain loop.
    """
    out = np.empty_like(x)
    carried = np.asarray(zi, dtype=x.dtype)  # coef * y[n-1]
    for n in range(x.shape[-1]):
        out[:, n] = x[:, n] + carried
        carried = coef * out[:, n]
    return out
