"""Reducing stationary background noise in the STFT domain.

Both methods need a noise profile: how loud the noise is in each frequency
bin. It is measured from a noise-only recording when one is given, and
otherwise estimated from the quietest 20% of the signal's own frames
(speech pauses), which works when the noise is steady.

- ``"gate"`` (spectral gating): a time-frequency cell is kept when its level
  exceeds the noise's mean by ``n_std`` standard deviations (in dB) and
  attenuated by ``prop_decrease`` otherwise; the 0/1 mask is smoothed over
  neighbouring cells so isolated cells do not "twinkle" (musical noise).
- ``"subtract"`` (power spectral subtraction): |X|^2 - alpha * noise power,
  floored at ``floor * |X|^2`` so no cell becomes negative; the phase is kept.
"""
from __future__ import annotations

import numpy as np

from audio import validate
from audio.errors import ParameterError
from audio.stft import istft, stft

METHODS = ("gate", "subtract")
QUIET_FRACTION = 0.1  # share of the quietest frames taken as noise when no profile is given


def _noise_frames(y, noise, n_fft: int, hop_length: int):
    """|STFT| of the noise estimate: [n_freq, n_frames] magnitudes."""
    if noise is not None:
        noise = validate.audio_signal("noise", noise)
        if noise.ndim != 1:
            raise ParameterError(f"noise must be one mono clip, got shape {noise.shape}")
        return np.abs(stft(noise, n_fft=n_fft, hop_length=hop_length))
    magnitude = np.abs(stft(y, n_fft=n_fft, hop_length=hop_length))
    energy = (magnitude ** 2).sum(axis=0)  # [n_frames]
    quiet = np.argsort(energy)[:max(1, int(QUIET_FRACTION * energy.size))]
    return magnitude[:, quiet]


def _smooth(mask, freq_radius: int = 1, time_radius: int = 2):
    """Average each cell with its neighbours (a box over frequency x time), edges repeated."""
    padded = np.pad(mask, [(freq_radius, freq_radius), (time_radius, time_radius)], mode="edge")
    total = np.zeros_like(mask)
    for df in range(2 * freq_radius + 1):
        for dt in range(2 * time_radius + 1):
            total += padded[df:df + mask.shape[0], dt:dt + mask.shape[1]]
    return total / ((2 * freq_radius + 1) * (2 * time_radius + 1))


def denoise(y, *, method: str = "gate", noise=None, n_fft: int = 512, hop_length=None, n_std: float = 1.5,
            prop_decrease: float = 1.0, alpha: float = 2.0, floor: float = 0.02):
    """Remove stationary background noise from a mono signal.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
    method : "gate" or "subtract"
    noise : np.ndarray [shape=(m,)] or None, a noise-only recording (its profile is measured);
        None estimates the profile from y's quietest frames
    n_fft, hop_length : STFT framing (hop defaults to n_fft // 4)
    n_std : gate threshold, in noise standard deviations above the noise mean (dB)
    prop_decrease : in [0, 1], how much gated cells are attenuated (1 = removed)
    alpha : >= 0, over-subtraction factor for "subtract"
    floor : in [0, 1), the smallest fraction of a cell's power "subtract" keeps

    Returns
    -------
    y_clean : np.ndarray [shape=(n,)], the same dtype

    Examples
    --------
    >>> clean = np.sin(np.arange(16000) / 5.0)
    >>> noisy = clean + 0.3 * np.random.default_rng(0).standard_normal(16000)
    >>> denoise(noisy).shape
    (16000,)
    """
    validate.choice("method", method, METHODS)
    y = validate.audio_signal("y", y)
    if y.ndim != 1:
        raise ParameterError(f"y must be one mono signal, got shape {y.shape}")
    n_std = validate.positive_number("n_std", n_std, allow_zero=True)
    prop_decrease = validate.positive_number("prop_decrease", prop_decrease, allow_zero=True)
    alpha = validate.positive_number("alpha", alpha, allow_zero=True)
    floor = validate.positive_number("floor", floor, allow_zero=True)
    if prop_decrease > 1 or floor >= 1:
        raise ParameterError(f"prop_decrease must be in [0, 1] and floor in [0, 1), got {prop_decrease}, {floor}")
    hop_length = n_fft // 4 if hop_length is None else hop_length
    X = stft(y, n_fft=n_fft, hop_length=hop_length)  # [n_freq, n_frames]
    noise_mag = _noise_frames(y, noise, n_fft, hop_length)  # [n_freq, n_noise_frames]
    magnitude = np.abs(X)
    if method == "gate":
        noise_db = 20 * np.log10(np.maximum(noise_mag, 1e-10))
        threshold = noise_db.mean(axis=1) + n_std * noise_db.std(axis=1)  # [n_freq]
        keep = (20 * np.log10(np.maximum(magnitude, 1e-10)) > threshold[:, None]).astype(np.float64)
        gain = 1.0 - prop_decrease * (1.0 - _smooth(keep))
    else:
        noise_power = (noise_mag ** 2).mean(axis=1)  # [n_freq]
        power = magnitude ** 2
        cleaned = np.maximum(power - alpha * noise_power[:, None], floor * power)
        gain = np.sqrt(cleaned / np.maximum(power, 1e-30))
    return istft(X * gain, hop_length=hop_length, n_fft=n_fft, length=y.shape[-1]).astype(y.dtype)
