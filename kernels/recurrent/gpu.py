"""The gate math of ``reference.py`` on the GPU: one fused CUDA C kernel per function.

Same names, arguments and results as the reference, on CuPy arrays. The
kernels are in ``recurrent.cu``: one thread per (batch row, hidden unit)
computes every gate of that unit, so a time step is one launch forward and
one backward, and nothing comes back to the host between steps. The matrix
products stay outside, in cuBLAS (CuPy's ``@``).

Importing this module does not import CuPy; calling it needs a GPU.
"""
from __future__ import annotations

import pathlib

import numpy as np

from kernels import cuda

SOURCE = pathlib.Path(__file__).with_name("recurrent.cu")
TEMPLATES = ("rnn_forward", "rnn_backward", "lstm_forward", "lstm_backward", "gru_forward", "gru_backward")


def _run(name: str, count: int, *args) -> None:
    """Launch ``name`` with one thread per (row, unit); args end with the kernel's int options."""
    dtype = args[0].dtype
    mixed = sorted({str(a.dtype) for a in args if hasattr(a, "dtype") and a.dtype.kind == "f"})
    if len(mixed) > 1:  # the kernel's type comes from the first array: another type would be misread
        raise TypeError(f"{name}: every array must have one floating dtype, got {', '.join(mixed)}")
    cuda.launch(cuda.kernel(SOURCE, TEMPLATES, name, dtype), count, args + (np.int64(count),))


def _contiguous(*arrays):
    return tuple(cuda.on_device(a) for a in arrays)


def _is_relu(nonlinearity: str) -> np.int32:
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return np.int32(nonlinearity == "relu")


# ---------------------------------------------------------------- Elman RNN
def rnn_forward(gx, gh, nonlinearity: str = "tanh"):
    gx, gh = _contiguous(gx, gh)
    h = cuda.cupy().empty_like(gx)
    _run("rnn_forward", h.size, gx, gh, h, _is_relu(nonlinearity))
    return h


def rnn_backward(dh, h, nonlinearity: str = "tanh"):
    dh, h = _contiguous(dh, h)
    d_pre = cuda.cupy().empty_like(dh)
    _run("rnn_backward", d_pre.size, dh, h, d_pre, _is_relu(nonlinearity))
    return d_pre


# ---------------------------------------------------------------- LSTM
def lstm_forward(gx, gh, c_prev):
    cupy = cuda.cupy()
    gx, gh, c_prev = _contiguous(gx, gh, c_prev)
    H = c_prev.shape[1]
    h, c, tanh_c = (cupy.empty_like(c_prev) for _ in range(3))
    gates = cupy.empty_like(gx)
    _run("lstm_forward", c_prev.size, gx, gh, c_prev, h, c, gates, tanh_c, np.int32(H))
    return h, c, gates, tanh_c


def lstm_backward(dh, dc, gates, c_prev, tanh_c):
    cupy = cuda.cupy()
    dh, dc, gates, c_prev, tanh_c = _contiguous(dh, dc, gates, c_prev, tanh_c)
    d_a = cupy.empty_like(gates)
    dc_prev = cupy.empty_like(c_prev)
    _run("lstm_backward", c_prev.size, dh, dc, gates, c_prev, tanh_c, d_a, dc_prev, np.int32(c_prev.shape[1]))
    return d_a, dc_prev


# ---------------------------------------------------------------- GRU
def gru_forward(gx, gh, h_prev):
    cupy = cuda.cupy()
    gx, gh, h_prev = _contiguous(gx, gh, h_prev)
    B, H = h_prev.shape
    h = cupy.empty_like(h_prev)
    cache = cupy.empty((B, 4 * H), dtype=h_prev.dtype)
    _run("gru_forward", h.size, gx, gh, h_prev, h, cache, np.int32(H))
    return h, cache


def gru_backward(dh, cache, h_prev):
    cupy = cuda.cupy()
    dh, cache, h_prev = _contiguous(dh, cache, h_prev)
    B, H = h_prev.shape
    d_gx = cupy.empty((B, 3 * H), dtype=dh.dtype)
    d_gh = cupy.empty_like(d_gx)
    dh_prev = cupy.empty_like(dh)
    _run("gru_backward", dh.size, dh, cache, h_prev, d_gx, d_gh, dh_prev, np.int32(H))
    return d_gx, d_gh, dh_prev
