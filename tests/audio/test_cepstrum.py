"""dct, mfcc and the decibel conversions against scipy and librosa (float64)."""
from __future__ import annotations

import numpy as np
import pytest

import audio
from audio.errors import ParameterError
from tests.helpers import fsdd_clip, relative_error

TOL = 1e-8


@pytest.mark.parametrize("dct_type", [2, 3])
@pytest.mark.parametrize("norm", ["ortho", None])
@pytest.mark.parametrize("axis", [0, -1])
def test_dct_equals_scipy_fftpack(dct_type, norm, axis):
    fftpack = pytest.importorskip("scipy.fftpack")
    x = np.random.default_rng(0).standard_normal((13, 7))
    ours = audio.dct(x, type=dct_type, norm=norm, axis=axis)
    assert relative_error(ours, fftpack.dct(x, type=dct_type, norm=norm, axis=axis)) <= 1e-13
    if norm == "ortho":  # types 2 and 3 are each other's inverse
        back = audio.dct(ours, type=5 - dct_type, norm=norm, axis=axis)
        assert np.abs(back - x).max() <= 1e-13


@pytest.mark.librosa
def test_mfcc_equals_librosa_over_grid():
    librosa = pytest.importorskip("librosa")
    speech, sr = fsdd_clip("5_nicolas_2.wav")
    tone = np.sin(2 * np.pi * 440 * np.arange(5000) / sr) * np.hanning(5000)
    grid = [dict(n_mfcc=13), dict(n_mfcc=20, lifter=22, n_fft=400, hop_length=160, n_mels=40),
            dict(n_mfcc=40, dct_type=3, n_fft=512, n_mels=64, fmin=100.0, fmax=3800.0, htk=True),
            dict(n_mfcc=12, norm=None, lifter=5, n_fft=255, hop_length=64, win_length=200, n_mels=26, center=False)]
    failures = []
    for y in (speech, tone):
        for kw in grid:
            ours = audio.mfcc(y=y, sr=sr, **kw)
            theirs = librosa.feature.mfcc(y=y, sr=sr, dtype=np.float64, **kw)
            if ours.shape != theirs.shape or relative_error(ours, theirs) > TOL:
                failures.append((kw, ours.shape, theirs.shape))
    assert not failures, failures


@pytest.mark.librosa
def test_mfcc_from_S_and_float32():
    librosa = pytest.importorskip("librosa")
    y = np.random.default_rng(3).standard_normal(22050).astype(np.float32)
    S = audio.power_to_db(audio.melspectrogram(y=y.astype(np.float64)))
    assert relative_error(audio.mfcc(S=S, n_mfcc=30), librosa.feature.mfcc(S=S, n_mfcc=30)) <= 1e-12
    ours32, theirs32 = audio.mfcc(y=y, n_mfcc=40), librosa.feature.mfcc(y=y, n_mfcc=40)
    assert ours32.dtype == np.float32 and relative_error(ours32, theirs32) <= 1e-4


@pytest.mark.librosa
@pytest.mark.parametrize("ref", [1.0, np.max, 1e-3])
@pytest.mark.parametrize("top_db", [80.0, None, 20.0])
def test_decibels_equal_librosa(ref, top_db):
    librosa = pytest.importorskip("librosa")
    S = np.abs(audio.stft(np.random.default_rng(1).standard_normal(3000), n_fft=256)) ** 2
    S[:, 3] = 0.0  # silence must be floored at amin, not -inf
    assert relative_error(audio.power_to_db(S, ref=ref, top_db=top_db),
                          librosa.power_to_db(S, ref=ref, top_db=top_db)) <= 1e-12
    A = np.sqrt(S)
    assert relative_error(audio.amplitude_to_db(A, ref=ref, top_db=top_db),
                          librosa.amplitude_to_db(A, ref=ref, top_db=top_db)) <= 1e-12
    db = librosa.power_to_db(S + 1e-3)
    assert relative_error(audio.db_to_power(db), librosa.db_to_power(db)) <= 1e-13
    assert relative_error(audio.db_to_amplitude(db), librosa.db_to_amplitude(db)) <= 1e-13


def test_complex_input_to_power_to_db_warns():
    with pytest.warns(UserWarning, match="phase information will be discarded"):
        out = audio.power_to_db(np.array([1j, 10.0]))
    assert np.allclose(out, [0.0, 10.0])


@pytest.mark.parametrize("call,match", [
    (lambda: audio.dct(np.ones(4), type=1), r"type must be one of \(2, 3\), got 1"),
    (lambda: audio.dct(np.ones(4), norm="forward"), "norm must be one of"),
    (lambda: audio.dct(np.ones(4), axis=2), "axis=2 is out of range"),
    (lambda: audio.mfcc(), "pass either y"),
    (lambda: audio.mfcc(S=np.ones((10, 4)), n_mfcc=11), r"n_mfcc=11 cannot exceed the number of mel bands \(10\)"),
    (lambda: audio.mfcc(y=np.ones(3000), lifter=-1), "lifter must be a non-negative"),
    (lambda: audio.power_to_db(np.ones(3), amin=0), "amin must be a positive finite number, got 0"),
    (lambda: audio.power_to_db(np.ones(3), top_db=-5), "top_db must be a non-negative"),
    (lambda: audio.db_to_power(np.ones(3), ref=0), "ref must be a positive"),
])
def test_bad_input(call, match):
    with pytest.raises(ParameterError, match=match):
        call()
