"""fft, ifft, rfft, irfft: NumPy's interface, our own transforms.

The transforms run on ``kernels.fft``, any length. On the default backend
(Numba) and on the GPU a power-of-two length is a radix-4 Stockham FFT (one
radix-2 stage when log2 n is odd); other lengths go through Bluestein's
chirp-z, which turns them into power-of-two transforms. The NumPy backend
runs the readable reference: radix-2 decimation in time, and Bluestein.

This module handles the axis, cropping or zero-padding to ``n``, and the
normalization, exactly as ``numpy.fft`` does. The dtype rule is
``kernels.dtypes``: float16, float32 and complex64 compute in single
precision, everything else in double, as in ``numpy.fft`` and ``scipy.fft``.
"""
from __future__ import annotations

import numpy as np

import kernels
import kernels.fft
from audio import validate
from kernels.dtypes import complex_dtype, real_dtype

NORMS = ("backward", "ortho", "forward")


def _prepare(x, n, axis, norm, *, real: bool, name: str):
    arr = validate.numeric_array("x", x, real=real)
    ax = validate.axis("axis", axis, arr.ndim)
    n = validate.positive_int("n", n, allow_none=True)
    validate.choice("norm", norm, NORMS)
    if n is None and arr.shape[ax] == 0:
        raise validate.ParameterError(f"{name}: the transform axis is empty (shape {arr.shape}); expected n >= 1")
    ftype, ctype = real_dtype(arr), complex_dtype(arr)
    xp = kernels.array_module(arr)
    return xp.moveaxis(arr.astype(ftype if real else ctype, copy=False), ax, -1), ax, n


def _fit(x, n: int):
    """Crop or zero-pad the last axis to n, as numpy.fft does."""
    have = x.shape[-1]
    if have == n:
        return x
    if have > n:
        return x[..., :n]
    xp = kernels.array_module(x)
    out = xp.zeros(x.shape[:-1] + (n,), dtype=x.dtype)
    out[..., :have] = x
    return out


def _scale(X, n: int, norm: str, inverse: bool):
    if norm == "ortho":
        return X * X.real.dtype.type(1 / np.sqrt(n))
    if (norm == "backward") == inverse:  # backward: 1/n on the inverse; forward: on the forward
        return X * X.real.dtype.type(1 / n)
    return X


def _transform(kind: str, x, n, axis, norm):
    real_in = kind == "rfft"
    arr, ax, n_given = _prepare(x, n, axis, norm, real=real_in, name=kind)
    xp = kernels.array_module(arr)
    if kind == "irfft":
        n_out = n_given if n_given is not None else 2 * (arr.shape[-1] - 1)
        if n_out < 1:
            raise validate.ParameterError(f"irfft: output length n={n_out} is invalid; expected n >= 1")
        spectrum = _fit(arr, n_out // 2 + 1)
        kernel = kernels.fft.for_arrays(spectrum)  # the backend's FFT module (k is the frequency index)
        out = _scale(kernel.irfft(xp.ascontiguousarray(spectrum), n_out), n_out, norm, inverse=True)
        return xp.moveaxis(out, -1, ax)
    n = n_given if n_given is not None else arr.shape[-1]
    data = xp.ascontiguousarray(_fit(arr, n))
    kernel = kernels.fft.for_arrays(data)
    out = getattr(kernel, kind)(data)
    return xp.moveaxis(_scale(out, n, norm, inverse=kind == "ifft"), -1, ax)


def fft(x, *, n=None, axis=-1, norm="backward"):
    """Discrete Fourier transform, X[k] = sum_j x[j] e^{-2 pi i j k / n}.

    Parameters
    ----------
    x : array [..., n_in, ...]
    n : int, optional
        Transform length: ``x`` is cropped or zero-padded along ``axis``.
    axis : int
    norm : {"backward", "ortho", "forward"}
        Which direction carries 1/n (or both 1/sqrt(n)), as in numpy.fft.

    Returns
    -------
    complex array [..., n, ...]  (complex64 for float16/float32/complex64 input, else complex128)

    Examples
    --------
    >>> fft(np.array([1.0, 0.0, 0.0, 0.0]))
    array([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    """
    return _transform("fft", x, n, axis, norm)


def ifft(X, *, n=None, axis=-1, norm="backward"):
    """Inverse DFT, x[j] = (1/n) sum_k X[k] e^{+2 pi i j k / n}. Same arguments as :func:`fft`."""
    return _transform("ifft", X, n, axis, norm)


def rfft(x, *, n=None, axis=-1, norm="backward"):
    """DFT of a real signal: the n//2 + 1 non-negative frequencies.

    Returns
    -------
    complex array [..., n//2 + 1, ...]
    """
    return _transform("rfft", x, n, axis, norm)


def irfft(X, *, n=None, axis=-1, norm="backward"):
    """Inverse of :func:`rfft`: a real signal of length ``n`` (default 2 (m - 1)).

    Returns
    -------
    real array [..., n, ...]
    """
    return _transform("irfft", X, n, axis, norm)
