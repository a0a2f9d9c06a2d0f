"""Band-limited resampling by a polyphase windowed-sinc filter.

To change the rate by target_sr / orig_sr = L / M (reduced fraction), output
sample m sits at input time t_m = m M / L, between input samples. An ideal
band-limited interpolator evaluates

    y[m] = sum_n x[n] h(t_m - n),   h(t) = f_c sinc(f_c t)

where f_c (in cycles per input sample, times 2) is the cut-off: 1 when
upsampling, and L / M when downsampling, so nothing above the new Nyquist
frequency folds back (aliases). Two practical changes:

- h is cut to |t| <= ZERO_CROSSINGS / f_c and tapered by a Kaiser window,
  which trades a small transition band for a stopband below about -90 dB.
- f_c is lowered by ROLLOFF so the transition band ends at the new Nyquist
  frequency: tones up to 0.9 of it pass unchanged, tones above it vanish.

Because t_m - n only ever has L distinct fractional parts (the "phases"),
the filter is tabulated once per phase and each output is a dot product.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from audio import validate
from audio.errors import ParameterError

ZERO_CROSSINGS = 64  # sinc lobes kept on each side: sets the transition width
KAISER_BETA = 9.0  # window shape: sets the stopband depth (about -90 dB)
ROLLOFF = 0.95  # cut-off as a fraction of the lower Nyquist frequency
_BLOCK = 8192  # outputs computed together: bounds the memory of the gathered taps


def sample_rate(name: str, value) -> int:
    """Sampling rates are positive integers (Hz), as in every audio file header."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value <= 0 or int(value) != value:
        raise ParameterError(f"{name} must be a positive whole number of Hz, got {value!r}")
    return int(value)


def lowpass_kernel(t, cutoff: float):
    """Kaiser-windowed sinc h(t) with cut-off ``cutoff`` (1 = Nyquist). t in input samples, any shape."""
    half_width = ZERO_CROSSINGS / cutoff
    inside = np.abs(t) < half_width
    taper = np.i0(KAISER_BETA * np.sqrt(np.clip(1.0 - (t / half_width) ** 2, 0.0, 1.0))) / np.i0(KAISER_BETA)
    return np.where(inside, cutoff * np.sinc(cutoff * t) * taper, 0.0)


def resample(y, *, orig_sr, target_sr):
    """Change the sampling rate of y from orig_sr to target_sr (band-limited).

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], real and finite
    orig_sr, target_sr : int > 0, Hz

    Returns
    -------
    y_hat : np.ndarray [shape=(..., ceil(n * target_sr / orig_sr))],
        float32 for float32 input, float64 otherwise

    Examples
    --------
    >>> resample(np.zeros(44100), orig_sr=44100, target_sr=16000).shape
    (16000,)
    """
    orig_sr = sample_rate("orig_sr", orig_sr)
    target_sr = sample_rate("target_sr", target_sr)
    y = validate.audio_signal("y", y)
    if orig_sr == target_sr:
        return y.copy()
    g = math.gcd(orig_sr, target_sr)
    up, down = target_sr // g, orig_sr // g  # output m is at input time m * down / up
    n = y.shape[-1]
    n_out = -(-n * up // down)  # ceil(n * target / orig), in exact integers
    cutoff = ROLLOFF * min(1.0, up / down)
    reach = math.ceil(ZERO_CROSSINGS / cutoff)  # taps on each side of t_m
    taps = np.arange(-reach + 1, reach + 1)  # [2 reach]: offsets n - floor(t_m)
    x = np.pad(y.astype(np.float64), [(0, 0)] * (y.ndim - 1) + [(reach, reach)])  # zeros outside the signal
    out = np.empty(y.shape[:-1] + (n_out,), dtype=np.float64)
    for start in range(0, n_out, _BLOCK):
        m = np.arange(start, min(start + _BLOCK, n_out), dtype=np.int64)
        base, phase = np.divmod(m * down, up)  # t_m = base + phase / up
        phases, which = np.unique(phase, return_inverse=True)
        table = lowpass_kernel(phases[:, None] / up - taps[None, :], cutoff)  # [n_phases, 2 reach]
        neighbours = x[..., base[:, None] + taps[None, :] + reach]  # [..., block, 2 reach]
        out[..., m] = np.einsum("...bk,bk->...b", neighbours, table[which])
    return out.astype(y.dtype, copy=False)
