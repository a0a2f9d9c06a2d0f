"""Mel scale, filterbank and melspectrogram against librosa (float64, <= 1e-8 of scale)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import audio
from audio.errors import ParameterError
from tests.helpers import fsdd_clip, relative_error

pytestmark = pytest.mark.librosa
TOL = 1e-8
BANKS = [  # sr, n_fft, n_mels, fmin, fmax
    (8000, 512, 40, 0.0, None), (22050, 2048, 128, 0.0, None), (16000, 400, 64, 60.0, 7600.0),
    (8000, 255, 20, 300.0, 3400.0), (44100, 1000, 96, 20.0, 16000.0),
]


def test_mel_scale_equals_librosa_both_ways():
    librosa = pytest.importorskip("librosa")
    hz = np.concatenate([np.linspace(0, 22050, 501), [999.9, 1000.0, 1000.1]])
    for htk in (False, True):
        mel = audio.hz_to_mel(hz, htk=htk)
        assert relative_error(mel, librosa.hz_to_mel(hz, htk=htk)) <= 1e-14
        assert relative_error(audio.mel_to_hz(mel, htk=htk), hz) <= 1e-12
        assert np.isclose(float(audio.hz_to_mel(440.0, htk=htk)), librosa.hz_to_mel(440.0, htk=htk), rtol=1e-14)
    assert relative_error(audio.mel_frequencies(40, fmin=20, fmax=8000),
                          librosa.mel_frequencies(40, fmin=20, fmax=8000)) <= 1e-14
    assert np.array_equal(audio.fft_frequencies(sr=8000, n_fft=100), librosa.fft_frequencies(sr=8000, n_fft=100))


@pytest.mark.parametrize("htk", [False, True])
@pytest.mark.parametrize("norm", ["slaney", None, 1.0, np.inf])
def test_filterbank_equals_librosa(htk, norm):
    librosa = pytest.importorskip("librosa")
    for sr, n_fft, n_mels, fmin, fmax in BANKS:
        kw = dict(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
        ours = audio.mel_filterbank(**kw, dtype=np.float64)
        assert relative_error(ours, librosa.filters.mel(**kw, dtype=np.float64)) <= 1e-12, kw
        assert audio.mel_filterbank(**kw).dtype == np.float32


def test_too_many_bands_warns_like_librosa():
    librosa = pytest.importorskip("librosa")
    with pytest.warns(UserWarning, match="Empty filters detected") as ours:
        audio.mel_filterbank(sr=8000, n_fft=128, n_mels=128)
    with pytest.warns(UserWarning, match="Empty filters detected"):
        librosa.filters.mel(sr=8000, n_fft=128, n_mels=128)
    assert len(ours) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        audio.mel_filterbank(sr=8000, n_fft=512, n_mels=40)  # enough bins: no warning


def test_melspectrogram_equals_librosa_on_speech_and_synthetic():
    librosa = pytest.importorskip("librosa")
    speech, sr = fsdd_clip("7_theo_3.wav")
    chirp = np.sin(2 * np.pi * np.cumsum(np.linspace(100, 3500, 6000)) / sr)
    failures = []
    for y in (speech, chirp):
        for sr_, n_fft, n_mels, fmin, fmax in BANKS[:4]:
            for hop, win, center, power, htk in ((128, None, True, 2.0, False), (100, n_fft - 55, False, 1.0, True),
                                                 (256, None, True, 1.5, False)):
                kw = dict(sr=sr, n_fft=n_fft, hop_length=hop, win_length=win, center=center, power=power,
                          n_mels=n_mels, fmin=fmin, fmax=min(fmax or sr / 2, sr / 2), htk=htk)
                ours = audio.melspectrogram(y=y, **kw)
                theirs = librosa.feature.melspectrogram(y=y, dtype=np.float64, **kw)
                if ours.shape != theirs.shape or relative_error(ours, theirs) > TOL:
                    failures.append(kw)
    assert not failures, failures


def test_melspectrogram_from_S_and_batches():
    librosa = pytest.importorskip("librosa")
    y = np.random.default_rng(0).standard_normal((2, 4000))
    S = np.abs(audio.stft(y, n_fft=512)) ** 2
    ours = audio.melspectrogram(S=S, sr=8000, n_mels=30)
    assert ours.shape == (2, 30, S.shape[-1])
    assert relative_error(ours, librosa.feature.melspectrogram(S=S, sr=8000, n_mels=30, dtype=np.float64)) <= TOL
    assert relative_error(ours[1], audio.melspectrogram(y=y[1], sr=8000, n_fft=512, hop_length=128, n_mels=30)) <= 1e-12


def test_float32_stays_float32():
    y = np.random.default_rng(0).standard_normal(4000).astype(np.float32)
    assert audio.melspectrogram(y=y, sr=8000, n_fft=256, n_mels=20).dtype == np.float32


@pytest.mark.parametrize("kwargs,match", [
    (dict(sr=0, n_fft=512), "sr must be a positive finite number, got 0"),
    (dict(sr=8000, n_fft=512, n_mels=0), "n_mels must be a positive integer"),
    (dict(sr=8000, n_fft=512, fmin=3000.0, fmax=1000.0), "fmax=1000.0 must be greater than fmin=3000.0"),
    (dict(sr=8000, n_fft=512, fmin=-1.0), "fmin must be a non-negative"),
    (dict(sr=8000, n_fft=512, norm="l2"), "norm must be 'slaney', None or a positive number, got 'l2'"),
])
def test_filterbank_bad_parameters(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        audio.mel_filterbank(**kwargs)


def test_melspectrogram_bad_input():
    with pytest.raises(ParameterError, match="exactly one of y"):
        audio.melspectrogram()
    with pytest.raises(ParameterError, match="exactly one of y"):
        audio.melspectrogram(y=np.ones(10), S=np.ones((5, 2)))
    with pytest.raises(ParameterError, match="power must be a positive finite number, got -1"):
        audio.melspectrogram(y=np.ones(1000), power=-1)
    with pytest.raises(ParameterError, match="S must be real"):
        audio.melspectrogram(S=np.ones((5, 3)) * 1j)
