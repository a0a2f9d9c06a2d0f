"""Preprocessing a waveform: pre-emphasis, level normalization and filling gaps.

- Pre-emphasis y[n] - coef * y[n-1] boosts high frequencies (about +6 dB per
  octave), which speech loses on its way out of the mouth; de-emphasis
  undoes it.
- Normalization makes clips recorded at different levels comparable.
- ``fill_missing`` repairs dropouts (NaN samples) by straight lines between
  the valid samples around each gap.
"""
from __future__ import annotations

import numpy as np

import kernels.spectral
from audio import validate
from audio.errors import ParameterError

NORMALIZE_KINDS = ("peak", "rms", "zscore")


def _coefficient(coef) -> float:
    coef = validate.positive_number("coef", coef, allow_zero=True)
    if coef >= 1:
        raise ParameterError(f"coef must be in [0, 1), got {coef!r}")
    return coef


def preemphasis(y, *, coef: float = 0.97, zi=None, return_zf: bool = False):
    """Pre-emphasis filter y[n] - coef * y[n-1], as ``librosa.effects.preemphasis``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], n >= 2 when zi is None
    coef : number in [0, 1)
    zi : initial filter state [shape=(..., 1)], or None for librosa's default
        ``2 y[0] - y[1]`` (so the first output is y[0] + 2 y[0] - y[1], exactly as librosa)
    return_zf : also return the final state, ``-coef * y[-1]``, to filter the next block

    Returns
    -------
    y_out : np.ndarray [shape=(..., n)] (and zf [shape=(..., 1)] with return_zf)

    Examples
    --------
    >>> preemphasis(np.array([1.0, 1.0, 1.0]), coef=0.5)
    array([2. , 0.5, 0.5])
    """
    coef = _coefficient(coef)
    y = validate.audio_signal("y", y, min_samples=2 if zi is None else 1)
    if zi is None:
        zi = 2 * y[..., 0:1] - y[..., 1:2]
    xp = kernels.array_module(y)  # a CuPy signal stays on its GPU
    zi = xp.broadcast_to(xp.asarray(zi, dtype=y.dtype), y.shape[:-1] + (1,))
    out = xp.empty_like(y)
    out[..., 0:1] = y[..., 0:1] + zi
    out[..., 1:] = y[..., 1:] - coef * y[..., :-1]
    if return_zf:
        return out, -coef * y[..., -1:]
    return out


def deemphasis(y, *, coef: float = 0.97, zi=None, return_zf: bool = False):
    """Inverse of :func:`preemphasis`: y_out[n] = y[n] + coef * y_out[n-1], as ``librosa.effects.deemphasis``.

    With zi None, the start is corrected for preemphasis's default state,
    so ``deemphasis(preemphasis(y))`` gives back y.

    >>> x = np.array([0.1, -0.4, 0.3, 0.2])
    >>> bool(np.allclose(deemphasis(preemphasis(x)), x))
    True
    """
    coef = _coefficient(coef)
    y = validate.audio_signal("y", y, min_samples=2 if zi is None else 1)
    xp = kernels.array_module(y)  # a CuPy signal stays on its GPU
    rows = y.reshape(-1, y.shape[-1])  # [rows, n]
    state = xp.zeros(rows.shape[0], dtype=y.dtype) if zi is None else \
        xp.broadcast_to(xp.asarray(zi, dtype=y.dtype), y.shape[:-1] + (1,)).reshape(-1)  # [rows]
    out = kernels.spectral.for_arrays(rows).first_order_recursion(rows, coef, state)
    out = out.reshape(y.shape)
    if zi is None:  # preemphasis's default state added 2 y[0] - y[1] of the original at n = 0
        start = ((2 - coef) * y[..., 0:1] - y[..., 1:2]) / (3 - coef)
        out = out - start * coef ** xp.arange(y.shape[-1], dtype=y.dtype)
    if return_zf:
        return out, coef * out[..., -1:]
    return out


def normalize(y, *, kind: str = "peak", target=None):
    """Scale a signal to a standard level, along its last axis.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
    kind : "peak" (max |y| = target, default 1), "rms" (root mean square = target,
        default 0.1) or "zscore" (mean 0, standard deviation 1; no target)
    target : number > 0 or None

    Returns
    -------
    y_norm : np.ndarray, same shape. An all-zero (or, for zscore, constant)
        signal has no level to scale: it comes back as zeros, never NaN.

    Examples
    --------
    >>> normalize(np.array([0.5, -0.25]))
    array([ 1. , -0.5])
    """
    validate.choice("kind", kind, NORMALIZE_KINDS)
    y = validate.audio_signal("y", y)
    if kind == "zscore":
        if target is not None:
            raise ParameterError(f"kind='zscore' takes no target, got target={target!r}")
        centred = y - y.mean(axis=-1, keepdims=True)
        level, target = centred.std(axis=-1, keepdims=True), 1.0
    else:
        target = validate.positive_number("target", 1.0 if kind == "peak" and target is None else
                                          0.1 if target is None else target)
        centred = y
        level = (np.abs(y).max(axis=-1, keepdims=True) if kind == "peak"
                 else np.sqrt(np.mean(y * y, axis=-1, keepdims=True)))
    silent = level <= np.finfo(y.dtype).tiny
    return np.where(silent, 0.0, centred * (target / np.where(silent, 1.0, level))).astype(y.dtype)


def fill_missing(y):
    """Replace NaN samples by linear interpolation between the valid samples around each gap.

    A gap at the start (end) takes the first (last) valid value. Along the last axis.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], with at least one valid sample per row; ±inf is an error

    Returns
    -------
    y_filled : np.ndarray, same shape, float

    Examples
    --------
    >>> fill_missing(np.array([0.0, np.nan, np.nan, 3.0, np.nan]))
    array([0., 1., 2., 3., 3.])
    """
    y = validate.numeric_array("y", y, real=True)
    y = y.astype(validate.float_dtype_of(y))
    if np.isinf(y).any():
        raise ParameterError(f"y holds infinite samples (first at index {tuple(int(i) for i in np.argwhere(np.isinf(y))[0])}); "
                             "only NaN marks a missing sample")
    rows = y.reshape(-1, y.shape[-1])  # [rows, n]
    t = np.arange(rows.shape[-1])
    for r, row in enumerate(rows):
        missing = np.isnan(row)
        if missing.all():
            raise ParameterError(f"row {r} of y has no valid sample to interpolate from")
        if missing.any():
            row[missing] = np.interp(t[missing], t[~missing], row[~missing])
    return rows.reshape(y.shape)
