"""Assignment 3 (audio): the graded tests, one pytest marker per task.

The FFT is compared with numpy.fft, the mel filterbank with
librosa.filters.mel, the DCT with scipy.fft.dct and MFCC with
librosa.feature.mfcc (from a given log-mel spectrogram, so task 3.3 does
not depend on tasks 3.1 and 3.2). All in float64 on the NumPy backend,
with the error measured relative to the reference's largest magnitude.
"""
from __future__ import annotations

import numpy as np
import pytest

import audio
import kernels
from kernels.fft import reference as fft_reference
from tests.helpers import relative_error

librosa = pytest.importorskip("librosa")
scipy_fft = pytest.importorskip("scipy.fft")

TOL = 1e-10  # float64 algorithms that are exact up to rounding


@pytest.fixture(autouse=True)
def _numpy_backend():
    with kernels.use("numpy"):
        yield


def assert_matches(record_property, ours, reference, what, tol=TOL):
    err = relative_error(ours, reference)
    record_property("worst_rel_error", err)
    assert np.asarray(ours).shape == np.asarray(reference).shape, f"{what}: shape {np.shape(ours)}"
    assert err <= tol, f"{what}: error {err:.2e} relative to the reference's scale, allowed {tol:.0e}"


# ---------------------------------------------------------------- task 3.1
@pytest.mark.task3_1
@pytest.mark.parametrize("n", [1, 2, 4, 8, 16, 32, 64, 128, 1024, 4096])
def test_fft_power_of_two_matches_numpy(record_property, n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal((3, n)) + 1j * rng.standard_normal((3, n))
    assert_matches(record_property, fft_reference.fft_pow2(x), np.fft.fft(x), f"fft_pow2, n={n}")


@pytest.mark.task3_1
def test_fft_keeps_single_precision(record_property):
    x = np.random.default_rng(0).standard_normal(256).astype(np.complex64)
    X = fft_reference.fft_pow2(x)
    assert X.dtype == np.complex64, f"complex64 in must give complex64 out, got {X.dtype}"
    assert_matches(record_property, X, np.fft.fft(x.astype(np.complex128)), "fft_pow2 in complex64", tol=1e-5)


@pytest.mark.task3_1
@pytest.mark.parametrize("n", [3, 7, 100, 1000])
def test_fft_of_any_length_through_bluestein(record_property, n):
    # Bluestein's convolution is done with fft_pow2: any n works once it does
    x = np.random.default_rng(n).standard_normal((2, n))
    assert_matches(record_property, audio.fft(x), np.fft.fft(x), f"audio.fft, n={n}")
    assert_matches(record_property, audio.rfft(x), np.fft.rfft(x), f"audio.rfft, n={n}")


# ---------------------------------------------------------------- task 3.2
MEL_CASES = [
    dict(sr=22050, n_fft=2048),
    dict(sr=16000, n_fft=512, n_mels=40, fmin=20.0, fmax=7600.0),
    dict(sr=8000, n_fft=256, n_mels=26, htk=True),
    dict(sr=16000, n_fft=400, n_mels=64, norm=None),
    dict(sr=22050, n_fft=1024, n_mels=80, norm=1),
    dict(sr=22050, n_fft=1024, n_mels=80, norm=2.0, htk=True),
]


@pytest.mark.task3_2
@pytest.mark.parametrize("case", MEL_CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_mel_filterbank_matches_librosa(record_property, case):
    ours = audio.mel_filterbank(**case, dtype=np.float64)
    assert_matches(record_property, ours, librosa.filters.mel(**case, dtype=np.float64), "mel_filterbank")


# ---------------------------------------------------------------- task 3.3
@pytest.mark.task3_3
@pytest.mark.parametrize("dct_type", [2, 3])
@pytest.mark.parametrize("norm", ["ortho", None])
def test_dct_matches_scipy(record_property, dct_type, norm):
    x = np.random.default_rng(3).standard_normal((4, 40))
    assert_matches(record_property, audio.dct(x, type=dct_type, norm=norm),
                   scipy_fft.dct(x, type=dct_type, norm=norm), f"dct type {dct_type}, norm={norm}")


@pytest.mark.task3_3
@pytest.mark.parametrize("lifter", [0, 22])
@pytest.mark.parametrize("n_mfcc", [13, 40])
def test_mfcc_matches_librosa(record_property, lifter, n_mfcc):
    S = librosa.power_to_db(np.random.default_rng(4).random((40, 30)) ** 4)  # a log-mel spectrogram [40, 30]
    assert_matches(record_property, audio.mfcc(S=S, n_mfcc=n_mfcc, lifter=lifter),
                   librosa.feature.mfcc(S=S, n_mfcc=n_mfcc, lifter=lifter), f"mfcc, lifter={lifter}")
