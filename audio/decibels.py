"""Decibels: power and amplitude spectrograms on a log scale, as librosa does it.

    power_to_db(S) = 10 log10(max(amin, S)) - 10 log10(max(amin, ref))

then, with ``top_db``, everything more than top_db below the loudest value
is raised to it, so silence does not stretch the range down to -100 dB.
"""
from __future__ import annotations

import warnings

import numpy as np

import kernels.spectral
from audio import validate


def power_to_db(S, *, ref=1.0, amin: float = 1e-10, top_db=80.0):
    """Power spectrogram -> decibels, as ``librosa.power_to_db``.

    Parameters
    ----------
    S : np.ndarray, non-negative power (complex input warns and uses |S|)
    ref : number or callable
        The reference power (0 dB); a callable gets the whole array (e.g. ``np.max``).
    amin : number > 0, the smallest power considered (avoids log(0))
    top_db : number >= 0 or None, the dynamic range kept below the maximum

    Returns
    -------
    S_db : np.ndarray, same shape, float32 for float32 input

    Examples
    --------
    >>> power_to_db(np.array([1.0, 10.0, 0.0]))
    array([  0.,  10., -70.])
    """
    S = validate.numeric_array("S", S, min_ndim=0)
    amin = validate.positive_number("amin", amin)
    top_db = validate.positive_number("top_db", top_db, allow_zero=True, allow_none=True)
    if np.iscomplexobj(S):
        warnings.warn("power_to_db was called on complex input so phase information will be "
                      "discarded. To suppress this warning, call power_to_db(np.abs(D)**2) instead.",
                      stacklevel=2)
        S = np.abs(S)
    S = S.astype(validate.float_dtype_of(S), copy=False)
    ref_value = ref(S) if callable(ref) else ref
    ref_value = float(np.abs(ref_value))
    ops = kernels.spectral.for_arrays(S)
    return ops.power_to_db(S, ref_value, amin, top_db)


def amplitude_to_db(S, *, ref=1.0, amin: float = 1e-5, top_db=80.0):
    """Amplitude spectrogram -> decibels: ``power_to_db(S**2, ref=ref**2, amin=amin**2)``.

    >>> amplitude_to_db(np.array([1.0, 10.0]))
    array([ 0., 20.])
    """
    S = validate.numeric_array("S", S, min_ndim=0)
    amin = validate.positive_number("amin", amin)
    magnitude = np.abs(S)
    ref_value = ref(magnitude) if callable(ref) else np.abs(ref)
    return power_to_db(magnitude ** 2, ref=float(ref_value) ** 2, amin=amin ** 2, top_db=top_db)


def db_to_power(S_db, *, ref: float = 1.0):
    """Decibels -> power: ref * 10**(S_db / 10), the inverse of :func:`power_to_db` (without top_db)."""
    S_db = validate.numeric_array("S_db", S_db, real=True, min_ndim=0)
    return validate.positive_number("ref", ref) * np.power(10.0, 0.1 * S_db).astype(
        validate.float_dtype_of(S_db), copy=False)


def db_to_amplitude(S_db, *, ref: float = 1.0):
    """Decibels -> amplitude: ref * 10**(S_db / 20), the inverse of :func:`amplitude_to_db`."""
    ref = validate.positive_number("ref", ref)
    return np.sqrt(db_to_power(S_db, ref=ref ** 2))
