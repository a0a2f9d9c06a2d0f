"""Vocal-tract-length perturbation (VTLP): the same words from a longer or shorter vocal tract.

A vowel's formants sit at the resonances of the speaker's vocal tract; a
shorter tract (a child, many women) puts all of them higher by roughly the
same factor. Jaitly and Hinton (2013) simulate new speakers by warping the
frequency axis of the mel filterbank by a random factor alpha per clip:
each FFT bin at f Hz is read as if it were at w(f),

    w(f) = alpha f                                         for f <= f_0
    w(f) = N - (N - F_hi min(alpha, 1)) / (N - f_0) (N - f)   above,

with N = sr / 2, F_hi = ``boundary`` N and f_0 = F_hi min(alpha, 1) / alpha:
a straight line through the origin up to f_0, then the straight line to
(N, N), so the whole band still maps onto the whole band (no filter falls
off the end, none is left empty). Filter m of the warped bank is then the
usual triangle evaluated at w(f): W_alpha[m, k] = T_m(w(f_k)). A formant at
F moves to where a formant at alpha F used to be read, as if a speaker
with formants alpha times higher had said it. Unlike speed perturbation
the duration and the pitch are left alone.

The triangles T_m come from our own :func:`audio.mel_filterbank`: it is
evaluated on a grid ``OVERSAMPLE`` times finer than the FFT bins and read
at w(f_k) by linear interpolation. The triangles are linear between their
corners, so this is exact but in the grid cell around each corner (an
error of at most (cell width) / (band half-width) of the band's peak:
under 1 % for 40 bands with n_fft = 256 at 8 kHz), and alpha = 1 gives
back the mel filterbank itself.
"""
from __future__ import annotations

import functools

import numpy as np

from audio import validate
from audio.mel import fft_frequencies, mel_filterbank

BOUNDARY = 0.8  # F_hi as a fraction of the Nyquist frequency
OVERSAMPLE = 64  # the fine grid's bins per FFT bin


def vtlp_warp(frequencies, *, alpha: float, sr: float, boundary: float = BOUNDARY):
    """w(f): the piecewise-linear VTLP warp of frequencies (Hz), any shape. Monotonic; w(0) = 0, w(sr/2) = sr/2.

    Examples
    --------
    >>> vtlp_warp(np.array([0.0, 1000.0, 4000.0]), alpha=1.1, sr=8000)
    array([   0., 1100., 4000.])
    """
    alpha = validate.positive_number("alpha", alpha)
    nyquist = validate.positive_number("sr", sr) / 2.0
    if not 0.0 < boundary < 1.0:
        raise validate.ParameterError(f"boundary must lie in (0, 1) (a fraction of the Nyquist frequency), "
                                      f"got {boundary!r}")
    f = np.asarray(frequencies, dtype=np.float64)
    f_hi = boundary * nyquist * min(alpha, 1.0)  # where the line through the origin ends, after warping
    f_0 = f_hi / alpha  # ... and before
    upper = nyquist - (nyquist - f_hi) / (nyquist - f_0) * (nyquist - f)
    return np.where(f <= f_0, alpha * f, upper)


@functools.lru_cache(maxsize=8)
def _fine_filterbank(sr: float, n_fft: int, n_mels: int, fmin: float, fmax, htk: bool, norm):
    """The mel filterbank on OVERSAMPLE times as many bins, float64, read-only. [n_mels, OVERSAMPLE n_fft / 2 + 1]"""
    weights = mel_filterbank(sr=sr, n_fft=OVERSAMPLE * n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk,
                             norm=norm, dtype=np.float64)
    weights.setflags(write=False)
    return weights


def vtlp_filterbank(*, sr: float, n_fft: int, n_mels: int = 128, alpha: float, fmin: float = 0.0, fmax=None,
                    htk: bool = False, norm="slaney", boundary: float = BOUNDARY, dtype=np.float32):
    """The mel filterbank with its frequency axis warped by ``alpha``: W[m, k] = T_m(w(f_k)).

    Parameters
    ----------
    sr, n_fft, n_mels, fmin, fmax, htk, norm : as in :func:`audio.mel_filterbank`
    alpha : float > 0
        The warp factor: above 1 reads the spectrum as a shorter vocal tract's
        (formants alpha times higher), below 1 as a longer one's.
    boundary : float in (0, 1)
        F_hi of :func:`vtlp_warp`, as a fraction of the Nyquist frequency.
    dtype : output dtype

    Returns
    -------
    weights : np.ndarray [shape=(n_mels, 1 + n_fft // 2)]

    Examples
    --------
    >>> W = vtlp_filterbank(sr=8000, n_fft=256, n_mels=40, alpha=1.0)
    >>> bool(np.allclose(W, audio.mel_filterbank(sr=8000, n_fft=256, n_mels=40)))
    True
    """
    n_fft = validate.positive_int("n_fft", n_fft)
    fine = _fine_filterbank(float(sr), n_fft, validate.positive_int("n_mels", n_mels), float(fmin),
                            None if fmax is None else float(fmax), bool(htk), norm)  # [n_mels, n_fine]
    step = float(sr) / (OVERSAMPLE * n_fft)  # Hz between fine bins
    position = vtlp_warp(fft_frequencies(sr=sr, n_fft=n_fft), alpha=alpha, sr=sr, boundary=boundary) / step
    left = np.clip(np.floor(position).astype(np.int64), 0, fine.shape[1] - 2)  # [n_freq]
    right_share = np.clip(position - left, 0.0, 1.0)  # [n_freq]
    weights = fine[:, left] * (1.0 - right_share) + fine[:, left + 1] * right_share  # [n_mels, n_freq]
    return weights.astype(dtype)
