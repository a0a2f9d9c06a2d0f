"""One validator per kind of argument, shared by every public function.

Each returns the cleaned value or raises with the name of the argument,
the bad value and what was expected.
"""
from __future__ import annotations

import numbers

import numpy as np

import kernels
from audio.errors import ParameterError


def positive_int(name: str, value, *, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ParameterError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def choice(name: str, value, options: tuple):
    if value not in options:
        raise ParameterError(f"{name} must be one of {options}, got {value!r}")
    return value


def axis(name: str, value, ndim: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not -ndim <= value < ndim:
        raise ParameterError(f"{name}={value!r} is out of range for an array with {ndim} axes")
    return int(value) % ndim


def numeric_array(name: str, x, *, real: bool = False, min_ndim: int = 1):
    """A NumPy or CuPy array of numbers (bool and object arrays are refused)."""
    xp = kernels.array_module(x)
    arr = xp.asarray(x)
    if arr.dtype.kind not in "iufc":
        raise ParameterError(f"{name} must hold numbers, got dtype {arr.dtype}")
    if real and arr.dtype.kind == "c":
        raise ParameterError(f"{name} must be real, got dtype {arr.dtype}")
    if arr.ndim < min_ndim:
        raise ParameterError(f"{name} must have at least {min_ndim} axis, got shape {arr.shape}")
    return arr


def float_dtype_of(arr):
    """float32 stays float32 (and complex64 -> float32); everything else computes in float64."""
    return np.float32 if arr.dtype in (np.float32, np.complex64, np.float16) else np.float64
