"""audio.augment on the waveform: noise at an SNR, speed perturbation, gain — each does what it says and nothing more."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import audio
from audio.augment import (NoiseBank, add_noise, apply_gain, load_noise_folder, random_gain_db, speed_perturb,
                           speed_ratio)
from audio.errors import ParameterError, SkippedFilesWarning
from audio.noise import snr_db

SR = 8000


def _speech_like(seconds=0.8, seed=0):
    """A vowel-like clip: harmonics of 140 Hz under a slow envelope, silence at both ends. [n] float32"""
    t = np.arange(int(seconds * SR)) / SR
    envelope = np.clip(np.sin(np.pi * t / seconds) * 1.5 - 0.3, 0, None)
    rng = np.random.default_rng(seed)
    y = sum(rng.uniform(0.2, 1) / k * np.sin(2 * np.pi * 140 * k * t + rng.uniform(0, 6)) for k in range(1, 20))
    return (0.3 * envelope * y).astype(np.float32)


# ------------------------------------------------------------ noise


@pytest.fixture(scope="module")
def noise_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("noise")
    rng = np.random.default_rng(5)
    hum = 0.2 * np.sin(2 * np.pi * 50 * np.arange(SR // 2) / SR) + 0.01 * rng.standard_normal(SR // 2)
    audio.save(folder / "hum.wav", hum.astype(np.float32), SR)  # shorter than the clips: looped
    audio.save(folder / "fan.flac", (0.05 * rng.standard_normal(3 * SR)).astype(np.float32), 16000)  # resampled
    return folder


@pytest.mark.parametrize("kind", ["white", "pink", "folder"])
@pytest.mark.parametrize("snr", [-5.0, 0.0, 7.5, 30.0])
def test_noise_is_mixed_at_the_asked_snr(kind, snr, noise_folder):
    clean = _speech_like()
    clips = load_noise_folder(noise_folder, sr=SR) if kind == "folder" else None
    bank = NoiseBank([kind], sr=SR, seed=3, folder_clips=clips)
    for k in range(5):
        drawn, noise = bank.draw(len(clean), rng=np.random.default_rng(k))
        mixed = add_noise(clean, noise, snr_db=snr)
        assert drawn == kind and mixed.shape == clean.shape and mixed.dtype == np.float32
        assert abs(snr_db(clean, mixed) - snr) <= 0.5, f"{kind}: measured {snr_db(clean, mixed):.3f} dB, asked {snr}"
        # nothing more: what was added is the noise itself, scaled
        added = mixed.astype(np.float64) - clean
        scale = np.dot(added, noise) / np.dot(noise, noise)
        np.testing.assert_allclose(added, scale * noise, atol=1e-6 * max(1.0, np.abs(added).max()))


def _slope_db_per_octave(x):
    """The straight-line fit of 10 log10(power) against log2(frequency), from 100 Hz to 3 kHz."""
    power = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), 1 / SR)
    band = (f > 100) & (f < 3000)
    edges = np.geomspace(100, 3000, 16)  # average in octave-spaced bins first: the fit sees every octave alike
    centres, levels = [], []
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = band & (f >= lo) & (f < hi)
        centres.append(np.log2(np.sqrt(lo * hi)))
        levels.append(10 * np.log10(power[inside].mean()))
    return np.polyfit(centres, levels, 1)[0]


def test_white_is_flat_and_pink_falls_3_db_per_octave():
    draws = {kind: NoiseBank([kind], sr=SR, seed=0).draw(8 * SR, rng=np.random.default_rng(1))
             for kind in ("white", "pink")}
    assert [kind for kind, _ in draws.values()] == ["white", "pink"]
    assert abs(_slope_db_per_octave(draws["white"][1])) < 0.5
    assert abs(_slope_db_per_octave(draws["pink"][1]) + 3.0) < 0.5  # power ~ 1/f: -10 log10(2) = -3.01 dB per octave


def test_noise_leaves_silence_alone_and_rejects_bad_input():
    silent = np.zeros(100, dtype=np.float32)
    np.testing.assert_array_equal(add_noise(silent, np.ones(100), snr_db=10), silent)
    with pytest.raises(ParameterError, match="noise kinds must be one of"):
        NoiseBank(["brown"], sr=SR)
    with pytest.raises(ParameterError, match="needs the recordings of a noise folder"):
        NoiseBank(["folder"], sr=SR)


def test_noise_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        load_noise_folder(tmp_path / "missing", sr=SR)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ParameterError, match="is empty"):
        load_noise_folder(tmp_path / "empty", sr=SR)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "notes.txt").write_text("not a recording")
    (broken / "silence.wav").write_bytes(b"")
    with pytest.raises(ParameterError, match=r"no readable recording of noise among its 2 file\(s\)"):
        load_noise_folder(broken, sr=SR)
    audio.save(broken / "hiss.wav", (0.1 * np.random.default_rng(0).standard_normal(800)).astype(np.float32), SR)
    with pytest.warns(SkippedFilesWarning, match="skipped 2 file"):
        clips = load_noise_folder(broken, sr=SR)
    assert len(clips) == 1 and len(clips[0]) == 800


# ------------------------------------------------------------ speed


@pytest.mark.parametrize("factor", [0.9, 1.1, 0.8, 1.25])
def test_speed_changes_the_duration_by_the_factor(factor):
    clean = _speech_like(seconds=1.3)
    fast = speed_perturb(clean, factor=factor)
    ratio = speed_ratio(factor)
    assert len(fast) == -(-len(clean) * ratio.denominator // ratio.numerator)  # ceil(n / factor)
    assert abs(len(fast) - len(clean) / factor) < 1 and fast.dtype == np.float32


def _peaks(x, freqs):
    """(frequency of the largest peak near each of freqs (Hz), its level in dB), Hann window, 16x zero padding."""
    n = 16 * len(x)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)), n=n))
    f = np.fft.rfftfreq(n, 1 / SR)
    out = []
    for target in freqs:
        near = np.flatnonzero(np.abs(f - target) < 40)
        k = near[np.argmax(spectrum[near])]
        out.append((f[k], 20 * np.log10(spectrum[k])))
    return np.array(out)


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_speed_scales_every_frequency_and_keeps_the_spectrum_shape(factor):
    """Played `factor` times faster, a mix of tones at f_i becomes tones at factor * f_i with the same
    relative levels (|Y(f)| = |X(f / factor)|), and nothing else: no new component above -60 dB."""
    t = np.arange(2 * SR) / SR
    tones, levels_db = np.array([300.0, 700.0, 1900.0]), np.array([0.0, -6.0, -12.0])
    clean = sum(10 ** (level / 20) * np.sin(2 * np.pi * f * t) for f, level in zip(tones, levels_db))
    fast = speed_perturb(clean, factor=factor)
    peaks = _peaks(fast, factor * tones)
    np.testing.assert_allclose(peaks[:, 0], factor * tones, atol=SR / (16 * len(fast)) + 0.5)  # within a bin
    relative = peaks[:, 1] - peaks[0, 1]
    np.testing.assert_allclose(relative, levels_db, atol=0.1)  # the shape: the same levels relative to each other
    n = 16 * len(fast)
    spectrum = 20 * np.log10(np.abs(np.fft.rfft(fast * np.hanning(len(fast)), n=n)) + 1e-300)
    f = np.fft.rfftfreq(n, 1 / SR)
    far = np.all(np.abs(f[:, None] - factor * tones[None, :]) > 30, axis=1)
    assert spectrum[far].max() < peaks[0, 1] - 60


def test_speed_one_is_a_copy_and_bad_factors_are_refused():
    clean = _speech_like()
    same = speed_perturb(clean, factor=1.0)
    np.testing.assert_array_equal(same, clean)
    assert same is not clean
    for bad in (0, -1.1, float("nan")):
        with pytest.raises(ParameterError, match="factor must be a positive"):
            speed_perturb(clean, factor=bad)


# ------------------------------------------------------------ gain


def test_gain_scales_by_the_asked_db_and_nothing_more():
    clean = _speech_like()
    for gain in (-12.0, 0.0, 6.0):
        louder = apply_gain(clean, gain_db=gain)
        assert louder.dtype == np.float32
        np.testing.assert_allclose(louder, clean * 10 ** (gain / 20), rtol=1e-6, atol=0)
        assert abs(10 * np.log10(np.sum(louder.astype(float) ** 2) / np.sum(clean.astype(float) ** 2)) - gain) < 1e-4
    draws = [random_gain_db(np.random.default_rng(k), max_db=6.0) for k in range(400)]
    assert min(draws) >= -6.0 and max(draws) <= 6.0 and min(draws) < -5 and max(draws) > 5
    with pytest.raises(ParameterError, match="gain_db must be a finite number"):
        apply_gain(clean, gain_db=float("inf"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert random_gain_db(np.random.default_rng(0), max_db=0.0) == 0.0
