"""The dtype rule of every spectral computation, written once.

Single precision stays single, everything else computes in double — the
rule of ``numpy.fft`` and ``scipy.fft``:

=====================================  ===========  ==============
input dtype                            real dtype   complex dtype
=====================================  ===========  ==============
float16, float32, complex64            float32      complex64
float64, complex128, integers, bool    float64      complex128
=====================================  ===========  ==============

float16 is promoted to single precision, not double, as NumPy (>= 2.0)
and SciPy do: ``np.fft.fft(np.ones(8, np.float16)).dtype`` is complex64.
(Extended precision, ``np.longdouble``, computes in float64 here.)

``audio`` and ``kernels`` both take their dtypes from here (``minidl`` may
too: ``kernels`` is the one layer all may import).

Examples
--------
>>> import numpy as np
>>> real_dtype(np.ones(3, np.float16)).__name__, complex_dtype(np.float16).__name__
('float32', 'complex64')
>>> real_dtype(np.arange(3)).__name__, complex_dtype(np.complex64).__name__
('float64', 'complex64')
"""
from __future__ import annotations

import numpy as np

SINGLE = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.complex64))


def _dtype(x) -> np.dtype:
    """The dtype of an array (NumPy or CuPy), or a dtype-like itself ("complex64", np.float32 ...)."""
    if isinstance(x, (type, str, np.dtype)):  # np.float32, "complex64", np.dtype(...)
        return np.dtype(x)
    return np.dtype(x.dtype)


def real_dtype(x):
    """The real type that computations on ``x`` run in: np.float32 or np.float64.

    Parameters
    ----------
    x : array (NumPy or CuPy) or dtype-like
    """
    return np.float32 if _dtype(x) in SINGLE else np.float64


def complex_dtype(x):
    """The complex type that transforms of ``x`` produce: np.complex64 or np.complex128.

    Parameters
    ----------
    x : array (NumPy or CuPy) or dtype-like
    """
    return np.complex64 if _dtype(x) in SINGLE else np.complex128
