"""Delta features: the local slope (or curvature) of a feature over time.

librosa computes them with a Savitzky-Golay filter: around each frame, fit
a polynomial of degree ``order`` to ``width`` frames by least squares and
take its order-th derivative there. Near the edges the fit uses the first
(or last) ``width`` frames (scipy's ``mode="interp"``). See
``kernels/spectral/reference.py`` for the weights.
"""
from __future__ import annotations

import numbers

import numpy as np

import kernels.spectral
from audio import validate
from audio.errors import ParameterError


def delta(data, *, width: int = 9, order: int = 1, axis: int = -1):
    """Delta features, as ``librosa.feature.delta``.

    Parameters
    ----------
    data : np.ndarray [shape=(..., n_frames)], real
    width : odd int >= 3, at most ``data.shape[axis]``
    order : int > 0 (1 = delta, 2 = delta-delta)
    axis : the time axis

    Returns
    -------
    delta_data : np.ndarray, same shape and (float) precision as data

    Examples
    --------
    >>> delta(np.arange(10.0) ** 2, width=3)[:4]  # d(x^2)/dx = 2x, but at the edge; as librosa
    array([2., 2., 4., 6.])
    """
    data = validate.numeric_array("data", data, real=True)
    if isinstance(width, bool) or not isinstance(width, numbers.Integral) or width < 3 or width % 2 == 0:
        raise ParameterError(f"width must be an odd integer >= 3, got {width!r}")
    order = validate.positive_int("order", order)
    ax = validate.axis("axis", axis, data.ndim)
    if width > data.shape[ax]:
        raise ParameterError(f"width={width} cannot exceed data.shape[axis]={data.shape[ax]} "
                             "(edges are fitted on width frames)")
    dtype = validate.float_dtype_of(data)
    data = data.astype(dtype, copy=False)
    last = ax == data.ndim - 1  # the usual case: time is already the last axis, nothing to move
    moved = data if last else np.moveaxis(data, ax, -1)
    rows = moved.reshape(-1, moved.shape[-1])  # [rows, n_frames]
    out = kernels.spectral.for_arrays(rows).delta(rows, width, order).reshape(moved.shape)
    return out if last else np.moveaxis(out, -1, ax)
