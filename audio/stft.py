"""The short-time Fourier transform and its inverse, with librosa's framing.

With ``center=True`` the signal is padded by n_fft // 2 on both sides
(``pad_mode``), so frame t is centred on sample t * hop_length; the number
of frames is then 1 + n // hop_length. With ``center=False`` frame t starts
at sample t * hop_length and there are 1 + (n - n_fft) // hop_length frames.
A window shorter than n_fft (``win_length``) is zero-padded to n_fft,
centred.
"""
from __future__ import annotations

import functools
import math
import warnings

import numpy as np

import kernels.spectral
from audio import validate
from audio.errors import ParameterError
from audio.fft import irfft
from audio.windows import fix_length, get_window, pad_center

PAD_MODES = ("constant", "edge", "reflect", "symmetric")


def frame_parameters(n_fft, hop_length, win_length):
    """Validated (n_fft, hop_length, win_length) with librosa's defaults filled in."""
    n_fft = validate.positive_int("n_fft", n_fft)
    win_length = n_fft if win_length is None else validate.positive_int("win_length", win_length)
    if win_length > n_fft:
        raise ParameterError(f"win_length={win_length} must be at most n_fft={n_fft}")
    if hop_length is None:
        hop_length = max(win_length // 4, 1)
    hop_length = validate.positive_int("hop_length", hop_length)
    return n_fft, hop_length, win_length


def analysis_window(window, win_length: int, n_fft: int, dtype):
    """The periodic window of win_length samples, zero-padded (centred) to n_fft. [n_fft]

    A window named by a string is made once per (name, lengths, dtype) and kept
    (read-only): features are computed clip after clip with the same window.
    """
    if isinstance(window, str):
        return _named_window(window, win_length, n_fft, np.dtype(dtype).name)
    return pad_center(get_window(window, win_length, fftbins=True), size=n_fft).astype(dtype)


@functools.lru_cache(maxsize=32)
def _named_window(window: str, win_length: int, n_fft: int, dtype_name: str):
    w = pad_center(get_window(window, win_length, fftbins=True), size=n_fft).astype(dtype_name)
    w.setflags(write=False)
    return w


def padded_rows(y, n_fft: int, center: bool, pad_mode: str, *, warn_if_short: bool = True):
    """Validated float signals as rows, padded for centred frames. y [..., n] -> [rows, n']"""
    y = validate.audio_signal("y", y)
    n = y.shape[-1]
    if center:
        validate.choice("pad_mode", pad_mode, PAD_MODES)
        if n_fft > n and warn_if_short:
            warnings.warn(f"n_fft={n_fft} is too large for input signal of length={n}", stacklevel=3)
        half = n_fft // 2
        if pad_mode == "constant":  # zeros around a copy: np.pad's general machinery costs more for short clips
            padded = kernels.array_module(y).zeros(y.shape[:-1] + (n + 2 * half,), dtype=y.dtype)  # CuPy too
            padded[..., half:half + n] = y
            y = padded
        else:
            y = np.pad(y, [(0, 0)] * (y.ndim - 1) + [(half, half)], mode=pad_mode)
    elif n_fft > n:
        raise ParameterError(f"n_fft={n_fft} is too large for uncentered analysis of a signal of length={n}")
    return y.reshape(-1, y.shape[-1])  # [rows, n']


def unbatch(spectra, batch_shape):
    """Rows back to the caller's leading axes: [rows, n_freq, n_frames] -> [..., n_freq, n_frames]"""
    return spectra.reshape(tuple(batch_shape) + spectra.shape[1:])


def stft(y, *, n_fft: int = 2048, hop_length=None, win_length=None, window="hann",
         center: bool = True, pad_mode: str = "constant"):
    """Short-time Fourier transform, as ``librosa.stft``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], real and finite
    n_fft : int > 0
        Frame length (the FFT size); any length, not only powers of two.
    hop_length : int > 0, default ``win_length // 4``
    win_length : int <= n_fft, default ``n_fft``
    window : window spec, see :func:`audio.get_window`
    center : bool
        Pad by ``n_fft // 2`` on both sides so frame t is centred on t * hop_length.
    pad_mode : "constant", "edge", "reflect" or "symmetric"

    Returns
    -------
    D : np.ndarray [shape=(..., 1 + n_fft // 2, n_frames)], complex64 for
        float32 input, complex128 otherwise

    Examples
    --------
    >>> stft(np.zeros(22050), n_fft=512).shape
    (257, 173)
    """
    n_fft, hop_length, win_length = frame_parameters(n_fft, hop_length, win_length)
    batch_shape = np.shape(y)[:-1]
    rows = padded_rows(y, n_fft, center, pad_mode)
    w = analysis_window(window, win_length, n_fft, rows.dtype)
    X = kernels.spectral.for_arrays(rows).windowed_rfft(rows, w, hop_length)  # [rows, n_freq, n_frames]
    return unbatch(X, batch_shape)


def istft(stft_matrix, *, hop_length=None, win_length=None, n_fft=None, window="hann",
          center: bool = True, length=None):
    """Inverse STFT by weighted overlap-add, as ``librosa.istft``.

    Each frame is inverted, multiplied by the window and added at its place;
    the sum is divided by the overlap-added squared window wherever that is
    not tiny, which undoes the analysis window exactly.

    Parameters
    ----------
    stft_matrix : np.ndarray [shape=(..., 1 + n_fft // 2, n_frames)], complex
    hop_length, win_length, window, center : as in :func:`stft`
    n_fft : int, default ``2 * (stft_matrix.shape[-2] - 1)``
    length : int >= 0, optional
        Zero-pad or clip the output to exactly this many samples.

    Returns
    -------
    y : np.ndarray [shape=(..., n)], float32 for complex64 input, float64 otherwise

    Examples
    --------
    >>> y = np.random.default_rng(0).standard_normal(4000)
    >>> bool(np.allclose(istft(stft(y, n_fft=256), length=4000), y))
    True
    """
    D = validate.numeric_array("stft_matrix", stft_matrix, min_ndim=2)
    if n_fft is None:
        n_fft = 2 * (D.shape[-2] - 1)
    n_fft, hop_length, win_length = frame_parameters(n_fft, hop_length, win_length)
    if D.shape[-2] != 1 + n_fft // 2:
        raise ParameterError(f"stft_matrix has {D.shape[-2]} frequency bins, expected 1 + n_fft//2 = "
                             f"{1 + n_fft // 2} for n_fft={n_fft}")
    if length is not None and (isinstance(length, bool) or not isinstance(length, (int, np.integer))
                               or length < 0):
        raise ParameterError(f"length must be a non-negative integer or None, got {length!r}")
    n_frames = D.shape[-1]
    if length:
        padded_length = length + 2 * (n_fft // 2) if center else length
        n_frames = min(n_frames, math.ceil(padded_length / hop_length))
    if n_frames < 1:
        raise ParameterError(f"stft_matrix must have at least one frame, got shape {D.shape}")
    dtype = validate.float_dtype_of(D)
    batch_shape = D.shape[:-2]
    spectra = D[..., :n_frames].swapaxes(-1, -2).reshape(-1, n_frames, D.shape[-2])  # [rows, n_frames, n_freq]
    w = kernels.array_module(D).asarray(analysis_window(window, win_length, n_fft, dtype))  # on D's device
    frames_ = irfft(spectra, n=n_fft).astype(dtype) * w  # [rows, n_frames, n_fft]
    ops = kernels.spectral.for_arrays(frames_)
    y = ops.overlap_add(frames_, hop_length)  # [rows, n_fft + hop*(n_frames-1)]
    envelope = ops.overlap_add(np.broadcast_to(w * w, (1, n_frames, n_fft)), hop_length)[0]
    start = n_fft // 2 if center else 0
    if length is None:
        length = y.shape[-1] - 2 * start
    y = fix_length(y[:, start:], size=length)
    envelope = fix_length(envelope[start:], size=length)
    nonzero = envelope > np.finfo(dtype).tiny
    y[:, nonzero] /= envelope[nonzero]
    return y.reshape(tuple(batch_shape) + (length,))
