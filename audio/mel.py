"""The mel scale, mel filterbanks and mel spectrograms, as librosa computes them.

The mel scale spaces frequencies the way pitch is heard: roughly linear
below 1 kHz and logarithmic above. Two conventions exist:

- Slaney (librosa's default, ``htk=False``): m = 3 f / 200 below 1000 Hz,
  and m = 15 + 27 ln(f / 1000) / ln(6.4) above.
- HTK: m = 2595 log10(1 + f / 700).

A mel filterbank has n_mels triangles whose corners are n_mels + 2 points
equally spaced in mels from fmin to fmax. Triangle m rises from corner m to
corner m+1 and falls to corner m+2. With ``norm="slaney"`` each triangle is
divided by its width in Hz (times 1/2), so every band has the same area.
"""
from __future__ import annotations

import functools
import numbers
import warnings

import numpy as np

import kernels.spectral
from audio import validate
from audio.errors import ParameterError
from audio.stft import analysis_window, frame_parameters, padded_rows, unbatch

_F_SP = 200.0 / 3  # Hz per mel in the Slaney linear region
_MIN_LOG_HZ = 1000.0  # where the log region begins
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP  # = 15
_LOGSTEP = np.log(6.4) / 27.0  # mels per natural-log step in the log region


def hz_to_mel(frequencies, *, htk: bool = False):
    """Hz -> mels (Slaney by default, HTK with ``htk=True``). Scalars or arrays of any shape.

    >>> round(float(hz_to_mel(1000.0)), 9)  # 14.999999999999998 in float64, as librosa
    15.0
    """
    f = np.asanyarray(frequencies, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    linear = f / _F_SP
    logarithmic = _MIN_LOG_MEL + np.log(np.maximum(f, _MIN_LOG_HZ) / _MIN_LOG_HZ) / _LOGSTEP
    return np.where(f >= _MIN_LOG_HZ, logarithmic, linear)


def mel_to_hz(mels, *, htk: bool = False):
    """Mels -> Hz, the inverse of :func:`hz_to_mel`. Scalars or arrays of any shape.

    >>> round(float(mel_to_hz(15.0)), 9)  # 1000.0000000000002 in float64, as librosa
    1000.0
    """
    m = np.asanyarray(mels, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    linear = _F_SP * m
    logarithmic = _MIN_LOG_HZ * np.exp(_LOGSTEP * (np.maximum(m, _MIN_LOG_MEL) - _MIN_LOG_MEL))
    return np.where(m >= _MIN_LOG_MEL, logarithmic, linear)


def mel_frequencies(n_mels: int = 128, *, fmin: float = 0.0, fmax: float = 11025.0, htk: bool = False):
    """n_mels frequencies (Hz) equally spaced in mels from fmin to fmax. [n_mels]"""
    return mel_to_hz(np.linspace(hz_to_mel(fmin, htk=htk), hz_to_mel(fmax, htk=htk), n_mels), htk=htk)


def fft_frequencies(*, sr: float = 22050, n_fft: int = 2048):
    """Centre frequency (Hz) of each real-FFT bin: k * sr / n_fft. [1 + n_fft // 2]"""
    return np.arange(1 + n_fft // 2) * (float(sr) / n_fft)


def _normalize_rows(weights, norm):
    if norm is None:
        return weights
    if norm == np.inf:
        lengths = np.abs(weights).max(axis=1)
    else:
        lengths = (np.abs(weights) ** norm).sum(axis=1) ** (1.0 / norm)
    lengths[lengths < np.finfo(np.float64).tiny] = 1.0  # an all-zero band stays zero
    return weights / lengths[:, None]


def mel_filterbank(*, sr: float, n_fft: int, n_mels: int = 128, fmin: float = 0.0, fmax=None,
                   htk: bool = False, norm="slaney", dtype=np.float32):
    """Mel filterbank matrix, as ``librosa.filters.mel``.

    Parameters
    ----------
    sr : number > 0, sampling rate
    n_fft : int > 0
    n_mels : int > 0
    fmin, fmax : lowest and highest frequency (Hz); fmax defaults to sr / 2
    htk : bool, HTK mel scale instead of Slaney's
    norm : "slaney", None, or a number p > 0 (each band scaled to unit p-norm; np.inf allowed)
    dtype : output dtype

    Returns
    -------
    weights : np.ndarray [shape=(n_mels, 1 + n_fft // 2)]

    Warns (UserWarning) when a band contains no FFT bin at all (too many
    bands for n_fft), like librosa.

    Examples
    --------
    >>> mel_filterbank(sr=16000, n_fft=512, n_mels=40).shape
    (40, 257)
    """
    sr = validate.positive_number("sr", sr)
    n_fft = validate.positive_int("n_fft", n_fft)
    n_mels = validate.positive_int("n_mels", n_mels)
    fmin = validate.positive_number("fmin", fmin, allow_zero=True)
    fmax = sr / 2.0 if fmax is None else validate.positive_number("fmax", fmax)
    if fmax <= fmin:
        raise ParameterError(f"fmax={fmax} must be greater than fmin={fmin}")
    if not (norm is None or norm == "slaney" or (isinstance(norm, numbers.Real)
                                                  and not isinstance(norm, bool) and norm > 0)):
        raise ParameterError(f"norm must be 'slaney', None or a positive number, got {norm!r}")

    weights, has_empty_band = _filterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm)
    if has_empty_band:
        warnings.warn("Empty filters detected in mel frequency basis. Some channels will produce "
                      "empty responses. Try increasing your sampling rate (and fmax) or reducing "
                      f"n_mels (n_mels={n_mels}, n_fft={n_fft}, sr={sr}).", UserWarning, stacklevel=2)
    return weights.astype(dtype)


@functools.lru_cache(maxsize=32)
def _filterbank(sr: float, n_fft: int, n_mels: int, fmin: float, fmax: float, htk: bool, norm):
    """(float64 filterbank, whether a band is empty) for validated arguments; cached (read-only), as features are computed file after file."""
    # HINT: n_mels + 2 corner frequencies equally spaced in mels; band m is a triangle rising from corner m to m+1 and falling to m+2, over the FFT bin frequencies; slaney norm divides each band by half its width in Hz, other norms use _normalize_rows
    # BEGIN SOLUTION 3.2
    fft_hz = fft_frequencies(sr=sr, n_fft=n_fft)  # [n_freq]
    corners = mel_frequencies(n_mels + 2, fmin=fmin, fmax=fmax, htk=htk)  # [n_mels + 2]
    widths = np.diff(corners)  # [n_mels + 1]
    distance = corners[:, None] - fft_hz[None, :]  # [n_mels + 2, n_freq]: corner minus bin
    rising = -distance[:-2] / widths[:-1, None]  # 0 at corner m, 1 at corner m+1
    falling = distance[2:] / widths[1:, None]  # 1 at corner m+1, 0 at corner m+2
    weights = np.maximum(0.0, np.minimum(rising, falling))  # [n_mels, n_freq]
    if norm == "slaney":
        weights *= (2.0 / (corners[2:] - corners[:-2]))[:, None]
    else:
        weights = _normalize_rows(weights, norm)
    # END SOLUTION
    weights.setflags(write=False)
    has_empty_band = not np.all((corners[2:] == 0) | (weights.max(axis=1) > 0))
    return weights, has_empty_band


def apply_filterbank(S, weights):
    """weights applied to every frame. S [..., n_freq, n_frames], weights [n_bands, n_freq] -> [..., n_bands, n_frames]"""
    if S.shape[-2] != weights.shape[1]:
        raise ParameterError(f"S has {S.shape[-2]} frequency bins but the filterbank expects {weights.shape[1]}")
    spectra = S.reshape((-1,) + S.shape[-2:])  # [rows, n_freq, n_frames]
    M = kernels.spectral.for_arrays(spectra).mel_apply(spectra, weights.astype(S.dtype))  # [rows, n_bands, n_frames]
    return M.reshape(S.shape[:-2] + M.shape[-2:])


def melspectrogram(*, y=None, sr: float = 22050, S=None, n_fft: int = 2048, hop_length: int = 512,
                   win_length=None, window="hann", center: bool = True, pad_mode: str = "constant",
                   power: float = 2.0, n_mels: int = 128, fmin: float = 0.0, fmax=None,
                   htk: bool = False, norm="slaney"):
    """Mel spectrogram, as ``librosa.feature.melspectrogram``.

    From a signal y: S = |stft(y)|**power, then the mel filterbank is applied
    to every frame. From a spectrogram S (power or magnitude, any real
    non-negative values): the filterbank is applied directly and n_fft is
    ``2 * (S.shape[-2] - 1)``. The filterbank has the data's precision.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
    S : np.ndarray [shape=(..., 1 + n_fft // 2, n_frames)] or None
    sr, n_fft, hop_length, win_length, window, center, pad_mode : as in :func:`audio.stft`
    power : number > 0, exponent of the magnitude (2 = power, 1 = magnitude)
    n_mels, fmin, fmax, htk, norm : as in :func:`mel_filterbank`

    Returns
    -------
    M : np.ndarray [shape=(..., n_mels, n_frames)]

    Examples
    --------
    >>> melspectrogram(y=np.zeros(22050), n_mels=64).shape
    (64, 44)
    """
    if (y is None) == (S is None):
        raise ParameterError("pass exactly one of y (a signal) or S (a spectrogram)")
    if S is not None:
        S = validate.numeric_array("S", S, real=True, min_ndim=2)
        S = S.astype(validate.float_dtype_of(S), copy=False)
        weights = mel_filterbank(sr=sr, n_fft=2 * (S.shape[-2] - 1), n_mels=n_mels, fmin=fmin, fmax=fmax,
                                 htk=htk, norm=norm, dtype=np.float64)
        return apply_filterbank(S, weights)
    weights = mel_filterbank(sr=sr, n_fft=validate.positive_int("n_fft", n_fft), n_mels=n_mels, fmin=fmin,
                             fmax=fmax, htk=htk, norm=norm, dtype=np.float64)
    return filterbank_spectrogram(y, weights, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                                  window=window, center=center, pad_mode=pad_mode, power=power)


def filterbank_spectrogram(y, weights, *, n_fft: int = 2048, hop_length: int = 512, win_length=None,
                           window="hann", center: bool = True, pad_mode: str = "constant", power: float = 2.0):
    """A signal's |STFT|**power through any filterbank: ``weights @ |stft(y)|**power``, frame by frame.

    :func:`melspectrogram` is this with the mel filterbank; a warped filterbank
    (vocal-tract-length perturbation, ``audio.augment.vtlp``) uses it too. Frames,
    power and filterbank run in one kernel pass, so the (large) power
    spectrogram is never stored.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
    weights : np.ndarray [shape=(n_bands, 1 + n_fft // 2)], real
    n_fft, hop_length, win_length, window, center, pad_mode : as in :func:`audio.stft`
    power : number > 0

    Returns
    -------
    M : np.ndarray [shape=(..., n_bands, n_frames)]

    Examples
    --------
    >>> filterbank_spectrogram(np.zeros(2048), np.ones((3, 129)), n_fft=256, hop_length=128).shape
    (3, 17)
    """
    power = validate.positive_number("power", power)
    n_fft, hop_length, win_length = frame_parameters(n_fft, hop_length, win_length)
    weights = validate.numeric_array("weights", weights, real=True, min_ndim=2)
    if weights.ndim != 2 or weights.shape[1] != 1 + n_fft // 2:
        raise ParameterError(f"weights must have shape [n_bands, {1 + n_fft // 2}] for n_fft={n_fft}, "
                             f"got {weights.shape}")
    batch_shape = np.shape(y)[:-1]
    rows = padded_rows(y, n_fft, center, pad_mode)  # [rows, n']
    w = analysis_window(window, win_length, n_fft, rows.dtype)
    M = kernels.spectral.for_arrays(rows).windowed_mel(rows, w, hop_length, power, weights.astype(rows.dtype))
    return unbatch(M, batch_shape)  # [..., n_bands, n_frames]
