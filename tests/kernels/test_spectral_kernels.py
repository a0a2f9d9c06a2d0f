"""The Numba spectral kernels against their NumPy reference, over Hypothesis-drawn shapes.

Edge cases included: n_fft = 1 and prime n_fft, signals shorter than a
frame (no frames), empty batches, width = data length for deltas.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernels.backend import family_module
from kernels.spectral import reference

cpu = pytest.importorskip("kernels.spectral.cpu", reason="numba is not installed")

TOL = {np.float64: 1e-12, np.float32: 3e-5}


def scaled(ours, ref):
    assert ours.shape == ref.shape and ours.dtype == ref.dtype, (ours.shape, ours.dtype, ref.shape, ref.dtype)
    if ref.size == 0:
        return 0.0
    return float(np.abs(ours - ref).max() / max(np.abs(ref).max(), 1e-30))


@st.composite
def framed_signals(draw):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    n_fft = draw(st.one_of(st.integers(1, 40), st.sampled_from([64, 97, 128, 400, 512])))
    hop = draw(st.integers(1, max(1, n_fft)))
    rows = draw(st.integers(0, 3))
    n = draw(st.integers(0, 3 * n_fft + 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    return (rng.standard_normal((rows, n)).astype(dtype), rng.random(n_fft).astype(dtype), hop)


@given(case=framed_signals())
def test_windowed_transforms_equal_reference(case):
    y, window, hop = case
    tol = TOL[y.dtype.type] * max(1, np.log2(window.shape[0] + 1))
    assert scaled(cpu.windowed_rfft(y, window, hop), reference.windowed_rfft(y, window, hop)) <= tol
    for power in (1.0, 2.0, 1.5):
        assert scaled(cpu.windowed_power(y, window, hop, power),
                      reference.windowed_power(y, window, hop, power)) <= 2 * tol


@given(case=framed_signals(), n_mels=st.integers(1, 10), power=st.sampled_from([1.0, 2.0, 1.5]))
def test_windowed_mel_equals_reference(case, n_mels, power):
    y, window, hop = case
    n_freq = window.shape[0] // 2 + 1
    rng = np.random.default_rng(n_mels)
    weights = np.maximum(rng.random((n_mels, n_freq)) - 0.6, 0).astype(y.dtype)  # sparse, some bands empty
    tol = TOL[y.dtype.type] * 4 * max(1, np.log2(window.shape[0] + 1))
    assert scaled(cpu.windowed_mel(y, window, hop, power, weights),
                  reference.windowed_mel(y, window, hop, power, weights)) <= tol


@given(rows=st.integers(0, 3), frames=st.integers(0, 6), n_freq=st.integers(1, 60),
       n_mels=st.integers(1, 12), dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 99))
def test_mel_apply_equals_reference(rows, frames, n_freq, n_mels, dtype, seed):
    rng = np.random.default_rng(seed)
    S = rng.random((rows, n_freq, frames)).astype(dtype)  # frequency-major
    weights = np.maximum(rng.random((n_mels, n_freq)) - 0.7, 0).astype(dtype)  # sparse, some rows empty
    assert scaled(cpu.mel_apply(S, weights), reference.mel_apply(S, weights)) <= TOL[dtype] * 4
    D = rng.standard_normal((n_mels, n_freq)).astype(dtype)
    assert scaled(cpu.matrix_apply(D, S), reference.matrix_apply(D, S)) <= TOL[dtype] * 10


@given(shape=st.lists(st.integers(0, 7), min_size=0, max_size=3), top_db=st.sampled_from([None, 0.0, 30.0]),
       ref=st.sampled_from([1.0, 1e-3]), dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 99))
def test_power_to_db_equals_reference(shape, top_db, ref, dtype, seed):
    S = np.asarray(np.random.default_rng(seed).random(shape) ** 4, dtype=dtype)  # shape [] too: a 0-d array
    ours, theirs = cpu.power_to_db(S, ref, 1e-10, top_db), reference.power_to_db(S, ref, 1e-10, top_db)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert np.allclose(ours, theirs, rtol=TOL[dtype], atol=TOL[dtype] * 100)


@given(rows=st.integers(0, 3), half=st.integers(1, 5), extra=st.integers(0, 20), order=st.integers(1, 3),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 99))
def test_delta_equals_reference(rows, half, extra, order, dtype, seed):
    width = 2 * half + 1
    data = np.random.default_rng(seed).standard_normal((rows, width + extra)).astype(dtype)
    assert scaled(cpu.delta(data, width, order), reference.delta(data, width, order)) <= TOL[dtype] * 10


@given(rows=st.integers(0, 3), frames=st.integers(1, 6), n_fft=st.integers(1, 20), hop=st.integers(1, 25),
       seed=st.integers(0, 99))
def test_overlap_add_equals_reference(rows, frames, n_fft, hop, seed):
    f = np.random.default_rng(seed).standard_normal((rows, frames, n_fft))
    assert scaled(cpu.overlap_add(f, hop), reference.overlap_add(f, hop)) <= 1e-15


def test_reference_frames_are_the_definition():
    y = np.arange(10.0)[None, :]
    fr = reference.frames(y, 4, 3)
    assert fr.tolist() == [[[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]]
    assert reference.frames(y, 11, 1).shape == (1, 0, 11)


@pytest.mark.parametrize("dct_type", [2, 3])
@pytest.mark.parametrize("norm", [None, "ortho"])
def test_dct_matrix_against_scipy(dct_type, norm):
    fftpack = pytest.importorskip("scipy.fftpack")
    x = np.random.default_rng(0).standard_normal((4, 23))
    ours = x @ reference.dct_matrix(23, dct_type=dct_type, norm=norm).T
    assert np.abs(ours - fftpack.dct(x, type=dct_type, norm=norm)).max() <= 1e-12 * np.abs(ours).max()


@pytest.mark.parametrize("width,order", [(3, 1), (5, 2), (9, 1), (9, 2), (7, 3)])
def test_savgol_delta_against_scipy(width, order):
    signal = pytest.importorskip("scipy.signal")
    data = np.random.default_rng(1).standard_normal((3, 30))
    expected = signal.savgol_filter(data, width, order, deriv=order, mode="interp")
    assert np.abs(reference.delta(data, width, order) - expected).max() <= 1e-10 * np.abs(expected).max()


@given(rows=st.integers(0, 3), n=st.integers(1, 50), coef=st.floats(0.0, 0.999), seed=st.integers(0, 99))
def test_first_order_recursion_equals_reference(rows, n, coef, seed):
    rng = np.random.default_rng(seed)
    x, zi = rng.standard_normal((rows, n)), rng.standard_normal(rows)
    assert scaled(cpu.first_order_recursion(x, coef, zi), reference.first_order_recursion(x, coef, zi)) <= 1e-13


def test_first_order_recursion_against_scipy_lfilter():
    signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(2).standard_normal((2, 40))
    zi = np.array([0.3, -1.0])
    expected = signal.lfilter([1.0], [1.0, -0.9], x, zi=zi[:, None])[0]
    assert np.abs(reference.first_order_recursion(x, 0.9, zi) - expected).max() <= 1e-12


def _stable_pole_coefficients(rng, rows, n):
    """Per-sample a1, a2 of poles inside the unit circle (radius < 0.999)."""
    radius = rng.uniform(0.0, 0.999, (rows, n))
    angle = rng.uniform(0.0, np.pi, (rows, n))
    return -2 * radius * np.cos(angle), radius**2


@given(rows=st.integers(0, 3), n=st.integers(1, 60), seed=st.integers(0, 99),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_resonator_equals_reference(rows, n, seed, dtype):
    rng = np.random.default_rng(seed)
    a1, a2 = _stable_pole_coefficients(rng, rows, n)
    x = rng.standard_normal((rows, n))
    x, a1, a2 = x.astype(dtype), a1.astype(dtype), a2.astype(dtype)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    assert cpu.resonator(x, a1, a2).dtype == dtype
    assert scaled(cpu.resonator(x, a1, a2), reference.resonator(x, a1, a2)) <= tol


def test_resonator_with_fixed_poles_against_scipy_lfilter():
    signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 300))
    a1, a2 = -2 * 0.97 * np.cos(0.3), 0.97**2
    expected = signal.lfilter([1.0], [1.0, a1, a2], x)
    ours = reference.resonator(x, np.full_like(x, a1), np.full_like(x, a2))
    assert np.abs(ours - expected).max() <= 1e-12 * np.abs(expected).max()


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_delta_kernels_refuse_what_would_read_outside_the_row(backend):
    # audio.delta validates for users; the kernels check too, for direct callers
    ops = family_module("spectral", backend)
    data = np.zeros((2, 5))
    with pytest.raises(ValueError, match="odd integer >= 3, got 4"):
        ops.delta(data, 4, 1)
    with pytest.raises(ValueError, match="5 frames are fewer than width=7"):
        ops.delta(data, 7, 1)
    with pytest.raises(ValueError, match="order must be >= 1"):
        ops.delta(data, 3, 0)
