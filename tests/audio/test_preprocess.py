"""preemphasis/deemphasis, normalize, fill_missing, fix_length, rms/trim, denoise."""
from __future__ import annotations

import numpy as np
import pytest

import audio
import kernels
from audio.errors import ParameterError
from audio.noise import mix_at_snr, pink_noise, snr_db, white_noise
from tests.helpers import FSDD, fsdd_clip, relative_error

BACKENDS = [b for b in ("numpy", "numba") if b in kernels.available()]


@pytest.mark.librosa
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("coef", [0.97, 0.5, 0.0])
def test_emphasis_equals_librosa(backend, coef):
    librosa = pytest.importorskip("librosa")
    y = np.random.default_rng(0).standard_normal((2, 500))
    zi = np.full((2, 1), 0.3)
    with kernels.use(backend):
        assert relative_error(audio.preemphasis(y, coef=coef), librosa.effects.preemphasis(y, coef=coef)) <= 1e-15
        assert relative_error(audio.deemphasis(y, coef=coef), librosa.effects.deemphasis(y, coef=coef)) <= 1e-12
        for ours, theirs in ((audio.preemphasis(y, coef=coef, zi=zi, return_zf=True),
                              librosa.effects.preemphasis(y, coef=coef, zi=zi, return_zf=True)),
                             (audio.deemphasis(y, coef=coef, zi=zi, return_zf=True),
                              librosa.effects.deemphasis(y, coef=coef, zi=zi, return_zf=True))):
            assert relative_error(ours[0], theirs[0]) <= 1e-12 and relative_error(ours[1], theirs[1]) <= 1e-12
        assert np.abs(audio.deemphasis(audio.preemphasis(y, coef=coef), coef=coef) - y).max() <= 1e-12


def test_normalize_kinds():
    y = np.random.default_rng(1).standard_normal((3, 1000)) * np.array([[0.1], [2.0], [5.0]]) + 0.5
    assert np.allclose(np.abs(audio.normalize(y)).max(axis=-1), 1.0)
    assert np.allclose(np.abs(audio.normalize(y, target=0.5)).max(axis=-1), 0.5)
    assert np.allclose(np.sqrt(np.mean(audio.normalize(y, kind="rms") ** 2, axis=-1)), 0.1)
    z = audio.normalize(y, kind="zscore")
    assert np.allclose(z.mean(axis=-1), 0.0, atol=1e-12) and np.allclose(z.std(axis=-1), 1.0)
    silent = audio.normalize(np.zeros(10), kind="rms")
    assert np.array_equal(silent, np.zeros(10))
    assert audio.normalize(np.ones(4, dtype=np.float32)).dtype == np.float32


def test_fill_missing_interpolates_gaps():
    y = np.array([[np.nan, 1.0, np.nan, np.nan, 4.0, np.nan], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]])
    filled = audio.fill_missing(y)
    assert filled.tolist() == [[1.0, 1.0, 2.0, 3.0, 4.0, 4.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]]
    assert np.isnan(y).sum() == 4  # the input is not modified


@pytest.mark.librosa
def test_rms_and_trim_equal_librosa_on_fsdd():
    librosa = pytest.importorskip("librosa")
    names = sorted(p.name for p in FSDD.glob("*.wav"))[::250] if FSDD.exists() else []
    if not names:
        pytest.skip("FSDD is not present")
    for name in names:
        y, _ = fsdd_clip(name)
        for kw in (dict(), dict(top_db=30, frame_length=256, hop_length=64),
                   dict(top_db=20, ref=1.0, frame_length=512, hop_length=128)):
            ours, theirs = audio.trim(y, **kw), librosa.effects.trim(y, **kw)
            assert np.array_equal(ours[1], theirs[1]) and np.array_equal(ours[0], theirs[0]), (name, kw)
        for center in (True, False):
            kw = dict(frame_length=300, hop_length=77, center=center)
            assert relative_error(audio.rms(y, **kw), librosa.feature.rms(y=y, dtype=np.float64, **kw)) <= 1e-12


def test_trim_multichannel_and_silence():
    y = np.zeros((2, 6000))
    y[1, 2000:4000] = 0.5
    trimmed, index = audio.trim(y, frame_length=256, hop_length=64)
    assert trimmed.shape[0] == 2 and index[0] <= 2000 and index[1] >= 4000 and index[1] - index[0] < 2600
    # all-zero input: every frame equals the (floored) reference, so nothing is silence, as in librosa
    assert audio.trim(np.zeros(1000), frame_length=256, hop_length=64)[1].tolist() == [0, 1000]


@pytest.mark.parametrize("make_noise", [white_noise, pink_noise], ids=["white", "pink"])
@pytest.mark.parametrize("method", ["gate", "subtract"])
def test_denoise_raises_snr_of_fsdd_at_5_db(make_noise, method):
    if not FSDD.exists():
        pytest.skip("FSDD is not present")
    names = sorted(p.name for p in FSDD.glob("*.wav"))[::300]  # 10 clips, all speakers
    gains = {"estimated": [], "profiled": []}
    for i, name in enumerate(names):
        clean, _ = fsdd_clip(name)
        noise = make_noise(clean.size, rng=i)
        noisy = mix_at_snr(clean, noise, 5.0)
        assert abs(snr_db(clean, noisy) - 5.0) < 1e-9
        estimated = audio.denoise(noisy, method=method)
        profiled = audio.denoise(noisy, method=method, noise=(noisy - clean)[:2000])
        gains["estimated"].append(snr_db(clean, estimated) - 5.0)
        gains["profiled"].append(snr_db(clean, profiled) - 5.0)
    # every clip comes out cleaner, and on average by at least 3 dB
    for profile, g in gains.items():
        assert min(g) > 0.5 and np.mean(g) >= 3.0, (profile, np.round(g, 2))


def test_pink_noise_has_equal_power_per_octave():
    spectrum = np.abs(np.fft.rfft(pink_noise(2**16, rng=0))) ** 2
    octaves = [spectrum[2**k:2**(k + 1)].sum() for k in range(6, 14)]
    assert max(octaves) / min(octaves) < 1.5  # white noise would double per octave
    assert np.isclose(white_noise(10, rng=1).shape[0], 10)


@pytest.mark.parametrize("call,match", [
    (lambda: audio.preemphasis(np.ones(10), coef=1.0), r"coef must be in \[0, 1\), got 1.0"),
    (lambda: audio.preemphasis(np.ones(1)), "at least 2 sample"),
    (lambda: audio.normalize(np.ones(3), kind="max"), "kind must be one of"),
    (lambda: audio.normalize(np.ones(3), kind="zscore", target=2), "kind='zscore' takes no target"),
    (lambda: audio.normalize(np.ones(3), target=-1), "target must be a positive"),
    (lambda: audio.fill_missing(np.array([np.nan, np.nan])), "row 0 of y has no valid sample"),
    (lambda: audio.fill_missing(np.array([1.0, np.inf])), r"infinite samples \(first at index \(1,\)\)"),
    (lambda: audio.trim(np.ones(10), top_db=0), "top_db must be a positive"),
    (lambda: audio.rms(np.ones(10), frame_length=0), "n_fft must be a positive integer"),
    (lambda: audio.denoise(np.ones(1000), method="wiener"), "method must be one of"),
    (lambda: audio.denoise(np.ones((2, 1000))), r"one mono signal, got shape \(2, 1000\)"),
    (lambda: audio.denoise(np.ones(1000), prop_decrease=2.0), r"prop_decrease must be in \[0, 1\]"),
    (lambda: mix_at_snr(np.ones(10), np.ones(9), 5.0), "noise has shape"),
    (lambda: mix_at_snr(np.zeros(10), np.ones(10), 5.0), "non-zero power"),
])
def test_bad_input(call, match):
    with pytest.raises(ParameterError, match=match):
        call()
