"""resample: passband amplitude and phase, stopband attenuation, lengths, dtypes, bad input."""
from __future__ import annotations

import numpy as np
import pytest

import audio
from audio.errors import ParameterError

RATES = [(44100, 16000), (8000, 22050), (48000, 44100), (22050, 16000), (16000, 8000), (8000, 16000)]


def sine(freq, sr, n, phase=0.3):
    return np.sin(2 * np.pi * freq * np.arange(n) / sr + phase)


@pytest.mark.parametrize("orig,target", RATES)
def test_passband_sines_keep_amplitude_and_phase(orig, target):
    lower_nyquist = min(orig, target) / 2
    for freq in (50.0, 0.5 * lower_nyquist, 0.9 * lower_nyquist):  # 0.9 of the lower Nyquist = 0.45 of its rate
        out = audio.resample(sine(freq, orig, orig // 2), orig_sr=orig, target_sr=target)
        ideal = sine(freq, target, out.size)
        inner = slice(out.size // 8, -out.size // 8)  # away from the zero-padded ends
        assert np.abs(out - ideal)[inner].max() <= 1e-3, (orig, target, freq)


@pytest.mark.parametrize("orig,target", [r for r in RATES if r[1] < r[0]])
def test_tones_above_the_new_nyquist_are_attenuated_60_db(orig, target):
    for freq in (0.52 * target, 0.6 * target, 0.45 * orig):
        if not target / 2 < freq < orig / 2:  # above the new Nyquist, representable before
            continue
        out = audio.resample(sine(freq, orig, orig // 2), orig_sr=orig, target_sr=target)
        inner = out[out.size // 8: -out.size // 8]
        assert 20 * np.log10(np.abs(inner).max()) <= -60.0, (orig, target, freq)


def test_agrees_with_librosa_in_the_passband():
    librosa = pytest.importorskip("librosa")
    rng = np.random.default_rng(0)
    # a band-limited random signal: sum of sines below 0.8 of the output Nyquist
    freqs = rng.uniform(20, 0.8 * 8000, 30)
    t = np.arange(22050) / 22050
    y = np.sum(np.sin(2 * np.pi * freqs[:, None] * t + rng.uniform(0, 6, 30)[:, None]), axis=0) / 30
    ours = audio.resample(y, orig_sr=22050, target_sr=16000)
    theirs = librosa.resample(y, orig_sr=22050, target_sr=16000)
    assert ours.shape == theirs.shape
    inner = slice(2000, -2000)
    assert np.abs(ours - theirs)[inner].max() <= 1e-3 * np.abs(theirs).max()


@pytest.mark.parametrize("n", [1, 2, 7, 441, 1000])
def test_length_is_ceil_n_times_ratio_and_shapes(n):
    for orig, target in RATES:
        out = audio.resample(np.ones((2, n), dtype=np.float32), orig_sr=orig, target_sr=target)
        assert out.shape == (2, int(np.ceil(n * target / orig))) and out.dtype == np.float32
    same = np.arange(5.0)
    assert np.array_equal(audio.resample(same, orig_sr=8000, target_sr=8000), same)


@pytest.mark.parametrize("kwargs,match", [
    (dict(orig_sr=0, target_sr=8000), "orig_sr must be a positive whole number of Hz, got 0"),
    (dict(orig_sr=8000, target_sr=441.5), "target_sr must be a positive whole number of Hz, got 441.5"),
    (dict(orig_sr=8000, target_sr=True), "target_sr must be a positive whole number"),
])
def test_bad_rates(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        audio.resample(np.ones(10), **kwargs)


def test_bad_signal():
    with pytest.raises(ParameterError, match="y must be finite"):
        audio.resample(np.array([1.0, np.nan]), orig_sr=2, target_sr=3)
