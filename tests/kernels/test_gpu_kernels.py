"""The CuPy kernels against their NumPy references, and our FFT against cuFFT.

Marked ``gpu``: skipped (with the reason) where CuPy or a CUDA device is
missing, which includes CI. Shapes are drawn by Hypothesis, with the edge
cases of the CPU kernel tests: n = 1, prime and odd n, empty batches,
transforms longer than the shared-memory limit, length-1 batches.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.fft import reference as fft_reference
from kernels.recurrent import reference as recurrent_reference
from kernels.spectral import reference as spectral_reference

cupy = pytest.importorskip("cupy", reason="cupy is not installed")
pytestmark = pytest.mark.gpu

from kernels.fft import gpu as fft_gpu  # noqa: E402  (after the skip: the launchers need cupy)
from kernels.recurrent import gpu as recurrent_gpu  # noqa: E402
from kernels.spectral import gpu as spectral_gpu  # noqa: E402

TOL = {np.float64: 1e-12, np.float32: 2e-5}  # scaled error, as in the CPU kernel tests


def scaled_error(ours, ref) -> float:
    ours = cupy.asnumpy(ours)
    assert ours.shape == ref.shape, (ours.shape, ref.shape)
    if ref.size == 0:
        return 0.0
    return float(np.abs(ours - ref).max() / max(np.abs(ref).max(), 1e-30))


def assert_matches(ours, ref, dtype, what, n=2):
    assert cupy.asnumpy(ours).dtype == ref.dtype, (what, cupy.asnumpy(ours).dtype, ref.dtype)
    err = scaled_error(ours, ref)
    assert err <= TOL[dtype] * max(1, np.log2(n + 1)), f"{what}: scaled error {err:.2e}"


LENGTHS = st.one_of(st.integers(1, 70), st.sampled_from([97, 128, 509, 1024, 2048, 4095, 4096, 4097,
                                                           8192, 16384, 3001]))


@st.composite
def signals(draw):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    n = draw(LENGTHS)
    rows = draw(st.integers(0, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    return dtype, rng.standard_normal((rows, n)).astype(dtype), rng.standard_normal((rows, n)).astype(dtype)


@given(sig=signals())
def test_gpu_fft_family_equals_reference(sig):
    dtype, re, im = sig
    n = re.shape[-1]
    z = re + 1j * im.astype(dtype)
    R = fft_reference.rfft(re)
    assert_matches(fft_gpu.fft(cupy.asarray(z)), fft_reference.fft(z), dtype, f"fft n={n}", n)
    assert_matches(fft_gpu.ifft(cupy.asarray(z)), fft_reference.ifft(z), dtype, f"ifft n={n}", n)
    assert_matches(fft_gpu.rfft(cupy.asarray(re)), R, dtype, f"rfft n={n}", n)
    assert_matches(fft_gpu.irfft(cupy.asarray(R), n), fft_reference.irfft(R, n), dtype, f"irfft n={n}", n)


@pytest.mark.parametrize("n", [2048, 4096, 8192, 1000])
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_gpu_fft_equals_cufft_on_a_batch(n, dtype):
    rng = np.random.default_rng(n)
    x = cupy.asarray((rng.standard_normal((64, n)) + 1j * rng.standard_normal((64, n))).astype(dtype))
    ours, theirs = fft_gpu.fft(x), cupy.fft.fft(x)
    tol = 1e-12 if dtype == np.complex128 else 2e-5
    err = float(cupy.abs(ours - theirs).max() / cupy.abs(theirs).max())
    assert err <= tol * np.log2(n), f"n={n} {np.dtype(dtype).name}: {err:.2e} against cuFFT"


@settings(max_examples=20)
@given(dtype=st.sampled_from([np.float32, np.float64]), rows=st.integers(0, 3), n_fft=st.sampled_from([16, 30, 64, 100]),
       hop=st.integers(1, 40), extra=st.integers(0, 300), seed=st.integers(0, 2**31 - 1))
def test_gpu_spectral_steps_equal_reference(dtype, rows, n_fft, hop, extra, seed):
    rng = np.random.default_rng(seed)
    y = rng.standard_normal((rows, n_fft + extra)).astype(dtype)
    window = rng.random(n_fft).astype(dtype)
    weights = np.maximum(rng.standard_normal((7, n_fft // 2 + 1)), 0).astype(dtype)  # sparse, some rows empty
    weights[2] = 0
    yg = cupy.asarray(y)
    what = f"rows={rows} n_fft={n_fft} hop={hop}"
    assert_matches(spectral_gpu.windowed_rfft(yg, window, hop),
                   spectral_reference.windowed_rfft(y, window, hop), dtype, "stft " + what, n_fft)
    for power in (1.0, 2.0):
        assert_matches(spectral_gpu.windowed_power(yg, window, hop, power),
                       spectral_reference.windowed_power(y, window, hop, power), dtype, "power " + what, n_fft)
        assert_matches(spectral_gpu.windowed_mel(yg, window, hop, power, weights),
                       spectral_reference.windowed_mel(y, window, hop, power, weights), dtype, "mel " + what, n_fft)
    S = spectral_reference.windowed_power(y, window, hop, 2.0)
    assert_matches(spectral_gpu.mel_apply(cupy.asarray(S), weights),
                   spectral_reference.mel_apply(S, weights), dtype, "mel_apply " + what)
    for top_db in (None, 80.0):
        assert_matches(spectral_gpu.power_to_db(cupy.asarray(S), 1.0, 1e-10, top_db),
                       spectral_reference.power_to_db(S, 1.0, 1e-10, top_db), dtype, "dB " + what)
    frames = rng.standard_normal((rows, 5, n_fft)).astype(dtype)
    assert_matches(spectral_gpu.overlap_add(cupy.asarray(frames), hop),
                   spectral_reference.overlap_add(frames, hop), dtype, "overlap_add " + what)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("width,order,n", [(3, 1, 3), (9, 1, 40), (9, 2, 9), (5, 2, 100)])
def test_gpu_delta_dct_and_recursions_equal_reference(dtype, width, order, n):
    rng = np.random.default_rng(n)
    data = rng.standard_normal((4, n)).astype(dtype)
    assert_matches(spectral_gpu.delta(cupy.asarray(data), width, order),
                   spectral_reference.delta(data, width, order), dtype, f"delta width={width} order={order}")
    D = spectral_reference.dct_matrix(n, dct_type=2, norm="ortho", dtype=dtype)
    S = rng.standard_normal((2, n, 6)).astype(dtype)
    assert_matches(spectral_gpu.matrix_apply(D, cupy.asarray(S)), spectral_reference.matrix_apply(D, S), dtype, "dct")
    zi = rng.standard_normal(4).astype(dtype)
    assert_matches(spectral_gpu.first_order_recursion(cupy.asarray(data), 0.97, cupy.asarray(zi)),
                   spectral_reference.first_order_recursion(data, 0.97, zi), dtype, "first_order_recursion", n)
    a1 = (-1.2 + 0.01 * rng.standard_normal((4, n))).astype(dtype)
    a2 = np.full((4, n), 0.5, dtype=dtype)
    assert_matches(spectral_gpu.resonator(*(cupy.asarray(a) for a in (data, a1, a2))),
                   spectral_reference.resonator(data, a1, a2), dtype, "resonator", n)


GATES = {"rnn": 1, "lstm": 4, "gru": 3}


@settings(max_examples=20)
@given(dtype=st.sampled_from([np.float32, np.float64]), B=st.integers(0, 5), H=st.integers(1, 33),
       seed=st.integers(0, 2**31 - 1))
def test_gpu_gate_kernels_equal_reference(dtype, B, H, seed):
    rng = np.random.default_rng(seed)

    def arr(*shape):
        return (2 * rng.standard_normal(shape)).astype(dtype)

    def check(ours, ref, what):
        ours = ours if isinstance(ours, tuple) else (ours,)
        ref = ref if isinstance(ref, tuple) else (ref,)
        for k, (o, r) in enumerate(zip(ours, ref)):
            assert_matches(o, r, dtype, f"{what}[{k}] B={B} H={H}")

    g = cupy.asarray
    for kind in ("tanh", "relu"):
        gx, gh, dh = arr(B, H), arr(B, H), arr(B, H)
        h = recurrent_reference.rnn_forward(gx, gh, kind)
        check(recurrent_gpu.rnn_forward(g(gx), g(gh), kind), h, f"rnn_forward {kind}")
        check(recurrent_gpu.rnn_backward(g(dh), g(h), kind), recurrent_reference.rnn_backward(dh, h, kind),
              f"rnn_backward {kind}")
    gx, gh, c_prev, dh, dc = arr(B, 4 * H), arr(B, 4 * H), arr(B, H), arr(B, H), arr(B, H)
    forward = recurrent_reference.lstm_forward(gx, gh, c_prev)
    check(recurrent_gpu.lstm_forward(g(gx), g(gh), g(c_prev)), forward, "lstm_forward")
    _, _, gates, tanh_c = forward
    check(recurrent_gpu.lstm_backward(g(dh), g(dc), g(gates), g(c_prev), g(tanh_c)),
          recurrent_reference.lstm_backward(dh, dc, gates, c_prev, tanh_c), "lstm_backward")
    gx, gh, h_prev = arr(B, 3 * H), arr(B, 3 * H), arr(B, H)
    forward = recurrent_reference.gru_forward(gx, gh, h_prev)
    check(recurrent_gpu.gru_forward(g(gx), g(gh), g(h_prev)), forward, "gru_forward")
    check(recurrent_gpu.gru_backward(g(dh), g(forward[1]), g(h_prev)),
          recurrent_reference.gru_backward(dh, forward[1], h_prev), "gru_backward")


def test_gpu_relu_and_decibels_keep_a_nan_as_numpy_does():
    # CUDA's max() is fmax, which drops a NaN; a diverged run must stay visibly diverged.
    pre = np.array([[np.nan, -1.0, 2.0]])
    h = cupy.asnumpy(recurrent_gpu.rnn_forward(cupy.asarray(pre), cupy.zeros_like(cupy.asarray(pre)), "relu"))
    np.testing.assert_array_equal(h, recurrent_reference.rnn_forward(pre, np.zeros_like(pre), "relu"))
    assert np.isnan(h[0, 0])
    S = np.array([[np.nan, 1e-12, 1.0]])
    db = cupy.asnumpy(spectral_gpu.power_to_db(cupy.asarray(S), 1.0, 1e-10, None))
    np.testing.assert_allclose(db, spectral_reference.power_to_db(S, 1.0, 1e-10, None))
    assert np.isnan(db[0, 0])


def test_gpu_gate_kernels_refuse_mixed_dtypes():
    gx = cupy.zeros((2, 4 * 3), np.float64)
    with pytest.raises(TypeError, match="float32, float64"):
        recurrent_gpu.lstm_forward(gx, gx, cupy.zeros((2, 3), np.float32))


def test_gpu_mel_apply_refuses_weights_that_do_not_fit():
    with pytest.raises(ValueError, match=r"do not fit 9 frequency bins"):
        spectral_gpu.mel_apply(cupy.zeros((1, 9, 4)), np.ones((3, 8)))
