"""Noise for experiments: white and pink noise, mixing at a chosen SNR, measuring SNR.

White noise has the same power at every frequency; pink noise has power
falling as 1/f (equal power per octave), closer to many real backgrounds.
"""
from __future__ import annotations

import numpy as np

from audio import validate
from audio.errors import ParameterError
from audio.fft import irfft, rfft


def white_noise(n: int, *, rng=None):
    """n samples of unit-variance Gaussian white noise. [n] float64"""
    n = validate.positive_int("n", n)
    return np.random.default_rng(rng).standard_normal(n)


def pink_noise(n: int, *, rng=None):
    """n samples of unit-variance pink (1/f power) noise: white noise shaped by 1/sqrt(f). [n] float64"""
    n = validate.positive_int("n", n)
    spectrum = rfft(np.random.default_rng(rng).standard_normal(n))
    f = np.arange(spectrum.shape[-1], dtype=np.float64)
    f[0] = 1.0  # keep the (random) mean rather than divide by zero
    pink = irfft(spectrum / np.sqrt(f), n=n)
    pink -= pink.mean()
    return pink / pink.std()


def snr_db(clean, estimate) -> float:
    """Signal-to-noise ratio of an estimate of ``clean``: 10 log10(sum clean^2 / sum (estimate - clean)^2)."""
    clean, estimate = np.asarray(clean, dtype=np.float64), np.asarray(estimate, dtype=np.float64)
    if clean.shape != estimate.shape:
        raise ParameterError(f"clean has shape {clean.shape} but estimate has shape {estimate.shape}")
    return float(10 * np.log10(np.sum(clean ** 2) / max(np.sum((estimate - clean) ** 2), 1e-300)))


def mix_at_snr(clean, noise, snr: float):
    """clean + g * noise with the gain g that makes the mixture's SNR exactly ``snr`` dB. [n]"""
    clean = validate.audio_signal("clean", clean)
    noise = validate.audio_signal("noise", noise)
    if noise.shape != clean.shape:
        raise ParameterError(f"noise has shape {noise.shape}, expected the clean signal's {clean.shape}")
    clean_power, noise_power = np.mean(clean ** 2), np.mean(noise ** 2)
    if clean_power == 0 or noise_power == 0:
        raise ParameterError("clean and noise must both have non-zero power to mix at an SNR")
    return clean + noise * np.sqrt(clean_power / (noise_power * 10 ** (snr / 10)))
