"""audio.fft/ifft/rfft/irfft against numpy.fft.

Sizes: every n in 1..64, powers of two up to 2^16, primes, 2^k +- 1.
float64: max error relative to the largest magnitude <= 1e-12 * log2(n);
float32: <= 1e-5 relative to the largest magnitude. Both backends.
"""
from __future__ import annotations

import numpy as np
import pytest

import audio
import kernels
from audio.errors import ParameterError

SIZES = list(range(1, 65)) + [2**k for k in range(7, 17)] + [97, 257, 1021, 4099, 127, 255, 1023, 1025, 4095, 65535, 65537]
BACKENDS = [b for b in ("numpy", "numba") if b in kernels.available()]


def rel_err(ours, ref):
    scale = max(np.abs(ref).max(), 1e-300)
    return np.abs(ours - ref).max() / scale


def tol64(n):
    return 1e-12 * max(1.0, np.log2(n))


@pytest.mark.parametrize("backend", BACKENDS)
def test_all_transforms_match_numpy_float64(backend):
    rng = np.random.default_rng(0)
    failures = []
    with kernels.use(backend):
        for n in SIZES:
            rows = 2 if n > 4096 else 3
            x = rng.standard_normal((rows, n))
            z = x + 1j * rng.standard_normal((rows, n))
            R = np.fft.rfft(x)
            checks = {
                "fft": (audio.fft(z), np.fft.fft(z)),
                "ifft": (audio.ifft(z), np.fft.ifft(z)),
                "rfft": (audio.rfft(x), R),
                "irfft": (audio.irfft(R, n=n), np.fft.irfft(R, n=n)),
            }
            for name, (ours, ref) in checks.items():
                assert ours.shape == ref.shape, f"{name} n={n}: shape {ours.shape} != {ref.shape}"
                err = rel_err(ours, ref)
                if not err <= tol64(n):
                    failures.append(f"{name} n={n}: {err:.2e}")
    assert not failures, "; ".join(failures)


@pytest.mark.parametrize("backend", BACKENDS)
def test_float32_stays_single_and_is_accurate(backend):
    rng = np.random.default_rng(1)
    failures = []
    with kernels.use(backend):
        for n in [1, 2, 3, 7, 16, 31, 64, 100, 512, 2048, 4099, 65536]:
            x = rng.standard_normal((2, n)).astype(np.float32)
            z = (x + 1j * rng.standard_normal((2, n))).astype(np.complex64)
            for name, ours, ref in [
                ("fft", audio.fft(z), np.fft.fft(z.astype(np.complex128))),
                ("rfft", audio.rfft(x), np.fft.rfft(x.astype(np.float64))),
                ("irfft", audio.irfft(np.fft.rfft(x).astype(np.complex64), n=n), x.astype(np.float64)),
            ]:
                assert ours.dtype in (np.complex64, np.float32), f"{name} n={n} gave {ours.dtype}"
                if not rel_err(ours, ref) <= 1e-5:
                    failures.append(f"{name} n={n}: {rel_err(ours, ref):.2e}")
    assert not failures, "; ".join(failures)


@pytest.mark.parametrize("backend", BACKENDS)
def test_round_trips_recover_the_input(backend):
    rng = np.random.default_rng(2)
    with kernels.use(backend):
        for n in [1, 5, 64, 1000, 1024]:
            x = rng.standard_normal((4, n))
            z = x + 1j * rng.standard_normal((4, n))
            np.testing.assert_allclose(audio.ifft(audio.fft(z)), z, rtol=0, atol=1e-12)
            np.testing.assert_allclose(audio.irfft(audio.rfft(x), n=n), x, rtol=0, atol=1e-12)


def test_axis_n_and_norm_follow_numpy():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 5, 4))
    for axis in (0, 1, -1):
        for n in (None, 3, 8):
            for norm in ("backward", "ortho", "forward"):
                np.testing.assert_allclose(audio.fft(x, n=n, axis=axis, norm=norm),
                                           np.fft.fft(x, n=n, axis=axis, norm=norm), rtol=0, atol=1e-12)
                np.testing.assert_allclose(audio.rfft(x, n=n, axis=axis, norm=norm),
                                           np.fft.rfft(x, n=n, axis=axis, norm=norm), rtol=0, atol=1e-12)
                X = np.fft.rfft(x, axis=axis)
                np.testing.assert_allclose(audio.irfft(X, n=n, axis=axis, norm=norm),
                                           np.fft.irfft(X, n=n, axis=axis, norm=norm), rtol=0, atol=1e-12)
                np.testing.assert_allclose(audio.ifft(x, n=n, axis=axis, norm=norm),
                                           np.fft.ifft(x, n=n, axis=axis, norm=norm), rtol=0, atol=1e-12)


def test_irfft_ignores_imaginary_dc_and_nyquist_like_numpy():
    X = np.array([1 + 5j, 2 - 1j, 3 + 0.5j, 4 + 7j])
    for n in (6, 7):
        np.testing.assert_allclose(audio.irfft(X, n=n), np.fft.irfft(X, n=n), rtol=0, atol=1e-14)


def test_empty_batch_and_integer_input():
    assert audio.rfft(np.zeros((0, 8))).shape == (0, 5)
    np.testing.assert_allclose(audio.fft(np.arange(6)), np.fft.fft(np.arange(6)), atol=1e-12)


def test_bad_input_is_named():
    with pytest.raises(ParameterError, match="n must be a positive integer, got 0"):
        audio.fft(np.ones(4), n=0)
    with pytest.raises(ParameterError, match="axis=2 is out of range"):
        audio.fft(np.ones((2, 2)), axis=2)
    with pytest.raises(ParameterError, match="norm must be one of"):
        audio.fft(np.ones(4), norm="unitary")
    with pytest.raises(ParameterError, match="x must be real"):
        audio.rfft(np.ones(4, dtype=complex))
    with pytest.raises(ParameterError, match="must hold numbers"):
        audio.fft(np.array(["a", "b"]))
    with pytest.raises(ParameterError, match="transform axis is empty"):
        audio.fft(np.ones((3, 0)))
    with pytest.raises(ParameterError, match="at least 1 axis"):
        audio.fft(np.float64(3.0))
