"""The DCT and mel-frequency cepstral coefficients (MFCC), as librosa computes them.

MFCC = the first n_mfcc DCT coefficients of each frame of a log-power mel
spectrogram (power_to_db with librosa's defaults: ref=1, amin=1e-10,
top_db=80). The DCT decorrelates neighbouring mel bands, so a few low
coefficients summarise the spectral envelope (the vocal tract) and drop
the fine structure (the pitch).

Liftering (``lifter = L > 0``) rescales coefficient n by
1 + (L / 2) sin(pi (n + 1) / L), boosting the higher ones.
"""
from __future__ import annotations

import functools

import numpy as np

import kernels.spectral
from audio import validate
from audio.decibels import power_to_db
from audio.errors import ParameterError
from audio.mel import melspectrogram

DCT_TYPES = (2, 3)
DCT_NORMS = ("ortho", None)


@functools.lru_cache(maxsize=32)
def _dct_rows(ops, n: int, rows: int, dct_type: int, norm, dtype_name: str):
    """The first ``rows`` rows of the n-point DCT matrix, cached (read-only). [rows, n]"""
    D = np.ascontiguousarray(ops.dct_matrix(n, dct_type=dct_type, norm=norm, dtype=dtype_name)[:rows])
    D.setflags(write=False)
    return D


def dct(x, *, type: int = 2, norm="ortho", axis: int = -1):  # noqa: A002  (librosa/scipy's name)
    """Discrete cosine transform, as ``scipy.fftpack.dct`` (types 2 and 3).

    Parameters
    ----------
    x : np.ndarray [shape=(..., n, ...)], real
    type : 2 or 3 (3 is the inverse of 2; with norm="ortho" both are orthogonal)
    norm : "ortho" or None
    axis : the axis to transform

    Returns
    -------
    X : np.ndarray, same shape, float32 for float32 input

    Examples
    --------
    >>> X = dct(np.ones(4), norm=None)  # a constant has only a DC term
    >>> X.round(6) + 0.0  # round off the ~1e-16 residue (+ 0.0 turns -0. into 0.)
    array([8., 0., 0., 0.])
    """
    x = validate.numeric_array("x", x, real=True)
    validate.choice("type", type, DCT_TYPES)
    validate.choice("norm", norm, DCT_NORMS)
    ax = validate.axis("axis", axis, x.ndim)
    dtype = validate.float_dtype_of(x)
    moved = np.moveaxis(x.astype(dtype, copy=False), ax, -1)  # [..., n]
    D = kernels.spectral.for_arrays(moved).dct_matrix(moved.shape[-1], dct_type=type, norm=norm, dtype=dtype)
    D = kernels.array_module(moved).asarray(D)  # to the GPU when x is there
    return np.moveaxis(moved @ D.T, -1, ax)


def mfcc(*, y=None, sr: float = 22050, S=None, n_mfcc: int = 20, dct_type: int = 2, norm="ortho",
         lifter: float = 0, **mel_kwargs):
    """Mel-frequency cepstral coefficients, as ``librosa.feature.mfcc``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None, the signal
    sr : number > 0
    S : np.ndarray [shape=(..., n_mels, n_frames)] or None, a log-power mel spectrogram
    n_mfcc : int > 0, at most the number of mel bands
    dct_type : 2 or 3
    norm : "ortho" or None
    lifter : number >= 0 (0 = no liftering)
    **mel_kwargs : passed to :func:`audio.melspectrogram` (n_fft, hop_length, n_mels, fmin, ...)

    Returns
    -------
    M : np.ndarray [shape=(..., n_mfcc, n_frames)]

    Examples
    --------
    >>> mfcc(y=np.sin(np.arange(22050) / 10.0), n_mfcc=13).shape
    (13, 44)
    """
    n_mfcc = validate.positive_int("n_mfcc", n_mfcc)
    validate.choice("dct_type", dct_type, DCT_TYPES)
    validate.choice("norm", norm, DCT_NORMS)
    lifter = validate.positive_number("lifter", lifter, allow_zero=True)
    if S is None:
        if y is None:
            raise ParameterError("pass either y (a signal) or S (a log-power mel spectrogram)")
        S = power_to_db(melspectrogram(y=y, sr=sr, **mel_kwargs))
    else:
        if y is not None:
            raise ParameterError("pass exactly one of y (a signal) or S (a log-power mel spectrogram)")
        S = validate.numeric_array("S", S, real=True, min_ndim=2)
        S = S.astype(validate.float_dtype_of(S), copy=False)
    n_mels = S.shape[-2]
    if n_mfcc > n_mels:
        raise ParameterError(f"n_mfcc={n_mfcc} cannot exceed the number of mel bands ({n_mels})")
    ops = kernels.spectral.for_arrays(S)
    D = _dct_rows(ops, n_mels, n_mfcc, dct_type, norm, np.dtype(S.dtype).name)  # only the rows we keep
    if lifter > 0:
        # Liftering scales each coefficient, so it scales each row of D: the
        # small matrix changes (on the host) instead of the whole output.
        # HINT: liftering scales coefficient n (counting from 1) by 1 + (lifter / 2) sin(pi n / lifter): scale row n - 1 of D by it, in S's dtype
        # BEGIN SOLUTION 3.3
        n = np.arange(1, 1 + n_mfcc, dtype=np.float64)
        D = D * (1 + (lifter / 2) * np.sin(np.pi * n / lifter)).astype(S.dtype)[:, None]
        # END SOLUTION
    M = ops.matrix_apply(D, S.reshape((-1,) + S.shape[-2:]))  # [rows, n_mfcc, n_frames]
    return M.reshape(S.shape[:-2] + M.shape[-2:])
