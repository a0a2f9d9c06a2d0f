"""Window functions and centring a short window in a longer frame.

``get_window`` follows ``scipy.signal.get_window`` (which librosa uses):
``fftbins=True`` gives the *periodic* window used for spectral analysis,
the symmetric window of length n + 1 without its last sample, so that
overlapping copies hop/n apart sum to a constant.
"""
from __future__ import annotations

import numbers

import numpy as np

import kernels
from audio import validate
from audio.errors import ParameterError

# Generalized cosine windows: w[j] = sum_k (-1)^k a_k cos(2 pi k j / (M - 1)).
_COSINE_COEFFICIENTS = {
    "hann": (0.5, 0.5),
    "hamming": (0.54, 0.46),
    "blackman": (0.42, 0.5, 0.08),
}
_ALIASES = {"hanning": "hann", "boxcar": "boxcar", "rectangular": "boxcar", "rect": "boxcar",
            "ones": "boxcar", "triangle": "triang"}
NAMES = tuple(sorted(set(_COSINE_COEFFICIENTS) | {"boxcar", "triang", "bartlett"}))


def _symmetric(name: str, M: int, param) -> np.ndarray:
    """The symmetric window of length M >= 2 (float64)."""
    j = np.arange(M, dtype=np.float64)
    if name in _COSINE_COEFFICIENTS:
        phase = 2.0 * np.pi * j / (M - 1)
        return sum((-1) ** k * a * np.cos(k * phase) for k, a in enumerate(_COSINE_COEFFICIENTS[name]))
    if name == "boxcar":
        return np.ones(M)
    if name == "triang":  # peaks at 1 (odd M) or just below it (even M); never reaches 0
        half = np.arange(1, (M + 1) // 2 + 1, dtype=np.float64)
        if M % 2 == 0:
            w = (2 * half - 1) / M
            return np.concatenate([w, w[::-1]])
        w = 2 * half / (M + 1)
        return np.concatenate([w, w[-2::-1]])
    if name == "bartlett":  # triangle that reaches 0 at both ends
        return np.where(j <= (M - 1) / 2, 2 * j / (M - 1), 2 - 2 * j / (M - 1))
    if name == "kaiser":
        return np.i0(param * np.sqrt(1 - (2 * j / (M - 1) - 1) ** 2)) / np.i0(param)
    if name == "gaussian":
        return np.exp(-((j - (M - 1) / 2) ** 2) / (2.0 * param ** 2))
    raise AssertionError(name)


def _parse(window):
    """A window spec -> (name, parameter)."""
    if isinstance(window, numbers.Real) and not isinstance(window, bool):
        return "kaiser", float(window)  # scipy: a bare number is a Kaiser beta
    if isinstance(window, tuple) and len(window) == 2 and window[0] in ("kaiser", "gaussian"):
        if not isinstance(window[1], numbers.Real) or (window[0] == "gaussian" and window[1] <= 0):
            raise ParameterError(f"window parameter of {window[0]!r} must be a "
                                 f"{'positive ' if window[0] == 'gaussian' else ''}number, got {window[1]!r}")
        return window[0], float(window[1])
    if isinstance(window, str):
        name = _ALIASES.get(window.lower(), window.lower())
        if name in NAMES:
            return name, None
        if name in ("kaiser", "gaussian"):
            raise ParameterError(f"window {window!r} needs a parameter: pass ({window!r}, value)")
    raise ParameterError(f"unknown window {window!r}; expected one of {NAMES}, ('kaiser', beta), "
                         "('gaussian', std), a number (Kaiser beta), a callable or an array")


def get_window(window, n: int, *, fftbins: bool = True) -> np.ndarray:
    """A window of length n, like ``scipy.signal.get_window``.

    Parameters
    ----------
    window : str, tuple, number, callable or array [shape=(n,)]
        A name (``"hann"``, ``"hamming"``, ``"blackman"``, ``"boxcar"``,
        ``"triang"``, ``"bartlett"``), ``("kaiser", beta)``,
        ``("gaussian", std)``, a number (Kaiser beta), a function called as
        ``window(n)``, or the window itself.
    n : int > 0
    fftbins : bool
        True: periodic (for spectra); False: symmetric (for filter design).

    Returns
    -------
    w : np.ndarray [shape=(n,)], float64

    Examples
    --------
    >>> get_window("hann", 4)
    array([0. , 0.5, 1. , 0.5])
    """
    n = validate.positive_int("n", n)
    if callable(window):
        return np.asarray(window(n), dtype=np.float64)
    if isinstance(window, (np.ndarray, list)):
        w = np.asarray(window, dtype=np.float64)
        if w.shape != (n,):
            raise ParameterError(f"window array has shape {w.shape}, expected ({n},)")
        return w
    name, param = _parse(window)
    if n == 1:
        return np.ones(1)
    if fftbins:
        return _symmetric(name, n + 1, param)[:-1]
    return _symmetric(name, n, param)


def pad_center(data, *, size: int, axis: int = -1):
    """Zero-pad ``data`` on both sides to ``size`` along ``axis``, centred (extra zero on the right).

    Raises ParameterError when data is longer than size. [..., n] -> [..., size]
    """
    data = np.asarray(data)
    n = data.shape[axis]
    if size < n:
        raise ParameterError(f"cannot pad an array of length {n} to the shorter size={size}")
    lpad = (size - n) // 2
    widths = [(0, 0)] * data.ndim
    widths[axis] = (lpad, size - n - lpad)
    return np.pad(data, widths)


def fix_length(data, *, size: int, axis: int = -1, **pad_kwargs):
    """Trim or zero-pad (``np.pad`` options accepted) ``data`` to exactly ``size`` along ``axis``.

    Examples
    --------
    >>> fix_length(np.arange(3), size=5)
    array([0, 1, 2, 0, 0])
    """
    xp = kernels.array_module(data)  # CuPy arrays stay on their device (istft on the GPU)
    data = xp.asarray(data)
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 0:
        raise ParameterError(f"size must be a non-negative integer, got {size!r}")
    ax = validate.axis("axis", axis, data.ndim)
    n = data.shape[ax]
    if n >= size:
        index = [slice(None)] * data.ndim
        index[ax] = slice(0, size)
        return data[tuple(index)]
    widths = [(0, 0)] * data.ndim
    widths[ax] = (0, size - n)
    return xp.pad(data, widths, **pad_kwargs)
