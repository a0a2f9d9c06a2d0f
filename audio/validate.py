"""One validator per kind of argument, shared by every public function.

Each returns the cleaned value or raises with the name of the argument,
the bad value and what was expected.
"""
from __future__ import annotations

import numbers

import numpy as np

import kernels
from kernels.dtypes import real_dtype
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
    """float16, float32 and complex64 compute in float32; everything else in float64 (``kernels.dtypes``)."""
    return real_dtype(arr)


def audio_signal(name: str, y, *, min_samples: int = 1):
    """A real, finite signal [..., n] as float32 (kept) or float64 (everything else)."""
    arr = numeric_array(name, y, real=True)
    if arr.shape[-1] < min_samples:
        raise ParameterError(f"{name} must hold at least {min_samples} sample(s) along its last axis, "
                             f"got shape {arr.shape}")
    arr = arr.astype(float_dtype_of(arr), copy=False)
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ParameterError(f"{name} must be finite everywhere, got {arr[tuple(bad)]} at index {tuple(int(i) for i in bad)}")
    return arr


def positive_number(name: str, value, *, allow_zero: bool = False, allow_none: bool = False):
    """A real number > 0 (or >= 0 with allow_zero)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) \
            or value < 0 or (value == 0 and not allow_zero):
        expected = "non-negative" if allow_zero else "positive"
        raise ParameterError(f"{name} must be a {expected} finite number, got {value!r}")
    return float(value)


def non_negative_int(name: str, value) -> int:
    """A count or a width that may be zero, or a seed: an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ParameterError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def number_range(name: str, value, *, minimum=None, maximum=None) -> tuple:
    """A range (low, high) of finite numbers with low <= high, inside [minimum, maximum] where given.

    >>> number_range("snr_db", (5, 20))
    (5.0, 20.0)
    """
    try:
        low, high = value
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a pair (low, high), got {value!r}") from None
    for end in (low, high):
        if isinstance(end, bool) or not isinstance(end, numbers.Real) or not np.isfinite(end):
            raise ParameterError(f"{name} must be a pair of finite numbers (low, high), got {value!r}")
    if low > high:
        raise ParameterError(f"{name} is upside down: low {low!r} > high {high!r}; expected (low, high) "
                             "with low <= high")
    if (minimum is not None and low < minimum) or (maximum is not None and high > maximum):
        raise ParameterError(f"{name} must lie within [{minimum}, {maximum}], got ({low!r}, {high!r})")
    return float(low), float(high)


def positive_numbers(name: str, values) -> tuple:
    """A non-empty sequence of positive finite numbers, as a tuple of float."""
    values = tuple(values) if isinstance(values, (list, tuple, np.ndarray)) else (values,)
    if not values:
        raise ParameterError(f"{name} must hold at least one positive number, got {values!r}")
    return tuple(positive_number(name, v) for v in values)


def choices(name: str, values, options: tuple) -> tuple:
    """A non-empty sequence of distinct entries, each one of ``options``, as a tuple."""
    values = (values,) if isinstance(values, str) else tuple(values)
    if not values or len(set(values)) != len(values):
        raise ParameterError(f"{name} must name distinct entries of {options}, got {values!r}")
    for v in values:
        choice(name, v, options)
    return values
