"""Spectral kernels in CuPy: the same functions and results as ``reference.py``.

The elementwise steps are CUDA C in ``spectral.cu`` (framing + window,
power, sparse mel, log/dB, deltas, overlap-add, the recursive filters);
the FFT is ours (``kernels.fft.gpu``); the DCT is a small matrix product,
left to cuBLAS through CuPy's ``@``. Small parameter arrays (windows,
filterbanks, DCT matrices) may come as NumPy arrays: they are copied to
the GPU here.

Importing this module does not import CuPy; calling it needs a GPU.
"""
from __future__ import annotations

import pathlib

import numpy as np

from kernels import cuda
from kernels.fft import gpu as fft_gpu
from kernels.spectral import reference
from kernels.spectral.reference import dct_matrix, frame_count  # noqa: F401  (same on every backend)

SOURCE = pathlib.Path(__file__).with_name("spectral.cu")
TEMPLATES = ("frame_window", "power_spectrum", "mel_apply_sparse", "log_power", "delta_filter",
             "overlap_add", "first_order_recursion", "resonator")


def _kernel(name: str, dtype):
    return cuda.kernel(SOURCE, TEMPLATES, name, dtype)


def _frame_major_rfft(y, window, hop: int):
    """Rows' windowed frames, transformed: y [rows, n] -> X [rows, n_frames, n_fft//2 + 1]."""
    cupy = cuda.cupy()
    y = cuda.on_device(y, y.dtype)
    window = cuda.on_device(window, y.dtype)
    rows, n_samples = y.shape
    n_fft = window.shape[0]
    n_frames = frame_count(n_samples, n_fft, hop)
    frames = cupy.empty((rows, n_frames, n_fft), dtype=y.dtype)
    if frames.size:
        cuda.launch(_kernel("frame_window", y.dtype), frames.size,
                    (y, window, frames, np.int32(n_samples), np.int32(n_fft), np.int32(hop),
                     np.int32(n_frames), np.int64(frames.size)))
    return fft_gpu.rfft(frames)


def windowed_rfft(y, window, hop: int):
    """STFT of padded signals. y [rows, n], window [n_fft] -> complex [rows, n_fft//2+1, n_frames]"""
    return _frame_major_rfft(y, window, hop).swapaxes(-1, -2)


def _frame_major_power(y, window, hop: int, power: float):
    X = _frame_major_rfft(y, window, hop)  # [rows, n_frames, n_freq]
    S = cuda.cupy().empty(X.shape, dtype=y.dtype)
    if S.size:
        cuda.launch(_kernel("power_spectrum", y.dtype), S.size,
                    (X, S, y.dtype.type(power), np.int64(S.size)))
    return S


def windowed_power(y, window, hop: int, power: float):
    """|STFT|**power. -> real [rows, n_fft//2+1, n_frames]"""
    return _frame_major_power(y, window, hop, power).swapaxes(-1, -2)


def mel_apply(S, weights):
    """Filterbank applied to every frame, visiting only each band's bins.

    S [rows, n_freq, n_frames] (any strides), weights [n_mels, n_freq] -> [rows, n_mels, n_frames]
    """
    cupy = cuda.cupy()
    S = cupy.asarray(S)
    rows, n_freq, n_frames = S.shape
    if weights.ndim != 2 or weights.shape[1] != n_freq:  # the kernel would read past each band's row
        raise ValueError(f"mel_apply: weights of shape {weights.shape} do not fit {n_freq} frequency bins")
    first, last = (cuda.on_device(a, np.int64) for a in reference.band_ranges(cupy.asnumpy(weights)))
    weights = cuda.on_device(weights, S.dtype)
    out = cupy.empty((rows, weights.shape[0], n_frames), dtype=S.dtype)
    if out.size:
        row_stride, bin_stride, frame_stride = (s // S.itemsize for s in S.strides)
        cuda.launch(_kernel("mel_apply_sparse", S.dtype), out.size,
                    (S, weights, first, last, out, np.int64(row_stride), np.int64(bin_stride),
                     np.int64(frame_stride), np.int32(n_freq), np.int32(weights.shape[0]),
                     np.int32(n_frames), np.int64(out.size)))
    return out


def windowed_mel(y, window, hop: int, power: float, weights):
    """Mel spectrogram of padded signals. -> [rows, n_mels, n_frames]"""
    frame_major = _frame_major_power(y, window, hop, power)  # [rows, n_frames, n_freq]
    return mel_apply(frame_major.swapaxes(-1, -2), weights)  # read through strides: no transpose


def matrix_apply(D, S):
    """A small matrix applied to every frame, by cuBLAS. D [m, n], S [rows, n, n_frames] -> [rows, m, n_frames]"""
    return cuda.on_device(D, S.dtype) @ S


def power_to_db(S, ref_value: float, amin: float, top_db):
    """10 log10(max(amin, S) / ref), floored at max - top_db. Any shape."""
    cupy = cuda.cupy()
    S = cuda.on_device(S, S.dtype)
    out = cupy.empty_like(S)
    if S.size:
        offset = 10.0 * np.log10(max(amin, ref_value))
        cuda.launch(_kernel("log_power", S.dtype), S.size,
                    (S, out, S.dtype.type(amin), S.dtype.type(offset), np.int64(S.size)))
        if top_db is not None:
            cupy.maximum(out, out.max() - S.dtype.type(top_db), out=out)  # the max stays on the GPU
    return out


def delta(data, width: int, order: int):
    """Savitzky-Golay derivative along the last axis. data [rows, n] -> [rows, n], n >= width."""
    reference.check_delta(data.shape[-1], width, order)
    cupy = cuda.cupy()
    data = cuda.on_device(data, data.dtype)
    h, edge_start, edge_end = (cuda.on_device(a, data.dtype) for a in reference.savgol_weights(width, order))
    out = cupy.empty_like(data)
    if out.size:
        cuda.launch(_kernel("delta_filter", data.dtype), out.size,
                    (data, h, edge_start, edge_end, out, np.int32(data.shape[-1]), np.int32(width),
                     np.int64(out.size)))
    return out


def overlap_add(frames_, hop: int):
    """Frames summed hop apart. [rows, n_frames, n_fft] -> [rows, n_fft + hop*(n_frames-1)]"""
    cupy = cuda.cupy()
    frames_ = cuda.on_device(frames_, frames_.dtype)
    rows, n_frames, n_fft = frames_.shape
    n_out = n_fft + hop * (n_frames - 1)
    out = cupy.empty((rows, n_out), dtype=frames_.dtype)
    if out.size:
        cuda.launch(_kernel("overlap_add", frames_.dtype), out.size,
                    (frames_, out, np.int32(n_frames), np.int32(n_fft), np.int32(hop), np.int32(n_out),
                     np.int64(out.size)))
    return out


def first_order_recursion(x, coef: float, zi):
    """y[n] = x[n] + coef y[n-1], one thread per row. x [rows, n], zi [rows] -> [rows, n]"""
    cupy = cuda.cupy()
    x = cuda.on_device(x, x.dtype)
    zi = cuda.on_device(cupy.broadcast_to(cupy.asarray(zi, dtype=x.dtype), (x.shape[0],)))  # one per row
    out = cupy.empty_like(x)
    rows, n = x.shape
    cuda.launch(_kernel("first_order_recursion", x.dtype), rows,
                (x, zi, out, x.dtype.type(coef), np.int32(n), np.int32(rows)))
    return out


def resonator(x, a1, a2):
    """y[n] = x[n] - a1[n] y[n-1] - a2[n] y[n-2], one thread per row. x, a1, a2 [rows, n] -> [rows, n]"""
    x = cuda.on_device(x, x.dtype)
    a1, a2 = cuda.on_device(a1, x.dtype), cuda.on_device(a2, x.dtype)
    out = cuda.cupy().empty_like(x)
    rows, n = x.shape
    cuda.launch(_kernel("resonator", x.dtype), rows, (x, a1, a2, out, np.int32(n), np.int32(rows)))
    return out
