"""audio on CuPy arrays: CuPy in, CuPy out, and librosa's numbers.

Marked ``gpu`` (skipped without CuPy and a CUDA device, as in CI) and
``librosa``. Each function runs on a GPU copy of a float64 signal and is
compared, on the host, with librosa on the original, at the CPU tests'
tolerance: max abs error <= 1e-8 relative to the data's scale.
"""
from __future__ import annotations

import numpy as np
import pytest

import audio
from tests.helpers import assert_close_scaled, relative_error

cupy = pytest.importorskip("cupy", reason="cupy is not installed")
librosa = pytest.importorskip("librosa")
pytestmark = [pytest.mark.gpu, pytest.mark.librosa]

TOL = 1e-8
SR = 8000


@pytest.fixture(scope="module")
def signal():
    t = np.arange(int(0.7 * SR)) / SR
    rng = np.random.default_rng(0)
    return np.sin(2 * np.pi * 440 * t) * np.exp(-3 * t) + 0.05 * rng.standard_normal(t.size)


def on_gpu(fn, *args, **kwargs):
    """Run fn on GPU copies of the array arguments; the result must be a CuPy array. Returns it on the host."""
    out = fn(*(cupy.asarray(a) for a in args), **{k: cupy.asarray(v) if isinstance(v, np.ndarray) else v
                                                   for k, v in kwargs.items()})
    assert isinstance(out, cupy.ndarray), f"{fn.__name__} returned {type(out).__name__}, expected cupy.ndarray"
    return cupy.asnumpy(out)


def assert_relative(ours, reference, tol, what):
    """Complex-safe: max |ours - reference| / max |reference| <= tol."""
    err = relative_error(ours, reference)
    assert err <= tol, f"{what}: relative error {err:.3e} > {tol:.1e}"


@pytest.mark.parametrize("n", [1, 7, 64, 1000, 4096, 8192])
def test_fft_family_on_gpu_equals_numpy(n):
    x = np.random.default_rng(n).standard_normal((3, n))
    X = np.fft.rfft(x)
    tol = 1e-12 * max(1, np.log2(n))
    assert_relative(on_gpu(audio.fft, x), np.fft.fft(x), tol, f"fft n={n}")
    assert_relative(on_gpu(audio.rfft, x), X, tol, f"rfft n={n}")
    assert_relative(on_gpu(audio.irfft, X, n=n), np.fft.irfft(X, n=n), tol, f"irfft n={n}")
    assert_relative(on_gpu(audio.ifft, X), np.fft.ifft(X), tol, f"ifft n={n}")


@pytest.mark.parametrize("n_fft,hop_length,win_length,center", [(512, 128, None, True), (400, 100, 300, False),
                                                                 (256, 64, None, True)])
def test_stft_and_istft_on_gpu_equal_librosa(signal, n_fft, hop_length, win_length, center):
    kw = dict(n_fft=n_fft, hop_length=hop_length, win_length=win_length, center=center)
    D = on_gpu(audio.stft, signal, **kw)
    assert_relative(D, librosa.stft(signal, dtype=np.complex128, **kw), TOL, f"stft {kw}")
    y = on_gpu(audio.istft, D, hop_length=hop_length, win_length=win_length, n_fft=n_fft, center=center,
               length=signal.size)
    assert_close_scaled(y, librosa.istft(D, hop_length=hop_length, win_length=win_length, n_fft=n_fft,
                                         center=center, length=signal.size), TOL, f"istft {kw}")


@pytest.mark.parametrize("n_mels,htk,lifter", [(40, False, 0), (64, True, 22)])
def test_mel_db_mfcc_delta_on_gpu_equal_librosa(signal, n_mels, htk, lifter):
    kw = dict(sr=SR, n_fft=512, hop_length=128, n_mels=n_mels, htk=htk)
    M = on_gpu(lambda y: audio.melspectrogram(y=y, **kw), signal)
    theirs = librosa.feature.melspectrogram(y=signal, dtype=np.float64, **kw)
    assert_close_scaled(M, theirs, TOL, "melspectrogram")
    assert_close_scaled(on_gpu(audio.power_to_db, theirs), librosa.power_to_db(theirs), TOL, "power_to_db")
    C = on_gpu(lambda y: audio.mfcc(y=y, n_mfcc=20, lifter=lifter, **kw), signal)
    assert_close_scaled(C, librosa.feature.mfcc(y=signal, n_mfcc=20, lifter=lifter, dtype=np.float64, **kw),
                        TOL, "mfcc")
    for order in (1, 2):
        assert_close_scaled(on_gpu(audio.delta, C, order=order), librosa.feature.delta(C, order=order), TOL,
                            f"delta order={order}")


def test_float32_mfcc_on_gpu_keeps_its_precision(signal):
    y = cupy.asarray(signal.astype(np.float32))
    C = audio.mfcc(y=y, sr=SR, n_mfcc=13, n_fft=512, hop_length=128)
    assert isinstance(C, cupy.ndarray) and C.dtype == np.float32
    theirs = librosa.feature.mfcc(y=signal.astype(np.float32), sr=SR, n_mfcc=13, n_fft=512, hop_length=128)
    assert_close_scaled(cupy.asnumpy(C), theirs, 1e-4, "float32 mfcc")


def test_preemphasis_and_deemphasis_on_gpu_equal_librosa(signal):
    assert_relative(on_gpu(audio.preemphasis, signal), librosa.effects.preemphasis(signal), TOL, "preemphasis")
    assert_relative(on_gpu(audio.deemphasis, signal), librosa.effects.deemphasis(signal), TOL, "deemphasis")
    assert_relative(on_gpu(audio.deemphasis, signal, zi=np.array([0.5])),
                    librosa.effects.deemphasis(signal, zi=np.array([0.5])), TOL, "deemphasis with zi")
